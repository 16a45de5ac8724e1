/**
 * Layer normalisation: each position's C channels are shifted to mean 0 and scaled to variance 1,
 * then scaled and shifted again by learned per-channel `weight` and `bias`. The forward pass
 * keeps each row's mean and 1/std so that the backward pass need not recompute them.
 *
 * Shapes: N rows (B·T positions), C channels. Gradients accumulate. eps = 1e-5, as GPT-2.
 * @module
 */

const EPS = 1e-5;

/**
 * out = (inp − mean) · rstd · weight + bias, row by row; fills `mean` and `rstd` for backward.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerNormForward } from "./layernorm.ts";
 * const out = new Float32Array(2), mean = new Float32Array(1), rstd = new Float32Array(1);
 * layerNormForward(out, mean, rstd, new Float32Array([1, 3]), new Float32Array([1, 1]), new Float32Array(2), 1, 2);
 * assert.ok(mean[0] === 2 && Math.abs(out[1] - 1) < 1e-4);
 * ```
 */
export function layerNormForward(
  out: Float32Array, // (N, C)
  mean: Float32Array, // (N)
  rstd: Float32Array, // (N)
  inp: Float32Array, // (N, C)
  weight: Float32Array, // (C)
  bias: Float32Array, // (C)
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const x = n * C;
    let m = 0;
    for (let i = 0; i < C; i++) m += inp[x + i];
    m /= C;
    let v = 0;
    for (let i = 0; i < C; i++) v += (inp[x + i] - m) * (inp[x + i] - m);
    v /= C;
    const s = 1 / Math.sqrt(v + EPS);
    for (let i = 0; i < C; i++) out[x + i] = (inp[x + i] - m) * s * weight[i] + bias[i];
    mean[n] = m;
    rstd[n] = s;
  }
}

/**
 * Adds the gradients of the input, weight and bias. With x̂ the normalised input and
 * g = dout·weight, dinp = rstd · (g − mean(g) − x̂ · mean(g·x̂)): the two means remove the parts
 * of the gradient that normalisation would undo.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerNormBackward, layerNormForward } from "./layernorm.ts";
 * const inp = new Float32Array([1, 3]), w = new Float32Array([1, 1]), b = new Float32Array(2);
 * const out = new Float32Array(2), mean = new Float32Array(1), rstd = new Float32Array(1);
 * layerNormForward(out, mean, rstd, inp, w, b, 1, 2);
 * const dinp = new Float32Array(2), dw = new Float32Array(2), db = new Float32Array(2);
 * layerNormBackward(dinp, dw, db, new Float32Array([1, 1]), inp, w, mean, rstd, 1, 2);
 * assert.ok(Math.abs(dinp[0]) < 1e-6 && db[0] === 1);
 * ```
 */
export function layerNormBackward(
  dinp: Float32Array, // (N, C)
  dweight: Float32Array, // (C)
  dbias: Float32Array, // (C)
  dout: Float32Array, // (N, C)
  inp: Float32Array, // (N, C)
  weight: Float32Array, // (C)
  mean: Float32Array, // (N)
  rstd: Float32Array, // (N)
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const x = n * C;
    const m = mean[n], s = rstd[n];
    let gMean = 0, gxMean = 0;
    for (let i = 0; i < C; i++) {
      const xhat = (inp[x + i] - m) * s;
      const g = dout[x + i] * weight[i];
      gMean += g;
      gxMean += g * xhat;
    }
    gMean /= C;
    gxMean /= C;
    for (let i = 0; i < C; i++) {
      const xhat = (inp[x + i] - m) * s;
      const g = dout[x + i] * weight[i];
      dbias[i] += dout[x + i];
      dweight[i] += xhat * dout[x + i];
      dinp[x + i] += s * (g - gMean - xhat * gxMean);
    }
  }
}
