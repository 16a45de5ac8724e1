/**
 * A training run around the loop of lib/train/loop.ts (lib/'s, or a student's): seeded batches,
 * forward, backward, gradient clipping, AdamW on a warmup + cosine schedule, periodic evaluation
 * on both splits, a live progress line, a metrics log (JSONL) that charts read, best-validation
 * and latest checkpoints, a clean stop on Ctrl-C, and a resume that continues the loss curve bit
 * for bit.
 *
 * Leaves out gradient accumulation, dropout and mixed precision.
 * @module
 */
import {
  type Checkpoint,
  loadCheckpoint,
  saveCheckpoint,
  type SavedTokenizer,
} from "./checkpoint.ts";
import type { TokenDataset } from "./dataset.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { formatDecimal } from "../term.ts";
import type { GPT } from "../model/gpt.ts";
import { outputFolder, writeFileAtomic } from "../atomic.ts";
import { checkBatchFits, metricsBefore } from "./preflight.ts";
import { Rng } from "../random.ts";
import { type LoopParts, type LoopRun, trainLoop } from "./loop.ts";
import { learningRate } from "./schedule.ts";
import { decayGroups, type StepSettings } from "./step.ts";
import { stepLine } from "./progress.ts";

/** The knobs of a training run (nanoGPT's names in comments). */
export interface TrainSettings extends StepSettings {
  /** Sequences per step (batch_size). */
  batchSize: number;
  /** Optimizer steps in all (max_iters). */
  steps: number;
  /** Steps of linear warmup (warmup_iters). */
  warmupSteps: number;
  /** Peak and final learning rates (learning_rate, min_lr). */
  maxLr: number;
  minLr: number;
  /** Decoupled weight decay, applied to matrices only. */
  weightDecay: number;
  /** Evaluate every this many steps (eval_interval), and at the end. */
  evalEvery: number;
  /** Batches per split in an evaluation (eval_iters). */
  evalBatches: number;
  /** Seed of the batch stream (the model has its own init seed). */
  seed: number;
}

/** One line of `metrics.jsonl`. */
export type Metric =
  | { kind: "train"; step: number; loss: number; lr: number; gradNorm: number; tokPerSec: number }
  | { kind: "eval"; step: number; trainLoss: number; valLoss: number };

/** What {@link train} needs. */
export interface TrainJob {
  model: GPT;
  data: TokenDataset;
  tokenizer: SavedTokenizer;
  settings: TrainSettings;
  /** Run folder: `latest/`, `best/` and `metrics.jsonl` go here. */
  outDir: string;
  /** Continue from `outDir/latest` (default false: start afresh, replacing old metrics). */
  resume?: boolean;
  /** Where progress goes (default: stderr, one rewritten line on a terminal). */
  progress?: (line: string, final: boolean) => void;
  /** Polled after every step; true stops the run after saving (Ctrl-C sets it). */
  stopRequested?: () => boolean;
  /** The loop to run (default lib/'s {@link trainLoop}; `--mine` passes the student's). */
  loop?: typeof trainLoop;
  /** The schedule, clipping and AdamW it calls (default lib/'s, on the model's backend). */
  parts?: LoopParts;
}

/** Thrown by the loop's log hook to end the run after step `step` − 1, on a stop request. */
class StopRun extends Error {
  constructor(readonly step: number) {
    super(`stopped before step ${step}`);
  }
}

/** How a run ended. */
export interface TrainResult {
  /** Steps completed in all (including those before a resume). */
  step: number;
  finalTrainLoss: number;
  finalValLoss: number;
  bestValLoss: number;
  interrupted: boolean;
  /** Median training throughput of this session. */
  tokPerSec: number;
}

/**
 * Mean loss over `batches` seeded batches of a split. The batches depend only on `seed`, so every
 * evaluation at the same step sees the same data, resumed or not.
 *
 * @example
 * ```ts ignore needs a dataset
 * import { estimateLoss } from "./trainer.ts";
 * const val = estimateLoss(model, data, "val", 12, 20, 1);
 * ```
 */
export function estimateLoss(
  model: GPT,
  data: TokenDataset,
  split: "train" | "val",
  batchSize: number,
  batches: number,
  seed: number,
): number {
  const rng = new Rng(seed);
  const T = model.config.blockSize;
  let sum = 0;
  for (let i = 0; i < batches; i++) {
    const { inputs, targets } = data.batch(split, batchSize, T, rng);
    sum += model.forward(inputs, targets, batchSize, T)!;
  }
  return sum / batches;
}

/**
 * Perplexity, e^loss: the number of equally likely choices that would leave the model as
 * unsure as a mean cross-entropy of `loss` (in nats) per token. 1 is certainty; a uniform guess
 * over V tokens scores V.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perplexity } from "./trainer.ts";
 * assert.ok(Math.abs(perplexity(Math.log(65)) - 65) < 1e-9);
 * ```
 */
export function perplexity(loss: number): number {
  return Math.exp(loss);
}

