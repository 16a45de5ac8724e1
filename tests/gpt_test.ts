import assert from "node:assert/strict";
import { countParameters, type GPTConfig } from "../lib/model/config.ts";
import { PRESETS } from "../lib/train/presets.ts";
import { GPT } from "../lib/model/gpt.ts";
import { TWIN_OPS } from "../lib/model/ops.ts";
import { parameterShapes } from "../lib/model/layout.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { Rng } from "../lib/random.ts";
import { GOLDEN, goldenBatch, goldenRun } from "./fixtures/gpt_golden.ts";
import golden from "./fixtures/gpt_golden.json" with { type: "json" };

const TINY: GPTConfig = { vocabSize: 7, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8 };

function randomTokens(rng: Rng, n: number, V: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(V));
}

for (const positional of ["learned", "sinusoidal", "rope"] as const) {
  Deno.test(`the whole GPT's gradient (${positional} positions) matches finite differences on every parameter within 1e-3`, () => {
    const model = new GPT({ ...TINY, positional }, 1);
    // Larger-than-init weights give gradients well above float32 noise; measured error ≈ 5e-5.
    const rng = new Rng(5);
    for (let i = 0; i < model.params.length; i++) model.params[i] += rng.normal() * 0.3;
    const [B, T] = [2, 5];
    const inputs = randomTokens(rng, B * T, TINY.vocabSize);
    const targets = randomTokens(rng, B * T, TINY.vocabSize);
    const loss = () => model.forward(inputs, targets, B, T)!;
    loss();
    model.zeroGrad();
    model.backward();
    const r = gradCheck(loss, model.params, model.grads, { h: 1e-2 });
    assert.ok(r.relativeError < 1e-3, `relative error ${r.relativeError}`);
  });
}

Deno.test("the parameter buffer holds exactly countParameters(config) floats for each preset and encoding", () => {
  for (const preset of Object.values(PRESETS)) {
    for (const positional of ["learned", "sinusoidal", "rope"] as const) {
      const config = { vocabSize: 65, ...preset, positional };
      const size = parameterShapes(config).reduce((s, [, sh]) => s + sh.reduce((a, b) => a * b), 0);
      assert.equal(size, countParameters(config));
    }
  }
  assert.equal(new GPT({ ...TINY }).numParameters, countParameters(TINY));
});

Deno.test("the loss at initialisation is close to ln(vocab), as for a uniform guess", () => {
  const config = { vocabSize: 65, blockSize: 16, nLayer: 2, nHead: 4, nEmbd: 32 };
  const model = new GPT(config, 3);
  const rng = new Rng(1);
  const loss = model.forward(randomTokens(rng, 64, 65), randomTokens(rng, 64, 65), 4, 16)!;
  assert.ok(Math.abs(loss - Math.log(65)) < 0.05, `loss ${loss} vs ln 65 = ${Math.log(65)}`);
});

Deno.test("initialisation follows GPT-2: std 0.02, c_proj scaled by 1/sqrt(2L), LayerNorm gains 1", () => {
  const model = new GPT({ vocabSize: 64, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 64 }, 0);
  const std = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  assert.ok(Math.abs(std(model.p.wte) - 0.02) < 0.001);
  assert.ok(Math.abs(std(model.p.h[2].mlp.c_proj.weight) - 0.02 / Math.sqrt(8)) < 0.0005);
  assert.ok(model.p.h[0].ln_1.weight.every((x) => x === 1));
  assert.ok(model.p.h[0].attn.c_attn.bias.every((x) => x === 0));
  const again = new GPT({ vocabSize: 64, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 64 }, 0);
  assert.deepEqual(again.params, model.params, "the same seed gives the same model");
});

Deno.test("golden: a tiny fixed-seed GPT reproduces its stored logits, loss and gradients", () => {
  const now = goldenRun();
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 + 1e-5 * Math.abs(b);
  assert.ok(close(now.loss, golden.loss), `loss ${now.loss} vs ${golden.loss}`);
  assert.equal(now.logits.length, golden.logits.length);
  now.logits.forEach((x, i) => assert.ok(close(x, golden.logits[i]), `logit ${i}: ${x}`));
  const stored = golden.grads as Record<string, number[]>;
  assert.deepEqual(Object.keys(now.grads), Object.keys(stored));
  for (const [name, values] of Object.entries(now.grads)) {
    values.forEach((x, i) => assert.ok(close(x, stored[name][i]), `${name}[${i}]: ${x}`));
  }
  assert.equal(goldenBatch().inputs.length, GOLDEN.B * GOLDEN.T);
});

Deno.test("a sequence longer than the context or a token outside the vocabulary is one clear sentence", () => {
  const model = new GPT(TINY);
  assert.throws(
    () => model.forward(new Int32Array(7), null, 1, 7),
    /length 7 exceeds the model's context of 6/,
  );
  assert.throws(
    () => model.forward(new Int32Array([1, 9]), null, 1, 2),
    /Token id 9 at position 1 of the inputs is outside the vocabulary of 7/,
  );
  assert.throws(() => new GPT({ ...TINY, nHead: 3 }), /nEmbd 8 must be a multiple of nHead 3/);
});

Deno.test("backward accumulates: two backward passes give twice the gradient", () => {
  const model = new GPT(TINY, 2);
  const rng = new Rng(2);
  model.forward(randomTokens(rng, 6, 7), randomTokens(rng, 6, 7), 2, 3);
  model.zeroGrad();
  model.backward();
  const once = model.grads.slice();
  model.backward();
  for (let i = 0; i < once.length; i++) {
    assert.ok(Math.abs(model.grads[i] - 2 * once[i]) <= 1e-6 + 1e-5 * Math.abs(once[i]));
  }
});

Deno.test("replacement ops and a custom allocator are used, and give the same numbers", () => {
  const calls = new Map<string, number>();
  const counted = (name: keyof typeof TWIN_OPS) => (...args: unknown[]) => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    // deno-lint-ignore no-explicit-any
    return (TWIN_OPS[name] as (...a: any[]) => unknown)(...args);
  };
  let allocated = 0;
  const model = new GPT({ ...TINY, positional: "rope" }, 3, {
    ops: { attentionForward: counted("attentionForward"), ropeBackward: counted("ropeBackward") },
    alloc: (n) => (allocated += n, new Float32Array(n)),
  });
  const plain = new GPT({ ...TINY, positional: "rope" }, 3);
  const rng = new Rng(4);
  const inputs = randomTokens(rng, 8, 7), targets = randomTokens(rng, 8, 7);
  assert.equal(model.forward(inputs, targets, 2, 4), plain.forward(inputs, targets, 2, 4));
  model.backward();
  plain.backward();
  assert.deepEqual(model.grads, plain.grads);
  assert.equal(calls.get("attentionForward"), TINY.nLayer);
  assert.equal(calls.get("ropeBackward"), TINY.nLayer);
  assert.ok(allocated >= 2 * model.numParameters, `allocated ${allocated} floats`);
});
