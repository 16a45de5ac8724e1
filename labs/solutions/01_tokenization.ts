/**
 * Lab 01 reference solutions, kept apart from the starters in labs/exercises/.
 */

/** A merge: the two ids it joins. */
export type Pair = [number, number];

/** Exercise 01.1. */
export function countPairs(ids: number[]): Map<string, number> {
  const counts = new Map<string, number>();
  ids.slice(1).forEach((next, i) => {
    const key = `${ids[i]},${next}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return counts;
}

/** Exercise 01.2. */
export function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < ids.length) {
    const isPair = ids[i] === a && ids[i + 1] === b && i + 1 < ids.length;
    out.push(isPair ? id : ids[i]);
    i += isPair ? 2 : 1;
  }
  return out;
}

/** Exercise 01.3. */
export function trainMerges(chunks: string[], vocabSize: number): Pair[] {
  const encoder = new TextEncoder();
  let words = chunks.map((chunk) => [...encoder.encode(chunk)]);
  const merges: Pair[] = [];
  for (let id = 256; id < vocabSize; id++) {
    const counts = new Map<string, number>();
    for (const word of words) {
      for (const [key, n] of countPairs(word)) counts.set(key, (counts.get(key) ?? 0) + n);
    }
    const ranked = [...counts].map(([key, n]) => [n, ...key.split(",").map(Number)]);
    if (ranked.length === 0) break;
    ranked.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
    const [, a, b] = ranked[0];
    words = words.map((word) => mergePair(word, a, b, id));
    merges.push([a, b]);
  }
  return merges;
}

/** Exercise 01.4. */
export function encode(text: string, merges: Pair[]): number[] {
  const order = new Map(merges.map(([a, b], i) => [`${a},${b}`, i]));
  let ids = [...new TextEncoder().encode(text)];
  for (;;) {
    const learnt = ids.slice(1).map((b, i) => order.get(`${ids[i]},${b}`) ?? Infinity);
    const first = Math.min(Infinity, ...learnt);
    if (first === Infinity) return ids;
    ids = mergePair(ids, merges[first][0], merges[first][1], 256 + first);
  }
}

/** Exercise 01.5. */
export function decode(ids: number[], merges: Pair[]): string {
  const bytesOf = new Map<number, number[]>();
  for (let b = 0; b < 256; b++) bytesOf.set(b, [b]);
  merges.forEach(([a, b], i) => bytesOf.set(256 + i, [...bytesOf.get(a)!, ...bytesOf.get(b)!]));
  return new TextDecoder().decode(Uint8Array.from(ids.flatMap((id) => bytesOf.get(id)!)));
}
