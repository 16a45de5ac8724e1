/**
 * Byte-pair encoding in its plainest form: count adjacent pairs, merge the most frequent one,
 * repeat. These are the steps lab 01 asks a student to write, and the oracle the fast trainer
 * (train.ts) and the fast encoder (bpe.ts) are tested against.
 *
 * Ids 0–255 are the bytes; merge i creates id 256 + i. Training picks the most frequent pair and
 * breaks ties by the smaller first id, then the smaller second id, so every trainer agrees.
 * Leaves out speed (each merge rescans every chunk) and special tokens.
 * @module
 */

/** A merge: the two ids it joins. Merge i of a list creates id 256 + i. */
export type Pair = [number, number];

const utf8 = new TextEncoder();

/**
 * How many times each adjacent pair occurs in `ids`, keyed `"a,b"`, added to `counts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countPairs } from "./basic.ts";
 * assert.equal(countPairs([1, 2, 1, 2, 3]).get("1,2"), 2);
 * ```
 */
export function countPairs(
  ids: number[],
  counts: Map<string, number> = new Map(),
): Map<string, number> {
  for (let i = 0; i + 1 < ids.length; i++) {
    const key = `${ids[i]},${ids[i + 1]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * `ids` with every occurrence of the pair (a, b), scanned left to right, replaced by `id`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergePair } from "./basic.ts";
 * assert.equal(mergePair([1, 1, 1, 2], 1, 1, 256).join(), "256,1,2");
 * ```
 */
export function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else {
      out.push(ids[i]);
    }
  }
  return out;
}

/**
 * Trains merges on pre-split `chunks` until the vocabulary has `vocabSize` ids (or no pair is
 * left). Pairs never cross chunk boundaries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainMerges } from "./basic.ts";
 * assert.equal(trainMerges(["aaab"], 257)[0].join(), "97,97");
 * ```
 */
export function trainMerges(chunks: string[], vocabSize: number): Pair[] {
  let words = chunks.map((c) => Array.from(utf8.encode(c)));
  const merges: Pair[] = [];
  while (256 + merges.length < vocabSize) {
    const counts = new Map<string, number>();
    for (const w of words) countPairs(w, counts);
    let best: Pair | undefined;
    let bestCount = 0;
    for (const [key, count] of counts) {
      const [a, b] = key.split(",").map(Number);
      if (
        count > bestCount ||
        (count === bestCount && best && (a < best[0] || (a === best[0] && b < best[1])))
      ) {
        best = [a, b];
        bestCount = count;
      }
    }
    if (!best) break;
    const id = 256 + merges.length;
    words = words.map((w) => mergePair(w, best[0], best[1], id));
    merges.push(best);
  }
  return merges;
}

/**
 * Encodes `text` (as one chunk, no pre-split) by applying `merges` in the order they were learnt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeWithMerges } from "./basic.ts";
 * assert.equal(encodeWithMerges("aab", [[97, 97]]).join(), "256,98");
 * ```
 */
export function encodeWithMerges(text: string, merges: Pair[]): number[] {
  const rank = new Map(merges.map(([a, b], i) => [`${a},${b}`, i]));
  let ids = Array.from(utf8.encode(text));
  while (ids.length > 1) {
    let best = -1;
    for (let i = 0; i + 1 < ids.length; i++) {
      const r = rank.get(`${ids[i]},${ids[i + 1]}`);
      if (r !== undefined && (best < 0 || r < best)) best = r;
    }
    if (best < 0) break;
    ids = mergePair(ids, merges[best][0], merges[best][1], 256 + best);
  }
  return ids;
}

/**
 * Decodes ids back to text through the bytes each merge stands for; byte sequences that are not
 * valid UTF-8 become U+FFFD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWithMerges } from "./basic.ts";
 * assert.equal(decodeWithMerges([256, 98], [[97, 97]]), "aab");
 * ```
 */
export function decodeWithMerges(ids: number[], merges: Pair[]): string {
  const vocab: number[][] = Array.from({ length: 256 }, (_, b) => [b]);
  for (const [a, b] of merges) vocab.push([...vocab[a], ...vocab[b]]);
  const bytes = ids.flatMap((id) => {
    if (!vocab[id]) throw new RangeError(`Token id ${id} is not in the vocabulary.`);
    return vocab[id];
  });
  return new TextDecoder().decode(new Uint8Array(bytes));
}
