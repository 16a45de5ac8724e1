/**
 * One step of causal attention for generation with a KV cache: the newest position's query
 * against the keys and values of every position so far. The arithmetic is that of
 * `attentionForward` in lib/layers/attention.ts for the last row (same operations, same order), which is
 * what lets cached and uncached generation agree bit for bit.
 *
 * Shapes: C channels, NH heads of hs = C/NH, pos the newest position (0-based). Leaves out
 * batches (generation runs one sequence) and the backward pass (nothing trains through a cache).
 * @module
 */

/**
 * out (C) = each head's softmax(q·kᵀ/√hs)·v over positions 0..pos, heads side by side. `kv` holds
 * per position its C key channels then its C value channels; `scores` is (≥ pos+1) scratch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attentionStep } from "./attention_step.ts";
 * const out = new Float32Array(1);
 * attentionStep(out, new Float32Array([1]), new Float32Array([2, 3]), 0, 1, 1, new Float32Array(1));
 * assert.equal(out[0], 3);
 * ```
 */
export function attentionStep(
  out: Float32Array, // (C)
  q: Float32Array, // (C)
  kv: Float32Array, // (≥ pos+1, 2C)
  pos: number,
  C: number,
  NH: number,
  scores: Float32Array, // (≥ pos+1)
): void {
  const hs = C / NH, scale = 1 / Math.sqrt(hs);
  for (let h = 0; h < NH; h++) {
    const qh = h * hs;
    let max = -Infinity;
    for (let t2 = 0; t2 <= pos; t2++) {
      const k = t2 * 2 * C + h * hs;
      let dot = 0;
      for (let i = 0; i < hs; i++) dot += q[qh + i] * kv[k + i];
      scores[t2] = dot * scale;
      if (dot * scale > max) max = dot * scale;
    }
    let sum = 0;
    for (let t2 = 0; t2 <= pos; t2++) {
      const e = Math.exp(scores[t2] - max);
      scores[t2] = e;
      sum += e;
    }
    for (let t2 = 0; t2 <= pos; t2++) scores[t2] /= sum;
    for (let i = 0; i < hs; i++) out[h * hs + i] = 0;
    for (let t2 = 0; t2 <= pos; t2++) {
      const v = t2 * 2 * C + C + h * hs;
      const a = scores[t2];
      for (let i = 0; i < hs; i++) out[h * hs + i] += a * kv[v + i];
    }
  }
}
