/**
 * SIMD GELU (kernels/gelu.ts) against its twins in lib/layers/gelu.ts.
 */
import assert from "node:assert/strict";
import { geluBackward, geluForward } from "../lib/layers/gelu.ts";
import { Rng } from "../lib/random.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { assertClose, assertSameOnTwoThreads } from "./helpers.ts";

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
