/**
 * Applying learnt merges to one chunk: the step the encoder repeats for every chunk it has not
 * seen yet. The earliest-learnt merge present goes first (the leftmost on a tie), until none
 * applies; that is tiktoken's rule too.
 *
 * Short chunks take the plain way: scan all pairs, merge every occurrence of the best one,
 * repeat. That is quadratic, so long chunks (a page of Chinese without punctuation, ten
 * thousand spaces) use a linked list and a heap of candidate merges instead. Leaves out caching,
 * which is the encoder's job.
 * @module
 */
import type { PairTable } from "./pair_table.ts";

/** Chunks of more ids than this take the heap. */
const LONG_CHUNK = 64;

/**
 * Merges `ids` in place; `rankOf` maps a pair to its merge index i (which creates id 256 + i).
 * Returns how many ids are left at the front of `ids`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyMerges } from "./merge.ts";
 * import { PairTable } from "./pair_table.ts";
 * const rankOf = new PairTable(2);
 * rankOf.set(98, 99, 0); // "b" + "c" → 256
 * rankOf.set(97, 256, 1); // "a" + "bc" → 257
 * const ids = Int32Array.of(97, 98, 99, 100);
 * assert.ok(applyMerges(ids, rankOf) === 2 && ids[0] === 257 && ids[1] === 100);
 * ```
 */
export function applyMerges(ids: Int32Array, rankOf: PairTable): number {
  return ids.length > LONG_CHUNK ? mergeLong(ids, rankOf) : mergeShort(ids, rankOf);
}

function mergeShort(ids: Int32Array, rankOf: PairTable): number {
  let n = ids.length;
  while (n > 1) {
    let best = -1, a = 0, b = 0;
    for (let i = 0; i + 1 < n; i++) {
      const rank = rankOf.get(ids[i], ids[i + 1]);
      if (rank >= 0 && (best < 0 || rank < best)) [best, a, b] = [rank, ids[i], ids[i + 1]];
    }
    if (best < 0) break;
    // Every occurrence at once: a pair made with the new id is a later merge, never an earlier.
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (i + 1 < n && ids[i] === a && ids[i + 1] === b) {
        ids[w++] = 256 + best;
        i++;
      } else {
        ids[w++] = ids[i];
      }
    }
    n = w;
  }
  return n;
}

/**
 * The same result in O(n log n): candidates are (rank, position) in a min-heap, and a candidate
 * is dropped when it surfaces if its position was merged away or now holds another pair.
 */
function mergeLong(ids: Int32Array, rankOf: PairTable): number {
  const n = ids.length;
  const next = new Int32Array(n), prev = new Int32Array(n);
  for (let i = 0; i < n; i++) [next[i], prev[i]] = [i + 1, i - 1];
  const heap: number[] = [];
  // One number per candidate, rank · n + position: rank first, then the leftmost.
  const consider = (pos: number) => {
    if (next[pos] >= n) return;
    const rank = rankOf.get(ids[pos], ids[next[pos]]);
    if (rank >= 0) heapPush(heap, rank * n + pos);
  };
  for (let i = 0; i + 1 < n; i++) consider(i);
  while (heap.length > 0) {
    const key = heapPop(heap);
    const rank = Math.floor(key / n), pos = key - rank * n;
    const right = next[pos];
    if (ids[pos] < 0 || right >= n || rankOf.get(ids[pos], ids[right]) !== rank) continue;
    ids[pos] = 256 + rank;
    ids[right] = -1;
    next[pos] = next[right];
    if (next[pos] < n) prev[next[pos]] = pos;
    if (prev[pos] >= 0) consider(prev[pos]);
    consider(pos);
  }
  let w = 0;
  for (let i = 0; i < n; i = next[i]) ids[w++] = ids[i];
  return w;
}

function heapPush(heap: number[], key: number): void {
  let i = heap.length;
  heap.push(key);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= key) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = key;
}

function heapPop(heap: number[]): number {
  const top = heap[0], last = heap.pop()!;
  const n = heap.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap[child + 1] < heap[child]) child++;
    if (heap[child] >= last) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = last;
  return top;
}
