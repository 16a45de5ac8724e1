/**
 * The embedding layer: each token id picks its row of the token table `wte`, and each position
 * adds its row of the position table `wpe`. A lookup, not a multiplication, in both directions.
 *
 * Shapes: B batch, T time (sequence length), C channels, V vocabulary. Gradients accumulate
 * (`+=`), as everywhere in lib/, so the caller zeroes them once per step. Leaves out dropout.
 * @module
 */

/**
 * out[b, t, :] = wte[inp[b, t], :] + wpe[t, :]. Pass `wpe = null` when positions enter elsewhere
 * (RoPE) and a fixed table (sinusoidal) when they are not learned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encoderForward } from "./encoder.ts";
 * const out = new Float32Array(2);
 * encoderForward(out, new Int32Array([1]), new Float32Array([0, 0, 5, 6]), null, 1, 1, 2);
 * assert.ok(out[0] === 5 && out[1] === 6);
 * ```
 */
export function encoderForward(
  out: Float32Array, // (B, T, C)
  inp: Int32Array, // (B, T) token ids
  wte: Float32Array, // (V, C)
  wpe: Float32Array | null, // (maxT, C), maxT ≥ T
  B: number,
  T: number,
  C: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * C;
      const w = inp[b * T + t] * C;
      for (let i = 0; i < C; i++) out[o + i] = wte[w + i] + (wpe ? wpe[t * C + i] : 0);
    }
  }
}

/**
 * Adds the gradient of each output row into the table rows it came from: a token seen twice
 * gets both contributions. `dwpe = null` skips the position table (fixed or absent).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encoderBackward } from "./encoder.ts";
 * const dwte = new Float32Array(4);
 * encoderBackward(dwte, null, new Float32Array([1, 1, 2, 2]), new Int32Array([1, 1]), 1, 2, 2);
 * assert.ok(dwte[2] === 3 && dwte[0] === 0);
 * ```
 */
export function encoderBackward(
  dwte: Float32Array, // (V, C)
  dwpe: Float32Array | null, // (maxT, C)
  dout: Float32Array, // (B, T, C)
  inp: Int32Array, // (B, T)
  B: number,
  T: number,
  C: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * C;
      const w = inp[b * T + t] * C;
      for (let i = 0; i < C; i++) {
        dwte[w + i] += dout[o + i];
        if (dwpe) dwpe[t * C + i] += dout[o + i];
      }
    }
  }
}
