// deno-lint-ignore-file
/** Hostile submission: softmax never returns. The other exercise is solved. */
// The library's own function, a correct answer to show that the other exercise still counts,
// taken through an import computed at run time: the grader's reading of imports cannot see it.
export const { countParameters } = await import(
  ["../../../../..", "lib", "model", "config.ts"].join("/")
);

export function softmax(scores: number[]): number[] {
  for (;;) {
    // spins without allocating, so only the time limit stops it
  }
}
