/**
 * Lab 09 · Training: the learning-rate schedule, gradient clipping and AdamW, written by the
 * student and run as a small training loop; then a real run of the library's trainer, with
 * evaluation on both splits and perplexity beside each loss, its metrics log drawn as loss,
 * perplexity, learning-rate and throughput curves, checkpoints that reload to the same validation
 * loss, and a resume that continues the loss curve bit for bit.
 *
 * The quick preset trains a small model in seconds; MINIGPT_PRESET=full trains nanoGPT's baby GPT.
 * @module
 */
import { lineChart } from "../lib/charts.ts";
import { type GPTConfig } from "../lib/model/config.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import { generate } from "../lib/model/generate.ts";
import { GPT } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { type Lab, step, type StepContext } from "../lib/course/lab.ts";
import { Rng } from "../lib/random.ts";
import { formatCount } from "../lib/term.ts";
import { saveTokenizer } from "../lib/tokenizer/saved.ts";
import { runExport } from "../lib/train/export.ts";
import { findTorch, INSTALL_TORCH, torchLogitsDiff } from "../lib/train/pytorch.ts";
import {
  decayGroups,
  estimateLoss,
  lossWithPerplexity,
  type Metric,
  perplexity,
  train,
  type TrainResult,
  type TrainSettings,
} from "../lib/train/trainer.ts";
import type { adamwStep, clipGradNorm } from "../lib/layers/adamw.ts";
import type { learningRate } from "../lib/train/schedule.ts";
import { exercises } from "./catalog/09_training.ts";
import { CATALOG } from "./catalog/mod.ts";
import { describeYourGPT, yourGPT } from "../lib/course/your_gpt.ts";
import type { trainLoop } from "../lib/train/loop.ts";
import {
  labCorpus,
  labDataset,
  labPreset,
  labProgress,
  PRESET_ENV,
  QUICK_PRESET,
  trainYourRun,
  YOUR_GPT_SETTINGS,
  yourRunConfig,
} from "./setup.ts";

const exact = (n: number) => n.toLocaleString("en-US");

/** The model this lab trains: the preset's shape with the corpus's characters. */
async function setup() {
  const preset = labPreset();
  const { tokenizer, data } = await labDataset();
  const config: GPTConfig = { ...preset.shape, vocabSize: tokenizer.vocabSize };
  return { preset, tokenizer, data, config, settings: preset.settings };
}

/** Where the main run writes. */
const runDir = (ctx: StepContext) => `${ctx.outDir}/run`;

async function readMetrics(dir: string): Promise<Metric[]> {
  const text = await Deno.readTextFile(`${dir}/metrics.jsonl`);
  return text.split("\n").filter((l) => l).map((l) => JSON.parse(l) as Metric);
}

