// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars require-await
/**
 * Lab 09 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 09` again. Hints: `deno task hint 09.1`.
 *
 * P is the number of parameters; parameters, gradients and moments are flat arrays of P floats.
 */
import type { LoopModel, LoopParts, LoopRun } from "../../lib/train/loop.ts";

/**
 * Exercise 09.1: the learning rate at `step` (from 0). During warmup it rises linearly to maxLr,
 * reaching maxLr·(step + 1)/(warmupSteps + 1); from warmupSteps to decaySteps it follows half a
 * cosine from maxLr down to minLr; after decaySteps it stays at minLr.
 */
export function learningRate(
  step: number,
  o: { maxLr: number; minLr: number; warmupSteps: number; decaySteps: number },
): number {
  // TODO: three cases.
  throw new Error("TODO: write learningRate");
}

/**
 * Exercise 09.2: when the L2 norm of all of `grads` exceeds maxNorm, scale them in place by
 * maxNorm / (norm + 1e-6). Return the norm measured before any scaling.
 */
export function clipGradNorm(
  grads: Float32Array, // (P)
  maxNorm: number,
): number {
  // TODO: one pass to measure, one to scale.
  throw new Error("TODO: write clipGradNorm");
}

/**
 * Exercise 09.3: one AdamW update in place, at step t (from 1). Each group's range
 * [start, end) of the parameters decays by lr·weightDecay·param (decoupled: not through the
 * gradient). Defaults: beta1 0.9, beta2 0.999, eps 1e-8.
 */
export function adamwStep(
  params: Float32Array, // (P)
  grads: Float32Array, // (P)
  m: Float32Array, // (P) running mean of the gradients
  v: Float32Array, // (P) running mean of their squares
  t: number,
  options: { lr: number; beta1?: number; beta2?: number; eps?: number },
  groups: { start: number; end: number; weightDecay: number }[],
): void {
  // TODO: update m and v, correct their bias, step, decay.
  throw new Error("TODO: write adamwStep");
}

/**
 * Exercise 09.4: the training loop. For each step from run.start to run.steps − 1: before a step
 * that is a multiple of run.evalEvery, `await run.evaluate(step)`; then a batch (run.batch()),
 * the forward pass, zeroed gradients, the backward pass, clipping to run.gradClip (none when
 * it is 0; the norm is NaN then), the learning rate of this step from parts.learningRate and
 * run.schedule, and parts.adamwStep (its step count t starts at 1; options { lr, ...run.adamw },
 * run.m, run.v, run.groups); then `await run.log(step, loss, lr, gradNorm)`. After the last
 * step, `await run.evaluate(run.steps)`. Return every step's loss.
 */
export async function trainLoop(
  model: LoopModel,
  parts: LoopParts, // your learningRate, clipGradNorm and adamwStep where they pass
  run: LoopRun,
): Promise<number[]> {
  // TODO: nanoGPT's training loop, one line per step above.
  throw new Error("TODO: write trainLoop");
}
