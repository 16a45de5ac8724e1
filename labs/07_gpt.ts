/**
 * Lab 07 · The GPT: embeddings, L blocks, the final LayerNorm and the tied output head in one
 * model; where its parameters are; its design choices beside the alternatives; why the loss at initialisation is ln(vocab); the backward
 * pass through the whole model, checked; and a few steps of gradient descent to see it learn.
 *
 * Tokens here are the characters of a short text the lab carries, so it needs no corpus.
 * @module
 */
import { barChart, lineChart } from "../lib/charts.ts";
import { countParameters, GPT2_SMALL, type GPTConfig } from "../lib/model/config.ts";
import { PRESETS } from "../lib/train/presets.ts";
import type { crossEntropySoftmaxBackward } from "../lib/layers/crossentropy.ts";
import { geluBackward, geluForward } from "../lib/layers/gelu.ts";
import { GPT } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { parameterShapes } from "../lib/model/layout.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { type Lab, step, type StepContext } from "../lib/course/lab.ts";
import type { linearBackward } from "../lib/layers/linear.ts";
import { Rng } from "../lib/random.ts";
import { loadGPT, saveGPT } from "../lib/train/safetensors.ts";
import { exercises } from "./catalog/07_gpt.ts";
import { CATALOG } from "./catalog/mod.ts";
import { compareModels, describeYourGPT, yourGPT } from "../lib/course/your_gpt.ts";
import type { gptBackward, gptForward } from "../lib/model/gpt.ts";
import { FRENCH_SAMPLE } from "./texts.ts";

const TEXT = FRENCH_SAMPLE;
const CHARS = [...new Set(TEXT)].sort();
const V = CHARS.length;
const CONFIG: GPTConfig = { vocabSize: V, blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 32 };
const [B, T] = [4, 32];

/** B windows of T characters from the text, and the same windows shifted by one: the targets. */
function batch(): { inputs: Int32Array; targets: Int32Array } {
  const ids = [...TEXT].map((c) => CHARS.indexOf(c));
  const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
  const rng = new Rng(1);
  for (let b = 0; b < B; b++) {
    const start = rng.int(ids.length - T - 1);
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = ids[start + t];
      targets[b * T + t] = ids[start + t + 1];
    }
  }
  return { inputs, targets };
}

/** Sizes of the parameter groups of a model with this config. */
function breakdown(config: GPTConfig): { part: string; params: number }[] {
  const groups = new Map<string, number>();
  for (const [name, shape] of parameterShapes(config)) {
    const part = name.includes("wte")
      ? "wte (tokens, = head)"
      : name.includes("wpe")
      ? "wpe (positions)"
      : name.includes(".attn.")
      ? "attention"
      : name.includes(".mlp.")
      ? "MLP"
      : "LayerNorms";
    groups.set(part, (groups.get(part) ?? 0) + shape.reduce((a, b) => a * b, 1));
  }
  return [...groups].map(([part, params]) => ({ part, params }));
}

const exact = (n: number) => n.toLocaleString("en-US");

function theModel(ctx: StepContext) {
  ctx.say(`
    Everything so far, assembled (lib/model/gpt.ts). Token ids (B, T) pick rows of the token table wte
    and position rows of wpe; their sum, the residual stream (B, T, C), passes through L blocks;
    a final LayerNorm ln_f, then the output head turns each position into V logits, one score
    per possible next token. GPT-2 ties the head to wte: the logits are ln_f · wteᵀ, the same
    table read the other way, which saves V·C parameters.
  `);
  ctx.show(`
  ids (B,T) ─▶ wte[ids] + wpe[t] ─▶ block × L ─▶ ln_f ─▶ · wteᵀ ─▶ logits (B,T,V) ─▶ softmax ─▶ loss
  `);
  ctx.say(`
    Parameters, gradients and activations each live in one Float32Array, cut into named views
    by a size table, as in llm.c; the names are GPT-2's (transformer.h.0.attn.c_attn.weight), so
    the model can be held beside nanoGPT's or saved as safetensors for any framework.
    This lab's model reads the ${V} distinct characters of a short text: C = ${CONFIG.nEmbd},
    ${CONFIG.nLayer} blocks of ${CONFIG.nHead} heads, context ${CONFIG.blockSize}.
  `);
}

