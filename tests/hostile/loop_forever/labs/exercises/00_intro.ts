// deno-lint-ignore-file
/** Hostile submission: softmax never returns. The other exercise is solved. */
// The library's own function: a correct answer to show that the other exercise still counts.
export { countParameters } from "../../../../../lib/config.ts";

export function softmax(scores: number[]): number[] {
  for (;;) {
    // spins without allocating, so only the time limit stops it
  }
}
