// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 10 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 10` again. Hints: `deno task hint 10.1`.
 *
 * V is the vocabulary size; a distribution is V probabilities that add up to 1.
 */
import type { Rng } from "../../lib/random.ts";
import type { SampleModel, SampleOptions, SampleParts } from "../../lib/model/generation_loop.ts";

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

/**
 * Exercise 10.4: the generation loop. Until options.maxTokens new tokens: the context is the last
 * model.config.blockSize tokens (prompt and new ones); run model.forward(context ids, null, 1, T)
 * and take the logits of the last position from model.acts.logits (row T − 1 of V); turn them
 * into probabilities with parts.softmaxWithTemperature, then parts.topKFilter when options.topK
 * is set and parts.topPFilter when options.topP is below 1; draw the first token whose cumulative
 * probability exceeds rng.uniform(); append it. Stop early once options.decode(new tokens)
 * contains options.stop. Return the new tokens.
 */
export function generateTokens(
  model: SampleModel,
  parts: SampleParts, // your softmaxWithTemperature, topKFilter and topPFilter where they pass
  prompt: number[],
  options: SampleOptions,
  rng: Rng,
): number[] {
  // TODO: crop, forward, last logits, filters, draw, append.
  throw new Error("TODO: write generateTokens");
}
