/**
 * Fine-tuning: a pretrained GPT trained further on a new task, in one of two ways — every
 * parameter (full fine-tuning, optionally with the lower layers frozen or on a smaller learning
 * rate) or low-rank adapters only (LoRA, lib/train/lora.ts). Both take the
 * pretraining step of lib/train/trainer.ts (forward, backward, clipping, AdamW on a warmup + cosine
 * schedule) on the new task's batches, and measure the held-out loss as they go.
 *
 * Leaves out checkpoints during the run and resuming (these runs take seconds to minutes): save
 * the result with lib/train/checkpoint.ts (merged) or lib/train/lora.ts's saveAdapters (kept apart).
 * @module
 */
import type { TokenDataset } from "./dataset.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import type { GPTConfig } from "../model/config.ts";
import type { GPT } from "../model/gpt.ts";
import { numel, parameterShapes } from "../model/layout.ts";
import { LoRA, type LoraOptions } from "./lora.ts";
import { Rng } from "../random.ts";
import { heldOutLine, stepLine } from "./progress.ts";
import { defaultProgress, estimateLoss, runLearningRate, type TrainSettings } from "./trainer.ts";
import {
  decayGroups,
  type OptimizerState,
  type ScaledGroup,
  type Trainable,
  trainStep,
} from "./step.ts";

/**
 * Which parameters fine-tuning trains: all of them (the lower layers possibly frozen or slowed),
 * or LoRA adapters with these options.
 */
export type FinetuneMethod =
  | { kind: "full"; lower?: LowerLayers }
  | { kind: "lora"; options: LoraOptions };

/**
 * The embeddings and the first `blocks` blocks, which hold the most general features: their
 * learning rate is the run's times `lrScale`, and 0 freezes them (no gradient step, no moments).
 */
export interface LowerLayers {
  blocks: number;
  lrScale: number;
}

/**
 * Where the parameters of block `blocks` start: everything before is the embeddings and the
 * first `blocks` blocks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lowerLayersEnd } from "./finetune.ts";
 * const config = { vocabSize: 5, blockSize: 4, nLayer: 2, nHead: 1, nEmbd: 4 };
 * assert.equal(lowerLayersEnd(config, 0), 5 * 4 + 4 * 4);
 * ```
 */
export function lowerLayersEnd(config: GPTConfig, blocks: number): number {
  if (!Number.isInteger(blocks) || blocks < 0 || blocks >= config.nLayer) {
    const L = config.nLayer;
    throw new UserError(tr({
      en: `The lower layers must be 0 to ${L - 1} blocks of the ${L}, not ${blocks}.`,
      fr: `Les couches basses doivent être de 0 à ${L - 1} blocs sur les ${L}, pas ${blocks}.`,
    }));
  }
  let offset = 0;
  for (const [name, shape] of parameterShapes(config)) {
    if (name.startsWith(`transformer.h.${blocks}.`)) return offset;
    offset += numel(shape);
  }
  return offset;
}

/** The parameters full fine-tuning moves, and AdamW's groups over them. */
function fullTrainable(
  model: GPT,
  lower: LowerLayers | undefined,
  weightDecay: number,
): { trainable: Trainable; groups: ScaledGroup[] } {
  const groups: ScaledGroup[] = decayGroups(model.config, weightDecay);
  if (!lower || lower.lrScale === 1) return { trainable: model, groups };
  const end = lowerLayersEnd(model.config, lower.blocks);
  // Groups follow tensors, so a block's start is a group boundary.
  if (lower.lrScale === 0) {
    const trainable = { params: model.params.subarray(end), grads: model.grads.subarray(end) };
    const upper = groups.filter((g) => g.start >= end)
      .map((g) => ({ ...g, start: g.start - end, end: g.end - end }));
    return { trainable, groups: upper };
  }
  return {
    trainable: model,
    groups: groups.map((g) => (g.end <= end ? { ...g, lrScale: lower.lrScale } : g)),
  };
}

