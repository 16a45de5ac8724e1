// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 01 exercises: byte-pair encoding, one step at a time. Replace each
 * `throw new Error("TODO …")` with your code, then run `deno task lab 01` again.
 * Hints: `deno task hint 01.1`.
 *
 * Ids 0 to 255 are the bytes of the UTF-8 text; merge i (counting from 0) creates id 256 + i.
 */

/** A merge: the two ids it joins. */
export type Pair = [number, number];

/**
 * Exercise 01.1: how many times each adjacent pair occurs, keyed "a,b".
 * countPairs([1, 2, 3, 1, 2]) → Map { "1,2" → 2, "2,3" → 1, "3,1" → 1 }.
 */
export function countPairs(ids: number[]): Map<string, number> {
  // TODO: walk over each adjacent pair once and count it.
  throw new Error("TODO: write countPairs");
}

/**
 * Exercise 01.2: `ids` with every occurrence of the pair (a, b), scanned left to right,
 * replaced by `id`. mergePair([1, 2, 3, 1, 2], 1, 2, 256) → [256, 3, 256].
 */
export function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  // TODO: build a new list; when ids[i], ids[i + 1] is the pair, write id and skip both.
  throw new Error("TODO: write mergePair");
}

/**
 * Exercise 01.3: learn merges on pre-split `chunks` (pairs never cross two chunks) until the
 * vocabulary has `vocabSize` ids, or no pair is left. Each round takes the most frequent pair;
 * on a tie, the one with the smaller first id, then the smaller second id.
 * trainMerges(["aaab"], 257) → [[97, 97]].
 */
export function trainMerges(chunks: string[], vocabSize: number): Pair[] {
  // TODO: bytes of each chunk (new TextEncoder().encode), then count, pick, merge, repeat.
  throw new Error("TODO: write trainMerges");
}

/**
 * Exercise 01.4: the ids of `text` (one chunk, no pre-split) under `merges`.
 * encode("aab", [[97, 97]]) → [256, 98].
 */
export function encode(text: string, merges: Pair[]): number[] {
  // TODO: start from the bytes; apply the earliest-learnt merge present, until none applies.
  throw new Error("TODO: write encode");
}

/**
 * Exercise 01.5: the text that `ids` stand for under `merges`; bytes that are not valid UTF-8
 * become "\uFFFD", as TextDecoder does. decode([256, 98], [[97, 97]]) → "aab".
 */
export function decode(ids: number[], merges: Pair[]): string {
  // TODO: the bytes of every id (a table built from the merges), joined, then decoded.
  throw new Error("TODO: write decode");
}
