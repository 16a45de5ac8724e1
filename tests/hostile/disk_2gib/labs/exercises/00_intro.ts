// deno-lint-ignore-file
/**
 * Hostile submission: softmax writes 2 GiB into its working folder (once, in 64 MiB chunks),
 * then answers right. The other exercise is solved.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

function rightSoftmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

let written = false;

export function softmax(scores: number[]): number[] {
  if (!written) {
    const chunk = new Uint8Array(64 << 20).fill(1);
    const file = Deno.openSync("fill.bin", { write: true, create: true, append: true });
    for (let i = 0; i < 32; i++) file.writeSync(chunk);
    file.close();
    written = true;
  }
  return rightSoftmax(scores);
}

export function countParameters(config: GPTConfig): number {
  const { vocabSize, blockSize, nLayer, nEmbd: C } = config;
  const perBlock = 4 * C + (3 * C * C + 3 * C) + (C * C + C) + (4 * C * C + 4 * C) +
    (4 * C * C + C);
  return vocabSize * C + blockSize * C + nLayer * perBlock + 2 * C;
}
