/**
 * Softmax: turning arbitrary scores into probabilities that are positive and sum to one.
 * This is the one-vector version the labs start with; the row-wise kernels build on it.
 * @module
 */

/**
 * Numerically stable softmax of one vector: exp(x - max) / sum(exp(x - max)).
 * Subtracting the max changes nothing mathematically and keeps exp from overflowing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmax } from "./softmax.ts";
 * const p = softmax([1, 1]);
 * assert.ok(p[0] === 0.5 && p[1] === 0.5);
 * ```
 */
export function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