async function parameterCount(ctx: StepContext) {
  ctx.say(`
    Where the parameters are. For each preset, the exact count with a character vocabulary
    (65 symbols, tiny Shakespeare) and with a 5,000-token BPE vocabulary:
  `);
  ctx.table([
    ["preset", "layers", "heads", "width", "context", "65 characters", "5,000 BPE tokens"],
    ...Object.entries(PRESETS).map(([name, p]) => [
      name,
      p.nLayer,
      p.nHead,
      p.nEmbd,
      p.blockSize,
      exact(countParameters({ vocabSize: 65, ...p })),
      exact(countParameters({ vocabSize: 5000, ...p })),
    ]),
  ]);
  const baby = { vocabSize: 65, ...PRESETS.baby };
  const parts = breakdown(baby);
  const total = countParameters(baby);
  await ctx.chart(
    "parameter_breakdown",
    barChart({
      title: "Parameters of the baby preset (65 characters), by part",
      data: parts.map((p) => ({
        ...p,
        label: `${exact(p.params)} (${(100 * p.params / total).toFixed(1)}%)`,
      })),
      category: "part",
      value: "params",
      valueTitle: "parameters",
      horizontal: true,
      label: "label",
      width: 360,
    }),
  );
  const bpe = breakdown({ vocabSize: 5000, ...PRESETS.baby })[0];
  ctx.say(`
    Each block holds 12·C² + 13·C parameters: attention 4·C² (q, k, v and the output
    projection), the MLP 8·C² (C → 4C → C), plus biases and LayerNorms. The blocks dominate
    with characters; with 5,000 BPE tokens the token table alone grows to ${exact(bpe.params)}.
  `);
}

function lossAtInit(ctx: StepContext) {
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const loss = model.forward(inputs, targets, B, T)!;
  let maxProb = 0;
  for (const p of model.acts!.probs) maxProb = Math.max(maxProb, p);
  ctx.say(`
    A freshly initialised GPT knows nothing, and its small weights (std 0.02) give nearly equal
    logits, so it spreads its probability almost evenly: 1/V for each of the V tokens. The
    cross-entropy of a uniform guess is −log(1/V) = ln V. A loss at init far above ln V means
    the model is confidently wrong from the start, a bug in the initialisation or the loss.
  `);
  ctx.table([
    ["vocabulary V", "ln V", "loss at init", "largest probability (1/V)"],
    [V, Math.log(V).toFixed(4), loss.toFixed(4), `${maxProb.toFixed(4)} (${(1 / V).toFixed(4)})`],
  ]);
}

async function yourLossGradient(ctx: StepContext) {
  ctx.say(`
    The backward pass starts at the loss. The mean loss over the B·T positions gives each
    position's loss the weight dlosses = 1/(B·T). Write crossEntropySoftmaxBackward: the
    gradient with respect to the logits, through the softmax and the log at once.
  `);
  const lossGrad = await ctx.exercise<typeof crossEntropySoftmaxBackward>("07.1");
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  model.forward(inputs, targets, B, T);
  const N = B * T;
  const dlogits = new Float32Array(N * V);
  lossGrad(dlogits, new Float32Array(N).fill(1 / N), model.acts!.probs, targets, N, V);
  let rowSum = 0;
  for (let v = 0; v < V; v++) rowSum += dlogits[v];
  ctx.say(`
    Every row of your gradient sums to zero (row 0: ${rowSum.toExponential(1)}): pushing the
    target's logit up pulls the others down by the same total. The target "${CHARS[targets[0]]}" of
    position 0 gets ${dlogits[targets[0]].toExponential(2)}, every other character a small
    positive share.
  `);
}

