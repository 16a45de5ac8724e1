// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 07 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 07` again. Hints: `deno task hint 07.1`.
 *
 * N rows (positions), V vocabulary, C input and OC output channels; row-major arrays. Backward
 * passes ADD into gradient buffers (+=), as in lib/.
 */

/**
 * Exercise 07.1: with probs = softmax(logits) per row and losses[n] = −log probs[n, targets[n]],
 * add d(Σ_n dlosses[n]·losses[n]) / d(logits) into dlogits.
 */
export function crossEntropySoftmaxBackward(
  dlogits: Float32Array, // (N, V)
  dlosses: Float32Array, // (N)
  probs: Float32Array, // (N, V)
  targets: Int32Array, // (N)
  N: number,
  V: number,
): void {
  // TODO: one line per entry, once you have the formula.
  throw new Error("TODO: write crossEntropySoftmaxBackward");
}

/**
 * Exercise 07.2: the backward pass of out = inp · weightᵀ + bias, weight stored (OC, C). Add
 * the gradients of inp, weight and bias (skip bias when dbias is null).
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
  // TODO: three sums over the right index each.
  throw new Error("TODO: write linearBackward");
}
