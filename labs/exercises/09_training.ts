// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 09 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 09` again. Hints: `deno task hint 09.1`.
 *
 * P is the number of parameters; parameters, gradients and moments are flat arrays of P floats.
 */

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