function backwardThroughModel(ctx: StepContext) {
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const loss = () => model.forward(inputs, targets, B, T)!;
  loss();
  model.zeroGrad();
  model.backward();
  ctx.say(`
    model.backward() runs every layer's backward function in reverse order, from the loss to the
    embeddings, and leaves the gradient of every parameter in model.grads, laid out like
    model.params. The size of the gradient of each part:
  `);
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  ctx.table([
    ["parameter", "entries", "gradient norm"],
    ...Object.entries(model.g.byName)
      .filter(([name]) => !/\.h\.[1-9]/.test(name))
      .map(([name, g]) => [name, g.length, norm(g).toExponential(2)]),
  ]);
  const r = gradCheck(loss, model.params, model.grads, { samples: 40, seed: 1, h: 1e-2 });
  const big = r.analytic.filter((a) => Math.abs(a) > 1e-3).length;
  ctx.say(`
    (Block 0 shown; the others look alike.) Checked against finite differences on 40 entries
    picked at random across all ${
    exact(model.numParameters)
  } parameters, at initialisation: relative
    error ${r.relativeError.toExponential(1)}. At init many gradients are tiny (${big} of the 40
    exceed 1e-3), so float32 rounding weighs more here than in the tests, which check every
    parameter of models with larger weights to within 1e-3.
  `);
}

async function yourLinearBackward(ctx: StepContext) {
  ctx.say(`
    Every projection of the model is a linear layer, and so is the output head (with wte as its
    weight). Write linearBackward; the lab then runs it on the head and compares with what the
    model itself sent back into ln_f.
  `);
  const backward = await ctx.exercise<typeof linearBackward>("07.2");
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  model.forward(inputs, targets, B, T);
  model.zeroGrad();
  model.backward();
  const N = B * T, C = CONFIG.nEmbd;
  const dlnf = new Float32Array(N * C), dwte = new Float32Array(V * C);
  backward(dlnf, dwte, null, model.dacts!.logits, model.acts!.ln_f, model.p.wte, N, C, V);
  let diff = 0;
  for (let i = 0; i < dlnf.length; i++) {
    diff = Math.max(diff, Math.abs(dlnf[i] - model.dacts!.ln_f[i]));
  }
  ctx.say(`
    Largest difference between your d(ln_f) and the model's: ${diff.toExponential(1)}. The head's
    share of the gradient of wte is what you just computed; the embedding lookup adds its own
    share into the same rows, because the two uses of wte are tied.
  `);
}

async function descent(ctx: StepContext) {
  ctx.say(`
    With gradients, learning is a loop: forward, backward, move every parameter a little
    against its gradient. Plain gradient descent (learning rate 0.5) on the same batch, 60 steps:
    the loss on this one batch should fall far below ln V as the model memorises it. Lab 09 trains for real, with AdamW and fresh
    batches.
  `);
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const data: { step: number; loss: number }[] = [];
  for (let s = 0; s <= 60; s++) {
    const loss = model.forward(inputs, targets, B, T)!;
    data.push({ step: s, loss });
    model.zeroGrad();
    model.backward();
    for (let i = 0; i < model.params.length; i++) model.params[i] -= 0.5 * model.grads[i];
  }
  await ctx.chart(
    "loss_descent",
    lineChart({ title: "Loss on one batch under gradient descent", data, x: "step", y: "loss" }),
  );
  ctx.say(`
    Loss ${data[0].loss.toFixed(3)} at step 0 (ln V = ${Math.log(V).toFixed(3)}), ${
    data[data.length - 1].loss.toFixed(3)
  } after 60
    steps.
  `);
}

async function saving(ctx: StepContext) {
  const model = new GPT(CONFIG, 0);
  const path = `${ctx.outDir}/model.safetensors`;
  await saveGPT(path, model);
  const bytes = await Deno.readFile(path);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const { inputs, targets } = batch();
  const before = model.forward(inputs, targets, B, T)!;
  const after = (await loadGPT(path)).forward(inputs, targets, B, T)!;
  ctx.say(`
    A model is its numbers. saveGPT writes them as safetensors, a format any framework reads:
    8 bytes giving the length of a JSON header, the header naming each tensor with its shape and
    byte range, then the raw float32 data; the config goes beside it as JSON. Both are written
    to a temporary file first and renamed, so a crash never leaves half a model. This one takes
    ${exact(bytes.length)} bytes (${exact(model.numParameters)} parameters × 4 bytes, plus 8 +
    ${exact(headerLength)} bytes of header). Three of its entries:
  `);
  ctx.show(
    ["transformer.wte.weight", "transformer.h.0.attn.c_attn.weight", "transformer.ln_f.bias"]
      .map((name) => `${name}: ${JSON.stringify(header[name])}`).join("\n"),
  );
  ctx.say(`
    Loaded back, it gives the same loss on the same batch: ${before.toFixed(6)} before,
    ${after.toFixed(6)} after. Lab 08 prepares a real dataset to train on.
  `);
}

