// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 02 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 02` again. Hints: `deno task hint 02.1`.
 */

/**
 * Exercise 02.1: the embedding layer. For every sequence b and position t, out[b, t, :] is the
 * row of wte for token inp[b, t], plus row t of wpe when wpe is not null.
 */
export function encoderForward(
  out: Float32Array, // (B, T, C)
  inp: Int32Array, // (B, T) token ids
  wte: Float32Array, // (V, C)
  wpe: Float32Array | null, // (maxT, C)
  B: number,
  T: number,
  C: number,
): void {
  // TODO: copy (and add) table rows into out.
  throw new Error("TODO: write encoderForward");
}

/**
 * Exercise 02.2: the cosine of the angle between a and b, a·b / (‖a‖·‖b‖); 0 when either is
 * the zero vector.
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // TODO: one loop for the dot product and both lengths.
  throw new Error("TODO: write cosineSimilarity");
}

/**
 * Exercise 02.3: the embedding layer's backward pass. dout[b, t, :] is the gradient of the loss
 * with respect to out[b, t, :]: add it into the row of dwte that token inp[b, t] read, and into
 * row t of dwpe when dwpe is not null. A token read twice gets both gradients.
 */
export function encoderBackward(
  dwte: Float32Array, // (V, C)
  dwpe: Float32Array | null, // (maxT, C)
  dout: Float32Array, // (B, T, C)
  inp: Int32Array, // (B, T) token ids
  B: number,
  T: number,
  C: number,
): void {
  // TODO: scatter-add each row of dout.
  throw new Error("TODO: write encoderBackward");
}
