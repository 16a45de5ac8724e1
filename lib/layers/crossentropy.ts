/**
 * The model's last step: softmax turns each position's V logits into next-token probabilities,
 * and cross-entropy scores them by −log(probability of the true next token). Their backward
 * passes are fused because together they simplify to dlogits = probs − one_hot(target).
 *
 * Shapes: N rows (B·T positions), V vocabulary. Gradients accumulate.
 * @module
 */

/**
 * Row-wise numerically stable softmax: probs[n, :] = softmax(logits[n, :]).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxForward } from "./crossentropy.ts";
 * const probs = new Float32Array(2);
 * softmaxForward(probs, new Float32Array([3, 3]), 1, 2);
 * assert.equal(probs[0], 0.5);
 * ```
 */
export function softmaxForward(
  probs: Float32Array, // (N, V)
  logits: Float32Array, // (N, V)
  N: number,
  V: number,
): void {
  for (let n = 0; n < N; n++) {
    const r = n * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[r + v] > max) max = logits[r + v];
    let sum = 0;
    for (let v = 0; v < V; v++) {
      const e = Math.exp(logits[r + v] - max);
      probs[r + v] = e;
      sum += e;
    }
    for (let v = 0; v < V; v++) probs[r + v] /= sum;
  }
}

/**
 * losses[n] = −log probs[n, targets[n]].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossEntropyForward } from "./crossentropy.ts";
 * const losses = new Float32Array(1);
 * crossEntropyForward(losses, new Float32Array([0.5, 0.5]), new Int32Array([1]), 1, 2);
 * assert.ok(Math.abs(losses[0] - Math.LN2) < 1e-7);
 * ```
 */
export function crossEntropyForward(
  losses: Float32Array, // (N)
  probs: Float32Array, // (N, V)
  targets: Int32Array, // (N)
  N: number,
  V: number,
): void {
  for (let n = 0; n < N; n++) losses[n] = -Math.log(probs[n * V + targets[n]]);
}

/**
 * dlogits[n, v] += (probs[n, v] − [v = target]) · dlosses[n]: the gradient through cross-entropy
 * and softmax at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossEntropySoftmaxBackward } from "./crossentropy.ts";
 * const d = new Float32Array(2);
 * crossEntropySoftmaxBackward(d, new Float32Array([1]), new Float32Array([0.25, 0.75]), new Int32Array([1]), 1, 2);
 * assert.ok(d[0] === 0.25 && d[1] === -0.25);
 * ```
 */
export function crossEntropySoftmaxBackward(
  dlogits: Float32Array, // (N, V)
  dlosses: Float32Array, // (N)
  probs: Float32Array, // (N, V)
  targets: Int32Array, // (N)
  N: number,
  V: number,
): void {
  for (let n = 0; n < N; n++) {
    const r = n * V;
    for (let v = 0; v < V; v++) {
      const indicator = v === targets[n] ? 1 : 0;
      dlogits[r + v] += (probs[r + v] - indicator) * dlosses[n];
    }
  }
}
