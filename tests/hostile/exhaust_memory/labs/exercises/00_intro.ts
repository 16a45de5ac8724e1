// deno-lint-ignore-file
/** Hostile submission: softmax allocates until the heap is gone. The other exercise is solved. */
export { countParameters } from "../../../../../labs/solutions/00_intro.ts";

export function softmax(scores: number[]): number[] {
  const hoard: number[][] = [];
  while (true) hoard.push(new Array(1 << 16).fill(scores.length));
}
