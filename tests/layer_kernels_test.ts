import assert from "node:assert/strict";
import { clipGradNorm } from "../lib/layers/adamw.ts";
import { crossEntropySoftmaxBackward } from "../lib/layers/crossentropy.ts";
import { encoderBackward, encoderForward } from "../lib/layers/encoder.ts";
import { zeroFill } from "../lib/layers/fill.ts";
import { geluBackward, geluForward } from "../lib/layers/gelu.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { layerNormBackward, layerNormForward } from "../lib/layers/layernorm.ts";
import { Rng } from "../lib/random.ts";
import { residualBackward, residualForward } from "../lib/layers/residual.ts";
import { assertSameOnTwoThreads } from "./helpers.ts";

function assertClose(fast: Float32Array, twin: Float32Array, tol: number, what: string): void {
  assert.equal(fast.length, twin.length);
  for (let i = 0; i < twin.length; i++) {
    const err = Math.abs(fast[i] - twin[i]);
    assert.ok(err <= tol * (1 + Math.abs(twin[i])), `${what}[${i}]: ${fast[i]} vs ${twin[i]}`);
  }
}

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

// N: under one vector, tails of 1–3, and inputs wide enough to saturate tanh (|x| up to 60).
for (const N of [1, 3, 6, 1027]) {
  Deno.test(`SIMD GELU forward and backward match the twins on ${N} values`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(N);
    const inp = rng.normalArray(N).map((x, i) => (i % 10 === 9 ? 20 * x : 2 * x));
    const dout = rng.normalArray(N);
    const run = (fwd: typeof geluForward, bwd: typeof geluBackward) => {
      const out = new Float32Array(N + 3).fill(9); // the 3 past N must stay untouched
      fwd(out, inp, N);
      const dinp = new Float32Array(N).fill(0.5);
      bwd(dinp, inp, dout, N);
      return { out, dinp };
    };
    const fast = run(k.geluForward, k.geluBackward);
    const twin = run(geluForward, geluBackward);
    assertClose(fast.out, twin.out, 2e-6, "out");
    assertClose(fast.dinp, twin.dinp, 2e-6, "dinp");
    assert.deepEqual([...fast.out.subarray(N)], [9, 9, 9]);
  });
}

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

// N: one value, tails of 1–3 past the 4-wide vectors, and enough (1.2M) for two threads.
for (const N of [1, 7, 130, 1_200_003]) {
  Deno.test(`SIMD residual sum, its backward and zeroing match the twins on ${N} values`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(N);
    const a = rng.normalArray(N), b = rng.normalArray(N), dout = rng.normalArray(N);
    const run = (
      fwd: typeof residualForward,
      bwd: typeof residualBackward,
      zero: typeof zeroFill,
    ) => {
      const out = new Float32Array(N).fill(9);
      fwd(out, a, b, N);
      const d1 = a.slice(), d2 = b.slice();
      bwd(d1, d2, dout, N);
      const zeroed = a.slice();
      zero(zeroed);
      return { out, d1, d2, zeroed };
    };
    // Sums of two floats round the same way everywhere: equal bit for bit.
    assert.deepEqual(
      run(k.residualForward, k.residualBackward, k.zeroFill),
      run(residualForward, residualBackward, zeroFill),
    );
  });
}

Deno.test("SIMD gradient clipping matches the twin, above and below the limit", async () => {
  const k = await loadKernels({ quiet: true });
  const g = new Rng(5).normalArray(100_003); // norm ≈ 316
  for (const maxNorm of [1, 1000]) {
    const fast = g.slice(), twin = g.slice();
    const nFast = k.clipGradNorm(fast, maxNorm), nTwin = clipGradNorm(twin, maxNorm);
    assert.ok(Math.abs(nFast - nTwin) <= 1e-9 * nTwin, `norm ${nFast} vs ${nTwin}`);
    assertClose(fast, twin, 1e-6, `grads clipped at ${maxNorm}`);
  }
});

Deno.test("gradient clipping split across two threads equals one thread bit for bit", async () => {
  const k = await loadKernels({ quiet: true });
  const g = new Rng(6).normalArray(300_007); // 19 chunks of the squared norm, the last partial
  assertSameOnTwoThreads(k, () => {
    const grads = g.slice();
    const norm = k.clipGradNorm(grads, 1);
    return { norm, grads };
  });
});
