// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 00 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 00` again. Hints: `deno task hint 00.1`.
 */
import type { GPTConfig } from "../../lib/model/config.ts";

/**
 * Exercise 00.1: turn raw attention scores into weights that are positive and sum to 1.
 * softmax([2, 1, 0.1]) ≈ [0.659, 0.242, 0.099].
 */
export function softmax(scores: number[]): number[] {
  // TODO: exponentiate each score, then divide by the sum. Keep it stable for large scores.
  throw new Error("TODO: write softmax");
}

/**
 * Exercise 00.2: the exact number of parameters of a GPT-2-style model with learned position
 * embeddings, 4× MLP, biases everywhere and an output head tied to the token embeddings.
 * For GPT-2 small it is 124,439,808.
 */
export function countParameters(config: GPTConfig): number {
  // TODO: add up the parameters of the embeddings, each block, and the final LayerNorm.
  throw new Error("TODO: write countParameters");
}
