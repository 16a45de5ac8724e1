/**
 * The learning-rate schedule: linear warmup, then cosine decay to a floor. Warmup keeps the first
 * updates small while AdamW's moment estimates are still noise; the cosine tail lets the model
 * settle into a minimum instead of bouncing around it.
 * @module
 */

/** Options of {@link learningRate}. */
export interface ScheduleOptions {
  /** Peak learning rate, reached at the end of warmup. */
  maxLr: number;
  /** Floor the cosine decays to. */
  minLr: number;
  /** Steps of linear warmup. */
  warmupSteps: number;
  /** Step at which the decay reaches `minLr` (usually the last step). */
  decaySteps: number;
}

/**
 * Learning rate at step `step` (counting from 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learningRate } from "./schedule.ts";
 * const o = { maxLr: 1e-3, minLr: 1e-4, warmupSteps: 100, decaySteps: 2000 };
 * assert.equal(learningRate(2000, o), 1e-4);
 * ```
 */
export function learningRate(step: number, o: ScheduleOptions): number {
  if (step < o.warmupSteps) return (o.maxLr * (step + 1)) / (o.warmupSteps + 1);
  if (step >= o.decaySteps) return o.minLr;
  const progress = (step - o.warmupSteps) / (o.decaySteps - o.warmupSteps);
  return o.minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (o.maxLr - o.minLr);
}
