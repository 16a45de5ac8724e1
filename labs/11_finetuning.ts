/**
 * Lab 11 · Fine-tuning: a model pretrained on the corpus adapted to a new style the project
 * writes itself (weekly weather forecasts, all lowercase), two ways side by side — full
 * fine-tuning, which trains every parameter, and LoRA, which freezes them all and trains a
 * low-rank update of each attention and MLP matrix — and three remedies for forgetting (frozen
 * lower layers, a lower learning rate for them, corpus text mixed into the new data). The student
 * writes LoRA's merge, its backward pass and its parameter count; the lab compares trainable
 * parameters, time, the loss on the new style and on the original corpus before and after (what
 * was learned, what was forgotten), samples, and the two ways of saving adapters.
 *
 * Starts from lab 09's best checkpoint when it is there for the same preset and corpus, else
 * trains the preset's model first (once: later runs reuse it). The quick preset takes about a
 * minute; MINIGPT_PRESET=full adapts nanoGPT's baby GPT.
 * @module
 */
import { barChart, lineChart } from "../lib/charts.ts";
import { loadCheckpoint, saveCheckpoint } from "../lib/train/checkpoint.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { finetune, type FinetuneMethod, type FinetuneResult } from "../lib/train/finetune.ts";
import { generate } from "../lib/model/generate.ts";
import { GPT } from "../lib/model/gpt.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { type Backend, loadBackend } from "../lib/wasm/backend.ts";
import { type Lab, relative, step, type StepContext } from "../lib/course/lab.ts";
import {
  loadAdapted,
  LORA_TARGETS,
  type loraBackward,
  loraMerge as mergeWeight,
  type loraParameterCount,
  saveAdapters,
} from "../lib/train/lora.ts";
import { Rng } from "../lib/random.ts";
import { forecastText, forecastTowns } from "../lib/train/style_data.ts";
import { formatCount, margin, shellCommand } from "../lib/term.ts";
import { saveTokenizer } from "../lib/tokenizer/saved.ts";
import { estimateLoss, type TrainSettings } from "../lib/train/trainer.ts";
import { exercises } from "./catalog/11_finetuning.ts";
import { labCorpus, labDataset, labPreset, labPretrained, PRESET_ENV } from "./setup.ts";

/** How lab 11 fine-tunes: the new style's size, and each method's settings. */
export interface FinetuneSetup {
  /** Weekly forecasts written for training, and for the held-out split. */
  trainForecasts: number;
  heldOutForecasts: number;
  /** Shared by both methods (batches, steps, schedule shape, evaluation). */
  settings: TrainSettings;
  /** Peak learning rates: adapters that start at zero take larger steps. */
  fullLr: number;
  loraLr: number;
  rank: number;
  alpha: number;
  /** Remedies for forgetting, each a full fine-tuning run beside the two above. */
  remedies: Remedies;
}

/** The three remedies the lab measures. */
export interface Remedies {
  /** Embeddings and this many lower blocks: frozen in one run, slowed in another. */
  lowerBlocks: number;
  /** Learning-rate factor of the lower layers in the slowed run. */
  lowerLrScale: number;
  /** Share of the training text that is the original corpus in the mixed run. */
  generalShare: number;
}

const QUICK_SETTINGS: TrainSettings = {
  ...labPreset("quick").settings,
  steps: 1000,
  warmupSteps: 50,
  evalEvery: 50,
  evalBatches: 20,
};

/** The setups of the quick (default) and full presets. */
export const FINETUNE_SETUPS: Record<"quick" | "full", FinetuneSetup> = {
  quick: {
    trainForecasts: 300,
    heldOutForecasts: 40,
    settings: QUICK_SETTINGS,
    fullLr: 1e-3,
    loraLr: 2e-2,
    rank: 4,
    alpha: 8,
    remedies: { lowerBlocks: 1, lowerLrScale: 0.1, generalShare: 0.25 },
  },
  full: {
    trainForecasts: 1000,
    heldOutForecasts: 100,
    settings: { ...labPreset("full").settings, steps: 600, warmupSteps: 30, evalEvery: 50 },
    fullLr: 1e-3,
    loraLr: 5e-3,
    rank: 8,
    alpha: 16,
    remedies: { lowerBlocks: 3, lowerLrScale: 0.1, generalShare: 0.25 },
  },
};