async function theRun(ctx: StepContext) {
  const { preset, tokenizer, data, config, settings: s } = await setup();
  const c = await labCorpus();
  const model = new GPT(config, s.seed);
  ctx.say(`
    Training turns the loss of lab 07 into a loop over fresh batches (lab 08) with a better
    optimizer. This lab runs the ${preset.name} preset: ${preset.about}.
    ${
    preset.name === "quick"
      ? `For the real thing, run \`${PRESET_ENV}=full deno task lab 09\`.`
      : `Run without ${PRESET_ENV} for the quick preset.`
  }
    It trains on ${c.name} at the character level: ${exact(data.train.length)} training and
    ${exact(data.val.length)} validation tokens, V = ${tokenizer.vocabSize}.
  `);
  ctx.table([
    ["model", "parameters", "batch B×T", "steps", "warmup", "lr", "β1, β2", "decay", "clip"],
    [
      `${config.nLayer} layers × ${config.nHead} heads, C ${config.nEmbd}, T ${config.blockSize}`,
      exact(model.numParameters),
      `${s.batchSize}×${config.blockSize}`,
      s.steps,
      s.warmupSteps,
      `${s.maxLr} → ${s.minLr}`,
      `${s.beta1}, ${s.beta2}`,
      s.weightDecay,
      s.gradClip,
    ],
  ]);
}

async function yourSchedule(ctx: StepContext) {
  const { settings: s } = await setup();
  ctx.say(`
    The learning rate is not constant. At first AdamW's running averages of the gradients are
    mostly noise, so the step grows linearly over ${s.warmupSteps} warmup steps; then it
    decays along half a cosine to a tenth of its peak, so that the end of training settles into
    a minimum instead of bouncing around it. Write learningRate.
  `);
  const lr = await ctx.exercise<typeof learningRate>("09.1");
  const o = { maxLr: s.maxLr, minLr: s.minLr, warmupSteps: s.warmupSteps, decaySteps: s.steps };
  const at = [
    0,
    Math.floor(s.warmupSteps / 2),
    s.warmupSteps,
    Math.floor(s.steps / 2),
    s.steps - 1,
  ];
  ctx.table([["step", ...at], ["learning rate", ...at.map((t) => lr(t, o).toExponential(2))]]);
}

async function yourClipping(ctx: StepContext) {
  const { data, config, settings: s } = await setup();
  ctx.say(`
    A single unlucky batch can produce a huge gradient and throw the weights far away. Clipping
    measures the norm of the whole gradient, all parameters as one vector, and when it exceeds
    ${s.gradClip} scales every entry down by the same factor: the direction is kept, only the
    length is capped. Write clipGradNorm.
  `);
  const clip = await ctx.exercise<typeof clipGradNorm>("09.2");
  const model = new GPT(config, s.seed);
  const { inputs, targets } = data.batch("train", s.batchSize, config.blockSize, new Rng(1));
  model.forward(inputs, targets, s.batchSize, config.blockSize);
  model.zeroGrad();
  model.backward();
  const before = clip(model.grads, s.gradClip);
  const after = Math.sqrt(model.grads.reduce((sum, g) => sum + g * g, 0));
  ctx.say(`
    On the model's first batch your clipGradNorm measures a gradient norm of
    ${before.toFixed(3)}, and leaves it at ${after.toFixed(3)}. The trainer logs this norm at
    every step (before clipping), a good early warning of instabilities.
  `);
}

async function yourAdamW(ctx: StepContext) {
  const { data, config, settings: s } = await setup();
  const groups = decayGroups(config, s.weightDecay);
  const decayed = groups.filter((g) => g.weightDecay > 0).reduce((n, g) => n + g.end - g.start, 0);
  const total = groups[groups.length - 1].end;
  ctx.say(`
    AdamW gives every parameter its own step size. It keeps two running averages per
    parameter, m of the gradient (β1 = ${s.beta1}) and v of its square (β2 = ${s.beta2}), and
    moves by lr · m̂ / (√v̂ + ε): where the gradient is consistent the step is about lr, where it
    is noise the step shrinks. m̂ and v̂ correct the bias of averages that start at zero. The W:
    weight decay pulls each weight towards zero by lr · ${s.weightDecay} · weight, applied
    straight to the weight rather than through the gradient, and only to the matrices
    (${exact(decayed)} of the ${
    exact(total)
  } parameters); biases and LayerNorm gains are left alone.
    Write adamwStep.
  `);
  const adamw = await ctx.exercise<typeof adamwStep>("09.3");
  const lr = await ctx.exercise<typeof learningRate>("09.1");
  const clip = await ctx.exercise<typeof clipGradNorm>("09.2");
  const steps = 30, B = s.batchSize, T = config.blockSize;
  const model = new GPT(config, s.seed);
  const m = new Float32Array(model.params.length), v = new Float32Array(model.params.length);
  const rng = new Rng(s.seed);
  const losses: number[] = [];
  const o = { maxLr: s.maxLr, minLr: s.minLr, warmupSteps: s.warmupSteps, decaySteps: s.steps };
  for (let t = 0; t < steps; t++) {
    const { inputs, targets } = data.batch("train", B, T, rng);
    losses.push(model.forward(inputs, targets, B, T)!);
    model.zeroGrad();
    model.backward();
    clip(model.grads, s.gradClip);
    adamw(
      model.params,
      model.grads,
      m,
      v,
      t + 1,
      { lr: lr(t, o), beta1: s.beta1, beta2: s.beta2 },
      groups,
    );
  }
  ctx.say(`
    Your three functions make a training loop: batch, forward, backward, clip, step. Its first
    ${formatCount(steps)} steps, on fresh batches each time (ln V = ${
    Math.log(config.vocabSize).toFixed(2)
  }):
  `);
  ctx.table([
    ["step", ...[0, 5, 10, 20, steps - 1]],
    ["loss", ...[0, 5, 10, 20, steps - 1].map((t) => losses[t].toFixed(3))],
    [
      "perplexity e^loss",
      ...[0, 5, 10, 20, steps - 1].map((t) => perplexity(losses[t]).toFixed(1)),
    ],
  ]);
}

/** Trains the main run into the lab's folder, afresh. */
async function mainRun(ctx: StepContext): Promise<TrainResult> {
  const { tokenizer, data, config, settings } = await setup();
  return await train({
    // On the SIMD kernels, as `deno task train` runs; the exercises above use the TypeScript twins.
    model: new GPT(config, settings.seed, await loadBackend()),
    data,
    tokenizer: saveTokenizer(tokenizer),
    settings,
    outDir: runDir(ctx),
    progress: labProgress(ctx),
  });
}

/**
 * Makes sure the main run is on disk, finished, with this preset's settings: the steps after
 * training read it, and `--from` may start at one of them.
 */
async function ensureRun(ctx: StepContext): Promise<void> {
  const { settings } = await setup();
  try {
    const state = JSON.parse(await Deno.readTextFile(`${runDir(ctx)}/latest/state.json`));
    if (
      state.step === settings.steps && JSON.stringify(state.settings) === JSON.stringify(settings)
    ) {
      return;
    }
  } catch { /* no finished run yet */ }
  ctx.say(`(The run of step 5 is not in ${runDir(ctx)} yet: training it first.)`);
  await mainRun(ctx);
}

async function training(ctx: StepContext) {
  const { settings: s } = await setup();
  ctx.say(`
    The library's train() (lib/train/trainer.ts) is the same loop plus what a real run needs: every
    ${s.evalEvery} steps it measures the mean loss of ${s.evalBatches} batches from each split,
    writes the latest checkpoint, and the best one when validation improves; it logs every step
    to metrics.jsonl; Ctrl-C saves and stops. The run:
  `);
  const result = await mainRun(ctx);
  const metrics = await readMetrics(runDir(ctx));
  const trainSteps = metrics.filter((m) => m.kind === "train");
  const evals = metrics.filter((m) => m.kind === "eval");
  await ctx.chart(
    "loss_curves",
    lineChart({
      title: "Loss during training (read from metrics.jsonl)",
      data: [
        ...trainSteps.map((m) => ({ step: m.step, loss: m.loss, curve: "batch (train)" })),
        ...evals.map((m) => ({ step: m.step, loss: m.trainLoss, curve: "eval: train" })),
        ...evals.map((m) => ({ step: m.step, loss: m.valLoss, curve: "eval: val" })),
      ],
      x: "step",
      y: "loss",
      series: "curve",
      points: false,
    }),
  );
  await ctx.chart(
    "learning_rate",
    lineChart({
      title: "Learning rate: warmup, then cosine decay",
      data: trainSteps.map((m) => ({ step: m.step, lr: m.lr })),
      x: "step",
      y: "lr",
      yTitle: "learning rate",
      points: false,
    }),
  );
  const bestEval = evals.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  const last = evals[evals.length - 1];
  ctx.say(`
    The loss of single batches is noisy; the evaluations average it out. Validation ends at
    ${lossWithPerplexity(result.finalValLoss)}, its best was ${
    lossWithPerplexity(result.bestValLoss)
  } at step ${bestEval.step}, and training text ends at ${lossWithPerplexity(last.trainLoss)}.
    ${
    last.valLoss - last.trainLoss > 0.3
      ? `The gap between the two says the model is memorising its training text more than it
         learns the language: more data, or fewer steps, would help. That is why the best
         checkpoint is chosen by validation loss.`
      : `The two stay close: the model is learning the language, not memorising the text.`
  }
  `);
}

async function perplexities(ctx: StepContext) {
  await ensureRun(ctx);
  const { tokenizer } = await setup();
  const V = tokenizer.vocabSize;
  const evals = (await readMetrics(runDir(ctx))).filter((m) => m.kind === "eval");
  ctx.say(`
    A loss of ${
    evals[evals.length - 1].valLoss.toFixed(2)
  } nats says little by itself. Its exponential, the perplexity e^loss, reads
    as a count: the model is as unsure of the next character as if it picked uniformly among
    that many. A model that knows nothing guesses uniformly over all V = ${V} characters: loss
    ln ${V} = ${Math.log(V).toFixed(3)}, perplexity ${V}. A model that is always sure and
    right scores 1. The run's evaluations, with both:
  `);
  const shown = evals.filter((_, i) =>
    i % Math.ceil(evals.length / 6) === 0 || i === evals.length - 1
  );
  ctx.table([
    ["step", "train loss", "train perplexity", "val loss", "val perplexity"],
    ...shown.map((m) => [
      m.step,
      m.trainLoss.toFixed(4),
      perplexity(m.trainLoss).toFixed(1),
      m.valLoss.toFixed(4),
      perplexity(m.valLoss).toFixed(1),
    ]),
  ]);
  await ctx.chart(
    "perplexity",
    lineChart({
      title: `Validation perplexity (a uniform guess scores ${V})`,
      data: evals.map((m) => ({ step: m.step, perplexity: perplexity(m.valLoss) })),
      x: "step",
      y: "perplexity",
      logY: true,
    }),
  );
  const end = perplexity(evals[evals.length - 1].valLoss);
  ctx.say(`
    From ${perplexity(evals[0].valLoss).toFixed(1)} choices at step 0 to ${end.toFixed(1)} at
    the end: training has cut the model's uncertainty ${
    (perplexity(evals[0].valLoss) / end).toFixed(1)
  }-fold.
    Perplexities compare only on the same tokens: a BPE model's perplexity per token is
    higher than a character model's per character even when both predict the text equally
    well, because each of its tokens carries several characters. The trainer prints each
    evaluation's perplexity (ppl) beside its loss, as in the run above.
  `);
}

async function checkpoints(ctx: StepContext) {
  await ensureRun(ctx);
  const { data, settings: s } = await setup();
  const dir = runDir(ctx);
  const files: (string | number)[][] = [["checkpoint", "file", "bytes"]];
  for (const name of ["best", "latest"]) {
    const entries = [...Deno.readDirSync(`${dir}/${name}`)].map((e) => e.name).sort();
    for (const file of entries) {
      files.push([name, file, exact((await Deno.stat(`${dir}/${name}/${file}`)).size)]);
    }
  }
  ctx.say(`
    A checkpoint is a folder: the weights as safetensors (a format any framework reads) with
    their config, the tokenizer, AdamW's two moments, and state.json (step, the batch
    generator's state, best validation loss, the settings). It is written beside its target and
    swapped in with renames, so a crash mid-write leaves the previous one whole.
  `);
  ctx.table(files);
  // Loaded onto the backend that trained it, so the evaluation repeats the same arithmetic.
  const best = await loadCheckpoint(`${dir}/best`, await loadBackend());
  const step = best.state!.step;
  const val = estimateLoss(
    best.model,
    data,
    "val",
    s.batchSize,
    s.evalBatches,
    s.seed + 2 * step + 2,
  );
  ctx.say(`
    Reloaded, the best checkpoint (step ${step}) scores ${val.toFixed(4)} on the validation
    batches of its evaluation, ${val === best.state!.bestValLoss ? "exactly" : "NOT"} the ${
    best.state!.bestValLoss!.toFixed(4)
  } the run recorded (perplexity ${perplexity(val).toFixed(1)}).
  `);
}

async function resume(ctx: StepContext) {
  const { data, tokenizer, settings: base } = await setup();
  const config: GPTConfig = { ...QUICK_PRESET.shape, vocabSize: tokenizer.vocabSize };
  const settings: TrainSettings = { ...QUICK_PRESET.settings, steps: 40, evalEvery: 10 };
  const stopAt = 17;
  ctx.say(`
    A run can be stopped (Ctrl-C) and resumed with \`deno task train --resume\`. Resuming
    exactly needs more than the weights: AdamW's moments, the step (for the schedule and the
    bias correction), and the state of the generator that draws the batches, so that the
    resumed run sees the very batches it would have seen. To prove it, two short runs of the
    quick model${base === QUICK_PRESET.settings ? "" : " (whatever the preset)"}, ${settings.steps}
    steps each: one straight through, one stopped after step ${stopAt} and resumed from its
    checkpoint by a new model object.
  `);
  const quiet = () => {};
  const job = (outDir: string) => ({
    data,
    tokenizer: saveTokenizer(tokenizer),
    settings,
    outDir,
    progress: quiet,
  });
  const straight = `${ctx.outDir}/resume/straight`, stopped = `${ctx.outDir}/resume/stopped`;
  await train({ ...job(straight), model: new GPT(config, settings.seed) });
  let calls = 0;
  const first = await train({
    ...job(stopped),
    model: new GPT(config, settings.seed),
    stopRequested: () => ++calls >= stopAt,
  });
  // A different init seed: every weight must come from the checkpoint.
  await train({ ...job(stopped), model: new GPT(config, 999), resume: true });
  const a = await readMetrics(straight), b = await readMetrics(stopped);
  const lossOf = (m: Metric) => m.kind === "train" ? m.loss : m.valLoss;
  const same = a.length === b.length &&
    a.every((m, i) => m.kind === b[i].kind && m.step === b[i].step && lossOf(m) === lossOf(b[i]));
  const near = a.filter((m) => m.kind === "train" && Math.abs(m.step - stopAt) <= 2);
  ctx.table([
    ["step", "straight through", "stopped and resumed", "identical"],
    ...near.map((m) => {
      const other = b.find((x) => x.kind === "train" && x.step === m.step)!;
      return [m.step, lossOf(m), lossOf(other), lossOf(m) === lossOf(other) ? "yes" : "NO"];
    }),
  ]);
  ctx.say(`
    The first run stopped after ${formatCount(first.step)} steps. Over all ${
    formatCount(a.length)
  } logged values (every
    training loss and every evaluation), the two curves are ${
    same ? "identical to the last bit" : "DIFFERENT"
  }.
  `);
}