/** A loss with its perplexity beside it: "1.9812 (ppl 7.3)" (in French, "1,9812 (ppl 7,3)"). */
export function lossWithPerplexity(loss: number): string {
  return `${formatDecimal(loss, 4)} (ppl ${formatDecimal(perplexity(loss), 1)})`;
}

/**
 * The learning rate of step `step` (0-based) of a run: warmup, then cosine decay to `minLr` at
 * the run's last step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BABY_SETTINGS } from "./presets.ts";
 * import { runLearningRate } from "./trainer.ts";
 * assert.equal(runLearningRate(BABY_SETTINGS.steps, BABY_SETTINGS), BABY_SETTINGS.minLr);
 * ```
 */
export function runLearningRate(
  step: number,
  s: Pick<TrainSettings, "maxLr" | "minLr" | "warmupSteps" | "steps">,
): number {
  return learningRate(step, {
    maxLr: s.maxLr,
    minLr: s.minLr,
    warmupSteps: s.warmupSteps,
    decaySteps: s.steps,
  });
}

/**
 * Trains `job.model` in place and returns how it went. Writes `latest/` at every evaluation and
 * at the end (or on a stop request), `best/` whenever validation loss improves, and appends to
 * `metrics.jsonl`.
 *
 * @example
 * ```ts ignore takes minutes
 * import { BABY_SETTINGS } from "./presets.ts";
 * import { train } from "./trainer.ts";
 * const result = await train({ model, data, tokenizer, settings: BABY_SETTINGS, outDir: "out/train/baby" });
 * ```
 */
export async function train(job: TrainJob): Promise<TrainResult> {
  const { model, data, settings: s, outDir } = job;
  const B = s.batchSize, T = model.config.blockSize;
  const progress = job.progress ?? defaultProgress();
  const metricsPath = `${outDir}/metrics.jsonl`;
  // Everything that can refuse the run is checked before the first write, so a refused command
  // leaves every file of the run as it was.
  checkBatchFits(model, B);
  for (const split of ["train", "val"] as const) data.batch(split, 1, T, new Rng(0));
  const resumed = job.resume ? await loadCheckpoint(`${outDir}/latest`) : null;
  let kept: string[] = [];
  if (resumed) {
    checkSameRun(resumed, model, s, outDir);
    kept = await metricsBefore(metricsPath, resumed.state!.step, progress);
  }

  await outputFolder("out", outDir);
  const rng = new Rng(s.seed);
  // AdamW's moments sit beside the parameters (in WebAssembly memory on the fast backend).
  const m = model.alloc(model.params.length);
  const v = model.alloc(model.params.length);
  let start = 0;
  let best = Infinity;
  if (resumed) {
    model.params.set(resumed.model.params);
    m.set(resumed.optimizer!.m);
    v.set(resumed.optimizer!.v);
    start = resumed.state!.step;
    rng.state = resumed.state!.rngState;
    best = resumed.state!.bestValLoss ?? Infinity;
  }
  await writeFileAtomic(metricsPath, kept.map((l) => l + "\n").join(""));
  const log = (metric: Metric) =>
    Deno.writeTextFile(metricsPath, JSON.stringify(metric) + "\n", { append: true });
  const checkpoint = (dir: string, step: number): Promise<void> =>
    saveCheckpoint(`${outDir}/${dir}`, {
      model,
      tokenizer: job.tokenizer,
      optimizer: { m, v },
      state: {
        step,
        rngState: rng.state,
        bestValLoss: Number.isFinite(best) ? best : null,
        settings: { ...s },
      },
    });
  const evaluate = async (step: number) => {
    const trainLoss = estimateLoss(model, data, "train", B, s.evalBatches, s.seed + 2 * step + 1);
    const valLoss = estimateLoss(model, data, "val", B, s.evalBatches, s.seed + 2 * step + 2);
    await log({ kind: "eval", step, trainLoss, valLoss });
    if (valLoss < best) {
      best = valLoss;
      await checkpoint("best", step);
    }
    return { trainLoss, valLoss };
  };

  const stepMs: number[] = [];
  let last = { trainLoss: NaN, valLoss: NaN };
  let step = s.steps;
  let interrupted = false;
  let t0 = 0;
  const run: LoopRun = {
    start,
    steps: s.steps,
    evalEvery: s.evalEvery,
    schedule: { maxLr: s.maxLr, minLr: s.minLr, warmupSteps: s.warmupSteps, decaySteps: s.steps },
    gradClip: s.gradClip,
    adamw: { beta1: s.beta1, beta2: s.beta2, eps: 1e-8 },
    m,
    v,
    groups: decayGroups(model.config, s.weightDecay),
    batch: () => {
      t0 = performance.now();
      return { ...data.batch("train", B, T, rng), B, T };
    },
    evaluate: async (at) => {
      last = await evaluate(at);
      if (at >= s.steps) return; // the end: latest is saved below
      if (at > start) await checkpoint("latest", at);
      const [onTrain, onVal] = [last.trainLoss, last.valLoss].map(lossWithPerplexity);
      progress(
        tr({
          en: `step ${at}/${s.steps} · train ${onTrain} · val ${onVal}`,
          fr: `pas ${at}/${s.steps} · entraînement ${onTrain} · validation ${onVal}`,
        }),
        true,
      );
    },
    log: async (at, loss, lr, gradNorm) => {
      const ms = performance.now() - t0;
      stepMs.push(ms);
      const tokPerSec = (B * T * 1000) / ms;
      await log({ kind: "train", step: at, loss, lr, gradNorm, tokPerSec });
      // The median of the last 50 steps, so that one slow step does not swing the estimate.
      const pace = { steps: 1, tokens: B * T, seconds: median(stepMs.slice(-50)) / 1000 };
      progress(stepLine(at + 1, s.steps, loss, lr, pace), false);
      if (!Number.isFinite(loss)) {
        throw new UserError(tr({
          en: `The loss became ${loss} at step ${at}: lower --lr, or check the data.`,
          fr: `La perte est devenue ${loss} au pas ${at} : baisse --lr, ou vérifie les données.`,
        }));
      }
      if (job.stopRequested?.()) throw new StopRun(at + 1);
    },
  };
  const parts = job.parts ??
    { learningRate, clipGradNorm: model.ops.clipGradNorm, adamwStep: model.ops.adamwStep };
  try {
    await (job.loop ?? trainLoop)(model, parts, run);
  } catch (err) {
    if (!(err instanceof StopRun)) throw err;
    interrupted = true;
    step = err.step;
  }
  await checkpoint("latest", step);
  const [onTrain, onVal, bestVal] = [last.trainLoss, last.valLoss, best].map(lossWithPerplexity);
  progress(
    tr(
      interrupted
        ? {
          en: `stopped after step ${step}; saved ${outDir}/latest (continue with --resume)`,
          fr: `arrêté après le pas ${step} ; ${outDir}/latest enregistré (continue avec --resume)`,
        }
        : {
          en: `done: step ${step} · train ${onTrain} · val ${onVal} · best val ${bestVal}`,
          fr: `terminé : pas ${step} · entraînement ${onTrain} · validation ${onVal} · ` +
            `meilleure validation ${bestVal}`,
        },
    ),
    true,
  );
  return {
    step,
    finalTrainLoss: last.trainLoss,
    finalValLoss: last.valLoss,
    bestValLoss: best,
    interrupted,
    tokPerSec: stepMs.length ? (B * T * 1000) / median(stepMs) : 0,
  };
}