/** Tokens in each sample. */
const SAMPLE_TOKENS = 240;

const exact = (n: number) => n.toLocaleString("en-US");

/** Losses of one model on the two tasks. */
interface Losses {
  style: number;
  corpus: number;
}

/** What the steps hand on to the later ones. */
interface State {
  backend?: Backend;
  pretrained?: { model: GPT; origin: string; dir: string };
  style?: TokenDataset;
  before?: Losses;
  full?: MethodRun;
  lora?: MethodRun;
  frozen?: MethodRun;
  slowed?: MethodRun;
  mixed?: MethodRun;
  mixedData?: TokenDataset;
}

/** Every fine-tuning run of the lab: the two methods, then the three remedies. */
type RunName = "full" | "lora" | "frozen" | "slowed" | "mixed";

/** The new style as a dataset over the corpus's characters: forecasts, and held-out ones. */
async function styleData(state: State, setup: FinetuneSetup): Promise<TokenDataset> {
  if (state.style) return state.style;
  const { tokenizer } = await labDataset();
  const encode = (text: string) => Int32Array.from(tokenizer.encode(text));
  const train = forecastText({ count: setup.trainForecasts, split: "train", seed: 1 });
  const heldOut = forecastText({ count: setup.heldOutForecasts, split: "heldOut", seed: 2 });
  return state.style = TokenDataset.fromSplits(encode(train), encode(heldOut));
}

async function pretrained(ctx: StepContext, state: State) {
  state.backend ??= await loadBackend();
  state.pretrained ??= await labPretrained(ctx, state.backend);
  return state.pretrained;
}

/** The pretrained model's losses on both tasks, measured once. */
async function lossesBefore(ctx: StepContext, state: State, setup: FinetuneSetup) {
  state.before ??= await losses((await pretrained(ctx, state)).model, state, setup);
  return state.before;
}

/** A fresh copy of the pretrained model on the kernels, to fine-tune without touching it. */
async function copyOfPretrained(ctx: StepContext, state: State): Promise<GPT> {
  const { model } = await pretrained(ctx, state);
  const copy = new GPT(model.config, 0, state.backend);
  copy.params.set(model.params);
  return copy;
}

/** Held-out loss on the new style and validation loss on the corpus, on fixed batches. */
async function losses(model: GPT, state: State, setup: FinetuneSetup): Promise<Losses> {
  const s = setup.settings;
  const { data } = await labDataset();
  const style = await styleData(state, setup);
  return {
    style: estimateLoss(model, style, "val", s.batchSize, s.evalBatches, s.seed + 1),
    corpus: estimateLoss(model, data, "val", s.batchSize, s.evalBatches, s.seed + 2),
  };
}

/** 240 characters after `prompt`, temperature 0.8, the same seed for every model. */
async function sampleText(model: GPT, prompt: string): Promise<string> {
  const { tokenizer } = await labDataset();
  const ids = generate(model, tokenizer.encode(prompt), {
    maxTokens: SAMPLE_TOKENS,
    temperature: 0.8,
    seed: 1,
  });
  return prompt + tokenizer.decode(ids);
}

/** The start of a forecast for a town training never saw. */
const STYLE_PROMPT = `forecast for ${forecastTowns("heldOut")[0]}:\n`;

/** The corpus's first line, the start of the text the model was pretrained on. */
async function corpusPrompt(): Promise<string> {
  const { text } = await labCorpus();
  return text.slice(0, text.indexOf("\n") + 1) || text.slice(0, 20);
}

async function thePretrainedModel(ctx: StepContext, state: State, setup: FinetuneSetup) {
  const { model, origin } = await pretrained(ctx, state);
  const c = model.config;
  ctx.say(`
    Pretraining gives a model that knows its corpus; fine-tuning teaches it something new with
    far less data and compute. This lab starts from ${origin}: ${exact(model.numParameters)}
    parameters (${c.nLayer} layers of width ${c.nEmbd}, context ${c.blockSize}), trained on
    ${(await labCorpus()).name} (the ${labPreset().name} preset; \`${PRESET_ENV}=${
    labPreset().name === "quick" ? "full" : "quick"
  }\` switches). What it writes after the corpus's first line:
  `);
  const text = await sampleText(model, await corpusPrompt());
  ctx.show(margin(text, 6));
  ctx.say(`
    Its validation loss on the corpus: ${
    (await lossesBefore(ctx, state, setup)).corpus.toFixed(3)
  } per character.
  `);
}

