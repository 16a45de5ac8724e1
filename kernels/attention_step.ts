// AssemblyScript: one step of causal attention for generation with a KV cache, the newest
// position's query against the cached keys and values; twin: `attentionStep` in
// lib/layers/attention_step.ts. It calls the same helpers in the same order as attentionForward in
// attention.ts does for a last row, so cached and uncached generation agree bit for bit.
//
// Layout (float32, byte pointers, caller-owned): out (C), q (C), kv (≥ pos+1, 2C) holding per
// position its C key channels then its C value channels, scores (≥ pos+1) scratch.

import { axpy, dot, expShifted, maxOf, scale, zero } from "./simd";

export function attentionStep(
  out: usize,
  q: usize,
  kv: usize,
  pos: i32,
  C: i32,
  NH: i32,
  scores: usize,
): void {
  const hs = C / NH, n = pos + 1;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  const row = (<usize> (2 * C)) << 2;
  for (let h = 0; h < NH; h++) {
    const head = (<usize> (h * hs)) << 2;
    for (let t2 = 0; t2 < n; t2++) {
      store<f32>(scores + (<usize> t2 << 2), dot(q + head, kv + <usize> t2 * row + head, hs) * sc);
    }
    const sum = expShifted(scores, scores, maxOf(scores, n), n);
    scale(scores, 1 / sum, n);
    const o = out + head;
    zero(o, hs);
    const values = kv + ((<usize> C) << 2) + head;
    for (let t2 = 0; t2 < n; t2++) {
      axpy(o, load<f32>(scores + (<usize> t2 << 2)), values + <usize> t2 * row, hs);
    }
  }
}