async function throughput(ctx: StepContext) {
  await ensureRun(ctx);
  const { config, settings: s } = await setup();
  const metrics = (await readMetrics(runDir(ctx))).filter((m) => m.kind === "train");
  const rates = metrics.map((m) => m.tokPerSec).sort((x, y) => x - y);
  const median = rates[Math.floor(rates.length / 2)];
  const params = new GPT(config, 0).numParameters;
  await ctx.chart(
    "tokens_per_second",
    lineChart({
      title: "Training throughput (read from metrics.jsonl)",
      data: metrics.map((m) => ({ step: m.step, tokPerSec: Math.round(m.tokPerSec) })),
      x: "step",
      y: "tokPerSec",
      yTitle: "tokens per second",
      points: false,
    }),
  );
  const gflops = (6 * params * median) / 1e9;
  ctx.say(`
    Each step trains on ${s.batchSize} × ${config.blockSize} = ${s.batchSize * config.blockSize}
    tokens; the median step here ran at ${formatCount(Math.round(median))} tokens per second.
    A forward and backward pass costs about 6 floating-point operations per parameter and token
    (2 forward, 4 backward), plus attention: with ${exact(params)} parameters that is about
    ${
    gflops.toFixed(2)
  } GFLOP/s on the SIMD kernels (the TypeScript twins run many times slower). Each point times one step alone (evaluations
    and checkpoints are not counted); its ups and downs are the compiler warming up, garbage
    collection and other programs sharing the CPU, which is why the median is the figure to
    quote. \`deno task bench train\` measures the same step beside PyTorch.
  `);
  const model = (await loadCheckpoint(`${runDir(ctx)}/best`)).model;
  const { tokenizer } = await setup();
  const first = [...(await labCorpus()).text][0];
  const text = first +
    tokenizer.decode(
      generate(model, tokenizer.encode(first), { maxTokens: 300, temperature: 0.8, seed: 1 }),
    );
  await ctx.sample("sample", "300 characters from the best checkpoint, temperature 0.8", text);
  ctx.say(`What the best checkpoint writes (lab 10 is about how to sample well):`);
  ctx.show(text.split("\n").slice(0, 8).join("\n"));
}