async function newStyle(ctx: StepContext, state: State, setup: FinetuneSetup) {
  const style = await styleData(state, setup);
  ctx.say(`
    The new task is a style: weekly weather forecasts, all lowercase, one day per line in a
    fixed order, a small vocabulary — as regular as a list, and unlike anything in the corpus.
    The project writes them itself (lib/train/style_data.ts, seeded), ${setup.trainForecasts} weeks
    for training (${exact(style.train.length)} characters) and ${setup.heldOutForecasts} held
    out (${exact(style.val.length)}). Held-out forecasts are for towns training never mentions,
    so the held-out loss measures the style, not remembered names. One of them:
  `);
  ctx.show(margin(forecastText({ count: 1, split: "heldOut", seed: 2 }), 8));
  const { model } = await pretrained(ctx, state);
  const before = await lossesBefore(ctx, state, setup);
  const text = await sampleText(model, STYLE_PROMPT);
  await ctx.sample("before", "The pretrained model, asked for a forecast", text);
  ctx.say(`
    Before fine-tuning, the model's loss on held-out forecasts is ${before.style.toFixed(3)}
    per character (on its own corpus, ${before.corpus.toFixed(3)}). Asked for a forecast, it
    writes what it knows:
  `);
  ctx.show(margin(text, 6));
}

/** One method's run: the fine-tuned copy, how training went, and its losses after. */
interface MethodRun {
  model: GPT;
  result: FinetuneResult;
  after: Losses;
}

/**
 * The forecasts for training with a share of the corpus's own training text mixed in (a slice
 * of it, the same every run); the held-out split is the forecasts' alone.
 */
async function mixedData(state: State, setup: FinetuneSetup): Promise<TokenDataset> {
  if (state.mixedData) return state.mixedData;
  const style = await styleData(state, setup);
  const { data } = await labDataset();
  const share = setup.remedies.generalShare;
  const general = Math.min(
    data.train.length,
    Math.round(style.train.length * share / (1 - share)),
  );
  const from = Math.floor((data.train.length - general) / 2);
  const tokens = new Int32Array(style.train.length + general);
  tokens.set(style.train);
  tokens.set(data.train.subarray(from, from + general), style.train.length);
  return state.mixedData = TokenDataset.fromSplits(tokens, style.val);
}

/** A copy of the pretrained model fine-tuned one of the lab's ways, once per process each. */
async function methodRun(
  ctx: StepContext,
  state: State,
  setup: FinetuneSetup,
  kind: RunName,
): Promise<MethodRun> {
  const done = state[kind];
  if (done) return done;
  const model = await copyOfPretrained(ctx, state);
  const lr = kind === "lora" ? setup.loraLr : setup.fullLr;
  const { lowerBlocks, lowerLrScale } = setup.remedies;
  const method: FinetuneMethod = kind === "lora"
    ? { kind, options: { rank: setup.rank, alpha: setup.alpha } }
    : kind === "frozen"
    ? { kind: "full", lower: { blocks: lowerBlocks, lrScale: 0 } }
    : kind === "slowed"
    ? { kind: "full", lower: { blocks: lowerBlocks, lrScale: lowerLrScale } }
    : { kind: "full" };
  const result = finetune({
    model,
    data: kind === "mixed" ? await mixedData(state, setup) : await styleData(state, setup),
    settings: { ...setup.settings, maxLr: lr, minLr: lr / 10 },
    method,
    progress: quietProgress,
  });
  return state[kind] = { model, result, after: await losses(model, state, setup) };
}

/** What each run is called in the tables and charts. */
function runTitle(kind: RunName, setup: FinetuneSetup): string {
  const { lowerBlocks: b, lowerLrScale, generalShare } = setup.remedies;
  const lower = b === 1 ? "embeddings + block 0" : `embeddings + blocks 0–${b - 1}`;
  return {
    full: "full fine-tuning",
    lora: `LoRA r=${setup.rank}`,
    frozen: `full, ${lower} frozen`,
    slowed: `full, ${lower} at ${lowerLrScale}× lr`,
    mixed: `full, ${Math.round(generalShare * 100)}% corpus text mixed in`,
  }[kind];
}

