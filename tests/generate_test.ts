import assert from "node:assert/strict";
import type { PositionalEncoding } from "../lib/model/config.ts";
import { generate } from "../lib/model/generate.ts";
import { GPT } from "../lib/model/gpt.ts";

const BASE = { vocabSize: 13, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 16 };

for (const positional of ["learned", "sinusoidal", "rope"] as PositionalEncoding[]) {
  Deno.test(`the KV cache gives exactly the tokens of full recomputation (${positional} positions)`, () => {
    const model = new GPT({ ...BASE, positional }, 3);
    // Larger weights than at init, so that the distribution is far from uniform.
    for (let i = 0; i < model.params.length; i++) model.params[i] *= 6;
    for (
      const sampling of [{ temperature: 0 }, { temperature: 1.0, topK: 8 }, {
        temperature: 0.8,
        topP: 0.9,
      }]
    ) {
      // 40 new tokens from a 5-token prompt cross the 12-token window several times.
      const options = { maxTokens: 40, seed: 11, ...sampling };
      const cached = generate(model, [1, 2, 3, 4, 5], { ...options, kvCache: true });
      const full = generate(model, [1, 2, 3, 4, 5], { ...options, kvCache: false });
      assert.deepEqual(cached, full, JSON.stringify(sampling));
    }
  });
}

Deno.test("generation is reproducible from its seed and varies with it", () => {
  const model = new GPT(BASE, 1);
  for (let i = 0; i < model.params.length; i++) model.params[i] *= 6;
  const run = (seed: number) => generate(model, [0], { maxTokens: 20, seed });
  assert.deepEqual(run(4), run(4));
  assert.notDeepEqual(run(4), run(5));
});

Deno.test("onToken can stop generation early", () => {
  const model = new GPT(BASE, 1);
  const seen: number[] = [];
  const out = generate(model, [0], {
    maxTokens: 50,
    onToken: (id) => (seen.push(id), seen.length < 7),
  });
  assert.equal(out.length, 7);
  assert.deepEqual(out, seen);
});

Deno.test("an empty prompt is refused in one sentence", () => {
  assert.throws(() => generate(new GPT(BASE, 1), [], { maxTokens: 3 }), /prompt is empty/);
});
