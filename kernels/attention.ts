// AssemblyScript: causal multi-head self-attention forward and backward, the exact semantics of
// the twins in lib/attention.ts (llm.c's layout and order of operations).
//
// Memory layout (row-major float32, byte-offset pointers, caller-owned):
//   inp (B, T, 3C): per position the C query channels, then C key, then C value; head h owns
//                   channels h·hs .. h·hs+hs of each, with hs = C / NH
//   preatt, att (B, NH, T, T): scores and softmax weights, zero above the diagonal
//   out (B, T, C): the heads' outputs side by side
// The gradients (dinp, dpreatt, datt) accumulate; dpreatt and datt must start at zero.
//
// SIMD: the head dimension hs is the vector axis of every q·k dot product and every weighted sum
// of values (dot and axpy in simd.ts); the time axis is the vector axis of the softmax (a
// polynomial exp on four lanes). One (batch, head) pair touches only its own rows of preatt/att
// and its own channels of out/dinp, so pairs can run on different threads.

import { axpy, dot, expShifted, maxOf, scale, zero } from "./simd";

/** Forward pass of the pairs (b, h) numbered first .. last−1 (pair = b·NH + h). */
export function attentionForward(
  out: usize,
  preatt: usize,
  att: usize,
  inp: usize,
  B: i32,
  T: i32,
  C: i32,
  NH: i32,
  first: i32,
  last: i32,
): void {
  const C3 = 3 * C, hs = C / NH;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  for (let pair = first; pair < last; pair++) {
    const b = pair / NH, h = pair % NH;
    const base = inp + ((<usize> b * <usize> T * <usize> C3 + <usize> (h * hs)) << 2);
    for (let t = 0; t < T; t++) {
      const q = base + ((<usize> t * <usize> C3) << 2);
      const row = (<usize> ((pair * T + t) * T)) << 2;
      const pre = preatt + row, w = att + row;
      for (let t2 = 0; t2 <= t; t2++) {
        const k = base + ((<usize> t2 * <usize> C3 + <usize> C) << 2);
        store<f32>(pre + (<usize> t2 << 2), dot(q, k, hs) * sc);
      }
      const n = t + 1;
      const sum = expShifted(w, pre, maxOf(pre, n), n);
      scale(w, 1 / sum, n);
      // The masked future: weight exactly zero, and a score of zero rather than stale memory.
      zero(pre + (<usize> n << 2), T - n);
      zero(w + (<usize> n << 2), T - n);
      const o = out + ((<usize> (b * T + t) * <usize> C + <usize> (h * hs)) << 2);
      zero(o, hs);
      for (let t2 = 0; t2 <= t; t2++) {
        const v = base + ((<usize> t2 * <usize> C3 + <usize> (2 * C)) << 2);
        axpy(o, load<f32>(w + (<usize> t2 << 2)), v, hs);
      }
    }
  }
}

/** Backward pass of the pairs (b, h) numbered first .. last−1; adds into dinp, dpreatt, datt. */
export function attentionBackward(
  dinp: usize,
  dpreatt: usize,
  datt: usize,
  dout: usize,
  inp: usize,
  att: usize,
  B: i32,
  T: i32,
  C: i32,
  NH: i32,
  first: i32,
  last: i32,
): void {
  const C3 = 3 * C, hs = C / NH;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  for (let pair = first; pair < last; pair++) {
    const b = pair / NH, h = pair % NH;
    const headOff = (<usize> b * <usize> T * <usize> C3 + <usize> (h * hs)) << 2;
    const base = inp + headOff, dbase = dinp + headOff;
    for (let t = 0; t < T; t++) {
      const tOff = (<usize> t * <usize> C3) << 2;
      const row = (<usize> ((pair * T + t) * T)) << 2;
      const w = att + row, dw = datt + row, dpre = dpreatt + row;
      const o = dout + ((<usize> (b * T + t) * <usize> C + <usize> (h * hs)) << 2);
      for (let t2 = 0; t2 <= t; t2++) {
        const vOff = (<usize> t2 * <usize> C3 + <usize> (2 * C)) << 2;
        const at = (<usize> t2) << 2;
        store<f32>(dw + at, load<f32>(dw + at) + dot(base + vOff, o, hs));
        axpy(dbase + vOff, load<f32>(w + at), o, hs);
      }
      const n = t + 1;
      // Softmax backward: dpreatt += att · (datt − Σ att·datt).
      const weighted = dot(w, dw, n);
      const wv = f32x4.splat(weighted);
      let t2 = 0;
      for (; t2 + 4 <= n; t2 += 4) {
        const at = (<usize> t2) << 2;
        v128.store(
          dpre + at,
          f32x4.relaxed_madd(
            v128.load(w + at),
            f32x4.sub(v128.load(dw + at), wv),
            v128.load(dpre + at),
          ),
        );
      }
      for (; t2 < n; t2++) {
        const at = (<usize> t2) << 2;
        store<f32>(
          dpre + at,
          load<f32>(dpre + at) + load<f32>(w + at) * (load<f32>(dw + at) - weighted),
        );
      }
      for (let t2 = 0; t2 <= t; t2++) {
        const kOff = (<usize> t2 * <usize> C3 + <usize> C) << 2;
        const g = load<f32>(dpre + (<usize> t2 << 2)) * sc;
        axpy(dbase + tOff, g, base + kOff, hs);
        axpy(dbase + kOff, g, base + tOff, hs);
      }
    }
  }
}
