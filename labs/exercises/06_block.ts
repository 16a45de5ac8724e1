// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 06 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 06` again. Hints: `deno task hint 06.1`.
 *
 * N rows (positions), C channels; row n of a (N, C) array starts at n * C. As in llm.c, the
 * caller owns every buffer, and backward passes ADD into gradient buffers (+=).
 */

/**
 * Exercise 06.1: LayerNorm. For each row: out = (inp − mean) / sqrt(variance + 1e-5) · weight
 * + bias, with the mean and the (biased) variance over the row's C values. Also store each
 * row's mean in `mean[n]` and 1 / sqrt(variance + 1e-5) in `rstd[n]`.
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
  // TODO: normalise each row, then scale and shift.
  throw new Error("TODO: write layerNormForward");
}

/**
 * Exercise 06.2: LayerNorm's backward pass. Given dout, the gradient of the loss with respect to
 * `out`, add the gradients with respect to inp, weight and bias into dinp, dweight, dbias.
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
  // TODO: the chain rule through the scale and shift, then through the normalisation.
  throw new Error("TODO: write layerNormBackward");
}