/** What {@link finetune} needs. */
export interface FinetuneJob {
  /** The pretrained model, trained in place (after LoRA it holds the merged weights). */
  model: GPT;
  /** The new task: batches come from `train`, the held-out loss from `val`. */
  data: TokenDataset;
  settings: TrainSettings;
  method: FinetuneMethod;
  /** Where progress goes (default: stderr, as training's). */
  progress?: (line: string, final: boolean) => void;
}

/** How a fine-tuning run went. */
export interface FinetuneResult {
  /** Parameters the optimizer updated, each with its two AdamW moments. */
  trainable: number;
  /** Time spent in training steps (evaluations not counted). */
  seconds: number;
  /**
   * Mean loss on the new task's held-out split every `evalEvery` steps and at the end, always
   * on the same batches, so that the points compare.
   */
  heldOut: { step: number; loss: number }[];
  /** The adapters, for LoRA; null for full fine-tuning. */
  lora: LoRA | null;
}

/**
 * Fine-tunes `job.model` in place on `job.data` and returns how it went.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenDataset } from "./dataset.ts";
 * import { finetune } from "./finetune.ts";
 * import { GPT } from "../model/gpt.ts";
 * import { BABY_SETTINGS } from "./presets.ts";
 * const model = new GPT({ vocabSize: 4, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 8 }, 0);
 * const data = new TokenDataset(Int32Array.from({ length: 200 }, (_, i) => i % 4), 0.2);
 * const settings = { ...BABY_SETTINGS, batchSize: 4, steps: 20, warmupSteps: 2, evalEvery: 10, evalBatches: 2 };
 * const r = finetune({ model, data, settings, method: { kind: "lora", options: { rank: 2 } }, progress: () => {} });
 * assert.ok(r.trainable === r.lora!.numParameters && r.heldOut.length === 3);
 * ```
 */
export function finetune(job: FinetuneJob): FinetuneResult {
  const { model, data, settings: s } = job;
  const progress = job.progress ?? defaultProgress();
  const lora = job.method.kind === "lora" ? new LoRA(model, job.method.options) : null;
  // Full fine-tuning decays the matrices as pretraining did; A and B are matrices too.
  const { trainable, groups } = lora
    ? {
      trainable: lora,
      groups: [{ start: 0, end: lora.params.length, weightDecay: s.weightDecay }],
    }
    : fullTrainable(
      model,
      job.method.kind === "full" ? job.method.lower : undefined,
      s.weightDecay,
    );
  const opt: OptimizerState = {
    m: model.alloc(trainable.params.length),
    v: model.alloc(trainable.params.length),
    groups,
  };
  const B = s.batchSize, T = model.config.blockSize;
  const heldOut: FinetuneResult["heldOut"] = [];
  const evaluate = (step: number) => {
    const loss = estimateLoss(model, data, "val", B, s.evalBatches, s.seed + 1);
    heldOut.push({ step, loss });
    progress(heldOutLine(step, s.steps, loss), true);
  };
  const rng = new Rng(s.seed);
  let ms = 0;
  for (let step = 0; step < s.steps; step++) {
    if (step % s.evalEvery === 0) evaluate(step);
    const lr = runLearningRate(step, s);
    const { inputs, targets } = data.batch("train", B, T, rng);
    const t0 = performance.now();
    const settings = s;
    const { loss } = trainStep(model, { inputs, targets, B, opt, step, lr, settings, trainable });
    ms += performance.now() - t0;
    const pace = { steps: step + 1, tokens: (step + 1) * B * T, seconds: ms / 1000 };
    progress(stepLine(step + 1, s.steps, loss, lr, pace), false);
    if (!Number.isFinite(loss)) {
      throw new UserError(tr({
        en: `The loss became ${loss} at step ${step}: lower the learning rate.`,
        fr: `La perte est devenue ${loss} au pas ${step} : baisse le taux d'apprentissage.`,
      }));
    }
  }
  evaluate(s.steps);
  return { trainable: trainable.params.length, seconds: ms / 1000, heldOut, lora };
}
