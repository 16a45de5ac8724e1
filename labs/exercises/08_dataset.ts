// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 08 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 08` again. Hints: `deno task hint 08.1`.
 */
import type { Rng } from "../../lib/random.ts";

/**
 * Exercise 08.1: the first ⌊n·(1 − valFraction)⌋ of the n tokens train the model, the rest
 * validate it. Return both parts.
 */
export function splitTokens(
  tokens: Int32Array, // (n)
  valFraction: number,
): { train: Int32Array; val: Int32Array } {
  // TODO: one cut, two slices.
  throw new Error("TODO: write splitTokens");
}

/**
 * Exercise 08.2: B windows of `data`, each starting at rng.int(data.length - T) (one draw per
 * row, in row order). inputs (B, T) holds each window's T tokens, targets (B, T) the token that
 * follows each of them.
 */
export function makeBatch(
  data: Int32Array, // (n)
  B: number,
  T: number,
  rng: Rng,
): { inputs: Int32Array; targets: Int32Array } {
  // TODO: B starts, then copy T tokens twice, the second time shifted by one.
  throw new Error("TODO: write makeBatch");
}
