/**
 * Lab 03 · Attention: queries, keys and values; scaled dot-product scores; why they are divided
 * by √d; the causal mask; one head written from scratch and checked against the batched version
 * the model uses (lib/layers/attention.ts) and against its WebAssembly SIMD kernel.
 *
 * The vectors here come from random projections, so the patterns are not meaningful yet; a
 * trained model's attention appears in the later labs.
 * @module
 */
import { attentionForward } from "../lib/layers/attention.ts";
import { heatmap, lineChart } from "../lib/charts.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { type Lab, step, type StepContext } from "../lib/course/lab.ts";
import { linearForward } from "../lib/layers/linear.ts";
import { Rng } from "../lib/random.ts";
import type { attend, attentionWeights } from "../lib/layers/single_head.ts";
import { exercises } from "./catalog/03_attention.ts";

const WORDS = ["Le", "chat", "mange", "la", "petite", "souris"];
const T = WORDS.length;
const C = 16; // embedding width
const D = 8; // head size

/** The sentence's embeddings and its q, k, v: random, seeded, the same on every run. */
function sentence() {
  const rng = new Rng(3);
  const x = rng.normalArray(T * C); // (T, C)
  const project = () => {
    const w = rng.normalArray(D * C, 1 / Math.sqrt(C)); // (D, C)
    const out = new Float32Array(T * D); // (T, D)
    linearForward(out, x, w, null, T, C, D);
    return out;
  };
  return { x, q: project(), k: project(), v: project() };
}

function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}

function queriesKeysValues(ctx: StepContext) {
  const { q } = sentence();
  ctx.say(`
    Attention lets each position gather information from the others. Every token's vector x is
    projected three ways: a query q ("what am I looking for?"), a key k ("what do I offer?") and
    a value v ("what I pass on if chosen"). Each projection is a linear layer, a (d, C) matrix:
    here C = ${C} and the head size d = ${D}, for the ${T} tokens of "${WORDS.join(" ")}".
  `);
  ctx.show(`x (T=${T}, C=${C}) ──▶ q = x·Wqᵀ, k = x·Wkᵀ, v = x·Wvᵀ   each (T=${T}, d=${D})`);
  ctx.say(
    `The query of "${WORDS[1]}": [${Array.from(q.subarray(D, 2 * D), (v) => fmt(v)).join(", ")}]`,
  );
}

function scores(ctx: StepContext) {
  const { q, k } = sentence();
  ctx.say(`
    How well query t matches key t2 is their dot product q[t]·k[t2]: large when they point the
    same way. All of them at once are the (T, T) matrix q·kᵀ; rows are the tokens that look,
    columns the tokens looked at.
  `);
  const rows: (string | number)[][] = [["", ...WORDS]];
  for (let t = 0; t < T; t++) {
    const row: string[] = [];
    for (let t2 = 0; t2 < T; t2++) {
      let dot = 0;
      for (let i = 0; i < D; i++) dot += q[t * D + i] * k[t2 * D + i];
      row.push(fmt(dot));
    }
    rows.push([WORDS[t], ...row]);
  }
  ctx.table(rows);
}