const RUNS: RunName[] = ["full", "lora", "frozen", "slowed", "mixed"];

/** Fine-tuning runs take seconds: their evaluations are the curve the lab draws afterwards. */
function quietProgress() {}

/** One method's numbers as a table row. */
function resultRow(name: string, before: Losses, run: MethodRun) {
  const arrow = (a: number, b: number) => `${a.toFixed(3)} → ${b.toFixed(3)}`;
  return [
    name,
    exact(run.result.trainable),
    `${run.result.seconds.toFixed(1)} s`,
    arrow(before.style, run.after.style),
    arrow(before.corpus, run.after.corpus),
  ];
}

const HEADER = ["method", "trainable", "time", "new style (held out)", "corpus (validation)"];

async function fullFinetuning(ctx: StepContext, state: State, setup: FinetuneSetup) {
  const s = setup.settings;
  ctx.say(`
    The plain way: keep training. Every parameter moves, with the same step as pretraining
    (lib/train/trainer.ts's trainStep: forward, backward, clipping, AdamW), now on batches of
    forecasts: ${formatCount(s.steps)} steps of ${s.batchSize} windows of ${
    (await pretrained(ctx, state)).model.config.blockSize
  } characters, warmup then cosine decay from a peak of ${setup.fullLr}${
    setup.fullLr < labPreset().settings.maxLr
      ? ` (pretraining's was ${labPreset().settings.maxLr}: smaller steps, so as not to wreck
         what the model knows)`
      : ""
  }.
  `);
  const run = await methodRun(ctx, state, setup, "full");
  const before = await lossesBefore(ctx, state, setup);
  ctx.table([HEADER, resultRow("full fine-tuning", before, run)]);
  ctx.say(`
    The new style's loss fell from ${before.style.toFixed(3)} to ${run.after.style.toFixed(3)}. ${
    run.after.corpus > before.corpus
      ? `The price is on the right: the corpus's loss went from ${before.corpus.toFixed(3)} to
         ${run.after.corpus.toFixed(3)}. Nothing held the old weights in place, so what the
         model knew of the corpus was partly overwritten: catastrophic forgetting, in small.`
      : `The corpus's loss did not rise (${before.corpus.toFixed(3)} → ${
        run.after.corpus.toFixed(3)
      }): this time the new style cost nothing of the old.`
  }
  `);
}

async function yourMerge(ctx: StepContext, state: State, setup: FinetuneSetup) {
  ctx.say(`
    LoRA (low-rank adaptation, Hu et al. 2021) bets that the change fine-tuning needs is
    simple. It freezes every pretrained weight W0 (OC, C) and learns the change as a product
    of two thin matrices, B (OC, r) and A (r, C), with a rank r far below C:
  `);
  ctx.show("W = W0 + (α / r) · B · A");
  ctx.say(`
    A starts small and random, B at zero, so at step 0 the model is exactly the pretrained
    one. α / r scales the update so that trying another rank needs no new learning rate. Here
    r = ${setup.rank} and α = ${setup.alpha}, on the four matrices of every block:
    ${LORA_TARGETS.join(", ")}. Write loraMerge, which computes W.
  `);
  const merge = await ctx.exercise<typeof mergeWeight>("11.1");
  const { model } = await pretrained(ctx, state);
  const w0 = model.p.h[0].attn.c_attn.weight;
  const C = model.config.nEmbd, OC = 3 * C, r = setup.rank;
  const A = new Float32Array(r * C).fill(0.1), B = new Float32Array(OC * r);
  const w = new Float32Array(w0.length);
  merge(w, w0, A, B, setup.alpha / r, OC, C, r);
  const same = w.every((x, i) => x === w0[i]);
  B.fill(0.01);
  merge(w, w0, A, B, setup.alpha / r, OC, C, r);
  const moved = w[0] - w0[0];
  ctx.say(`
    Your loraMerge on block 0's c_attn (${OC}×${C}): with B = 0 the weight is ${
    same ? "unchanged, bit for bit" : "NOT unchanged"
  }; with every entry of A 0.1 and of B 0.01, each weight moves by ${
    moved.toFixed(5)
  } (α/r · r · 0.1 · 0.01 = ${(setup.alpha * 0.001).toFixed(5)}).

    That merge is also how training runs: before each step the library writes W0 + (α/r)·B·A
    into the model's own weights, so the forward and backward passes are the pretrained
    model's, on the same SIMD kernels, unchanged.
  `);
}

