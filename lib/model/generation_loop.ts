/**
 * The autoregressive loop in its plainest form, as the course writes it: crop the context to the
 * block size, run the model, take the last position's logits, turn them into a distribution
 * (temperature, then top-k and top-p), draw from it with the seeded generator, append, and stop
 * at a stop string. Every step reruns the whole context; lib/model/generate.ts is the fast loop
 * with a KV cache. The three filters come through `parts`, so the student's own (exercises 10.1
 * to 10.3) can run in it, and exercise 10.4 asks for this loop.
 * @module
 */
import type { Rng } from "../random.ts";
import type { GPT } from "./gpt.ts";
import { drawToken } from "./sampling.ts";

/** The filters the loop calls: lib/'s, or the student's. */
export interface SampleParts {
  softmaxWithTemperature(logits: Float32Array, temperature: number): Float32Array;
  topKFilter(probs: Float32Array, k: number): Float32Array;
  topPFilter(probs: Float32Array, p: number): Float32Array;
}

/** What the loop needs of a model. */
export type SampleModel = Pick<GPT, "config" | "forward" | "acts">;

/** What to generate. */
export interface SampleOptions {
  /** How many new tokens at most. */
  maxTokens: number;
  /** Above 0 (the loop always draws). */
  temperature: number;
  /** Keep the k most likely tokens (default: all). */
  topK?: number;
  /** Keep the nucleus of mass p (default 1: all). */
  topP?: number;
  /** Stop once the decoded new tokens contain this text (needs `decode`). */
  stop?: string;
  decode?: (ids: number[]) => string;
}

/**
 * The new tokens after `prompt`, each drawn with `rng.uniform()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "./gpt.ts";
 * import { Rng } from "../random.ts";
 * import { nextTokenDistribution } from "./sampling.ts";
 * import { generateTokens } from "./generation_loop.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
 * const parts = {
 *   softmaxWithTemperature: (l: Float32Array, t: number) => nextTokenDistribution(l, { temperature: t }),
 *   topKFilter: (p: Float32Array) => p,
 *   topPFilter: (p: Float32Array) => p,
 * };
 * const ids = generateTokens(model, parts, [1], { maxTokens: 6, temperature: 1 }, new Rng(0));
 * assert.ok(ids.length === 6);
 * ```
 */
export function generateTokens(
  model: SampleModel,
  parts: SampleParts,
  prompt: number[],
  options: SampleOptions,
  rng: Rng,
): number[] {
  const { blockSize, vocabSize: V } = model.config;
  const tokens = [...prompt], out: number[] = [];
  while (out.length < options.maxTokens) {
    const context = tokens.slice(-blockSize); // the model reads at most blockSize tokens
    const T = context.length;
    model.forward(Int32Array.from(context), null, 1, T);
    const logits = model.acts!.logits.subarray((T - 1) * V, T * V); // the last position's
    let probs = parts.softmaxWithTemperature(logits, options.temperature);
    if (options.topK !== undefined) probs = parts.topKFilter(probs, options.topK);
    if (options.topP !== undefined && options.topP < 1) {
      probs = parts.topPFilter(probs, options.topP);
    }
    const next = drawToken(probs, rng.uniform());
    tokens.push(next);
    out.push(next);
    if (options.stop && options.decode?.(out).includes(options.stop)) break;
  }
  return out;
}
