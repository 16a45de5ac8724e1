/**
 * SIMD LayerNorm (kernels/layernorm.ts) against its twins in lib/layers/layernorm.ts.
 */
import { layerNormBackward, layerNormForward } from "../lib/layers/layernorm.ts";
import { Rng } from "../lib/random.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { assertClose, assertSameOnTwoThreads } from "./helpers.ts";

// (N, C): a single channel, channel counts with tails of 1–3 past the 4-wide vectors, GPT widths,
// and rows enough for several chunks of the backward pass (32 rows each at C = 130).
for (const [N, C] of [[1, 1], [3, 7], [5, 130], [4, 768], [300, 130]]) {
  Deno.test(`SIMD layerNorm forward and backward match the twins on ${N}×${C}`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(N * 1000 + C);
    // An offset of 3 checks that the variance is taken around the mean, not as E[x²] − E[x]².
    const inp = rng.normalArray(N * C).map((x) => 3 + x);
    const weight = rng.normalArray(C), bias = rng.normalArray(C), dout = rng.normalArray(N * C);
    const run = (fwd: typeof layerNormForward, bwd: typeof layerNormBackward) => {
      const out = new Float32Array(N * C).fill(9);
      const mean = new Float32Array(N), rstd = new Float32Array(N);
      fwd(out, mean, rstd, inp, weight, bias, N, C);
      const dinp = new Float32Array(N * C).fill(0.5);
      const dweight = new Float32Array(C).fill(0.25), dbias = new Float32Array(C).fill(-1);
      bwd(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
      return { out, mean, rstd, dinp, dweight, dbias };
    };
    const fast = run(k.layerNormForward, k.layerNormBackward);
    const twin = run(layerNormForward, layerNormBackward);
    for (const name of ["out", "mean", "rstd", "dinp", "dweight", "dbias"] as const) {
      assertClose(fast[name], twin[name], 2e-5, name);
    }
  });
}

Deno.test("layerNorm split across two threads equals one thread bit for bit on 2051×130", async () => {
  const k = await loadKernels({ quiet: true });
  const [N, C] = [2051, 130]; // a partial chunk of rows and a tail past the 4-wide vectors
  const rng = new Rng(21);
  const inp = rng.normalArray(N * C), weight = rng.normalArray(C), bias = rng.normalArray(C);
  const dout = rng.normalArray(N * C);
  assertSameOnTwoThreads(k, () => {
    const out = new Float32Array(N * C), mean = new Float32Array(N), rstd = new Float32Array(N);
    k.layerNormForward(out, mean, rstd, inp, weight, bias, N, C);
    const dinp = new Float32Array(N * C), dweight = new Float32Array(C).fill(0.25);
    const dbias = new Float32Array(C).fill(-1);
    k.layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    return { out, mean, rstd, dinp, dweight, dbias };
  });
});
