import assert from "node:assert/strict";
import { syntheticCorpus, WORD_GROUPS } from "../labs/texts.ts";
import { inContext, trainWordModel } from "../lib/course/contextual.ts";
import {
  analogy,
  centerRows,
  cosineSimilarity,
  nearestNeighbours,
  pca2,
} from "../lib/course/vectors.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { buildVocab, splitWords, trainSkipGram } from "../lib/course/word2vec.ts";

Deno.test("skip-gram on the synthetic corpus puts most of each word's 3 nearest neighbours in its own group", () => {
  const words = splitWords(syntheticCorpus(2000, 1));
  const vocab = buildVocab(words, 1000, 1);
  const ids = Int32Array.from(words, (w) => vocab.ids.get(w) ?? -1);
  const model = trainSkipGram(ids, vocab.counts, { dim: 16, epochs: 2, seed: 1 });
  const V = vocab.words.length;
  const vectors = centerRows(model.input, V, 16);
  let same = 0, total = 0;
  for (const group of Object.values(WORD_GROUPS)) {
    for (const word of group) {
      for (const n of nearestNeighbours(vectors, V, 16, vocab.ids.get(word)!, 3)) {
        if (group.includes(vocab.words[n.id])) same++;
        total++;
      }
    }
  }
  // 5 groups of 6 among ~50 words: chance would give about 5 of 49 per neighbour, ≈ 10%.
  assert.ok(same / total > 0.8, `${same} of ${total} neighbours in the same group`);
});

Deno.test("skip-gram is deterministic for a seed", () => {
  const ids = Int32Array.from(splitWords(syntheticCorpus(50, 2)), (_, i) => i % 7);
  const counts = Array.from({ length: 7 }, () => 1);
  const a = trainSkipGram(ids, counts, { dim: 4, seed: 3 });
  const b = trainSkipGram(ids, counts, { dim: 4, seed: 3 });
  assert.deepEqual(a.input, b.input);
});

Deno.test("buildVocab keeps frequent words first and drops rare ones", () => {
  const v = buildVocab(splitWords("b a b c b a"), 10, 2);
  assert.deepEqual(v.words, ["b", "a"]);
  assert.deepEqual(v.counts, [3, 2]);
});

Deno.test("cosine similarity: parallel 1, opposite −1, orthogonal 0, zero vector 0", () => {
  assert.equal(cosineSimilarity([1, 2], [2, 4]), 1);
  assert.ok(Math.abs(cosineSimilarity([1, 2], [-1, -2]) + 1) < 1e-12);
  assert.equal(cosineSimilarity([1, 0], [0, 3]), 0);
  assert.equal(cosineSimilarity([0, 0], [1, 1]), 0);
});

Deno.test("PCA recovers the axes of an ellipse drawn in 5 dimensions", () => {
  const N = 120, D = 5;
  const v = new Float32Array(N * D);
  for (let n = 0; n < N; n++) {
    const angle = (2 * Math.PI * n) / N;
    v[n * D + 1] = 10 * Math.cos(angle) + 4; // the long axis, off-centre
    v[n * D + 3] = 3 * Math.sin(angle); // the short axis
    v[n * D + 4] = 0.5;
  }
  const xy = pca2(v, N, D);
  const col = (c: number) => Array.from({ length: N }, (_, n) => xy[n * 2 + c]);
  const axis = (d: number, shift: number) =>
    Array.from({ length: N }, (_, n) => v[n * D + d] - shift);
  assert.ok(Math.abs(Math.abs(cosineSimilarity(col(0), axis(1, 4))) - 1) < 1e-6);
  assert.ok(Math.abs(Math.abs(cosineSimilarity(col(1), axis(3, 0))) - 1) < 1e-6);
});

Deno.test("analogy: a − b + c finds the word that completes the parallelogram, leaving a, b and c out", () => {
  // Rows: king, man, woman, queen, apple (3 dimensions): queen = king − man + woman.
  const e = new Float32Array([2, 1, 0, 1, 1, 0, 1, 0, 1, 2, 0, 1, 0, -3, 0]);
  const found = analogy(e, 5, 3, 0, 1, 2, 5);
  assert.deepEqual(found.map((f) => f.id), [3, 4]);
  assert.ok(Math.abs(found[0].similarity - 1) < 1e-6);
});

Deno.test("a word's table row is fixed, its vector after a block depends on the context", async () => {
  const m = trainWordModel(syntheticCorpus(3000, 2), { steps: 600, backend: await loadBackend() });
  assert.ok(m.loss < m.uniformLoss / 2, `${m.loss} vs ${m.uniformLoss}`);
  const animal = [inContext(m, "a red"), inContext(m, "the duke rides a red")];
  const food = [inContext(m, "we bought red"), inContext(m, "my dog likes soup and we bought red")];
  for (const x of [...animal, ...food]) assert.deepEqual(x.fixed, animal[0].fixed);
  // After "a red" comes an animal, after "we bought red" a food: the model knows which.
  for (const x of animal) assert.ok(WORD_GROUPS.animals.includes(x.next[0].word), x.next[0].word);
  for (const x of food) assert.ok(WORD_GROUPS.food.includes(x.next[0].word), x.next[0].word);
  const cos = (a: { contextual: Float32Array }, b: { contextual: Float32Array }) =>
    cosineSimilarity(a.contextual, b.contextual);
  const within = Math.min(cos(animal[0], animal[1]), cos(food[0], food[1]));
  const across = Math.max(...animal.flatMap((a) => food.map((f) => cos(a, f))));
  assert.ok(within > across + 0.2, `within ${within}, across ${across}`);
});
