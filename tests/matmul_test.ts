import assert from "node:assert/strict";
import { loadKernels } from "../lib/kernels.ts";
import { matmul } from "../lib/matmul.ts";
import { Rng } from "../lib/random.ts";

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [33, 65, 17],
  [4, 8, 16],
  [3, 1, 9],
  [64, 64, 64],
  [5, 129, 3],
];

for (const [M, K, N] of SHAPES) {
  Deno.test(`SIMD matmul matches the TypeScript twin on ${M}×${K}×${N}`, async () => {
    const k = await loadKernels({ quiet: true });
    const rng = new Rng(M * 1000 + K * 10 + N);
    const a = rng.normalArray(M * K), b = rng.normalArray(K * N);
    const fast = new Float32Array(M * N), twin = new Float32Array(M * N);
    k.matmul(fast, a, b, M, K, N);
    matmul(twin, a, b, M, K, N);
    for (let i = 0; i < twin.length; i++) {
      // float32 sums of K products: error grows like sqrt(K) · eps · |terms|
      assert.ok(
        Math.abs(fast[i] - twin[i]) <= 1e-5 * Math.sqrt(K) * 4,
        `index ${i}: ${fast[i]} vs ${twin[i]}`,
      );
    }
  });
}

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
  for (let i = 0; i < M * N; i++) assert.ok(Math.abs(out[i] - twin[i]) < 1e-4);
  assert.deepEqual([...out.subarray(M * N)], [42, 42, 42, 42]);
});

Deno.test("matmul rejects a buffer too small for its shape with the sizes in the message", async () => {
  const k = await loadKernels({ quiet: true });
  assert.throws(
    () => k.matmul(new Float32Array(4), new Float32Array(5), new Float32Array(6), 2, 3, 2),
    /a holds 5 floats but the shape needs 6/,
  );
});
