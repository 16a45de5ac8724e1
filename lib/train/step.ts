/**
 * One optimizer step, as every run of the project takes it (pretraining, fine-tuning, LoRA, the
 * benchmarks): forward, backward, gradient clipping and AdamW over the parameter groups that
 * decay and those that do not.
 * @module
 */
import type { ParamGroup } from "../layers/adamw.ts";
import type { GPTConfig } from "../model/config.ts";
import type { GPT } from "../model/gpt.ts";
import { numel, parameterShapes } from "../model/layout.ts";

/** What a step needs of a run's settings: clipping and AdamW's betas. */
export interface StepSettings {
  beta1: number;
  beta2: number;
  /** Largest global gradient norm (grad_clip); 0 turns clipping off. */
  gradClip: number;
}

/**
 * AdamW parameter groups: decay for matrices (embeddings and weights), none for biases and
 * LayerNorm gains, found from the model's own layout table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decayGroups } from "./step.ts";
 * const groups = decayGroups({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }, 0.1);
 * assert.ok(groups.some((g) => g.weightDecay === 0));
 * ```
 */
export function decayGroups(config: GPTConfig, weightDecay: number): ParamGroup[] {
  const groups: ParamGroup[] = [];
  let offset = 0;
  for (const [, shape] of parameterShapes(config)) {
    const size = numel(shape);
    const decay = shape.length >= 2 ? weightDecay : 0;
    const last = groups[groups.length - 1];
    if (last && last.weightDecay === decay && last.end === offset) last.end += size;
    else groups.push({ start: offset, end: offset + size, weightDecay: decay });
    offset += size;
  }
  return groups;
}

/** An AdamW group whose learning rate is the step's times `lrScale` (default 1). */
export interface ScaledGroup extends ParamGroup {
  lrScale?: number;
}

/** AdamW's state: its moments, same layout as the parameters, and the decay groups. */
export interface OptimizerState {
  m: Float32Array; // (P,)
  v: Float32Array; // (P,)
  groups: ScaledGroup[];
}

/**
 * What an optimizer step moves: by default the model itself, every parameter; LoRA (lib/train/lora.ts)
 * moves its adapters only, gathering their gradients from the model's and scattering the update
 * back into the model's weights.
 */
export interface Trainable {
  params: Float32Array; // (P,)
  grads: Float32Array; // (P,)
  /** Fills `grads` after the model's backward pass (default: they are the model's own). */
  gather?(): void;
  /** Writes `params` into the model after the update (default: they are the model's own). */
  scatter?(): void;
}

/** What {@link trainStep} is told: the batch, the optimizer and where the run is. */
export interface StepOptions {
  inputs: Int32Array; // (B, T)
  targets: Int32Array; // (B, T)
  /** Sequences in the batch. */
  B: number;
  /** Positions per sequence, up to the context (default: the model's blockSize). */
  T?: number;
  /** Weight of each position in the loss, (B, T) (default: all positions alike). */
  weights?: Float32Array | null;
  opt: OptimizerState;
  /** The step, 0-based. */
  step: number;
  /** Its learning rate. */
  lr: number;
  /** Clipping and AdamW's betas. */
  settings: StepSettings;
  /** The parameters to update (default: the whole model; `opt` matches its size). */
  trainable?: Trainable;
}

/**
 * One optimizer step on one batch (B, T): forward, backward, clipping, AdamW at `lr` (times each
 * group's `lrScale`). Returns the batch's loss and the gradient norm before clipping (NaN when
 * clipping is off).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { BABY_SETTINGS } from "./presets.ts";
 * import { decayGroups, trainStep } from "./step.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 });
 * const opt = { m: new Float32Array(model.numParameters), v: new Float32Array(model.numParameters),
 *   groups: decayGroups(model.config, 0.1) };
 * const ids = new Int32Array([1, 2, 3, 4]);
 * const step = { inputs: ids, targets: ids, B: 1, opt, step: 0, lr: 1e-3, settings: BABY_SETTINGS };
 * const { loss } = trainStep(model, step);
 * assert.ok(trainStep(model, { ...step, step: 1 }).loss < loss);
 * ```
 */
export function trainStep(model: GPT, o: StepOptions): { loss: number; gradNorm: number } {
  const { inputs, targets, B, opt, step, lr, settings: s } = o;
  const trainable: Trainable = o.trainable ?? model;
  const { T = model.config.blockSize, weights = null } = o;
  const loss = model.forward(inputs, targets, B, T, weights)!;
  model.zeroGrad();
  model.backward();
  trainable.gather?.();
  const gradNorm = s.gradClip > 0 ? model.ops.clipGradNorm(trainable.grads, s.gradClip) : NaN;
  // One AdamW call per learning-rate scale: the kernel takes a single rate for all its groups.
  for (const scale of new Set(opt.groups.map((g) => g.lrScale ?? 1))) {
    model.ops.adamwStep(trainable.params, trainable.grads, opt.m, opt.v, step + 1, {
      lr: lr * scale,
      beta1: s.beta1,
      beta2: s.beta2,
      eps: 1e-8,
    }, opt.groups.filter((g) => (g.lrScale ?? 1) === scale));
  }
  trainable.scatter?.();
  return { loss, gradNorm };
}
