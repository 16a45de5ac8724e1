// deno-lint-ignore-file
/** Hostile submission: softmax allocates until the heap is gone. The other exercise is solved. */
// The library's own function, a correct answer to show that the other exercise still counts,
// taken through an import computed at run time: the grader's reading of imports cannot see it.
export const { countParameters } = await import(
  ["../../../../..", "lib", "model", "config.ts"].join("/")
);

export function softmax(scores: number[]): number[] {
  const hoard: number[][] = [];
  while (true) hoard.push(new Array(1 << 20).fill(scores.length + 0.5));
}
