/**
 * The training loop itself, nanoGPT's `while True:` as a function: for each step a batch,
 * forward, zeroed gradients, backward, clipping, the learning rate from the schedule and the AdamW
 * step, with an evaluation every `evalEvery` steps. What a step needs from outside (batches,
 * evaluation, logging, checkpoints) comes through `run`, so lib/train/trainer.ts drives this loop
 * or a student's own (exercise 09.4) the same way.
 * @module
 */
import type { adamwStep, clipGradNorm, ParamGroup } from "../layers/adamw.ts";
import type { learningRate, ScheduleOptions } from "./schedule.ts";

/** What the loop trains: a GPT has all of it. */
export interface LoopModel {
  params: Float32Array; // (P,)
  grads: Float32Array; // (P,)
  /** Mean loss of the batch; keeps what backward needs. */
  forward(inputs: Int32Array, targets: Int32Array, B: number, T: number): number | null;
  zeroGrad(): void;
  /** Adds the gradient of the last forward pass's loss into `grads`. */
  backward(): void;
}

/** The functions the loop calls: lib/'s, or the student's exercises 09.1 to 09.3. */
export interface LoopParts {
  learningRate: typeof learningRate;
  clipGradNorm: typeof clipGradNorm;
  adamwStep: typeof adamwStep;
}

/** One batch of B sequences of T tokens, and their next-token targets. */
export interface LoopBatch {
  inputs: Int32Array; // (B, T)
  targets: Int32Array; // (B, T)
  B: number;
  T: number;
}

/** A run as the loop sees it. */
export interface LoopRun {
  /** First step to run: 0, or where a resumed run stopped. */
  start: number;
  /** Steps in all: the loop runs steps start … steps − 1. */
  steps: number;
  /** Evaluate before every step that is a multiple of this, and once after the last. */
  evalEvery: number;
  schedule: ScheduleOptions;
  /** Largest gradient norm; 0 turns clipping off. */
  gradClip: number;
  adamw: { beta1: number; beta2: number; eps: number };
  /** AdamW's moments, same layout as the parameters (a resumed run hands them back filled). */
  m: Float32Array;
  v: Float32Array;
  groups: ParamGroup[];
  /** The next training batch. */
  batch(): LoopBatch;
  /** Evaluates (and checkpoints) the model as it is before step `step`. */
  evaluate(step: number): Promise<void>;
  /** Records step `step` once it is done. */
  log(step: number, loss: number, lr: number, gradNorm: number): Promise<void>;
}

/**
 * Trains `model` for the steps of `run` and returns each step's training loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { adamwStep, clipGradNorm } from "../layers/adamw.ts";
 * import { learningRate } from "./schedule.ts";
 * import { trainLoop } from "./loop.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
 * const ids = new Int32Array([1, 2, 3, 4]), P = model.numParameters;
 * const losses = await trainLoop(model, { learningRate, clipGradNorm, adamwStep }, {
 *   start: 0, steps: 5, evalEvery: 10, gradClip: 1,
 *   schedule: { maxLr: 1e-2, minLr: 1e-3, warmupSteps: 1, decaySteps: 5 },
 *   adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8 },
 *   m: new Float32Array(P), v: new Float32Array(P), groups: [{ start: 0, end: P, weightDecay: 0 }],
 *   batch: () => ({ inputs: ids, targets: ids, B: 1, T: 4 }),
 *   evaluate: async () => {}, log: async () => {},
 * });
 * assert.ok(losses.length === 5 && losses[4] < losses[0]);
 * ```
 */
export async function trainLoop(
  model: LoopModel,
  parts: LoopParts,
  run: LoopRun,
): Promise<number[]> {
  const losses: number[] = [];
  for (let step = run.start; step < run.steps; step++) {
    if (step % run.evalEvery === 0) await run.evaluate(step);
    const { inputs, targets, B, T } = run.batch();
    const loss = model.forward(inputs, targets, B, T)!;
    model.zeroGrad(); // backward adds into grads
    model.backward();
    const gradNorm = run.gradClip > 0 ? parts.clipGradNorm(model.grads, run.gradClip) : NaN;
    const lr = parts.learningRate(step, run.schedule);
    // AdamW counts its steps from 1, for the bias correction.
    parts.adamwStep(
      model.params,
      model.grads,
      run.m,
      run.v,
      step + 1,
      { lr, ...run.adamw },
      run.groups,
    );
    losses.push(loss);
    await run.log(step, loss, lr, gradNorm);
  }
  await run.evaluate(run.steps);
  return losses;
}