async function yourBackward(ctx: StepContext, state: State, setup: FinetuneSetup) {
  ctx.say(`
    The model's backward pass gives dW, how the loss changes with each entry of the merged W.
    A and B reach the loss only through W, so the chain rule gives theirs:
  `);
  ctx.show("dA = (α / r) · Bᵀ · dW        dB = (α / r) · dW · Aᵀ");
  ctx.say(`
    Write loraBackward. The optimizer then updates A and B only, and keeps its two moments for
    them only: that is where LoRA saves memory.
  `);
  const backward = await ctx.exercise<typeof loraBackward>("11.2");
  // A copy, so that the probes below leave the pretrained weights alone.
  const model = await copyOfPretrained(ctx, state);
  const C = model.config.nEmbd, OC = 4 * C, r = setup.rank, s = setup.alpha / r;
  const w = model.p.h[0].mlp.c_fc.weight, w0 = w.slice();
  const A = new Float32Array(r * C).map((_, i) => Math.sin(i) / Math.sqrt(C));
  const B = new Float32Array(OC * r).map((_, i) => 0.05 * Math.cos(i));
  const style = await styleData(state, setup);
  const { inputs, targets } = style.batch("train", 4, model.config.blockSize, new Rng(7));
  // The library's merge writes W, so only the student's backward is on trial here.
  const loss = () => {
    mergeWeight(w, w0, A, B, s, OC, C, r);
    return model.forward(inputs, targets, 4, model.config.blockSize)!;
  };
  loss();
  model.zeroGrad();
  model.backward();
  const dA = new Float32Array(r * C), dB = new Float32Array(OC * r);
  backward(dA, dB, model.g.h[0].mlp.c_fc.weight, A, B, s, OC, C, r);
  const checkA = gradCheck(loss, A, dA, { h: 1e-3, samples: 6, seed: 1 });
  const checkB = gradCheck(loss, B, dB, { h: 1e-2, samples: 6, seed: 2 });
  ctx.table([
    ["entry", "your gradient", "finite difference"],
    ...checkA.indices.slice(0, 3).map((i, j) => [
      `A[${i}]`,
      checkA.analytic[j].toExponential(3),
      checkA.numeric[j].toExponential(3),
    ]),
    ...checkB.indices.slice(0, 3).map((i, j) => [
      `B[${i}]`,
      checkB.analytic[j].toExponential(3),
      checkB.numeric[j].toExponential(3),
    ]),
  ]);
  ctx.say(`
    On block 0's c_fc with random A and B, your gradients agree with the slope of the loss
    measured by finite differences: relative error ${checkA.relativeError.toExponential(1)} for
    A and ${checkB.relativeError.toExponential(1)} for B (float32 rounding is around 1e-3).
  `);
}

async function yourCount(ctx: StepContext, state: State, setup: FinetuneSetup) {
  ctx.say(`
    How much smaller is the job? Write loraParameterCount: the numbers LoRA trains on a model
    of width C with L blocks.
  `);
  const count = await ctx.exercise<typeof loraParameterCount>("11.3");
  const { model } = await pretrained(ctx, state);
  const C = model.config.nEmbd, L = model.config.nLayer;
  const ranks = [...new Set([2, setup.rank, 4 * setup.rank])].filter((r) => r <= C);
  const rows = [
    { method: "full fine-tuning", parameters: model.numParameters },
    ...ranks.map((r) => ({
      method: `LoRA r=${r}`,
      parameters: count(C, L, r, [...LORA_TARGETS]),
    })),
  ];
  await ctx.chart(
    "trainable_parameters",
    barChart({
      title: "Parameters each method trains (each also gets two AdamW moments)",
      data: rows.map((d) => ({ ...d, label: formatCount(d.parameters) })),
      category: "method",
      value: "parameters",
      valueTitle: "trainable parameters",
      log: true,
      label: "label",
    }),
  );
  const ours = count(C, L, setup.rank, [...LORA_TARGETS]);
  ctx.say(`
    At rank ${setup.rank}, LoRA trains ${exact(ours)} numbers, ${
    (100 * ours / model.numParameters).toFixed(1)
  }% of the model's ${exact(model.numParameters)}. The share shrinks as models grow: the
    adapters grow with the width, the matrices with its square. For a GPT-3-sized model LoRA
    trains thousands of times fewer numbers, and a fine-tuned "model" is a file of a few
    megabytes beside a shared base.
  `);
}

