/**
 * Tools for looking at embeddings: cosine similarity, nearest neighbours, and a 2-D projection
 * by principal component analysis, and analogies by vector arithmetic. Shapes: N vectors of D
 * dimensions, row-major.
 * @module
 */

/**
 * cos(a, b) = a·b / (‖a‖·‖b‖): 1 for the same direction, 0 for unrelated, −1 for opposite.
 * Zero vectors give 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineSimilarity } from "./vectors.ts";
 * assert.equal(cosineSimilarity([1, 0], [2, 0]), 1);
 * ```
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/**
 * The `k` rows most similar (by cosine) to row `id`, itself excluded, best first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nearestNeighbours } from "./vectors.ts";
 * const e = new Float32Array([1, 0, 0.9, 0.1, 0, 1]);
 * assert.equal(nearestNeighbours(e, 3, 2, 0, 1)[0].id, 1);
 * ```
 */
export function nearestNeighbours(
  vectors: Float32Array, // (N, D)
  N: number,
  D: number,
  id: number,
  k: number,
): { id: number; similarity: number }[] {
  const row = (i: number) => vectors.subarray(i * D, i * D + D);
  const scored = [];
  for (let i = 0; i < N; i++) {
    if (i !== id) scored.push({ id: i, similarity: cosineSimilarity(row(id), row(i)) });
  }
  return scored.sort((a, b) => b.similarity - a.similarity).slice(0, k);
}

/**
 * Projects N vectors onto their two principal directions (found by power iteration on the
 * covariance matrix), returning (N, 2) coordinates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pca2 } from "./vectors.ts";
 * const xy = pca2(new Float32Array([0, 0, 0, 2, 0, 0, 4, 0, 1]), 3, 3);
 * assert.equal(xy.length, 6);
 * ```
 */
export function pca2(vectors: Float32Array, N: number, D: number): Float32Array {
  const mean = new Float64Array(D);
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) mean[d] += vectors[n * D + d] / N;
  const centred = new Float64Array(N * D);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) centred[n * D + d] = vectors[n * D + d] - mean[d];
  }
  const cov = new Float64Array(D * D); // (D, D)
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < D; j++) cov[i * D + j] += centred[n * D + i] * centred[n * D + j];
    }
  }
  const out = new Float32Array(N * 2);
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(D).map((_, i) => 1 + ((i * 7919 + c) % 13)); // fixed, non-degenerate start
    for (let iter = 0; iter < 200; iter++) {
      const next = new Float64Array(D);
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) next[i] += cov[i * D + j] * v[j];
      const norm = Math.hypot(...next) || 1;
      v = next.map((x) => x / norm);
    }
    const lambda = v.reduce(
      (s, vi, i) => s + vi * v.reduce((t, vj, j) => t + cov[i * D + j] * vj, 0),
      0,
    );
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) cov[i * D + j] -= lambda * v[i] * v[j];
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += centred[n * D + d] * v[d];
      out[n * 2 + c] = s;
    }
  }
  return out;
}

/**
 * A copy of the vectors with their mean subtracted. word2vec vectors share a common direction
 * (mostly word frequency) that makes every cosine high; removing it lets cosine compare what
 * differs between words (Mu and Viswanath, "All-but-the-Top", 2018, remove more than the mean).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { centerRows } from "./vectors.ts";
 * const c = centerRows(new Float32Array([1, 2, 3, 4]), 2, 2);
 * assert.ok(c[0] === -1 && c[3] === 1);
 * ```
 */
export function centerRows(vectors: Float32Array, N: number, D: number): Float32Array {
  const mean = new Float64Array(D);
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) mean[d] += vectors[n * D + d] / N;
  return vectors.map((x, i) => x - mean[i % D]);
}

/**
 * The k words nearest to vector(a) − vector(b) + vector(c), by cosine, leaving out a, b and c:
 * "king − man + woman" should give "queen" when the vectors have learnt a man/woman direction.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analogy } from "./vectors.ts";
 * // king, man, woman, queen, apple: queen = king − man + woman exactly.
 * const e = new Float32Array([1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, -1]);
 * assert.equal(analogy(e, 4, 3, 0, 1, 2, 1)[0].id, 3);
 * ```
 */
export function analogy(
  vectors: Float32Array, // (N, D)
  N: number,
  D: number,
  a: number,
  b: number,
  c: number,
  k: number,
): { id: number; similarity: number }[] {
  const target = new Float32Array(D);
  for (let d = 0; d < D; d++) {
    target[d] = vectors[a * D + d] - vectors[b * D + d] + vectors[c * D + d];
  }
  const scored = [];
  for (let i = 0; i < N; i++) {
    if (i === a || i === b || i === c) continue;
    scored.push({
      id: i,
      similarity: cosineSimilarity(target, vectors.subarray(i * D, i * D + D)),
    });
  }
  return scored.sort((x, y) => y.similarity - x.similarity).slice(0, k);
}
