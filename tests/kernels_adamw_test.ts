/**
 * SIMD AdamW and gradient clipping (kernels/adamw.ts) against their twins in lib/layers/adamw.ts.
 */
import assert from "node:assert/strict";
import { adamwStep, clipGradNorm } from "../lib/layers/adamw.ts";
import { Rng } from "../lib/random.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { assertClose, assertSameOnTwoThreads, largest, maxAbsDiff } from "./helpers.ts";

Deno.test("SIMD AdamW follows its twin within 1e-6 over five steps, groups with tails and no decay", async () => {
  const k = await loadKernels({ quiet: true });
  const rng = new Rng(9);
  const n = 103;
  const groups = [
    { start: 0, end: 37, weightDecay: 0.1 },
    { start: 37, end: 42, weightDecay: 0 },
    { start: 42, end: n, weightDecay: 0.1 },
  ];
  const start = rng.normalArray(n);
  const run = (step: typeof adamwStep) => {
    const p = k.arena.alloc(n), m = k.arena.alloc(n), v = k.arena.alloc(n);
    p.set(start);
    for (let t = 1; t <= 5; t++) {
      const g = rng.normalArray(n, 0.1);
      step(p, g, m, v, t, { lr: 1e-2, beta2: 0.99 }, groups);
    }
    return { p, m, v };
  };
  const state = rng.state;
  const fast = run(k.adamwStep);
  rng.state = state; // the twin sees the same gradients
  const twin = run(adamwStep);
  for (const name of ["p", "m", "v"] as const) {
    const err = maxAbsDiff(fast[name], twin[name]);
    assert.ok(err <= 1e-6 * (1 + largest(twin[name])), `${name} differs by ${err}`);
  }
  assert.ok(maxAbsDiff(fast.p, start) > 1e-3, "the parameters moved");
});

Deno.test("AdamW split across two threads equals one thread bit for bit on 300,003 parameters", async () => {
  const k = await loadKernels({ quiet: true });
  const n = 300_003; // enough for two threads, and a partial group of four at the end
  const rng = new Rng(12);
  const start = rng.normalArray(n), grads = rng.normalArray(n, 0.1);
  const groups = [{ start: 0, end: 1001, weightDecay: 0 }, {
    start: 1001,
    end: n,
    weightDecay: 0.1,
  }];
  assertSameOnTwoThreads(k, () => {
    const p = start.slice(), m = new Float32Array(n), v = new Float32Array(n);
    for (let t = 1; t <= 2; t++) k.adamwStep(p, grads, m, v, t, { lr: 1e-2, beta2: 0.99 }, groups);
    return { p, m, v };
  });
});

Deno.test("SIMD gradient clipping matches the twin, above and below the limit", async () => {
  const k = await loadKernels({ quiet: true });
  const g = new Rng(5).normalArray(100_003); // norm ≈ 316
  for (const maxNorm of [1, 1000]) {
    const fast = g.slice(), twin = g.slice();
    const nFast = k.clipGradNorm(fast, maxNorm), nTwin = clipGradNorm(twin, maxNorm);
    assert.ok(Math.abs(nFast - nTwin) <= 1e-9 * nTwin, `norm ${nFast} vs ${nTwin}`);
    assertClose(fast, twin, 1e-6, `grads clipped at ${maxNorm}`);
  }
});

Deno.test("gradient clipping split across two threads equals one thread bit for bit", async () => {
  const k = await loadKernels({ quiet: true });
  const g = new Rng(6).normalArray(300_007); // 19 chunks of the squared norm, the last partial
  assertSameOnTwoThreads(k, () => {
    const grads = g.slice();
    const norm = k.clipGradNorm(grads, 1);
    return { norm, grads };
  });
});

Deno.test("SIMD AdamW refuses groups that overlap or leave the parameters", async () => {
  const k = await loadKernels({ quiet: true });
  const p = new Float32Array(10), g = new Float32Array(10);
  const m = new Float32Array(10), v = new Float32Array(10);
  const step = (groups: { start: number; end: number; weightDecay: number }[]) =>
    k.adamwStep(p, g, m, v, 1, { lr: 1e-2 }, groups);
  assert.throws(
    () => step([{ start: 0, end: 6, weightDecay: 0 }, { start: 5, end: 10, weightDecay: 0 }]),
    /overlaps/,
  );
  assert.throws(() => step([{ start: 4, end: 11, weightDecay: 0 }]), /outside 0\.\.10/);
});