async function loraFinetuning(ctx: StepContext, state: State, setup: FinetuneSetup) {
  ctx.say(`
    Now LoRA on another copy of the same pretrained model: the same batches, steps and
    schedule, a peak learning rate of ${setup.loraLr} (adapters that start at zero need larger
    steps to move as far), every pretrained weight frozen — embeddings and LayerNorms too.
  `);
  const run = await methodRun(ctx, state, setup, "lora");
  const before = await lossesBefore(ctx, state, setup);
  ctx.table([HEADER, resultRow(`LoRA r=${setup.rank}`, before, run)]);
  const full = await methodRun(ctx, state, setup, "full");
  ctx.say(`
    LoRA's ${run.result.seconds.toFixed(1)} s against full fine-tuning's ${
    full.result.seconds.toFixed(1)
  } s: no faster, because the backward pass here still computes every dW (LoRA's gradients
    come from it), and merging and the chain rule add a little. What LoRA saves is memory: the
    optimizer keeps moments for ${exact(run.result.trainable)} numbers instead of ${
    exact(run.model.numParameters)
  }. Libraries that never form dW for frozen weights save time as well.
  `);
}

async function remedies(ctx: StepContext, state: State, setup: FinetuneSetup) {
  const { lowerBlocks, lowerLrScale, generalShare } = setup.remedies;
  const L = (await pretrained(ctx, state)).model.config.nLayer;
  ctx.say(`
    LoRA is one answer to forgetting; three older ones keep full fine-tuning and limit what
    it may overwrite. Each runs here on a fresh copy of the same pretrained model, with full
    fine-tuning's steps, batches and peak learning rate:

    Freezing the lower layers. The first blocks compute general features of text (which
    character follows which); the upper ones combine them for the task. Here the embeddings
    and ${lowerBlocks} of the ${L} blocks get no update at all. Our head is tied to the token
    embeddings, so freezing them freezes the output layer too.

    A lower learning rate for the lower layers (discriminative fine-tuning, ULMFiT 2018): the
    same layers move, at ${lowerLrScale} times the rate of the others.

    Mixing general text into the new data (rehearsal): ${Math.round(generalShare * 100)}% of
    the training text is the original corpus, so each batch keeps reminding the model of it.
  `);
  const before = await lossesBefore(ctx, state, setup);
  const full = await methodRun(ctx, state, setup, "full");
  const rows: (string | number)[][] = [HEADER, resultRow(runTitle("full", setup), before, full)];
  const verdicts: string[] = [];
  let trades = 0;
  for (const kind of ["frozen", "slowed", "mixed"] as const) {
    const run = await methodRun(ctx, state, setup, kind);
    if (run.after.corpus < full.after.corpus && run.after.style > full.after.style) trades++;
    rows.push(resultRow(runTitle(kind, setup), before, run));
    const than = (a: number, b: number) =>
      `${Math.abs(a - b).toFixed(3)} ${a < b ? "lower" : "higher"}`;
    verdicts.push(
      `${runTitle(kind, setup)}: the corpus's loss ends ${
        than(run.after.corpus, full.after.corpus)
      } than after full fine-tuning, the new style's ${than(run.after.style, full.after.style)}.`,
    );
  }
  ctx.table(rows);
  ctx.say(verdicts.join("\n\n"));
  ctx.say(`
    ${
    trades === 3 ? "Each remedy" : `${trades} of the 3 remedies`
  } traded some of the new style for some of the old corpus here; which trade is worth it
    depends on whether the old skill still matters. Mixing costs data from the old task,
    freezing costs the capacity of the frozen layers, and all three are cheap to try. The next
    step sets them beside LoRA.
  `);
}

