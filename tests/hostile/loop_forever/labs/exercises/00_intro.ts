// deno-lint-ignore-file
/** Hostile submission: softmax never returns. The other exercise is solved. */
export { countParameters } from "../../../../../labs/solutions/00_intro.ts";

export function softmax(scores: number[]): number[] {
  for (;;) {
    // spins without allocating, so only the time limit stops it
  }
}
