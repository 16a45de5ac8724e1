import assert from "node:assert/strict";
import { findExercise } from "../labs/catalog/mod.ts";
import * as solutions03 from "../labs/solutions/03_attention.ts";
import * as solutions06 from "../labs/solutions/06_block.ts";
import * as solutions07 from "../labs/solutions/07_gpt.ts";
import { type AnyFunction, runCheck } from "../lib/course/exercise.ts";

// Each check must catch the mistakes students actually make, not only a missing function.
async function status(id: string, impl: AnyFunction): Promise<string> {
  return (await runCheck(findExercise(id)!, impl)).status;
}

Deno.test("03.1 fails without the 1/√d scale and without the causal mask", async () => {
  const unscaled = (q: Float32Array, k: Float32Array, T: number, d: number, causal = true) =>
    solutions03.attentionWeights(
      q.map((x) => x * Math.sqrt(Math.sqrt(d))),
      k.map((x) => x * Math.sqrt(Math.sqrt(d))),
      T,
      d,
      causal,
    );
  const unmasked = (q: Float32Array, k: Float32Array, T: number, d: number) =>
    solutions03.attentionWeights(q, k, T, d, false);
  assert.equal(await status("03.1", unscaled), "fail");
  assert.equal(await status("03.1", unmasked), "fail");
  assert.equal(await status("03.1", solutions03.attentionWeights), "pass");
});

Deno.test("06.2 fails when gradients are overwritten instead of added to", async () => {
  const overwriting = (
    dinp: Float32Array,
    dweight: Float32Array,
    dbias: Float32Array,
    ...rest: [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, number, number]
  ) => {
    dinp.fill(0);
    dweight.fill(0);
    dbias.fill(0);
    solutions06.layerNormBackward(dinp, dweight, dbias, ...rest);
  };
  assert.equal(await status("06.2", overwriting), "fail");
});

Deno.test("07.1 fails with the sign of the target's term flipped; 07.2 fails without the bias gradient", async () => {
  const flipped = (
    dlogits: Float32Array,
    dlosses: Float32Array,
    probs: Float32Array,
    targets: Int32Array,
    N: number,
    V: number,
  ) => {
    for (let n = 0; n < N; n++) {
      for (let v = 0; v < V; v++) {
        const p = probs[n * V + v];
        dlogits[n * V + v] += (v === targets[n] ? p + 1 : p) * dlosses[n];
      }
    }
  };
  assert.equal(await status("07.1", flipped), "fail");
  const noBias = (
    dinp: Float32Array,
    dweight: Float32Array,
    _dbias: Float32Array | null,
    ...rest: [Float32Array, Float32Array, Float32Array, number, number, number]
  ) => solutions07.linearBackward(dinp, dweight, null, ...rest);
  assert.equal(await status("07.2", noBias), "fail");
});
