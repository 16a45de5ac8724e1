/**
 * The linear (fully connected) layer y = x·Wᵀ + b, with W stored (OC, C) as in PyTorch's
 * nn.Linear and nanoGPT. Both passes are the three matmul forms of lib/layers/matmul.ts, so a faster
 * matmul speeds this layer up without touching it.
 *
 * Shapes: N rows (B·T positions), C input channels, OC output channels. Gradients accumulate.
 * @module
 */
import { matmul, matmulTransA, matmulTransB } from "./matmul.ts";

/**
 * out (N, OC) = inp (N, C) · weightᵀ + bias.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearForward } from "./linear.ts";
 * const out = new Float32Array(1);
 * linearForward(out, new Float32Array([1, 2]), new Float32Array([3, 4]), new Float32Array([1]), 1, 2, 1);
 * assert.equal(out[0], 12);
 * ```
 */
export function linearForward(
  out: Float32Array, // (N, OC)
  inp: Float32Array, // (N, C)
  weight: Float32Array, // (OC, C)
  bias: Float32Array | null, // (OC)
  N: number,
  C: number,
  OC: number,
): void {
  matmulTransB(out, inp, weight, N, C, OC, { bias });
}

/**
 * Adds the gradients of the input, the weight and the bias: dinp = dout·W, dW = doutᵀ·inp,
 * dbias = the column sums of dout. `dbias = null` for a layer without bias.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearBackward } from "./linear.ts";
 * const dinp = new Float32Array(2), dw = new Float32Array(2), db = new Float32Array(1);
 * linearBackward(dinp, dw, db, new Float32Array([1]), new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1);
 * assert.ok(dinp[1] === 4 && dw[1] === 2 && db[0] === 1);
 * ```
 */
export function linearBackward(
  dinp: Float32Array, // (N, C)
  dweight: Float32Array, // (OC, C)
  dbias: Float32Array | null, // (OC)
  dout: Float32Array, // (N, OC)
  inp: Float32Array, // (N, C)
  weight: Float32Array, // (OC, C)
  N: number,
  C: number,
  OC: number,
): void {
  matmul(dinp, dout, weight, N, OC, C, { accumulate: true });
  matmulTransA(dweight, dout, inp, OC, N, C, { accumulate: true });
  if (dbias) biasBackward(dbias, dout, N, OC);
}

/**
 * dbias += the column sums of dout: each bias entry was added to every row of the output. The
 * part of linearBackward that is not a matmul, so a faster matmul can reuse it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { biasBackward } from "./linear.ts";
 * const dbias = new Float32Array(2);
 * biasBackward(dbias, new Float32Array([1, 2, 3, 4]), 2, 2);
 * assert.ok(dbias[0] === 4 && dbias[1] === 6);
 * ```
 */
export function biasBackward(
  dbias: Float32Array, // (OC)
  dout: Float32Array, // (N, OC)
  N: number,
  OC: number,
): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < OC; o++) dbias[o] += dout[n * OC + o];
  }
}
