/**
 * SIMD products (kernels/matmul.ts, kernels/matvec.ts) and the linear layer's bias gradient,
 * which the weight gradient's product sums as it packs, against their twins in
 * lib/layers/matmul.ts and lib/layers/linear.ts.
 */
import assert from "node:assert/strict";
import { biasBackward } from "../lib/layers/linear.ts";
import { matmul, matmulTransA, matmulTransB } from "../lib/layers/matmul.ts";
import { Rng } from "../lib/random.ts";
import { loadKernels, type MatmulFn } from "../lib/wasm/instance.ts";
import { assertSameOnTwoThreads } from "./helpers.ts";

// Odd shapes and tails past every block size (MR 6, NR 8, KC 512, MC 30: M = 31 and 61 leave a
// one-row block past whole ones, M = 4 and 9 a partial panel of A; K = 513 and 1030 leave a
// partial slice of K; with K = 520 and N = 530, a slice of packed B passes 1 MiB, so the tasks go
// through it in two groups of panels).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [33, 65, 17],
  [5, 129, 3],
  [3, 1, 9],
  [4, 8, 16],
  [6, 8, 8],
  [31, 33, 16],
  [61, 64, 24],
  [67, 300, 41],
  [130, 257, 70],
  [9, 513, 24],
  [37, 1030, 19],
  [70, 520, 530],
];

const FORMS = [
  ["matmul", matmul],
  ["matmulTransB", matmulTransB],
  ["matmulTransA", matmulTransA],
] as const;

/** float32 sums of K products: error grows like sqrt(K) · eps · |terms|. */
function assertClose(fast: Float32Array, twin: Float32Array, K: number): void {
  const tol = 1e-5 * Math.sqrt(K + 1) * 4;
  for (let i = 0; i < twin.length; i++) {
    assert.ok(Math.abs(fast[i] - twin[i]) <= tol, `index ${i}: ${fast[i]} vs ${twin[i]}`);
  }
}

for (const [name, twin] of FORMS) {
  for (const [M, K, N] of SHAPES) {
    Deno.test(`SIMD ${name} matches the TypeScript twin on ${M}×${K}×${N}`, async () => {
      const k = await loadKernels({ quiet: true });
      const rng = new Rng(M * 1000 + K * 10 + N);
      const a = rng.normalArray(M * K), b = rng.normalArray(K * N);
      const fast = new Float32Array(M * N), slow = new Float32Array(M * N);
      (k[name] as MatmulFn)(fast, a, b, M, K, N);
      twin(slow, a, b, M, K, N);
      assertClose(fast, slow, K);
    });
  }

  Deno.test(`SIMD ${name} adds the bias and accumulates like the twin on 37×70×29`, async () => {
    const k = await loadKernels({ quiet: true });
    const [M, K, N] = [37, 70, 29];
    const rng = new Rng(11);
    const a = rng.normalArray(M * K), b = rng.normalArray(K * N), bias = rng.normalArray(N);
    const start = rng.normalArray(M * N);
    for (const options of [{ bias }, { accumulate: true }, { bias, accumulate: true }]) {
      const fast = start.slice(), slow = start.slice();
      (k[name] as MatmulFn)(fast, a, b, M, K, N, options);
      twin(slow, a, b, M, K, N, options);
      assertClose(fast, slow, K);
    }
  });
}

// One row of output takes its own path in A·Bᵀ (kernels/matvec.ts): N with partial groups of 4
// rows, K with scalar tails, GPT-sized rows, and 1536×3000, which goes to both threads.
for (const [K, N] of [[1, 1], [7, 5], [130, 13], [384, 1536], [1536, 3000]]) {
  Deno.test(`SIMD matmulTransB with one row matches the twin on 1×${K}×${N}`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(K * 7 + N);
    const a = rng.normalArray(K), b = rng.normalArray(N * K), bias = rng.normalArray(N);
    const start = rng.normalArray(N);
    for (const options of [{}, { bias }, { bias, accumulate: true }]) {
      const fast = start.slice(), slow = start.slice();
      k.matmulTransB(fast, a, b, 1, K, N, options);
      matmulTransB(slow, a, b, 1, K, N, options);
      assertClose(fast, slow, K);
    }
  });
}

