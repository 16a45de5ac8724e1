/**
 * Matrix multiplication in plain TypeScript, in the three forms training needs: the spec, the
 * fallback and the test oracle of the SIMD kernels in `kernels/`. Row-major float32 everywhere;
 * the caller owns `out`. Leaves out every speed trick on purpose: these loops are meant to be read.
 *
 * How they map onto a linear layer y = x·Wᵀ + b with W of shape (OC, C):
 * - forward:        y  = matmulTransB(x, W) + b
 * - input grad:     dx = matmul(dy, W)
 * - weight grad:    dW = matmulTransA(dy, x)
 * @module
 */

/** Optional extras shared by the three forms. */
export interface MatmulOptions {
  /** Added to every row of the result, length N (default: none). */
  bias?: Float32Array | null;
  /** Add into `out` instead of overwriting it, as gradient accumulation needs (default false). */
  accumulate?: boolean;
}

/**
 * out (M, N) = a (M, K) · b (K, N) [+ bias].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matmul } from "./matmul.ts";
 * const out = new Float32Array(1);
 * matmul(out, new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1);
 * assert.equal(out[0], 11);
 * ```
 */
export function matmul(
  out: Float32Array, // (M, N)
  a: Float32Array, // (M, K)
  b: Float32Array, // (K, N)
  M: number,
  K: number,
  N: number,
  options: MatmulOptions = {},
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = options.bias ? options.bias[j] : 0;
      for (let k = 0; k < K; k++) acc += a[i * K + k] * b[k * N + j];
      out[i * N + j] = options.accumulate ? out[i * N + j] + acc : acc;
    }
  }
}

/**
 * out (M, N) = a (M, K) · bᵀ, where b is stored (N, K) [+ bias]: a linear layer's forward pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matmulTransB } from "./matmul.ts";
 * const out = new Float32Array(2);
 * matmulTransB(out, new Float32Array([1, 2]), new Float32Array([3, 4, 5, 6]), 1, 2, 2);
 * assert.ok(out[0] === 11 && out[1] === 17);
 * ```
 */
export function matmulTransB(
  out: Float32Array, // (M, N)
  a: Float32Array, // (M, K)
  b: Float32Array, // (N, K)
  M: number,
  K: number,
  N: number,
  options: MatmulOptions = {},
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = options.bias ? options.bias[j] : 0;
      for (let k = 0; k < K; k++) acc += a[i * K + k] * b[j * K + k];
      out[i * N + j] = options.accumulate ? out[i * N + j] + acc : acc;
    }
  }
}

/**
 * out (M, N) = aᵀ · b, where a is stored (K, M) and b (K, N) [+ bias]: a weight gradient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matmulTransA } from "./matmul.ts";
 * const out = new Float32Array(1);
 * matmulTransA(out, new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1);
 * assert.equal(out[0], 11);
 * ```
 */
export function matmulTransA(
  out: Float32Array, // (M, N)
  a: Float32Array, // (K, M)
  b: Float32Array, // (K, N)
  M: number,
  K: number,
  N: number,
  options: MatmulOptions = {},
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = options.bias ? options.bias[j] : 0;
      for (let k = 0; k < K; k++) acc += a[k * M + i] * b[k * N + j];
      out[i * N + j] = options.accumulate ? out[i * N + j] + acc : acc;
    }
  }
}