async function sideBySide(ctx: StepContext, state: State, setup: FinetuneSetup) {
  const runs: [string, MethodRun][] = [];
  for (const kind of RUNS) {
    runs.push([runTitle(kind, setup), await methodRun(ctx, state, setup, kind)]);
  }
  const [full, lora] = [runs[0][1], runs[1][1]];
  const before = await lossesBefore(ctx, state, setup);
  ctx.table([HEADER, ...runs.map(([name, run]) => resultRow(name, before, run))]);
  const models: [string, Losses][] = [
    ["pretrained", before],
    ...runs.map(([name, run]): [string, Losses] => [name, run.after]),
  ];
  await ctx.chart(
    "loss_before_after",
    barChart({
      title: "Loss on both tasks, before and after fine-tuning",
      data: ["new style (held out)", "corpus (validation)"].flatMap((task, t) =>
        models.map(([model, l]) => ({ task, model, loss: t === 0 ? l.style : l.corpus }))
      ),
      category: "task",
      value: "loss",
      valueTitle: "cross-entropy per character",
      group: "model",
    }),
  );
  await ctx.chart(
    "finetuning_curves",
    lineChart({
      title: "Held-out loss on the new style during fine-tuning",
      data: runs.flatMap(([method, run]) => run.result.heldOut.map((p) => ({ ...p, method }))),
      x: "step",
      y: "loss",
      series: "method",
      yTitle: "held-out loss",
    }),
  );
  const learned = (run: typeof full) => before.style - run.after.style;
  const forgot = (run: typeof full) => run.after.corpus - before.corpus;
  ctx.say(`
    Learned (drop of the new style's loss): full ${learned(full).toFixed(3)}, LoRA ${
    learned(lora).toFixed(3)
  }. Forgotten (rise of the corpus's loss): full ${forgot(full).toFixed(3)}, LoRA ${
    forgot(lora).toFixed(3)
  }. ${
    learned(full) > learned(lora)
      ? `Full fine-tuning, free to move every number, learns the style further;`
      : `LoRA learns the style as far as full fine-tuning;`
  } ${
    forgot(lora) < forgot(full)
      ? `LoRA, whose update is confined to a few directions of each matrix, forgets less.`
      : `here LoRA forgets as much, or more.`
  } LoRA can only steer the features the base model already computes, through frozen
    embeddings: the less pretrained the base ${
    labPreset().name === "quick"
      ? `(the quick preset's saw ${labPreset().settings.steps} steps)`
      : ""
  }, the less it
    has to steer. On large pretrained models, whose features suit most tasks, LoRA usually
    comes close to full fine-tuning.
  `);
  const least = runs.reduce((a, b) => (forgot(b[1]) < forgot(a[1]) ? b : a));
  const most = runs.reduce((a, b) => (learned(b[1]) > learned(a[1]) ? b : a));
  ctx.say(`
    Of the ${runs.length} runs, ${least[0]} forgot least (${forgot(least[1]).toFixed(3)}) and
    ${most[0]} learned most (${learned(most[1]).toFixed(3)}).
  `);
}

async function samples(ctx: StepContext, state: State, setup: FinetuneSetup) {
  const { model } = await pretrained(ctx, state);
  const full = await methodRun(ctx, state, setup, "full"),
    lora = await methodRun(ctx, state, setup, "lora");
  const prompt = await corpusPrompt();
  const runs: [string, string, GPT][] = [
    ["pretrained", "the pretrained model", model],
    ["full", "after full fine-tuning", full.model],
    ["lora", `after LoRA (r=${setup.rank})`, lora.model],
  ];
  for (const [name, title, m] of runs) {
    const style = await sampleText(m, STYLE_PROMPT), corpus = await sampleText(m, prompt);
    if (name !== "pretrained") {
      await ctx.sample(`after_${name}`, `A forecast ${title}`, style);
    }
    await ctx.sample(`corpus_${name}`, `The corpus's first line, continued ${title}`, corpus);
    ctx.say(`${title[0].toUpperCase()}${title.slice(1)}, asked for a forecast:`);
    ctx.show(margin(style, 5));
  }
  ctx.say(`
    The same prompts and the same sampling seed for all three (the report holds each sample in
    full, and each model continuing the corpus's first line, where forgetting shows).
  `);
}

