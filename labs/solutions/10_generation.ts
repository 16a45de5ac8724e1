/**
 * Lab 10 reference solutions, kept apart from the starters in labs/exercises/.
 */
import type { Rng } from "../../lib/random.ts";
import type { SampleModel, SampleOptions, SampleParts } from "../../lib/model/generation_loop.ts";

/** Exercise 10.1. */
export function softmaxWithTemperature(logits: Float32Array, temperature: number): Float32Array {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const out = logits.map((x) => Math.exp((x - max) / temperature));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((e) => e / sum);
}

/** Token ids from the most to the least likely, smaller id first on ties. */
function ranked(probs: Float32Array): number[] {
  return [...probs.keys()].sort((a, b) => probs[b] - probs[a] || a - b);
}

/** `probs` with only the tokens of `kept`, renormalised. */
function keepOnly(probs: Float32Array, kept: number[]): Float32Array {
  const total = kept.reduce((sum, id) => sum + probs[id], 0);
  const out = new Float32Array(probs.length);
  for (const id of kept) out[id] = probs[id] / total;
  return out;
}

/** Exercise 10.2. */
export function topKFilter(probs: Float32Array, k: number): Float32Array {
  return keepOnly(probs, ranked(probs).slice(0, k));
}

/** Exercise 10.3. */
export function topPFilter(probs: Float32Array, p: number): Float32Array {
  const kept: number[] = [];
  let mass = 0;
  for (const id of ranked(probs)) {
    if (kept.length > 0 && mass >= p) break;
    kept.push(id);
    mass += probs[id];
  }
  return keepOnly(probs, kept);
}

/** Exercise 10.4. */
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
    const context = tokens.slice(-blockSize), T = context.length;
    model.forward(Int32Array.from(context), null, 1, T);
    const logits = model.acts!.logits.subarray((T - 1) * V, T * V);
    let probs = parts.softmaxWithTemperature(logits, options.temperature);
    if (options.topK !== undefined) probs = parts.topKFilter(probs, options.topK);
    if (options.topP !== undefined && options.topP < 1) {
      probs = parts.topPFilter(probs, options.topP);
    }
    const u = rng.uniform();
    let next = 0, cumulative = 0;
    while (next < V - 1 && (cumulative += probs[next]) <= u) next++;
    tokens.push(next);
    out.push(next);
    if (options.stop && options.decode?.(out).includes(options.stop)) break;
  }
  return out;
}