function checkSameRun(ckpt: Checkpoint, model: GPT, s: TrainSettings, outDir: string): void {
  if (!ckpt.state || !ckpt.optimizer) {
    throw new UserError(tr({
      en: `${outDir}/latest holds weights only, so the run cannot resume: ` +
        `start it again without --resume.`,
      fr:
        `${outDir}/latest ne contient que des poids, l'entraînement ne peut donc pas reprendre : ` +
        `relance-le sans --resume.`,
    }));
  }
  for (const key of Object.keys(model.config) as (keyof GPT["config"])[]) {
    const [saved, asked] = [ckpt.model.config[key], model.config[key]];
    if (saved !== asked) {
      throw new UserError(tr({
        en: `The checkpoint in ${outDir}/latest has ${key} ${saved}, this run ${asked}: ` +
          `resume with the same preset and tokenizer, or use another --out.`,
        fr: `Le checkpoint de ${outDir}/latest a ${key} ${saved}, cet entraînement ${asked} : ` +
          `reprends avec le même preset et le même tokenizer, ou choisis un autre --out.`,
      }));
    }
  }
  for (const [key, value] of Object.entries(ckpt.state.settings)) {
    const asked = (s as unknown as Record<string, unknown>)[key];
    if (key !== "steps" && asked !== value) {
      throw new UserError(tr({
        en: `The run in ${outDir} used ${key} ${value}, this one ${asked}: ` +
          `resume with the same settings (only --steps may change).`,
        fr: `L'entraînement de ${outDir} a utilisé ${key} ${value}, celui-ci ${asked} : ` +
          `reprends avec les mêmes réglages (seul --steps peut changer).`,
      }));
    }
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A progress printer: on a terminal, one line rewritten in place; elsewhere, one line every 50
 * steps (and every final line).
 *
 * @example
 * ```ts
 * import { defaultProgress } from "./trainer.ts";
 * import assert from "node:assert/strict";
 * const progress = defaultProgress();
 * assert.equal(progress("step 1/10", false), undefined); // rewritten in place on a terminal
 * ```
 */
export function defaultProgress(): (line: string, final: boolean) => void {
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  let count = 0;
  return (line, final) => {
    if (tty) Deno.stderr.writeSync(enc.encode(`\r\x1b[2K${line}${final ? "\n" : ""}`));
    else if (final || ++count % 50 === 0) console.error(line);
  };
}
