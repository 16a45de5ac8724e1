// AssemblyScript: the token and position embeddings, forward and backward, the semantics of the
// twins in lib/layers/encoder.ts. Layout (row-major, byte pointers, caller-owned): inp (B, T) int32 token
// ids, wte (V, C), wpe (≥ T, C) or 0 when positions are not learned, out and dout (B, T, C).
// The backward pass accumulates into dwte and dwpe.
// The forward pass splits by positions. The backward pass splits by blocks of ENCODER_CHANNELS
// channels: two positions with the same token add into the same row of dwte, so positions cannot
// be split, while channels can, and each channel still takes its positions in the twin's order.

import { residualForward } from "./residual";

/** Channels per work item of the backward pass. */
export const ENCODER_CHANNELS = 32;

/** dst[0..n) = x[0..n) + y[0..n), dst may be x: the residual sum's kernel over all of n. */
// @ts-ignore: decorator
@inline function add(dst: usize, x: usize, y: usize, n: i32): void {
  residualForward(dst, x, y, n, 0, (n + 3) >> 2);
}

/** out[b, t] = wte[inp[b, t]] + wpe[t] for positions first .. last−1 (position = b·T + t). */
export function encoderForward(
  out: usize,
  inp: usize,
  wte: usize,
  wpe: usize,
  B: i32,
  T: i32,
  C: i32,
  first: i32,
  last: i32,
): void {
  const row = <usize> C << 2;
  for (let pos = first; pos < last; pos++) {
    const token = <usize> load<i32>(inp + (<usize> pos << 2));
    const o = out + <usize> pos * row, w = wte + token * row;
    if (wpe) add(o, w, wpe + <usize> (pos % T) * row, C);
    else memory.copy(o, w, row);
  }
}

/** dwte[inp[b, t]] += dout[b, t] and dwpe[t] += dout[b, t], for channel blocks first .. last−1. */
export function encoderBackward(
  dwte: usize,
  dwpe: usize,
  dout: usize,
  inp: usize,
  B: i32,
  T: i32,
  C: i32,
  first: i32,
  last: i32,
): void {
  const row = <usize> C << 2;
  const c0 = first * ENCODER_CHANNELS, n = min(last * ENCODER_CHANNELS, C) - c0;
  const at = <usize> c0 << 2;
  for (let pos = 0; pos < B * T; pos++) {
    const token = <usize> load<i32>(inp + (<usize> pos << 2));
    const d = dout + <usize> pos * row + at;
    const w = dwte + token * row + at;
    add(w, w, d, n);
    if (dwpe) {
      const p = dwpe + <usize> (pos % T) * row + at;
      add(p, p, d, n);
    }
  }
}
