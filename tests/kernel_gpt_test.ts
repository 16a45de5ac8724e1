import assert from "node:assert/strict";
import { adamwStep } from "../lib/layers/adamw.ts";
import { attentionStep } from "../lib/layers/attention_step.ts";
import type { PositionalEncoding } from "../lib/model/config.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { generate } from "../lib/model/generate.ts";
import { GPT } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { biasBackward } from "../lib/layers/linear.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { Rng } from "../lib/random.ts";
import { train, type TrainSettings } from "../lib/train/trainer.ts";
import { assertSameOnTwoThreads } from "./helpers.ts";

// Odd sizes: a head size of 6 leaves a SIMD tail, 3 heads, V = 23 and T = 9 are not multiples of 4.
const CONFIG = { vocabSize: 23, blockSize: 9, nLayer: 2, nHead: 3, nEmbd: 18 };

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function largest(x: Float32Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

function tokens(rng: Rng, n: number, V: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(V));
}

Deno.test("bias gradient split across two threads equals one thread bit for bit on 2100×515", async () => {
  const k = await loadKernels({ quiet: true });
  const [N, OC] = [2100, 515]; // enough for two threads, and a partial group of 16 channels
  const rng = new Rng(4);
  const dout = rng.normalArray(N * OC), start = rng.normalArray(OC);
  assertSameOnTwoThreads(k, () => {
    const dbias = start.slice();
    k.biasBackward(dbias, dout, N, OC);
    return dbias;
  });
});

for (const positional of ["learned", "sinusoidal", "rope"] as PositionalEncoding[]) {
  Deno.test(`the kernel-backed GPT gives the twins' loss, logits and gradients within 1e-5 of their scale (${positional})`, async () => {
    const wasm = await loadBackend("wasm");
    const fast = new GPT({ ...CONFIG, positional }, 7, wasm);
    const plain = new GPT({ ...CONFIG, positional }, 7);
    assert.ok(wasm.kernels!.arena.owns(fast.params) && wasm.kernels!.arena.owns(fast.p.wte));
    // Weights larger than at init, so that attention and softmax are far from uniform.
    for (const m of [fast, plain]) for (let i = 0; i < m.params.length; i++) m.params[i] *= 3;
    const rng = new Rng(3);
    const B = 3, T = 9;
    const inputs = tokens(rng, B * T, 23), targets = tokens(rng, B * T, 23);
    const lossFast = fast.forward(inputs, targets, B, T)!;
    const lossPlain = plain.forward(inputs, targets, B, T)!;
    assert.ok(Math.abs(lossFast - lossPlain) <= 1e-5 * lossPlain, `${lossFast} vs ${lossPlain}`);
    const logitsErr = maxAbsDiff(fast.acts!.logits, plain.acts!.logits);
    const logitsScale = largest(plain.acts!.logits);
    assert.ok(
      logitsErr <= 1e-5 * logitsScale,
      `logits differ by ${logitsErr} (largest ${logitsScale})`,
    );
    fast.zeroGrad();
    plain.zeroGrad();
    fast.backward();
    plain.backward();
    const scale = largest(plain.grads);
    const err = maxAbsDiff(fast.grads, plain.grads);
    assert.ok(err <= 1e-5 * scale, `gradients differ by ${err} (largest ${scale})`);
  });
}

Deno.test("twenty training steps on kernels follow the twins' loss curve within 1e-4", async () => {
  const settings: TrainSettings = {
    batchSize: 4,
    steps: 20,
    warmupSteps: 2,
    maxLr: 1e-2,
    minLr: 1e-3,
    beta1: 0.9,
    beta2: 0.99,
    weightDecay: 0.1,
    gradClip: 1.0,
    evalEvery: 10,
    evalBatches: 2,
    seed: 5,
  };
  const data = new TokenDataset(Int32Array.from({ length: 500 }, (_, i) => (i * i + i) % 23));
  const tokenizer = { kind: "char" as const, data: "[]" };
  const run = async (backend: "wasm" | "ts") => {
    const dir = await Deno.makeTempDir();
    const model = new GPT(CONFIG, 2, await loadBackend(backend));
    await train({ model, data, tokenizer, settings, outDir: dir, progress: () => {} });
    const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n");
    await Deno.remove(dir, { recursive: true });
    return lines.map((l) => JSON.parse(l)).filter((m) => m.kind === "train").map((m) => m.loss);
  };
  const fast = await run("wasm"), plain = await run("ts");
  assert.equal(fast.length, 20);
  assert.ok(plain[19] < plain[0] - 0.3, `the run should learn: ${plain[0]} → ${plain[19]}`);
  for (let i = 0; i < 20; i++) {
    assert.ok(Math.abs(fast[i] - plain[i]) <= 1e-4, `step ${i}: ${fast[i]} vs ${plain[i]}`);
  }
});

// (N, OC): tails past the 16-wide block and the 4-wide vectors, a single column, a GPT width.
for (const [N, OC] of [[1, 1], [5, 3], [7, 21], [33, 130], [64, 512]]) {
  Deno.test(`SIMD bias gradient is bit-identical to its twin on ${N}×${OC}`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(N + OC);
    const dout = rng.normalArray(N * OC);
    const fast = new Float32Array(OC + 2).fill(0.5), twin = new Float32Array(OC + 2).fill(0.5);
    k.biasBackward(fast, dout, N, OC);
    biasBackward(twin, dout, N, OC);
    assert.deepEqual(fast, twin);
  });
}

for (const positional of ["learned", "sinusoidal", "rope"] as PositionalEncoding[]) {
  Deno.test(`on kernels, the KV cache gives exactly the tokens of full recomputation (${positional})`, async () => {
    const model = new GPT({ ...CONFIG, positional }, 3, await loadBackend("wasm"));
    for (let i = 0; i < model.params.length; i++) model.params[i] *= 6;
    for (const sampling of [{ temperature: 0 }, { temperature: 1.0, topK: 8 }]) {
      // 30 new tokens from a 4-token prompt cross the 9-token window several times.
      const options = { maxTokens: 30, seed: 11, ...sampling };
      const cached = generate(model, [1, 2, 3, 4], { ...options, kvCache: true });
      const full = generate(model, [1, 2, 3, 4], { ...options, kvCache: false });
      assert.deepEqual(cached, full, JSON.stringify(sampling));
    }
  });
}

// (pos, C, NH): the first position, head sizes with SIMD tails, a long context.
for (const [pos, C, NH] of [[0, 4, 1], [6, 18, 3], [40, 30, 5], [255, 64, 2]]) {
  Deno.test(`SIMD attention step matches its twin within 1e-6 at position ${pos}, C ${C}, ${NH} heads`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(pos + C);
    const q = rng.normalArray(C), kv = rng.normalArray((pos + 1) * 2 * C);
    const fast = new Float32Array(C), twin = new Float32Array(C);
    k.attentionStep(fast, q, kv, pos, C, NH, new Float32Array(pos + 1));
    attentionStep(twin, q, kv, pos, C, NH, new Float32Array(pos + 1));
    assert.ok(maxAbsDiff(fast, twin) <= 1e-6 * (1 + largest(twin)), `${fast} vs ${twin}`);
  });
}

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
