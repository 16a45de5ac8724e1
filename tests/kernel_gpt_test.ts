/**
 * The GPT on the kernels against the GPT on the twins: loss, logits, gradients, a training
 * curve, and the KV cache.
 */
import assert from "node:assert/strict";
import type { PositionalEncoding } from "../lib/model/config.ts";
import { generate } from "../lib/model/generate.ts";
import { GPT } from "../lib/model/gpt.ts";
import { Rng } from "../lib/random.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { train } from "../lib/train/trainer.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { largest, maxAbsDiff, TINY_SETTINGS, tokens } from "./helpers.ts";

// Odd sizes: a head size of 6 leaves a SIMD tail, 3 heads, V = 23 and T = 9 are not multiples of 4.
const CONFIG = { vocabSize: 23, blockSize: 9, nLayer: 2, nHead: 3, nEmbd: 18 };

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
  const settings = { ...TINY_SETTINGS, steps: 20, warmupSteps: 2, evalEvery: 10 };
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