async function saving(ctx: StepContext, state: State, setup: FinetuneSetup) {
  const { dir } = await pretrained(ctx, state);
  const lora = await methodRun(ctx, state, setup, "lora");
  const { tokenizer } = await labDataset();
  const merged = `${ctx.outDir}/lora_merged`, adapters = `${ctx.outDir}/lora/adapters.safetensors`;
  await saveCheckpoint(merged, {
    model: lora.model,
    tokenizer: saveTokenizer(tokenizer),
    optimizer: null,
    state: null,
  });
  await Deno.mkdir(`${ctx.outDir}/lora`, { recursive: true });
  await saveAdapters(adapters, lora.result.lora!, dir);
  const a = await loadCheckpoint(merged), b = await loadAdapted(adapters);
  const T = a.model.config.blockSize;
  const ids = Int32Array.from(tokenizer.encode(STYLE_PROMPT).slice(0, T));
  a.model.forward(ids, null, 1, ids.length);
  b.model.forward(ids, null, 1, ids.length);
  const identical = a.model.acts!.logits.every((x, i) => x === b.model.acts!.logits[i]);
  const size = async (path: string) => exact((await Deno.stat(path)).size);
  // $'…\n' in bash and zsh: the prompt ends with a real newline, as in the forecasts.
  const promptFlag = ["--prompt", STYLE_PROMPT];
  ctx.table([
    ["saved as", "file", "bytes"],
    [
      "merged checkpoint",
      relative(`${merged}/model.safetensors`),
      await size(`${merged}/model.safetensors`),
    ],
    ["adapters apart", relative(adapters), await size(adapters)],
  ]);
  ctx.say(`
    Two ways to keep a LoRA model. Merged: W0 + (α/r)·B·A written into the weights, a normal
    checkpoint that any tool reads, as fast as the base model — sample it with
  `);
  ctx.show(shellCommand(["deno", "task", "sample", "--ckpt", relative(merged), ...promptFlag]));
  ctx.say(`
    Kept apart: only A and B (PEFT's tensor names), with the rank, α, the model config and the
    path of the base checkpoint in the file's metadata; loading reads the base and merges the
    adapters in. One base can then carry many small adapters, one per task. Reloaded both
    ways, the model gives ${
    identical ? "identical logits, bit for bit" : "DIFFERENT logits"
  } on the forecast prompt; adapters for a model of another shape are refused in one sentence.
    Sample the adapted model straight from its adapters with
  `);
  ctx.show(
    shellCommand(["deno", "task", "sample", "--adapters", relative(adapters), ...promptFlag]),
  );
}

/**
 * Lab 11 with a given setup; the course runs {@link lab} (the setup of MINIGPT_PRESET), the
 * tests a shorter one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FINETUNE_SETUPS, makeLab } from "./11_finetuning.ts";
 * assert.equal(makeLab(FINETUNE_SETUPS.quick).id, "11");
 * ```
 */
export function makeLab(setup?: FinetuneSetup): Lab {
  const state: State = {};
  const chosen = () => setup ?? FINETUNE_SETUPS[labPreset().name];
  const run =
    (f: (ctx: StepContext, state: State, setup: FinetuneSetup) => Promise<void>) =>
    (ctx: StepContext) => f(ctx, state, chosen());
  return {
    id: "11",
    slug: "11_finetuning",
    title: "Fine-tuning: full and LoRA, side by side",
    exercises,
    steps: [
      step("A pretrained model", run(thePretrainedModel)),
      step("A new style, written by the project", run(newStyle)),
      step("Full fine-tuning, and what it forgets", run(fullFinetuning)),
      step("Exercise 11.1: LoRA's merge, W0 + (α/r)·B·A", run(yourMerge)),
      step("Exercise 11.2: the gradients of A and B", run(yourBackward)),
      step("Exercise 11.3: what LoRA trains", run(yourCount)),
      step("LoRA fine-tuning", run(loraFinetuning)),
      step("Remedies for forgetting: freeze, slow down, mix", run(remedies)),
      step("Side by side: learned and forgotten", run(sideBySide)),
      step("Samples before and after", run(samples)),
      step("Saving: merged, or kept apart", run(saving)),
    ],
  };
}

/** Lab 11, as the runner sees it. */
export const lab: Lab = makeLab();
