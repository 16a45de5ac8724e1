/**
 * Attention for one head and one sequence, written for reading: the scores q·k/√d, the causal
 * mask, the softmax, and the weighted sum of values, each a separate step. Lab 03 builds it and
 * compares it with the batched multi-head kernel twin in lib/layers/attention.ts, which fuses the same
 * steps. Forward only: the backward pass lives with the batched version.
 *
 * Shapes: T time, d the head size.
 * @module
 */
import { softmaxForward } from "./crossentropy.ts";

/**
 * Attention weights (T, T): row t is softmax over t2 of q[t]·k[t2]/√d, with every t2 > t masked
 * to weight 0 when `causal` (the default).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attentionWeights } from "./single_head.ts";
 * const w = attentionWeights(new Float32Array([1, 1]), new Float32Array([1, 1]), 2, 1);
 * assert.ok(w[0] === 1 && w[1] === 0 && w[2] === 0.5);
 * ```
 */
export function attentionWeights(
  q: Float32Array, // (T, d)
  k: Float32Array, // (T, d)
  T: number,
  d: number,
  causal = true,
): Float32Array {
  const scores = new Float32Array(T * T); // (T, T)
  for (let t = 0; t < T; t++) {
    for (let t2 = 0; t2 < T; t2++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[t * d + i] * k[t2 * d + i];
      // exp(−∞) = 0: a masked position gets no weight, and the others still sum to 1
      scores[t * T + t2] = causal && t2 > t ? -Infinity : dot / Math.sqrt(d);
    }
  }
  const weights = new Float32Array(T * T);
  softmaxForward(weights, scores, T, T);
  return weights;
}

/**
 * The output (T, d): row t is Σ_t2 weights[t, t2] · v[t2].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attend } from "./single_head.ts";
 * const out = attend(new Float32Array([1, 0, 0.5, 0.5]), new Float32Array([2, 4]), 2, 1);
 * assert.ok(out[0] === 2 && out[1] === 3);
 * ```
 */
export function attend(
  weights: Float32Array, // (T, T)
  v: Float32Array, // (T, d)
  T: number,
  d: number,
): Float32Array {
  const out = new Float32Array(T * d); // (T, d)
  for (let t = 0; t < T; t++) {
    for (let t2 = 0; t2 < T; t2++) {
      const w = weights[t * T + t2];
      for (let i = 0; i < d; i++) out[t * d + i] += w * v[t2 * d + i];
    }
  }
  return out;
}
