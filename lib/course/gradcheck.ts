/**
 * Gradient checking: compare an analytic gradient (from a backward pass) with the slope measured
 * by central finite differences, (f(x + h) − f(x − h)) / 2h. The score is the relative error
 * ‖a − n‖ / (‖a‖ + ‖n‖) over the checked entries: about 1e-7 in float64, and in float32 (what
 * our layers compute in) a correct gradient scores around 1e-4 to 1e-3 while a wrong one scores
 * near 1. Leaves out complex-step and higher-order checks.
 * @module
 */
import { Rng } from "../random.ts";

/**
 * ‖a − b‖ / (‖a‖ + ‖b‖), 0 when both are zero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relativeError } from "./gradcheck.ts";
 * assert.equal(relativeError([1, 2], [1, 2]), 0);
 * ```
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  const denom = Math.sqrt(na) + Math.sqrt(nb);
  return denom === 0 ? 0 : Math.sqrt(diff) / denom;
}

/** Options of {@link gradCheck}. */
export interface GradCheckOptions {
  /** Step of the finite difference (default 1e-2, large enough for float32 rounding). */
  h?: number;
  /** Check this many entries chosen at random instead of all (default: all). */
  samples?: number;
  /** Seed of the sample choice (default 0). */
  seed?: number;
}

/** What {@link gradCheck} found. */
export interface GradCheckResult {
  relativeError: number;
  /** The entries checked, with both gradients. */
  indices: number[];
  analytic: number[];
  numeric: number[];
}

/**
 * Checks `analytic`, the gradient of `loss()` with respect to `x`, against central differences.
 * `loss` must read `x` each time it is called; `x` is restored after each probe.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradCheck } from "./gradcheck.ts";
 * const x = new Float32Array([1, 2]);
 * const loss = () => x[0] * x[0] + 3 * x[1]; // gradient (2·x0, 3)
 * const r = gradCheck(loss, x, new Float32Array([2, 3]));
 * assert.ok(r.relativeError < 1e-4);
 * ```
 */
export function gradCheck(
  loss: () => number,
  x: Float32Array,
  analytic: ArrayLike<number>,
  options: GradCheckOptions = {},
): GradCheckResult {
  const h = options.h ?? 1e-2;
  const indices = options.samples === undefined || options.samples >= x.length
    ? Array.from({ length: x.length }, (_, i) => i)
    : sampleIndices(x.length, options.samples, options.seed ?? 0);
  const numeric = indices.map((i) => {
    const saved = x[i];
    x[i] = saved + h;
    const plus = loss();
    x[i] = saved - h;
    const minus = loss();
    x[i] = saved;
    // x[i] ± h is rounded to float32, so divide by the step actually taken.
    const step = Math.fround(saved + h) - Math.fround(saved - h);
    return (plus - minus) / step;
  });
  const picked = indices.map((i) => analytic[i]);
  return { relativeError: relativeError(picked, numeric), indices, analytic: picked, numeric };
}

function sampleIndices(n: number, k: number, seed: number): number[] {
  const rng = new Rng(seed);
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(rng.int(n));
  return [...chosen].sort((a, b) => a - b);
}
