/**
 * Fixed and contextual vectors: a small word-level GPT trained on a text, then asked for the
 * vector of one word in a given context, before the blocks (the row of its embedding table,
 * the same in every context) and after them (the residual stream, which attention has mixed
 * with the words before it). Lab 02 uses it to bridge word2vec to attention.
 *
 * Leaves out sampling and checkpoints: the model lives for the lab's run.
 * @module
 */
import { GPT, type GPTOptions } from "../model/gpt.ts";
import { Rng } from "../random.ts";
import { TokenDataset } from "../train/dataset.ts";
import { BABY_SETTINGS } from "../train/presets.ts";
import { decayGroups, trainStep } from "../train/step.ts";
import { buildVocab, splitWords, type WordVocab } from "./word2vec.ts";

/** A word-level GPT and its vocabulary. */
export interface WordModel {
  model: GPT;
  vocab: WordVocab;
  /** Mean training loss of the last 20 steps, and the loss of a uniform guess, ln V. */
  loss: number;
  uniformLoss: number;
}

/** Options of {@link trainWordModel}; every field has a default. */
export interface WordModelOptions {
  /** Width C (default 32). */
  nEmbd?: number;
  /** Blocks (default 1). */
  nLayer?: number;
  /** Context in words (default 8). */
  blockSize?: number;
  /** Steps of AdamW (default 200), on batches of `batchSize` windows (default 8). */
  steps?: number;
  batchSize?: number;
  seed?: number;
  /** Where the model computes (default: the TypeScript twins); pass lib/wasm's backend for speed. */
  backend?: GPTOptions;
}

/**
 * Trains a small GPT on the words of `text` to predict the next word.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainWordModel } from "./contextual.ts";
 * const m = trainWordModel("a b c d ".repeat(50), { steps: 30 });
 * assert.ok(m.loss < m.uniformLoss);
 * ```
 */
export function trainWordModel(text: string, options: WordModelOptions = {}): WordModel {
  const { nEmbd = 32, nLayer = 1, blockSize = 8, steps = 200, batchSize = 8, seed = 1 } = options;
  const words = splitWords(text);
  const vocab = buildVocab(words, 10_000, 1);
  const ids = Int32Array.from(words, (w) => vocab.ids.get(w)!);
  const data = new TokenDataset(ids, 0);
  const config = { vocabSize: vocab.words.length, blockSize, nLayer, nHead: 2, nEmbd };
  const model = new GPT(config, seed, options.backend);
  const P = model.params.length;
  const opt = { m: model.alloc(P), v: model.alloc(P), groups: decayGroups(config, 0.1) };
  const rng = new Rng(seed);
  const settings = { ...BABY_SETTINGS, gradClip: 1 };
  const recent: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { inputs, targets } = data.batch("train", batchSize, blockSize, rng);
    // A constant rate after a short warmup: the run is too short for a schedule to matter.
    const lr = 3e-3 * Math.min(1, (step + 1) / 20);
    recent.push(trainStep(model, { inputs, targets, B: batchSize, opt, step, lr, settings }).loss);
    if (recent.length > 20) recent.shift();
  }
  const loss = recent.reduce((s, x) => s + x, 0) / recent.length;
  return { model, vocab, loss, uniformLoss: Math.log(vocab.words.length) };
}

/** The last word of a context: its fixed vector, its vector after the blocks, and what follows. */
export interface InContext {
  /** Row of the embedding table wte: the same whatever the context. */
  fixed: Float32Array; // (C,)
  /** The residual stream at that position after the last block. */
  contextual: Float32Array; // (C,)
  /** The model's likeliest next words there, with their probabilities. */
  next: { word: string; p: number }[];
}

/**
 * The vectors of the last word of `context` (words the vocabulary has) before and after the
 * model's blocks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inContext, trainWordModel } from "./contextual.ts";
 * const m = trainWordModel("a b c d ".repeat(50), { steps: 10 });
 * const x = inContext(m, "a b");
 * assert.ok(x.fixed.length === x.contextual.length && x.next.length === 3);
 * ```
 */
export function inContext(m: WordModel, context: string, top = 3): InContext {
  const words = splitWords(context);
  const ids = words.map((w) => {
    const id = m.vocab.ids.get(w);
    if (id === undefined) throw new Error(`"${w}" is not in the word model's vocabulary.`);
    return id;
  });
  const { model } = m;
  const T = ids.length, C = model.config.nEmbd, V = model.config.vocabSize;
  model.forward(Int32Array.from(ids), null, 1, T);
  const acts = model.acts!;
  const last = acts.h[model.config.nLayer - 1].residual3;
  const probs = acts.probs.subarray((T - 1) * V, T * V);
  const next = [...probs.keys()].sort((a, b) => probs[b] - probs[a]).slice(0, top)
    .map((id) => ({ word: m.vocab.words[id], p: probs[id] }));
  const id = ids[T - 1];
  return {
    fixed: model.p.wte.slice(id * C, id * C + C),
    contextual: last.slice((T - 1) * C, T * C),
    next,
  };
}
