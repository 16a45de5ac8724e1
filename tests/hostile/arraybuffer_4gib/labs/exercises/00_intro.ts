// deno-lint-ignore-file
/**
 * Hostile submission: softmax holds 4 GiB of ArrayBuffers, each page touched so that it is
 * resident (V8's heap limit does not count them), then answers right. The other exercise is
 * solved.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const hoard: Uint8Array[] = [];

function rightSoftmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export function softmax(scores: number[]): number[] {
  while (hoard.length < 16) hoard.push(new Uint8Array(256 << 20).fill(1));
  return rightSoftmax(scores);
}

export function countParameters(config: GPTConfig): number {
  const { vocabSize, blockSize, nLayer, nEmbd: C } = config;
  const perBlock = 4 * C + (3 * C * C + 3 * C) + (C * C + C) + (4 * C * C + 4 * C) +
    (4 * C * C + C);
  return vocabSize * C + blockSize * C + nLayer * perBlock + 2 * C;
}
