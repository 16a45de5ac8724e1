// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 04 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 04` again. Hints: `deno task hint 04.1`.
 *
 * B batch, T time, C channels, NH heads, hs = C / NH. `inp` is the output of c_attn: for each
 * (b, t), 3C numbers: C query channels, then C key channels, then C value channels; head h owns
 * channels h*hs … (h+1)*hs − 1 of each. preatt and att are (B, NH, T, T): entry (b, h, t, t2)
 * is at ((b * NH + h) * T + t) * T + t2.
 */

/**
 * Exercise 04.1: causal multi-head self-attention. For every b, t, h: preatt holds the scores
 * q·k / √hs for t2 ≤ t, att their softmax over t2 ≤ t (0 for t2 > t), and out (B, T, C) the
 * weighted sum of values in head h's channels.
 */
export function attentionForward(
  out: Float32Array, // (B, T, C)
  preatt: Float32Array, // (B, NH, T, T)
  att: Float32Array, // (B, NH, T, T)
  inp: Float32Array, // (B, T, 3C)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  // TODO: lab 03's single head, for every sequence and every head.
  throw new Error("TODO: write attentionForward");
}

/**
 * Exercise 04.2: the backward pass. Given dout (B, T, C), add the gradient of q, k and v into
 * dinp (B, T, 3C). datt and dpreatt are zeroed scratch buffers you may use.
 */
export function attentionBackward(
  dinp: Float32Array, // (B, T, 3C)
  dpreatt: Float32Array, // (B, NH, T, T)
  datt: Float32Array, // (B, NH, T, T)
  dout: Float32Array, // (B, T, C)
  inp: Float32Array, // (B, T, 3C)
  att: Float32Array, // (B, NH, T, T)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  // TODO: weighted sum, softmax, scores: in reverse.
  throw new Error("TODO: write attentionBackward");
}
