/**
 * AdamW, the optimizer GPTs are trained with, and global gradient-norm clipping. Works on the flat
 * parameter, gradient and moment buffers directly; parameter groups say which ranges of the
 * buffer get weight decay (matrices do, biases and LayerNorm gains do not).
 * @module
 */

/** A contiguous range of the parameter buffer and the weight decay it gets. */
export interface ParamGroup {
  start: number;
  end: number;
  weightDecay: number;
}

/** Hyperparameters of one AdamW step. */
export interface AdamWOptions {
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999 (GPT training usually uses 0.95 to 0.99). */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
}

/**
 * One AdamW update, in place: m and v are the running first and second moments, `t` the
 * 1-based step count used for bias correction. Decay is decoupled (applied to the weights, not
 * added to the gradient), which is what the W in AdamW means.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adamwStep } from "./adamw.ts";
 * const p = new Float32Array([1]), g = new Float32Array([0.5]);
 * const m = new Float32Array(1), v = new Float32Array(1);
 * adamwStep(p, g, m, v, 1, { lr: 0.1 }, [{ start: 0, end: 1, weightDecay: 0 }]);
 * assert.ok(Math.abs(p[0] - 0.9) < 1e-6);
 * ```
 */
export function adamwStep(
  params: Float32Array, // (P,)
  grads: Float32Array, // (P,)
  m: Float32Array, // (P,)
  v: Float32Array, // (P,)
  t: number,
  options: AdamWOptions,
  groups: ParamGroup[],
): void {
  const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
  const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
  for (const group of groups) {
    const decay = lr * group.weightDecay;
    for (let i = group.start; i < group.end; i++) {
      const g = grads[i];
      const mi = beta1 * m[i] + (1 - beta1) * g;
      const vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= lr * (mi / c1) / (Math.sqrt(vi / c2) + eps) + decay * params[i];
    }
  }
}

/**
 * Scales `grads` in place so that their global L2 norm is at most `maxNorm`; returns the norm
 * before clipping (worth logging: spikes announce instabilities).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clipGradNorm } from "./adamw.ts";
 * const g = new Float32Array([3, 4]);
 * assert.ok(clipGradNorm(g, 1) === 5 && Math.abs(g[0] - 0.6) < 1e-6);
 * ```
 */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  const norm = Math.sqrt(sum);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  }
  return norm;
}
