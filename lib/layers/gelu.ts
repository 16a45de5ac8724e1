/**
 * GELU, the smooth ReLU of GPT-2's MLP, in the tanh approximation GPT-2 was trained with:
 * gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). Shapes: N values. Gradients accumulate.
 * @module
 */

const SCALE = Math.sqrt(2 / Math.PI);
const CUBE = 0.044715;

/**
 * out = gelu(inp), element by element.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { geluForward } from "./gelu.ts";
 * const out = new Float32Array(2);
 * geluForward(out, new Float32Array([0, 3]), 2);
 * assert.ok(out[0] === 0 && Math.abs(out[1] - 2.996) < 1e-3);
 * ```
 */
export function geluForward(
  out: Float32Array, // (N)
  inp: Float32Array, // (N)
  N: number,
): void {
  for (let i = 0; i < N; i++) {
    const x = inp[i];
    out[i] = 0.5 * x * (1 + Math.tanh(SCALE * (x + CUBE * x * x * x)));
  }
}

/**
 * dinp += gelu′(inp) · dout, with the derivative of the tanh form taken exactly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { geluBackward } from "./gelu.ts";
 * const dinp = new Float32Array(1);
 * geluBackward(dinp, new Float32Array([0]), new Float32Array([1]), 1);
 * assert.equal(dinp[0], 0.5);
 * ```
 */
export function geluBackward(
  dinp: Float32Array, // (N)
  inp: Float32Array, // (N)
  dout: Float32Array, // (N)
  N: number,
): void {
  for (let i = 0; i < N; i++) {
    const x = inp[i];
    const u = SCALE * (x + CUBE * x * x * x);
    const th = Math.tanh(u);
    const sech2 = 1 - th * th;
    const grad = 0.5 * (1 + th) + 0.5 * x * sech2 * SCALE * (1 + 3 * CUBE * x * x);
    dinp[i] += grad * dout[i];
  }
}
