/**
 * SIMD softmax and the loss gradient (kernels/softmax.ts, kernels/crossentropy.ts) against their
 * twins in lib/layers/crossentropy.ts.
 */
import assert from "node:assert/strict";
import { crossEntropySoftmaxBackward, softmaxForward } from "../lib/layers/crossentropy.ts";
import { Rng } from "../lib/random.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { assertClose, assertSameOnTwoThreads } from "./helpers.ts";

// (N, V): one element, tails of 1–3 past the 4-wide vectors, and a GPT-2-sized vocabulary.
for (const [N, V] of [[1, 1], [3, 7], [5, 33], [2, 50257]]) {
  Deno.test(`SIMD softmaxForward matches the twin on ${N}×${V}`, async () => {
    const k = await loadKernels({ quiet: true });
    const logits = new Rng(N * 7 + V).normalArray(N * V).map((x) => 4 * x);
    const fast = new Float32Array(N * V), twin = new Float32Array(N * V);
    k.softmaxForward(fast, logits, N, V);
    softmaxForward(twin, logits, N, V);
    assertClose(fast, twin, 2e-6, "probs");
  });
}

Deno.test("SIMD softmaxForward stays finite and normalized on extreme logits", async () => {
  const k = await loadKernels({ quiet: true });
  const logits = new Float32Array([1000, 0, -1000, 5, 5, 5, 5, 5]);
  const probs = new Float32Array(8);
  k.softmaxForward(probs, logits, 2, 4);
  assert.ok(Math.abs(probs[0] - 1) < 1e-6 && probs[1] < 1e-30);
  assertClose(probs.subarray(4), new Float32Array([0.25, 0.25, 0.25, 0.25]), 1e-6, "row 2");
});

Deno.test("softmax split across two threads equals one thread bit for bit on 700×5003", async () => {
  const k = await loadKernels({ quiet: true });
  const [N, V] = [700, 5003];
  const logits = new Rng(9).normalArray(N * V);
  assertSameOnTwoThreads(k, () => {
    const probs = new Float32Array(N * V);
    k.softmaxForward(probs, logits, N, V);
    return probs;
  });
});

// (N, V): tails of 1–3 past the vectors, targets at both ends of the row, a BPE vocabulary.
for (const [N, V] of [[1, 1], [3, 7], [4, 65], [2, 5003]]) {
  Deno.test(`SIMD crossEntropySoftmaxBackward matches the twin on ${N}×${V}`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(N * 31 + V);
    const probs = rng.normalArray(N * V).map(Math.abs), dlosses = rng.normalArray(N);
    const targets = Int32Array.from({ length: N }, (_, n) => (n % 2 ? V - 1 : (n * 7) % V));
    const start = rng.normalArray(N * V);
    const fast = start.slice(), twin = start.slice();
    k.crossEntropySoftmaxBackward(fast, dlosses, probs, targets, N, V);
    crossEntropySoftmaxBackward(twin, dlosses, probs, targets, N, V);
    assertClose(fast, twin, 1e-6, "dlogits");
  });
}

Deno.test("crossEntropySoftmaxBackward rejects a target outside the vocabulary", async () => {
  const k = await loadKernels({ quiet: true });
  const f = new Float32Array(8);
  assert.throws(
    () => k.crossEntropySoftmaxBackward(f, f, f, new Int32Array([1, 4]), 2, 4),
    /target 4 at row 1 is not a token id below V = 4/,
  );
});
