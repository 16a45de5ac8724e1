/**
 * Matrix multiplication in plain TypeScript: the spec, the fallback and the test oracle of the
 * SIMD kernel in `kernels/matmul.ts`. Row-major float32, caller-owned output.
 * @module
 */

/**
 * out (M, N) = a (M, K) · b (K, N), all row-major.
 *
 * @example
 * ```ts
 * import { matmul } from "./matmul.ts";
 * const out = new Float32Array(1);
 * matmul(out, new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1);
 * console.assert(out[0] === 11);
 * ```
 */
export function matmul(
  out: Float32Array, // (M, N)
  a: Float32Array, // (M, K)
  b: Float32Array, // (K, N)
  M: number,
  K: number,
  N: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += a[i * K + k] * b[k * N + j];
      out[i * N + j] = acc;
    }
  }
}