async function whyScale(ctx: StepContext) {
  ctx.say(`
    If q and k have d independent entries of variance 1, their dot product has variance d. At
    d = 64 the scores spread over about ±8, and softmax of such scores puts nearly all the
    weight on one key: the gradient through the others vanishes and learning stalls. Dividing
    by √d brings the variance back to 1. Measured on 2,000 random pairs:
  `);
  const rng = new Rng(5);
  const rows: (string | number)[][] = [["d", "variance of q·k", "variance of q·k/√d"]];
  for (const d of [4, 16, 64, 256]) {
    const dots: number[] = [];
    for (let n = 0; n < 2000; n++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += rng.normal() * rng.normal();
      dots.push(s);
    }
    const variance = dots.reduce((a, b) => a + b * b, 0) / dots.length;
    rows.push([d, fmt(variance, 1), fmt(variance / d)]);
  }
  ctx.table(rows);
  ctx.say(`
    The same effect as a picture: eight fixed scores of spread 1, multiplied by a scale before
    the softmax. A scale of 8 is what forgetting to divide does at d = 64. The entropy of eight
    equal weights, the flattest possible, is ln 8 ≈ 2.08.
  `);
  const base = new Rng(6).normalArray(8);
  const data = [];
  for (let e = -3; e <= 4; e += 0.5) {
    const s = 2 ** e;
    const scaled = Array.from(base, (b) => b * s);
    const max = Math.max(...scaled);
    const exps = scaled.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    const p = exps.map((v) => v / total);
    const entropy = -p.reduce((a, b) => a + (b > 0 ? b * Math.log(b) : 0), 0);
    data.push({ scale: s, measure: "largest weight", value: Math.max(...p) });
    data.push({ scale: s, measure: "entropy (nats)", value: entropy });
  }
  await ctx.chart(
    "softmax_sharpness",
    lineChart({
      title: "Softmax sharpness vs the scale of the scores",
      data,
      x: "scale",
      y: "value",
      series: "measure",
      logX: true,
      xTitle: "scale applied to the scores (log)",
      yTitle: "",
    }),
  );
}

function causalMask(ctx: StepContext) {
  ctx.say(`
    A GPT is trained to predict the next token, so position t must not see positions after t:
    otherwise it would read the answer. The causal mask sets those scores to −∞ before the
    softmax; exp(−∞) = 0, so they get no weight and each row still sums to 1.
  `);
  ctx.show(
    WORDS.map((w, t) => `${w.padEnd(7)}${WORDS.map((_, t2) => (t2 <= t ? " ●" : " ·")).join("")}`)
      .join("\n"),
  );
  ctx.say(`
    The first token can only attend to itself; the last sees the whole sentence. One training
    sequence of T tokens thereby gives T predictions at once, each with the right context.
  `);
}

async function yourWeights(ctx: StepContext) {
  ctx.say(`
    Your turn: write attentionWeights in labs/exercises/03_attention.ts: the scores scaled by
    1/√d, the causal mask, and a softmax per row.
  `);
  const weights = await ctx.exercise<typeof attentionWeights>("03.1");
  const { q, k } = sentence();
  const w = weights(q, k, T, D);
  const rows = Array.from({ length: T }, (_, t) => w.subarray(t * T, t * T + T));
  await ctx.chart(
    "attention_heatmap",
    heatmap({
      title: "Attention weights of one head (random projections)",
      values: rows,
      rowLabels: WORDS,
      columnLabels: WORDS,
      rowTitle: "query (looks)",
      columnTitle: "key (looked at)",
      domain: [0, 1],
      cellFormat: ".2f",
    }),
  );
  const best = (t: number) => WORDS[rows[t].indexOf(Math.max(...rows[t]))];
  ctx.say(`
    Above the diagonal everything is 0. "${WORDS[T - 1]}" attends most to "${best(T - 1)}"
    (${fmt(Math.max(...rows[T - 1]))}), "${WORDS[2]}" to "${best(2)}": with random projections that
    means nothing yet; training is what gives the projections their meaning.
  `);
}

async function yourAttend(ctx: StepContext) {
  ctx.say(`
    The weights say how much of each value to take. Write attend: output row t is the weighted
    sum of the value rows.
  `);
  const weightsOf = await ctx.exercise<typeof attentionWeights>("03.1");
  const attendFn = await ctx.exercise<typeof attend>("03.2");
  const { q, k, v } = sentence();
  const out = attendFn(weightsOf(q, k, T, D), v, T, D);
  const same = Array.from(out.subarray(0, D)).every((x, i) => Math.abs(x - v[i]) < 1e-6);
  ctx.say(`
    Each output is a blend of values, so it stays in their range. The first row is exactly the
    first value (${same ? "checked" : "NOT the case: check the mask"}): "${WORDS[0]}" sees only
    itself. The output of "${WORDS[T - 1]}":
    [${Array.from(out.subarray((T - 1) * D), (x) => fmt(x)).join(", ")}].
  `);
}

