// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 03 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 03` again. Hints: `deno task hint 03.1`.
 *
 * Matrices are row-major Float32Arrays: element (t, i) of a (T, d) matrix is at t * d + i.
 */

/**
 * Exercise 03.1: the attention weights of one head, a (T, T) matrix. Row t holds the softmax
 * over t2 of q[t]·k[t2] / √d; with `causal`, every t2 > t gets weight 0 and the rest sum to 1.
 */
export function attentionWeights(
  q: Float32Array, // (T, d)
  k: Float32Array, // (T, d)
  T: number,
  d: number,
  causal = true,
): Float32Array {
  // TODO: scores, mask, softmax row by row.
  throw new Error("TODO: write attentionWeights");
}

/**
 * Exercise 03.2: the output of attention, (T, d): row t is the sum over t2 of
 * weights[t, t2] · v[t2].
 */
export function attend(
  weights: Float32Array, // (T, T)
  v: Float32Array, // (T, d)
  T: number,
  d: number,
): Float32Array {
  // TODO: mix the value rows with the weights.
  throw new Error("TODO: write attend");
}
