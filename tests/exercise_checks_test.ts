import assert from "node:assert/strict";
import { findExercise } from "../labs/catalog/mod.ts";
import * as solutions01 from "../labs/solutions/01_tokenization.ts";
import * as solutions03 from "../labs/solutions/03_attention.ts";
import * as solutions04 from "../labs/solutions/04_multihead.ts";
import * as solutions06 from "../labs/solutions/06_block.ts";
import * as solutions07 from "../labs/solutions/07_gpt.ts";
import { type AnyFunction, runCheck } from "../lib/course/exercise.ts";
import { EXP_OVERFLOW } from "../lib/course/cases.ts";
import { tr } from "../lib/i18n.ts";

// Each check must catch the mistakes students actually make, not only a missing function.
async function status(id: string, impl: AnyFunction): Promise<string> {
  return (await runCheck(findExercise(id)!, impl)).status;
}

Deno.test("01.4's failure shows the merges it used, so the case can be rerun by hand", async () => {
  type Pair = [number, number];
  // Merging the leftmost learnt pair first instead of the earliest learnt one.
  const leftmost = (text: string, merges: Pair[]) => {
    let ids = [...new TextEncoder().encode(text)];
    for (;;) {
      const i = ids.slice(1).findIndex((b, i) => merges.some(([x, y]) => x === ids[i] && y === b));
      if (i < 0) return ids;
      const m = merges.findIndex(([x, y]) => x === ids[i] && y === ids[i + 1]);
      ids = solutions01.mergePair(ids, merges[m][0], merges[m][1], 256 + m);
    }
  };
  const { failure } = await runCheck(findExercise("01.4")!, leftmost);
  const call = /^encode\((".*"), (\[\[.*\]\])\)$/.exec(failure!.what);
  assert.ok(call, failure!.what);
  const text: string = JSON.parse(call[1]), merges: Pair[] = JSON.parse(call[2]);
  assert.ok(merges.length > 0);
  assert.notDeepEqual(leftmost(text, merges), solutions01.encode(text, merges));
});

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

/** A softmax of one row without subtracting its max first: exp() overflows on large scores. */
function naiveSoftmaxRow(row: Float32Array): void {
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += row[i] = Math.exp(row[i]);
  for (let i = 0; i < row.length; i++) row[i] /= sum;
}

Deno.test("every softmax-shaped exercise fails without max-subtraction, naming the overflow", async () => {
  const naive03 = (q: Float32Array, k: Float32Array, T: number, d: number, causal = true) => {
    const w = new Float32Array(T * T);
    for (let t = 0; t < T; t++) {
      const n = causal ? t + 1 : T;
      const row = w.subarray(t * T, t * T + n);
      for (let t2 = 0; t2 < n; t2++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += q[t * d + i] * k[t2 * d + i];
        row[t2] = dot / Math.sqrt(d);
      }
      naiveSoftmaxRow(row);
    }
    return w;
  };
  // 04.1: the library's attention, with every row's softmax redone without the max.
  const naive04: typeof solutions04.attentionForward = (out, preatt, att, inp, B, T, C, NH) => {
    solutions04.attentionForward(out, preatt, att, inp, B, T, C, NH);
    const hs = C / NH;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let h = 0; h < NH; h++) {
          const at = (b * NH + h) * T * T + t * T;
          att.set(preatt.subarray(at, at + t + 1), at);
          naiveSoftmaxRow(att.subarray(at, at + t + 1));
          for (let i = 0; i < hs; i++) {
            let sum = 0;
            for (let t2 = 0; t2 <= t; t2++) {
              sum += att[at + t2] * inp[(b * T + t2) * 3 * C + 2 * C + h * hs + i];
            }
            out[(b * T + t) * C + h * hs + i] = sum;
          }
        }
      }
    }
  };
  const naive00 = (x: number[]) => {
    const row = Float32Array.from(x);
    naiveSoftmaxRow(row);
    return Array.from(row);
  };
  const naive10 = (logits: Float32Array, temperature: number) => {
    const row = logits.map((l) => l / temperature);
    naiveSoftmaxRow(row);
    return row;
  };
  const naive: [string, AnyFunction][] = [
    ["00.1", naive00],
    ["03.1", naive03],
    ["04.1", naive04],
    ["10.1", naive10],
  ];
  for (const [id, impl] of naive) {
    const result = await runCheck(findExercise(id)!, impl);
    assert.equal(result.status, "fail", id);
    assert.ok(result.failure!.got.endsWith(tr(EXP_OVERFLOW)), `${id}: ${result.failure!.got}`);
  }
  assert.equal(await status("04.1", solutions04.attentionForward), "pass");
});

Deno.test("06.2 fails when gradients are overwritten instead of added to", async () => {
  const overwriting: typeof solutions06.layerNormBackward = (dinp, dweight, dbias, ...rest) => {
    dinp.fill(0);
    dweight.fill(0);
    dbias.fill(0);
    solutions06.layerNormBackward(dinp, dweight, dbias, ...rest);
  };
  assert.equal(await status("06.2", overwriting), "fail");
});

Deno.test("07.1 fails with the sign of the target's term flipped; 07.2 fails without the bias gradient", async () => {
  const flipped: typeof solutions07.crossEntropySoftmaxBackward = (
    dlogits,
    dlosses,
    probs,
    targets,
    N,
    V,
  ) => {
    for (let n = 0; n < N; n++) {
      for (let v = 0; v < V; v++) {
        const p = probs[n * V + v];
        dlogits[n * V + v] += (v === targets[n] ? p + 1 : p) * dlosses[n];
      }
    }
  };
  assert.equal(await status("07.1", flipped), "fail");
  const noBias: typeof solutions07.linearBackward = (dinp, dweight, _dbias, ...rest) =>
    solutions07.linearBackward(dinp, dweight, null, ...rest);
  assert.equal(await status("07.2", noBias), "fail");
});
