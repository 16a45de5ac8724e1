import assert from "node:assert/strict";
import type { GPTConfig } from "../lib/model/config.ts";
import { GPT } from "../lib/model/gpt.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { Rng } from "../lib/random.ts";

const TINY: GPTConfig = { vocabSize: 7, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8 };
const [B, T] = [2, 5];

function setup() {
  const model = new GPT(TINY, 1);
  const rng = new Rng(5);
  for (let i = 0; i < model.params.length; i++) model.params[i] += rng.normal() * 0.3;
  const ids = () => Int32Array.from({ length: B * T }, () => rng.int(TINY.vocabSize));
  const weights = Float32Array.from({ length: B * T }, (_, i) => (i % 3 === 1 ? 0 : 1 + (i % 2)));
  return { model, inputs: ids(), targets: ids(), weights };
}

function gradsOf(model: GPT, inputs: Int32Array, targets: Int32Array, w: Float32Array | null) {
  const loss = model.forward(inputs, targets, B, T, w)!;
  model.zeroGrad();
  model.backward();
  return { loss, grads: model.grads.slice() };
}

Deno.test("the weighted loss's gradient matches finite differences on every parameter within 1e-3", () => {
  const { model, inputs, targets, weights } = setup();
  const loss = () => model.forward(inputs, targets, B, T, weights)!;
  const { grads } = gradsOf(model, inputs, targets, weights);
  const r = gradCheck(loss, model.params, grads, { h: 1e-2 });
  assert.ok(r.relativeError < 1e-3, `relative error ${r.relativeError}`);
});

Deno.test("a position of weight 0 gets no gradient: changing its target changes nothing", () => {
  const { model, inputs, targets, weights } = setup();
  const before = gradsOf(model, inputs, targets, weights);
  const masked = weights.findIndex((w) => w === 0);
  const other = targets.slice();
  other[masked] = (other[masked] + 1) % TINY.vocabSize;
  const after = gradsOf(model, inputs, other, weights);
  assert.equal(after.loss, before.loss);
  assert.deepEqual(after.grads, before.grads);
  const V = TINY.vocabSize;
  assert.ok(model.dacts!.logits.subarray(masked * V, masked * V + V).every((g) => g === 0));
  // The same change at a weighted position does move the gradient.
  const live = weights.findIndex((w) => w > 0);
  other[live] = (other[live] + 1) % V;
  assert.notDeepEqual(gradsOf(model, inputs, other, weights).grads, before.grads);
});

Deno.test("weights of all ones give the plain mean loss and its gradient", () => {
  const { model, inputs, targets } = setup();
  const plain = gradsOf(model, inputs, targets, null);
  const ones = gradsOf(model, inputs, targets, new Float32Array(B * T).fill(1));
  assert.ok(Math.abs(plain.loss - ones.loss) < 1e-6);
  for (let i = 0; i < plain.grads.length; i++) {
    assert.ok(Math.abs(plain.grads[i] - ones.grads[i]) < 1e-6);
  }
});

Deno.test("the weighted loss is Σ w·loss / Σ w of the per-position losses", () => {
  const { model, inputs, targets, weights } = setup();
  const loss = model.forward(inputs, targets, B, T, weights)!;
  const losses = model.acts!.losses;
  let num = 0, den = 0;
  for (let i = 0; i < B * T; i++) [num, den] = [num + weights[i] * losses[i], den + weights[i]];
  assert.ok(Math.abs(loss - num / den) < 1e-6);
  assert.throws(() => model.forward(inputs, targets, B, T, new Float32Array(B * T)), /weight is 0/);
});