Deno.test("two threads give the same products as one, bit for bit, on 300×600×333 and ×530", async () => {
  const k = await loadKernels({ quiet: true });
  // Two slices of K; with N = 530, each slice of packed B is taken in two groups of panels.
  for (const [M, K, N] of [[300, 600, 333], [300, 600, 530]]) {
    const rng = new Rng(5);
    const a = rng.normalArray(M * K), b = rng.normalArray(K * N), bias = rng.normalArray(N);
    for (const [name] of FORMS) {
      assertSameOnTwoThreads(k, () => {
        const out = new Float32Array(M * N);
        (k[name] as MatmulFn)(out, a, b, M, K, N, { bias });
        return out;
      });
    }
  }
});

Deno.test("SIMD matmul works in place on arena buffers and leaves neighbours untouched", async () => {
  const k = await loadKernels({ quiet: true });
  const [M, K, N] = [5, 6, 7];
  const rng = new Rng(3);
  const a = k.arena.alloc(M * K), b = k.arena.alloc(K * N), out = k.arena.alloc(M * N + 4);
  a.set(rng.normalArray(M * K));
  b.set(rng.normalArray(K * N));
  out.fill(42);
  k.matmul(out, a, b, M, K, N);
  const twin = new Float32Array(M * N);
  matmul(twin, a, b, M, K, N);
  assertClose(out.subarray(0, M * N), twin, K);
  assert.deepEqual([...out.subarray(M * N)], [42, 42, 42, 42]);
});

Deno.test("matmul rejects a buffer too small for its shape with the sizes in the message", async () => {
  const k = await loadKernels({ quiet: true });
  assert.throws(
    () => k.matmul(new Float32Array(4), new Float32Array(5), new Float32Array(6), 2, 3, 2),
    /a holds 5 values but the shape needs 6/,
  );
});

// (N, OC, C): a single column, tails past the 6-row panels and the 4-wide vectors, a GPT width,
// two slices of K (N > 512), and C wide enough to cut the product into groups of columns.
for (
  const [N, OC, C] of [
    [1, 1, 1],
    [5, 3, 4],
    [7, 21, 9],
    [33, 130, 17],
    [64, 512, 8],
    [600, 13, 40],
    [700, 515, 530],
  ]
) {
  Deno.test(`the SIMD linear layer's bias gradient is bit-identical to its twin on ${N}×${OC}`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(N + OC);
    const dout = rng.normalArray(N * OC), inp = rng.normalArray(N * C), w = rng.normalArray(OC * C);
    const fast = new Float32Array(OC + 2).fill(0.5), twin = new Float32Array(OC + 2).fill(0.5);
    k.linearBackward(
      new Float32Array(N * C),
      new Float32Array(OC * C),
      fast,
      dout,
      inp,
      w,
      N,
      C,
      OC,
    );
    biasBackward(twin, dout, N, OC);
    assert.deepEqual(fast, twin);
  });
}

Deno.test("the linear layer's gradients split across two threads equal one thread bit for bit", async () => {
  const k = await loadKernels({ quiet: true });
  const [N, OC, C] = [2100, 515, 64]; // enough for two threads, and partial panels everywhere
  const rng = new Rng(4);
  const dout = rng.normalArray(N * OC), inp = rng.normalArray(N * C), w = rng.normalArray(OC * C);
  const start = rng.normalArray(OC);
  assertSameOnTwoThreads(k, () => {
    const dinp = new Float32Array(N * C), dweight = new Float32Array(OC * C), dbias = start.slice();
    k.linearBackward(dinp, dweight, dbias, dout, inp, w, N, C, OC);
    return { dinp, dweight, dbias };
  });
});