async function fromScratchVsKernel(ctx: StepContext) {
  const weightsOf = await ctx.exercise<typeof attentionWeights>("03.1");
  const attendFn = await ctx.exercise<typeof attend>("03.2");
  ctx.say(`
    The model does not call these two functions: lib/layers/attention.ts fuses scores, mask, softmax
    and the weighted sum into one pass over a batch of sequences and all heads, reading q, k and
    v from the single (B, T, 3C) output of the c_attn projection. It is the plain TypeScript
    twin of the WebAssembly SIMD kernel (kernels/, loaded by lib/wasm/instance.ts), which must match
    it. The three on one head, T = 128, d = 64:
  `);
  const [t, d] = [128, 64];
  const rng = new Rng(9);
  const q = rng.normalArray(t * d), k = rng.normalArray(t * d), v = rng.normalArray(t * d);
  const inp = new Float32Array(t * 3 * d); // (1, T, 3C) with C = d, one head
  for (let i = 0; i < t; i++) {
    inp.set(q.subarray(i * d, i * d + d), i * 3 * d);
    inp.set(k.subarray(i * d, i * d + d), i * 3 * d + d);
    inp.set(v.subarray(i * d, i * d + d), i * 3 * d + 2 * d);
  }
  const out = new Float32Array(t * d);
  const preatt = new Float32Array(t * t), att = new Float32Array(t * t);
  let mine: Float32Array = new Float32Array(0), weights: Float32Array = new Float32Array(0);
  const scratchMs = median(() => {
    weights = weightsOf(q, k, t, d);
    mine = attendFn(weights, v, t, d);
  });
  const fusedMs = median(() => attentionForward(out, preatt, att, inp, 1, t, d, 1));
  const kernels = await loadKernels();
  const mark = kernels.arena.mark();
  const alloc = (n: number) => kernels.arena.alloc(n);
  const [kOut, kPre, kAtt, kInp] = [alloc(t * d), alloc(t * t), alloc(t * t), alloc(inp.length)];
  kInp.set(inp);
  const kernelMs = median(() => kernels.attentionForward(kOut, kPre, kAtt, kInp, 1, t, d, 1));
  const largest = (a: Float32Array, b: Float32Array) =>
    Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i]))).toExponential(1);
  ctx.table([
    ["", "from scratch (yours)", "fused twin (TypeScript)", "SIMD kernel (WebAssembly)"],
    [
      "median time of 5 runs",
      `${fmt(scratchMs)} ms`,
      `${fmt(fusedMs)} ms`,
      `${fmt(kernelMs, 3)} ms`,
    ],
    ["largest difference in weights from the twin", largest(weights, att), "", largest(kAtt, att)],
    ["largest difference in outputs from the twin", largest(mine, out), "", largest(kOut, out)],
  ]);
  kernels.arena.release(mark);
  ctx.say(`
    All three agree to float32 rounding. The two TypeScript versions take similar times (the
    fused one computes only the unmasked half of the scores and keeps them for the backward
    pass); the kernel does the same work four floats at a time in WebAssembly SIMD, which is
    what makes training practical. Lab 04 splits the C channels into several heads that attend
    independently.
  `);
}

/** Median time in milliseconds of 5 runs of `f`. */
function median(f: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2];
}

/** Lab 03, as the runner sees it. */
export const lab: Lab = {
  id: "03",
  slug: "03_attention",
  title: "Attention: queries, keys and values",
  exercises,
  steps: [
    step("Queries, keys and values", queriesKeysValues),
    step("Scores: how well each query matches each key", scores),
    step("Why divide by √d", whyScale),
    step("The causal mask", causalMask),
    step("Exercise 03.1: attention weights", yourWeights),
    step("Exercise 03.2: the weighted sum of values", yourAttend),
    step("From scratch vs the fused twin vs the SIMD kernel", fromScratchVsKernel),
  ],
};
