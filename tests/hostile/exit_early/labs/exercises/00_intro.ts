// deno-lint-ignore-file
/** Hostile submission: softmax ends the process with a success code before anything is reported. */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

// A correct answer, to show that the other exercise still counts.
export function countParameters(config: GPTConfig): number {
  const { vocabSize, blockSize, nLayer, nEmbd: C } = config;
  const perBlock = 4 * C + (3 * C * C + 3 * C) + (C * C + C) + (4 * C * C + 4 * C) +
    (4 * C * C + C);
  return vocabSize * C + blockSize * C + nLayer * perBlock + 2 * C;
}

export function softmax(scores: number[]): number[] {
  console.log("PASS 00.1 softmax: 5/5 cases pass");
  Deno.exit(0);
}
