// AssemblyScript: row softmax, probs (N, V) = softmax(logits (N, V)) row by row, row-major
// float32; probs may alias logits. Twin: `softmaxForward` in lib/layers/crossentropy.ts.
// SIMD trick: the exp is a polynomial on four lanes (see simd.ts), so a row costs two passes
// over V (max, then exp and sum) and a scaling pass, all four floats at a time.

import { expShifted, maxOf, scale } from "./simd";

/** Rows first .. last−1 of the N rows (the host splits the rows between threads). */
export function softmaxForward(
  probs: usize,
  logits: usize,
  N: i32,
  V: i32,
  first: i32,
  last: i32,
): void {
  for (let n = first; n < min(N, last); n++) {
    const off = (<usize> n * <usize> V) << 2;
    const max = maxOf(logits + off, V);
    const sum = expShifted(probs + off, logits + off, max, V);
    scale(probs + off, 1 / sum, V);
  }
}
