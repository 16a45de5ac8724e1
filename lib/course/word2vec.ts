/**
 * word2vec's skip-gram with negative sampling (Mikolov et al., 2013), small and readable: each
 * word gets an input vector and an output vector; for every (word, nearby word) pair the model
 * pushes σ(in[word]·out[context]) towards 1, and towards 0 for a few random "negative" words
 * drawn from the unigram distribution raised to 3/4. Words used in similar contexts end up with
 * similar input vectors: those are the embeddings.
 *
 * Shapes: V vocabulary, D dimensions. Leaves out hierarchical softmax, CBOW and phrases.
 * @module
 */
import { Rng } from "../random.ts";

/**
 * Lower-cased words (letters and inner apostrophes) of a text, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitWords } from "./word2vec.ts";
 * assert.equal(splitWords("The King's men!").join(), "the,king's,men");
 * ```
 */
export function splitWords(text: string): string[] {
  return text.toLowerCase().match(/\p{L}+(?:'\p{L}+)*/gu) ?? [];
}

/** A word vocabulary: words by id, most frequent first, with their counts. */
export interface WordVocab {
  words: string[];
  counts: number[];
  ids: Map<string, number>;
}

/**
 * The vocabulary of the words seen at least `minCount` times, at most `maxSize` of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildVocab } from "./word2vec.ts";
 * const v = buildVocab(["a", "b", "a"], 10, 1);
 * assert.ok(v.words[0] === "a" && v.counts[0] === 2);
 * ```
 */
export function buildVocab(words: string[], maxSize: number, minCount = 1): WordVocab {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts].filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxSize);
  return {
    words: kept.map(([w]) => w),
    counts: kept.map(([, c]) => c),
    ids: new Map(kept.map(([w], i) => [w, i])),
  };
}

/** Options of {@link trainSkipGram}. */
export interface SkipGramOptions {
  /** Embedding size D (default 32). */
  dim?: number;
  /** Largest distance of a context word; each step draws a window of 1…window (default 3). */
  window?: number;
  /** Negative words per positive pair (default 5). */
  negatives?: number;
  /** Passes over the text (default 1). */
  epochs?: number;
  /** Starting learning rate, decayed linearly to nearly 0 (default 0.05). */
  lr?: number;
  /** Frequent-word subsampling threshold (default 1e-3). */
  sample?: number;
  seed?: number;
  /** Called about `reports` times with the progress and the recent mean loss. */
  onProgress?: (done: number, loss: number) => void;
  reports?: number;
}

/** Trained vectors: `input` are the embeddings; `output` the context vectors. */
export interface SkipGramModel {
  input: Float32Array; // (V, D)
  output: Float32Array; // (V, D)
  dim: number;
  /** Positive pairs seen. */
  pairs: number;
}

const NEG_TABLE = 100_000;

/**
 * Trains skip-gram with negative sampling on `ids` (word ids, −1 for words outside the
 * vocabulary, which are skipped). Seeded and deterministic.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainSkipGram } from "./word2vec.ts";
 * const m = trainSkipGram(new Int32Array([0, 1, 0, 1, 2]), [2, 2, 1], { dim: 4, seed: 1 });
 * assert.equal(m.input.length, 12);
 * ```
 */
export function trainSkipGram(
  ids: Int32Array,
  counts: number[],
  options: SkipGramOptions = {},
): SkipGramModel {
  const D = options.dim ?? 32, window = options.window ?? 3, K = options.negatives ?? 5;
  const epochs = options.epochs ?? 1, lr0 = options.lr ?? 0.05, sample = options.sample ?? 1e-3;
  const V = counts.length;
  const rng = new Rng(options.seed ?? 0);
  const input = new Float32Array(V * D).map(() => (rng.uniform() - 0.5) / D); // (V, D)
  const output = new Float32Array(V * D); // (V, D)
  const table = negativeTable(counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const keep = counts.map((c) =>
    Math.min(1, (Math.sqrt(c / (sample * total)) + 1) * (sample * total) / c)
  );
  const grad = new Float32Array(D);
  const steps = epochs * ids.length,
    every = Math.max(1, Math.floor(steps / (options.reports ?? 10)));
  let pairs = 0, lossSum = 0, lossCount = 0;
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < ids.length; i++) {
      const step = e * ids.length + i;
      if (options.onProgress && step > 0 && step % every === 0) {
        options.onProgress(step / steps, lossSum / Math.max(1, lossCount));
        lossSum = lossCount = 0;
      }
      const center = ids[i];
      if (center < 0 || rng.uniform() > keep[center]) continue;
      const lr = lr0 * Math.max(1e-4, 1 - step / steps);
      const b = 1 + rng.int(window);
      for (let j = Math.max(0, i - b); j <= Math.min(ids.length - 1, i + b); j++) {
        const context = ids[j];
        if (j === i || context < 0) continue;
        grad.fill(0);
        for (let k = 0; k <= K; k++) {
          const target = k === 0 ? context : table[rng.int(NEG_TABLE)];
          if (k > 0 && target === context) continue;
          const label = k === 0 ? 1 : 0;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += input[center * D + d] * output[target * D + d];
          const p = 1 / (1 + Math.exp(-dot));
          lossSum -= Math.log(label ? Math.max(p, 1e-7) : Math.max(1 - p, 1e-7));
          const g = lr * (label - p); // gradient ascent on log σ(±dot)
          for (let d = 0; d < D; d++) {
            grad[d] += g * output[target * D + d];
            output[target * D + d] += g * input[center * D + d];
          }
        }
        for (let d = 0; d < D; d++) input[center * D + d] += grad[d];
        pairs++;
        lossCount++;
      }
    }
  }
  return { input, output, dim: D, pairs };
}

/** Word ids drawn in proportion to count^0.75, as a lookup table. */
function negativeTable(counts: number[]): Int32Array {
  const weights = counts.map((c) => Math.pow(c, 0.75));
  const total = weights.reduce((a, b) => a + b, 0);
  const table = new Int32Array(NEG_TABLE);
  let id = 0, cumulative = weights[0] / total;
  for (let i = 0; i < NEG_TABLE; i++) {
    while ((i + 0.5) / NEG_TABLE > cumulative && id < counts.length - 1) {
      id++;
      cumulative += weights[id] / total;
    }
    table[i] = id;
  }
  return table;
}
