import assert from "node:assert/strict";
import { adamwStep, clipGradNorm } from "../lib/layers/adamw.ts";
import { learningRate } from "../lib/train/schedule.ts";

Deno.test("AdamW's first step moves each weight by lr against the sign of its gradient", () => {
  const p = new Float32Array([1, -2, 0.5]), g = new Float32Array([0.3, -7, 1e-3]);
  const m = new Float32Array(3), v = new Float32Array(3);
  adamwStep(p, g, m, v, 1, { lr: 0.01, eps: 1e-12 }, [{ start: 0, end: 3, weightDecay: 0 }]);
  assert.deepEqual([...p].map((x) => Number(x.toFixed(5))), [0.99, -1.99, 0.49]);
});

Deno.test("AdamW decays only the groups that ask for it, decoupled from the gradient", () => {
  const p = new Float32Array([2, 2]), g = new Float32Array(2);
  const m = new Float32Array(2), v = new Float32Array(2);
  const groups = [{ start: 0, end: 1, weightDecay: 0.1 }, { start: 1, end: 2, weightDecay: 0 }];
  adamwStep(p, g, m, v, 1, { lr: 0.5 }, groups);
  assert.ok(Math.abs(p[0] - 2 * (1 - 0.05)) < 1e-6, `decayed weight ${p[0]}`);
  assert.equal(p[1], 2);
});

Deno.test("AdamW minimises a quadratic bowl", () => {
  const target = [3, -1, 0.25];
  const p = new Float32Array(3),
    g = new Float32Array(3),
    m = new Float32Array(3),
    v = new Float32Array(3);
  for (let t = 1; t <= 2000; t++) {
    for (let i = 0; i < 3; i++) g[i] = 2 * (p[i] - target[i]);
    adamwStep(p, g, m, v, t, { lr: 0.05 }, [{ start: 0, end: 3, weightDecay: 0 }]);
  }
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(p[i] - target[i]) < 1e-2, `${p[i]} vs ${target[i]}`);
  }
});

Deno.test("gradient clipping caps the global norm and reports the norm before clipping", () => {
  const g = new Float32Array([3, 4, 0]);
  assert.equal(clipGradNorm(g, 1), 5);
  const after = Math.hypot(...g);
  assert.ok(Math.abs(after - 1) < 1e-5, String(after));
  const small = new Float32Array([0.1, 0.1]);
  clipGradNorm(small, 1);
  assert.deepEqual([...small], [Math.fround(0.1), Math.fround(0.1)]);
});

Deno.test("the schedule warms up linearly, peaks, and decays along a cosine to the floor", () => {
  const o = { maxLr: 1e-3, minLr: 1e-4, warmupSteps: 100, decaySteps: 2000 };
  assert.ok(learningRate(0, o) < learningRate(50, o) && learningRate(50, o) < learningRate(99, o));
  assert.ok(Math.abs(learningRate(100, o) - 1e-3) < 1e-12);
  assert.ok(Math.abs(learningRate(1050, o) - 5.5e-4) < 1e-12); // halfway down the cosine
  assert.equal(learningRate(2000, o), 1e-4);
  assert.equal(learningRate(5000, o), 1e-4);
  for (let s = 100; s < 2000; s += 50) assert.ok(learningRate(s + 50, o) <= learningRate(s, o));
});
