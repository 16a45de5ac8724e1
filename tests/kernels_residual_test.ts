/**
 * SIMD residual sums and zeroing (kernels/residual.ts) against their twins in lib/layers/.
 */
import assert from "node:assert/strict";
import { zeroFill } from "../lib/layers/fill.ts";
import { residualBackward, residualForward } from "../lib/layers/residual.ts";
import { Rng } from "../lib/random.ts";
import { loadKernels } from "../lib/wasm/instance.ts";

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
