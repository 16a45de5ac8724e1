// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 07 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 07` again. Hints: `deno task hint 07.1`.
 *
 * N rows (positions), V vocabulary, C input and OC output channels; row-major arrays. Backward
 * passes ADD into gradient buffers (+=), as in lib/.
 *
 * Exercises 07.3 and 07.4 are the whole model on its flat buffers (lib/model/layout.ts): `p`
 * and `g` the parameters and their gradients (p.wte, p.wpe, p.h[l], p.ln_f), `a` and `d` the
 * activations and theirs (a.encoded, a.h[l], a.ln_f, a.logits, a.probs, a.losses). `ops` holds
 * every layer function and ops.blockForward / ops.blockBackward: yours where they pass.
 */
import type { ActivationViews, ParameterViews } from "../../lib/model/layout.ts";
import type { GPTDims, GPTParts } from "../../lib/model/gpt.ts";

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

/**
 * Exercise 07.3: the GPT forward. The stream starts as wte[token] + wpe[t] (ops.encoderForward
 * into a.encoded), goes through the L blocks (block l reads the previous block's residual3),
 * then ln_f; the head is tied: logits = ln_f · wteᵀ (ops.linearForward with p.wte and no bias),
 * then ops.softmaxForward into a.probs. With targets, fill a.losses (ops.crossEntropyForward)
 * and return their mean; without, return null.
 */
export function gptForward(
  ops: GPTParts,
  p: ParameterViews,
  a: ActivationViews,
  inputs: Int32Array, // (B, T)
  targets: Int32Array | null, // (B, T)
  B: number,
  T: number,
  config: GPTDims, // vocabSize V, nLayer L, nHead NH, nEmbd C
): number | null {
  // TODO: the seed's MiniGPT.forward, one ops call per line.
  throw new Error("TODO: write gptForward");
}

/**
 * Exercise 07.4: the GPT backward. d.losses holds d(loss)/d(losses[n]) (1/N for the mean); every
 * other buffer of d starts at zero. Run gptForward's calls in reverse, each layer's backward,
 * so as to ADD every parameter's gradient into g.
 */
export function gptBackward(
  ops: GPTParts,
  g: ParameterViews,
  d: ActivationViews,
  p: ParameterViews,
  a: ActivationViews, // what gptForward kept
  inputs: Int32Array, // (B, T)
  targets: Int32Array, // (B, T)
  B: number,
  T: number,
  config: GPTDims,
): void {
  // TODO: gptForward's calls, from the last to the first.
  throw new Error("TODO: write gptBackward");
}
