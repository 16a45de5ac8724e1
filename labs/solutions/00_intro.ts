/**
 * Lab 00 reference solutions, kept apart from the starters in labs/exercises/.
 */
import type { GPTConfig } from "../../lib/model/config.ts";

/** Exercise 00.1. */
export function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Exercise 00.2. */
export function countParameters(config: GPTConfig): number {
  const { vocabSize, blockSize, nLayer, nEmbd: C } = config;
  const perBlock = 4 * C + (3 * C * C + 3 * C) + (C * C + C) + (4 * C * C + 4 * C) +
    (4 * C * C + C);
  return vocabSize * C + blockSize * C + nLayer * perBlock + 2 * C;
}