/** The seed's phase 4: the model leaves for PyTorch, and both compute the same logits. */
async function toPyTorch(ctx: StepContext) {
  await ensureRun(ctx);
  const { tokenizer, config } = await setup();
  const out = `${ctx.outDir}/hf`;
  await runExport({ ckpt: `${runDir(ctx)}/best`, to: "hf", out, force: true, print: () => {} });
  ctx.say(`
    Past this course, a model grows on GPUs, in PyTorch. \`deno task export --to hf\` wrote the
    best checkpoint as the folder Hugging Face's GPT2LMHeadModel loads: config.json (GPT-2's
    names: n_layer, n_head, n_embd, gelu_new), model.safetensors with GPT-2's tensor names — its
    four Conv1D matrices stored (in, out), the transpose of our (out, in) — and the tokenizer.
  `);
  ctx.table([
    ["file", "bytes"],
    ...[...Deno.readDirSync(out)].map((e) => e.name).sort().map((name) => [
      name,
      exact(Deno.statSync(`${out}/${name}`).size),
    ]),
  ]);
  const python = await findTorch();
  if (!python) {
    ctx.say(
      `PyTorch is not installed here, so there is nothing to compare with; install it with \`${INSTALL_TORCH}\`.`,
    );
    return;
  }
  const model = (await loadCheckpoint(`${runDir(ctx)}/best`)).model;
  const text = [...(await labCorpus()).text].slice(0, config.blockSize).join("");
  const tokens = tokenizer.encode(text);
  model.forward(Int32Array.from(tokens), null, 1, tokens.length);
  const logits = model.acts!.logits.subarray(0, tokens.length * config.vocabSize);
  const diff = await torchLogitsDiff(python, out, tokens, logits);
  ctx.say(`
    PyTorch, reading that folder with a GPT-2 forward pass of its own (pytorch/hf_forward.py), on
    the first ${tokens.length} characters of the corpus: the largest difference between its
    ${exact(logits.length)} logits and ours is ${diff.toExponential(2)} — rounding, nothing
    more. pytorch/train_gpt2.py continues the training there, on a GPU or under torchrun.
  `);
}

