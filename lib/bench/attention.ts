/**
 * The softmax and attention rows of `deno task bench kernels`: milliseconds per call of our SIMD
 * kernels, TensorFlow.js's WebAssembly backend doing the same computation with its own ops, and
 * the TypeScript twins, measured in the same run, interleaved.
 *
 * The twins are timed on the first row (softmax) or first sequence (attention) and scaled by the
 * count: their cost is linear in it, and the full calls would take seconds. tfjs has no row for
 * the backward pass: tfjs-core's Node bundle registers no gradients, and its ES module build does
 * not load under Deno. Leaves out layernorm and GELU, whose kernels only the tests compare.
 * @module
 */
import { attentionBackward, attentionForward } from "../layers/attention.ts";
import { softmaxForward } from "../layers/crossentropy.ts";
import type { Kernels } from "../wasm/instance.ts";
import { Rng } from "../random.ts";
import { paint, table } from "../term.ts";
import { medianTimes } from "./measure.ts";
import type { Tf } from "./tfjs.ts";

/** Row softmax shapes (N, V): the logits of 12×64 positions over a BPE vocabulary, and more. */
export const SOFTMAX_SHAPES: [number, number][] = [[768, 5000], [3072, 256]];

/** Attention shapes (B, T, C, NH): the baby, mini and nano presets at batch 12, 16, 8. */
export const ATTENTION_SHAPES: [number, number, number, number][] = [
  [12, 64, 128, 4],
  [16, 128, 256, 8],
  [8, 256, 384, 6],
];

/** One row of the JSON output, in milliseconds per call (null where a peer cannot run it). */
export interface OpRow {
  op: "softmax" | "attention_forward" | "attention_backward";
  shape: number[];
  ours_ms: number;
  tfjs_ms: number | null;
  twin_ms: number;
}

/**
 * Measures every softmax and attention shape and prints their table.
 *
 * @example
 * ```ts ignore
 * import { loadKernels } from "../wasm/instance.ts";
 * import { loadTfjsWasm } from "./tfjs.ts";
 * const rows = benchSoftmaxAttention(await loadKernels(), await loadTfjsWasm());
 * ```
 */
export function benchSoftmaxAttention(k: Kernels, tf: Tf): OpRow[] {
  const rng = new Rng(2);
  const rows: OpRow[] = [];
  const steps = SOFTMAX_SHAPES.length + ATTENTION_SHAPES.length;
  let step = 0;
  for (const [N, V] of SOFTMAX_SHAPES) {
    console.error(`  [${++step}/${steps}] softmax ${N}×${V}…`);
    const mark = k.arena.mark();
    const logits = k.arena.alloc(N * V), probs = k.arena.alloc(N * V);
    logits.set(rng.normalArray(N * V));
    const t = tf.tensor2d(logits, [N, V]);
    const ms = medianTimes([
      { name: "ours", run: () => k.softmaxForward(probs, logits, N, V) },
      { name: "tfjs", run: () => tf.softmax(t).dispose() },
      { name: "twin", run: () => softmaxForward(probs, logits, 1, V) },
    ], { seconds: 1 });
    t.dispose();
    k.arena.release(mark);
    rows.push(row("softmax", [N, V], ms.ours, ms.tfjs, ms.twin * N));
  }
  for (const [B, T, C, NH] of ATTENTION_SHAPES) {
    console.error(`  [${++step}/${steps}] attention B${B} T${T} C${C} NH${NH}…`);
    const mark = k.arena.mark();
    const inp = k.arena.alloc(B * T * 3 * C), dout = k.arena.alloc(B * T * C);
    inp.set(rng.normalArray(inp.length));
    dout.set(rng.normalArray(dout.length));
    const out = k.arena.alloc(B * T * C), dinp = k.arena.alloc(B * T * 3 * C);
    const preatt = k.arena.alloc(B * NH * T * T), att = k.arena.alloc(B * NH * T * T);
    const dpreatt = k.arena.alloc(B * NH * T * T), datt = k.arena.alloc(B * NH * T * T);
    const ti = tf.tensor3d(inp, [B, T, 3 * C]);
    const mask = causalMask(tf, T);
    const ms = medianTimes([
      { name: "ours_f", run: () => k.attentionForward(out, preatt, att, inp, B, T, C, NH) },
      {
        name: "ours_b",
        run: () => k.attentionBackward(dinp, dpreatt, datt, dout, inp, att, B, T, C, NH),
      },
      {
        name: "tfjs_f",
        run: () => tf.tidy(() => tfAttention(tf, ti, mask, B, T, C, NH)).dispose(),
      },
      // Sequence 0 only; the twins' cost is the same for every sequence of the batch.
      { name: "twin_f", run: () => attentionForward(out, preatt, att, inp, 1, T, C, NH) },
      {
        name: "twin_b",
        run: () => attentionBackward(dinp, dpreatt, datt, dout, inp, att, 1, T, C, NH),
      },
    ], { seconds: 2 });
    tf.dispose([ti, mask]);
    k.arena.release(mark);
    rows.push(row("attention_forward", [B, T, C, NH], ms.ours_f, ms.tfjs_f, ms.twin_f * B));
    rows.push(row("attention_backward", [B, T, C, NH], ms.ours_b, null, ms.twin_b * B));
  }
  printTable(rows);
  return rows;
}

type Tensor = ReturnType<Tf["tensor"]>;

/** 0 on and below the diagonal, −1e9 above: added to the scores, it hides the future. */
function causalMask(tf: Tf, T: number): Tensor {
  return tf.tidy(() => tf.mul(tf.sub(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 1), 1e9));
}

/** The same attention as `attentionForward`, in tfjs ops: (B, T, 3C) → (B, T, C). */
function tfAttention(
  tf: Tf,
  inp: Tensor,
  mask: Tensor,
  B: number,
  T: number,
  C: number,
  NH: number,
): Tensor {
  const hs = C / NH;
  const [q, k, v] = tf.split(inp, 3, 2).map((x) =>
    tf.transpose(tf.reshape(x, [B, T, NH, hs]), [0, 2, 1, 3])
  );
  const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)), mask));
  return tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B, T, C]);
}

function row(
  op: OpRow["op"],
  shape: number[],
  ours: number,
  tfjs: number | null,
  twin: number,
): OpRow {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    op,
    shape,
    ours_ms: r3(ours),
    tfjs_ms: tfjs === null ? null : r3(tfjs),
    twin_ms: r3(twin),
  };
}

function printTable(rows: OpRow[]): void {
  console.log(
    `\n${paint("bold", "softmax and attention, ms per call (medians of interleaved rounds)")}`,
  );
  console.log(table([
    ["op", "shape", "ours", "tfjs-wasm", "twin", "tfjs/ours", "twin/ours"],
    ...rows.map((r) => [
      r.op,
      r.shape.join("×"),
      r.ours_ms,
      r.tfjs_ms ?? "-",
      r.twin_ms,
      r.tfjs_ms === null ? "-" : `${(r.tfjs_ms / r.ours_ms).toFixed(2)}×`,
      `${(r.twin_ms / r.ours_ms).toFixed(1)}×`,
    ]),
  ]));
}
