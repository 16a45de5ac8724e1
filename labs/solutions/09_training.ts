/**
 * Lab 09 reference solutions, kept apart from the starters in labs/exercises/.
 */
import type { LoopModel, LoopParts, LoopRun } from "../../lib/train/loop.ts";

/** Exercise 09.1. */
export function learningRate(
  step: number,
  o: { maxLr: number; minLr: number; warmupSteps: number; decaySteps: number },
): number {
  if (step < o.warmupSteps) return o.maxLr * (step + 1) / (o.warmupSteps + 1);
  if (step >= o.decaySteps) return o.minLr;
  const done = (step - o.warmupSteps) / (o.decaySteps - o.warmupSteps);
  const cosine = (1 + Math.cos(Math.PI * done)) / 2;
  return o.minLr + cosine * (o.maxLr - o.minLr);
}

/** Exercise 09.2. */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  let sumOfSquares = 0;
  for (const g of grads) sumOfSquares += g * g;
  const norm = Math.sqrt(sumOfSquares);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  }
  return norm;
}

/** Exercise 09.3. */
export function adamwStep(
  params: Float32Array,
  grads: Float32Array,
  m: Float32Array,
  v: Float32Array,
  t: number,
  options: { lr: number; beta1?: number; beta2?: number; eps?: number },
  groups: { start: number; end: number; weightDecay: number }[],
): void {
  const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
  for (const { start, end, weightDecay } of groups) {
    for (let i = start; i < end; i++) {
      const g = grads[i];
      const mi = beta1 * m[i] + (1 - beta1) * g, vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      // The update uses the moments before they are rounded to float32.
      const mHat = mi / (1 - beta1 ** t), vHat = vi / (1 - beta2 ** t);
      params[i] -= lr * mHat / (Math.sqrt(vHat) + eps) + lr * weightDecay * params[i];
    }
  }
}

/** Exercise 09.4. */
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
    model.zeroGrad();
    model.backward();
    const gradNorm = run.gradClip > 0 ? parts.clipGradNorm(model.grads, run.gradClip) : NaN;
    const lr = parts.learningRate(step, run.schedule);
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