function choices(ctx: StepContext) {
  const model = new GPT(CONFIG, 0);
  const cost = (c: GPTConfig) => ({
    head: c.vocabSize * c.nEmbd,
    positions: c.blockSize * c.nEmbd,
    total: countParameters(c),
  });
  const here = cost(CONFIG), gpt2 = cost(GPT2_SMALL);
  const share = (n: number, of: number) => `${(100 * n / of).toFixed(0)}%`;
  const x = new Float32Array([-1]), y = new Float32Array(1), dx = new Float32Array(1);
  geluForward(y, x, 1);
  geluBackward(dx, x, new Float32Array([1]), 1);
  const lns = model.config.nLayer * 2 + 1;
  ctx.say(`
    Every GPT makes a handful of design choices. Ours are GPT-2's; the alternatives are what
    the original Transformer (2017) or later models chose. The numbers are computed for this
    lab's model (${exact(here.total)} parameters) and for GPT-2 small (${exact(gpt2.total)}).
  `);
  const millions = (n: number) => `${(n / 1e6).toFixed(1)}M`;
  ctx.table([
    ["choice", "ours (GPT-2)", "alternative", "computed"],
    ["LayerNorm", "pre-norm, + ln_f", "post-norm (2017, BERT)", `${lns} LayerNorms vs ${lns - 1}`],
    [
      "MLP activation",
      "GELU",
      "ReLU (2017), SwiGLU (LLaMA)",
      `f(−1) = ${y[0].toFixed(3)}, slope ${dx[0].toFixed(3)} vs 0, 0`,
    ],
    [
      "output head",
      "tied to wte",
      "its own (V, C) matrix",
      `untied: +${exact(here.head)} here, +${millions(gpt2.head)} in GPT-2`,
    ],
    [
      "positions",
      "learned wpe",
      "sinusoidal (2017), RoPE (LLaMA)",
      `wpe: ${exact(here.positions)} here, ${exact(gpt2.positions)} in GPT-2`,
    ],
  ]);
  ctx.say(`
    Pre-norm normalises what enters each sub-layer but never the residual path x + f(x), so
    the gradient has a straight path from the loss to the embeddings and deep stacks train
    without the long warmup post-norm needs. GELU is a smooth ReLU: a slightly negative input
    still passes a gradient, so no unit goes dead. Tying the head reads the same table both
    ways, saving ${share(gpt2.head, gpt2.total)} of GPT-2's parameters (${
    share(here.head, here.total)
  } of ours). A learned position table fits the data; a fixed one costs nothing and is defined
    for any position; RoPE rotates queries and keys so that scores depend on distance (lab 05
    trains all three).
  `);
  ctx.say(`
    The positional option of lib/model/config.ts switches the positions; the other choices
    are written into the forward and backward passes of lib/model/gpt.ts and block.ts. They
    are GPT-2's so that our weights line up with nanoGPT's and llm.c's, name for name.
  `);
}