async function yourLoop(ctx: StepContext) {
  ctx.say(`
    The trainer's loop is a function too, lib/train/loop.ts's trainLoop, and the next exercise
    is yours: trainLoop(model, parts, run) in labs/exercises/09_training.ts. For each step a
    batch, the forward pass, zeroed gradients (backward adds), the backward pass, clipping, the
    step's learning rate from the schedule, the AdamW step, with an evaluation every
    run.evalEvery steps. It calls your learningRate, clipGradNorm and adamwStep through parts;
    run holds what the trainer keeps around it (batches, evaluation, the metrics log,
    checkpoints), so train() runs your loop the way it runs its own.
  `);
  await ctx.exercise<typeof trainLoop>("09.4");
  ctx.say("Your loop trains the check's models step for step as lib/'s loop does.");
}

/** The run of your GPT: where it writes, and lib/'s run beside it. */
const yourDir = (ctx: StepContext) => `${ctx.outDir}/your_gpt`;

async function yourGPTTrains(ctx: StepContext) {
  const mine = await yourGPT(CATALOG, ["model", "training"], {
    root: ctx.studentRoot,
    reference: ctx.reference,
    check: ctx.check,
  });
  const config = await yourRunConfig(), s = YOUR_GPT_SETTINGS;
  ctx.say(`
    Your GPT now trains: your model (lab 07) with your loop, on the TypeScript path, beside
    lib/'s model from the same seed on the same batches: the quick preset's model
    (${config.nLayer} layers, C ${config.nEmbd}, context ${config.blockSize}), ${s.steps} steps of
    ${s.batchSize} sequences.
  `);
  ctx.say(describeYourGPT(mine));
  const yours = new GPT(config, s.seed, await loadBackend("ts", { own: mine.ops }));
  const seconds = await trainYourRun(ctx, yours, yourDir(ctx), {
    loop: mine.trainLoop,
    parts: mine.loopParts,
  });
  const libSeconds = await trainYourRun(ctx, new GPT(config, s.seed), `${ctx.outDir}/library_gpt`);
  const a = (await readMetrics(yourDir(ctx))).filter((m) => m.kind === "train");
  const b = (await readMetrics(`${ctx.outDir}/library_gpt`)).filter((m) => m.kind === "train");
  const gap = a.length === b.length
    ? Math.max(...a.map((m, i) => Math.abs(m.loss - b[i].loss)))
    : Infinity;
  const spec = lineChart({
    title: "Your GPT and lib/'s, same seed, same batches",
    data: [
      ...b.map((m) => ({ step: m.step, loss: m.loss, model: "lib/'s GPT" })),
      ...a.map((m) => ({ step: m.step, loss: m.loss, model: "your GPT" })),
    ],
    x: "step",
    y: "loss",
    series: "model",
    points: false,
  });
  // Dashes as well as colours, so that two curves on top of each other both show.
  (spec.encoding as Record<string, unknown>).strokeDash = { field: "model", type: "nominal" };
  await ctx.chart("your_gpt_loss", spec);
  ctx.table([
    ["", "your GPT", "lib/'s GPT"],
    ["time", `${seconds.toFixed(1)} s`, `${libSeconds.toFixed(1)} s`],
    ["last training loss", a[a.length - 1].loss.toFixed(4), b[b.length - 1].loss.toFixed(4)],
  ]);
  const agree = gap <= 1e-4;
  const shown = yourDir(ctx).replace(`${Deno.cwd()}/`, "");
  ctx.say(`
    Largest gap between the two loss curves over all ${a.length} logged steps:
    ${gap.toExponential(1)}: ${
    agree
      ? "they agree within 1e-4 at every step."
      : `they drift apart by more than 1e-4. Every part of yours passed its check, so this
        is float32 rounding: a sum taken in another order than lib/'s differs in its last
        bit, and AdamW, which divides each gradient by its own running size, lets such bits
        grow step after step. The curves keep the same shape.`
  } Your GPT is saved as a checkpoint like any other, in ${shown}/latest (and best/):
    \`deno task sample --ckpt ${shown}\` reads it.
  `);
  if (mine.library.length > 0) {
    ctx.say(`
      The parts still lib/'s are listed above; each exercise you pass moves one of them into
      your GPT, and the next run trains more of your code.
    `);
  } else {
    ctx.say(`
      Every line of the model that just trained is yours: the embeddings and their gradient,
      attention, LayerNorm, the block, the whole forward and backward pass, the loss's gradient,
      the learning-rate schedule, clipping, AdamW and the loop that calls them. lib/ gave it
      the small layers with no exercise (linear forward, GELU, the residual add, softmax and
      the cross-entropy forward), the batches and the checkpoint files.
    `);
  }
}

/** Lab 09, as the runner sees it. */
export const lab: Lab = {
  id: "09",
  slug: "09_training",
  title: "Training: AdamW, schedule, checkpoints",
  exercises,
  steps: [
    step("The run and its preset", theRun),
    step("Exercise 09.1: warmup and cosine decay", yourSchedule),
    step("Exercise 09.2: gradient clipping", yourClipping),
    step("Exercise 09.3: AdamW, and your training loop", yourAdamW),
    step("Training with evaluation and a metrics log", training),
    step("Perplexity: the loss as a number of choices", perplexities),
    step("Checkpoints", checkpoints),
    step("Resume, bit for bit", resume),
    step("Throughput, and a first sample", throughput),
    step("Exercise 09.4: the training loop", yourLoop),
    step("Your GPT trains", yourGPTTrains),
    step("Phase 4: off to PyTorch", toPyTorch),
  ],
};
