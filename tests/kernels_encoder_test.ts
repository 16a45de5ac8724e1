/**
 * SIMD embeddings (kernels/encoder.ts) against their twins in lib/layers/encoder.ts.
 */
import assert from "node:assert/strict";
import { encoderBackward, encoderForward } from "../lib/layers/encoder.ts";
import { Rng } from "../lib/random.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { assertSameOnTwoThreads } from "./helpers.ts";

// (B, T, C, V): one position, channel counts with tails past the 4-wide vectors and past a block
// of 32 channels; few tokens, so that positions share rows of dwte.
for (const [B, T, C, V] of [[1, 1, 1, 2], [2, 5, 7, 3], [3, 9, 70, 4]]) {
  for (const learned of [true, false]) {
    const what = `${B}×${T}×${C}, ${learned ? "learned" : "no"} positions`;
    Deno.test(`SIMD embeddings forward and backward equal the twins bit for bit on ${what}`, async () => {
      const k = await loadKernels({ quiet: true });
      const rng = new Rng(B * 100 + T * 10 + C);
      const inp = Int32Array.from({ length: B * T }, () => rng.int(V));
      const wte = rng.normalArray(V * C), wpe = learned ? rng.normalArray(T * C) : null;
      const dout = rng.normalArray(B * T * C);
      const run = (fwd: typeof encoderForward, bwd: typeof encoderBackward) => {
        const out = new Float32Array(B * T * C).fill(9);
        fwd(out, inp, wte, wpe, B, T, C);
        const dwte = new Float32Array(V * C).fill(0.5);
        const dwpe = learned ? new Float32Array(T * C).fill(-0.25) : null;
        bwd(dwte, dwpe, dout, inp, B, T, C);
        return { out, dwte, dwpe };
      };
      assert.deepEqual(
        run(k.encoderForward, k.encoderBackward),
        run(encoderForward, encoderBackward),
      );
    });
  }
}

Deno.test("embeddings split across two threads equal one thread bit for bit on 8×64×130", async () => {
  const k = await loadKernels({ quiet: true });
  const [B, T, C, V] = [8, 64, 130, 5];
  const rng = new Rng(31);
  const inp = Int32Array.from({ length: B * T }, () => rng.int(V));
  const wte = rng.normalArray(V * C),
    wpe = rng.normalArray(T * C),
    dout = rng.normalArray(B * T * C);
  assertSameOnTwoThreads(k, () => {
    const out = new Float32Array(B * T * C);
    k.encoderForward(out, inp, wte, wpe, B, T, C);
    const dwte = new Float32Array(V * C), dwpe = new Float32Array(T * C);
    k.encoderBackward(dwte, dwpe, dout, inp, B, T, C);
    return { out, dwte, dwpe };
  });
});

Deno.test("SIMD embeddings reject a token id outside the vocabulary in one sentence", async () => {
  const k = await loadKernels({ quiet: true });
  const out = new Float32Array(8), wte = new Float32Array(3 * 4);
  assert.throws(
    () => k.encoderForward(out, new Int32Array([0, 3]), wte, null, 1, 2, 4),
    /token id 3 at position 1 is outside the vocabulary of 3/,
  );
});
