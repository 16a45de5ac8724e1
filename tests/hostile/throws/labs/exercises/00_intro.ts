// deno-lint-ignore-file
/**
 * Hostile submission: softmax is right except that it throws on a one-element input (partial
 * credit, 4 of 5 cases); countParameters always throws something that is not an Error.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

export function softmax(scores: number[]): number[] {
  if (scores.length === 1) throw new TypeError("one score is not enough");
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export function countParameters(config: GPTConfig): number {
  throw { toString: () => `no count for ${config.nLayer} layers` };
}
