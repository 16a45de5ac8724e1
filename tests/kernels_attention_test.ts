/**
 * SIMD attention, forward, backward and the KV cache's step (kernels/attention.ts,
 * kernels/attention_step.ts), against their twins in lib/layers/.
 */
import assert from "node:assert/strict";
import { attentionBackward, attentionForward } from "../lib/layers/attention.ts";
import { attentionStep } from "../lib/layers/attention_step.ts";
import { Rng } from "../lib/random.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { assertClose, assertSameOnTwoThreads, largest, maxAbsDiff } from "./helpers.ts";

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
