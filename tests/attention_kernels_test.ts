import assert from "node:assert/strict";
import { attentionBackward, attentionForward } from "../lib/layers/attention.ts";
import { softmaxForward } from "../lib/layers/crossentropy.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { Rng } from "../lib/random.ts";
import { assertSameOnTwoThreads } from "./helpers.ts";

function assertClose(fast: Float32Array, twin: Float32Array, tol: number, what: string): void {
  assert.equal(fast.length, twin.length);
  for (let i = 0; i < twin.length; i++) {
    const err = Math.abs(fast[i] - twin[i]);
    assert.ok(err <= tol * (1 + Math.abs(twin[i])), `${what}[${i}]: ${fast[i]} vs ${twin[i]}`);
  }
}

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

// (B, T, C, NH): a single position; head sizes that leave a partial panel of 8 (hs = 1, 3, 4, 5)
// or fill whole ones (8, 24, 32, 64); sequence lengths that leave partial blocks of 4 rows and 8
// columns (T = 1, 2, 3, 5, 6, 7, 9, 13, 17); and T 64 with hs 32, the baby GPT's shape.
const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1],
  [2, 5, 12, 3],
  [3, 7, 10, 2],
  [2, 13, 9, 3],
  [1, 17, 128, 2],
  [2, 1, 16, 2],
  [2, 2, 16, 2],
  [1, 3, 8, 1],
  [2, 6, 48, 2],
  [3, 9, 96, 3],
  [2, 64, 128, 4],
];

function attentionCase(B: number, T: number, C: number, NH: number) {
  const rng = new Rng(B * 1000 + T * 100 + C * 10 + NH);
  return {
    inp: rng.normalArray(B * T * 3 * C),
    dout: rng.normalArray(B * T * C),
    sizes: { out: B * T * C, att: B * NH * T * T, inp: B * T * 3 * C },
  };
}

for (const [B, T, C, NH] of SHAPES) {
  Deno.test(`SIMD attention forward and backward match the twins on B${B} T${T} C${C} NH${NH}`, async () => {
    const k = await loadKernels({ quiet: true });
    const { inp, dout, sizes } = attentionCase(B, T, C, NH);
    const run = (
      fwd: typeof attentionForward,
      bwd: typeof attentionBackward,
    ) => {
      // Stale values in every output, to prove the kernels overwrite (forward) or add (backward).
      const out = new Float32Array(sizes.out).fill(9);
      const preatt = new Float32Array(sizes.att).fill(9), att = new Float32Array(sizes.att).fill(9);
      fwd(out, preatt, att, inp, B, T, C, NH);
      const dinp = new Float32Array(sizes.inp).fill(0.5);
      const dpreatt = new Float32Array(sizes.att), datt = new Float32Array(sizes.att);
      bwd(dinp, dpreatt, datt, dout, inp, att, B, T, C, NH);
      return { out, preatt, att, dinp, dpreatt, datt };
    };
    const fast = run(k.attentionForward, k.attentionBackward);
    const twin = run(attentionForward, attentionBackward);
    for (const name of ["out", "preatt", "att", "dinp", "dpreatt", "datt"] as const) {
      assertClose(fast[name], twin[name], 2e-5, name);
    }
  });
}

Deno.test("attention split across two threads equals one thread bit for bit on B8 T128 C128 NH4", async () => {
  const k = await loadKernels({ quiet: true });
  const [B, T, C, NH] = [8, 128, 128, 4];
  const { inp, dout, sizes } = attentionCase(B, T, C, NH);
  const run = () => {
    const out = new Float32Array(sizes.out);
    const preatt = new Float32Array(sizes.att), att = new Float32Array(sizes.att);
    k.attentionForward(out, preatt, att, inp, B, T, C, NH);
    const dinp = new Float32Array(sizes.inp);
    const dpreatt = new Float32Array(sizes.att), datt = new Float32Array(sizes.att);
    k.attentionBackward(dinp, dpreatt, datt, dout, inp, att, B, T, C, NH);
    return { out, att, dinp, dpreatt };
  };
  assertSameOnTwoThreads(k, run);
});

Deno.test("attention rejects channels that do not split into equal heads", async () => {
  const k = await loadKernels({ quiet: true });
  const f = new Float32Array(100);
  assert.throws(
    () => k.attentionForward(f, f, f, f, 1, 2, 10, 3),
    /C = 10 does not split into NH = 3/,
  );
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

Deno.test("GELU split across two threads equals one thread bit for bit on 768×512+3", async () => {
  const k = await loadKernels({ quiet: true });
  const N = 768 * 512 + 3; // a partial group of four at the end
  const rng = new Rng(11);
  const inp = rng.normalArray(N), dout = rng.normalArray(N), start = rng.normalArray(N);
  assertSameOnTwoThreads(k, () => {
    const out = new Float32Array(N), dinp = start.slice();
    k.geluForward(out, inp, N);
    k.geluBackward(dinp, inp, dout, N);
    return { out, dinp };
  });
});
