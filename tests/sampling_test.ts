import assert from "node:assert/strict";
import { Rng } from "../lib/random.ts";
import { argmax, nextTokenDistribution, sampleToken } from "../lib/model/sampling.ts";

const LOGITS = new Float32Array([1.0, 3.0, 2.0, -1.0, 2.5]);

Deno.test("temperature 0 is greedy, and so is top-k 1", () => {
  assert.equal(sampleToken(LOGITS, { temperature: 0 }, new Rng(0)), 1);
  const rng = new Rng(5);
  for (let i = 0; i < 50; i++) assert.equal(sampleToken(LOGITS, { topK: 1 }, rng), 1);
});

Deno.test("top-k keeps exactly the k most likely tokens, renormalised", () => {
  const p = nextTokenDistribution(LOGITS, { topK: 3 });
  assert.deepEqual([...p].map((x) => x > 0), [false, true, true, false, true]);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

Deno.test("top-p keeps the smallest nucleus whose mass reaches p", () => {
  const full = nextTokenDistribution(LOGITS);
  const sorted = [...full].sort((a, b) => b - a);
  // p just above the top token's mass needs the second one too.
  const p = nextTokenDistribution(LOGITS, { topP: sorted[0] + 1e-3 });
  assert.equal(p.filter((x) => x > 0).length, 2);
  assert.equal(
    nextTokenDistribution(LOGITS, { topP: sorted[0] / 2 }).filter((x) => x > 0).length,
    1,
  );
});

Deno.test("lower temperature sharpens the distribution, higher flattens it", () => {
  const cold = nextTokenDistribution(LOGITS, { temperature: 0.5 });
  const hot = nextTokenDistribution(LOGITS, { temperature: 2 });
  const base = nextTokenDistribution(LOGITS);
  assert.ok(cold[1] > base[1] && base[1] > hot[1]);
});

Deno.test("sampled frequencies follow the distribution (seeded, 20,000 draws)", () => {
  const p = nextTokenDistribution(LOGITS, { temperature: 1.3, topK: 4 });
  const counts = new Array(LOGITS.length).fill(0);
  const rng = new Rng(42);
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleToken(LOGITS, { temperature: 1.3, topK: 4 }, rng)]++;
  for (let i = 0; i < p.length; i++) {
    const sd = Math.sqrt((p[i] * (1 - p[i])) / n);
    assert.ok(
      Math.abs(counts[i] / n - p[i]) <= 4 * sd + 1e-9,
      `token ${i}: ${counts[i] / n} vs ${p[i]}`,
    );
  }
  assert.equal(counts[3], 0, "a token outside the top-k is never drawn");
});

Deno.test("the same seed draws the same tokens", () => {
  const draw = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 30 }, () => sampleToken(LOGITS, { topP: 0.9 }, rng));
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
});

Deno.test("argmax takes the first of tied maxima", () => {
  assert.equal(argmax([0, 2, 2, 1]), 1);
});

Deno.test("sampling values that mean nothing are refused in one sentence, by the sampler itself", () => {
  const cases: [Parameters<typeof sampleToken>[1], RegExp][] = [
    [{ topK: 0 }, /^UserError: top-k must be a whole number of 1 or more .*, not 0\.$/],
    [{ topK: 1.5 }, /^UserError: top-k must be a whole number of 1 or more .*, not 1\.5\.$/],
    [{ topK: -2 }, /not -2\.$/],
    [{ topP: 0 }, /^UserError: top-p must be above 0 and at most 1 .*, not 0\.$/],
    [{ topP: 2 }, /^UserError: top-p must be above 0 and at most 1 .*, not 2\.$/],
    [{ topP: NaN }, /not NaN\.$/],
    [
      { temperature: -1 },
      /^UserError: The temperature must be a number of 0 \(greedy\) or more, not -1\.$/,
    ],
    [{ temperature: Infinity }, /not Infinity\.$/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => sampleToken(LOGITS, options, new Rng(0)), message, JSON.stringify(options));
  }
  // The edges of what is allowed.
  assert.equal(
    sampleToken(LOGITS, { topP: 1, topK: LOGITS.length, temperature: 0 }, new Rng(0)),
    1,
  );
  assert.equal(sampleToken(LOGITS, { topP: 1e-9 }, new Rng(0)), 1);
});
