/**
 * Measures of a batch of generated texts, for comparing sampling settings: how many of them
 * differ, how much each repeats itself, and how many of their words are real words of the
 * corpus. Leaves out model-based measures (the loss of the samples under another model).
 * @module
 */
import { splitWords } from "./word2vec.ts";

/** What {@link sampleStats} measures of a batch of samples. */
export interface SampleStats {
  samples: number;
  /** Different texts among the samples: 1 when all are the same. */
  distinct: number;
  /** Samples equal to an earlier one of the batch: samples − distinct. */
  repeats: number;
  /** Share of each sample's character n-grams that already occurred earlier in it, averaged. */
  repeated: number;
  /** Share of the samples' words found in the known vocabulary. */
  knownWords: number;
}

/**
 * Distinct samples, self-repetition (n-grams of `n` characters, default 8) and known words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleStats } from "./sample_stats.ts";
 * const s = sampleStats(["abababababab", "the cat", "the cat"], new Set(["the", "cat"]), 4);
 * assert.ok(s.distinct === 2 && s.repeats === 1 && s.repeated > 0.2);
 * assert.equal(s.knownWords, 4 / 5); // "abababababab" is not a known word
 * ```
 */
export function sampleStats(texts: string[], known: Set<string>, n = 8): SampleStats {
  const distinct = new Set(texts).size;
  let repeated = 0;
  for (const t of texts) {
    const chars = [...t];
    const seen = new Set<string>();
    let again = 0, total = 0;
    for (let i = 0; i + n <= chars.length; i++) {
      const gram = chars.slice(i, i + n).join("");
      if (seen.has(gram)) again++;
      seen.add(gram);
      total++;
    }
    repeated += total ? again / total : 0;
  }
  const words = texts.flatMap((t) => splitWords(t));
  return {
    samples: texts.length,
    distinct,
    repeats: texts.length - distinct,
    repeated: texts.length ? repeated / texts.length : 0,
    knownWords: words.length ? words.filter((w) => known.has(w)).length / words.length : 0,
  };
}
