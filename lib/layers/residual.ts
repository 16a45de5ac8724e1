/**
 * The residual connection: a block adds its output to its input, so the gradient reaches early
 * layers unchanged through the sum. Shapes: N values. Gradients accumulate.
 * @module
 */

/**
 * out = inp1 + inp2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { residualForward } from "./residual.ts";
 * const out = new Float32Array(1);
 * residualForward(out, new Float32Array([1]), new Float32Array([2]), 1);
 * assert.equal(out[0], 3);
 * ```
 */
export function residualForward(
  out: Float32Array, // (N)
  inp1: Float32Array, // (N)
  inp2: Float32Array, // (N)
  N: number,
): void {
  for (let i = 0; i < N; i++) out[i] = inp1[i] + inp2[i];
}

/**
 * A sum passes its gradient to both terms: dinp1 += dout, dinp2 += dout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { residualBackward } from "./residual.ts";
 * const d1 = new Float32Array(1), d2 = new Float32Array(1);
 * residualBackward(d1, d2, new Float32Array([5]), 1);
 * assert.ok(d1[0] === 5 && d2[0] === 5);
 * ```
 */
export function residualBackward(
  dinp1: Float32Array, // (N)
  dinp2: Float32Array, // (N)
  dout: Float32Array, // (N)
  N: number,
): void {
  for (let i = 0; i < N; i++) {
    dinp1[i] += dout[i];
    dinp2[i] += dout[i];
  }
}
