// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 10 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 10` again. Hints: `deno task hint 10.1`.
 *
 * V is the vocabulary size; a distribution is V probabilities that add up to 1.
 */

/** Exercise 10.1: softmax(logits / temperature), for a temperature > 0. */
export function softmaxWithTemperature(
  logits: Float32Array, // (V)
  temperature: number,
): Float32Array {
  // TODO: scale, then a stable softmax.
  throw new Error("TODO: write softmaxWithTemperature");
}

/**
 * Exercise 10.2: keep the k most likely tokens (on equal probabilities, the smaller id first),
 * set the others to 0, and renormalise so the result adds up to 1.
 */
export function topKFilter(
  probs: Float32Array, // (V)
  k: number,
): Float32Array {
  // TODO: rank the tokens, keep k, renormalise.
  throw new Error("TODO: write topKFilter");
}

/**
 * Exercise 10.3: keep the most likely tokens, in order (on equal probabilities, the smaller id
 * first), until their total reaches p, always at least one; set the others to 0 and
 * renormalise.
 */
export function topPFilter(
  probs: Float32Array, // (V)
  p: number,
): Float32Array {
  // TODO: rank the tokens, add them up until the total reaches p, renormalise.
  throw new Error("TODO: write topPFilter");
}