async function yourForward(ctx: StepContext) {
  ctx.say(`
    The course sketched the model as a Python class, MiniGPT. You now write its forward pass,
    gptForward in labs/exercises/07_gpt.ts, on the model's buffers. Line by line, the sketch
    and the call that does it:
  `);
  ctx.table([
    ["MiniGPT (the course)", "your gptForward"],
    ["x = self.token_embedding(x)", "ops.encoderForward(a.encoded, inputs, p.wte, p.wpe, …)"],
    ["    + self.position_embedding(x)", "  the same call: wpe[t] is added to wte[token]"],
    ["for block in self.transformer_blocks:", "for (let l = 0; l < L; l++)"],
    ["    x = block(x)", "  ops.blockForward(ops, a.h[l], p.h[l], x, …); x = a.h[l].residual3"],
    ["(GPT-2 adds a final LayerNorm)", "ops.layerNormForward(a.ln_f, …, x, p.ln_f.weight, …)"],
    ["logits = self.output_projection(x)", "ops.linearForward(a.logits, a.ln_f, p.wte, null, …)"],
    ["return logits", "a.logits; then softmax, the losses and their mean"],
  ]);
  ctx.say(`
    Two differences from the sketch. The output projection is not a new Linear(d_model,
    vocab_size): GPT-2 ties it to the token table, logits = ln_f · wteᵀ, which saves V·C
    parameters. And the model also computes its loss, the mean cross-entropy over all B·T
    positions, since training needs nothing else.
  `);
  const forward = await ctx.exercise<typeof gptForward>("07.3");
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const expected = model.forward(inputs, targets, B, T)!;
  const got = forward(model.ops, model.p, model.acts!, inputs, targets, B, T, model.config)!;
  ctx.say(
    `Your gptForward's loss on the lab's batch: ${got.toFixed(6)} (lib/: ${expected.toFixed(6)}).`,
  );
}

async function yourBackward(ctx: StepContext) {
  ctx.say(`
    gptBackward runs gptForward's calls in reverse: the loss's gradient into the logits
    (crossEntropySoftmaxBackward), the head, ln_f, the blocks from the last to the first
    (blockBackward), the embeddings. Why in reverse? A layer's gradient is computed from the
    gradient of its output, and the output is used by the layer after it: the chain rule starts
    at the loss and walks back. Where do gradients add? Wherever one value fed two places. The
    residual stream feeds every block and also passes around it; and wte is read twice, by the
    embedding lookup at the bottom and by the head at the top, so its gradient is the sum of
    both: the head's linearBackward adds into g.wte first, encoderBackward adds to it last.
  `);
  ctx.show(`
  loss ─▶ dlogits ─▶ head (g.wte +=) ─▶ ln_f ─▶ block L−1 ─▶ … ─▶ block 0 ─▶ embeddings (g.wte +=, g.wpe +=)
  `);
  await ctx.exercise<typeof gptBackward>("07.4");
  ctx.say("Your backward pass matches lib/'s on every gradient of the check's models.");
}

async function yourGPTStep(ctx: StepContext) {
  const mine = await yourGPT(CATALOG, ["model"], {
    root: ctx.studentRoot,
    reference: ctx.reference,
    check: ctx.check,
  });
  ctx.say(`
    Your GPT: a model whose table holds your functions wherever your exercise passes, and
    lib/'s elsewhere: new GPT(config, seed, await loadBackend("ts", { own })). It is the same class, so everything of
    lib/ (the trainer, checkpoints, sampling) runs it.
  `);
  ctx.say(describeYourGPT(mine));
  const yours = new GPT(CONFIG, 0, await loadBackend("ts", { own: mine.ops })),
    library = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const d = compareModels(yours, library, inputs, targets, B, T);
  ctx.table([
    ["on the lab's batch, same weights", "largest difference from lib/'s model"],
    ["logits", d.logits.toExponential(1)],
    ["loss", d.loss.toExponential(1)],
    [`every gradient (worst: ${d.worst})`, d.grads.toExponential(1)],
  ]);
  ctx.say(`
    Float32 rounding alone gives differences near 1e-7; a wrong part would show 1e-2 or more.
    Lab 09 trains your GPT.
  `);
}

/** Lab 07, as the runner sees it. */
export const lab: Lab = {
  id: "07",
  slug: "07_gpt",
  title: "The complete GPT",
  exercises,
  steps: [
    step("The whole model", theModel),
    step("Parameter count by part", parameterCount),
    step("Loss at initialisation ≈ ln(vocab)", lossAtInit),
    step("Exercise 07.1: the gradient of the loss", yourLossGradient),
    step("Backward through the model", backwardThroughModel),
    step("Exercise 07.2: linear backward", yourLinearBackward),
    step("Gradient descent on one batch", descent),
    step("Saving and loading the weights", saving),
    step("Exercise 07.3: the course's MiniGPT, line by line", yourForward),
    step("Exercise 07.4: the backward pass, in reverse", yourBackward),
    step("Your GPT", yourGPTStep),
    step("Our GPT's choices, and the alternatives", choices),
  ],
};
