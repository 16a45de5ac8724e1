/**
 * One training step of a model on a fixed random batch, as `bench train` and `bench profile` time
 * it: the same tokens every step (seeded), AdamW with the baby settings and their decay groups.
 * Leaves out data loading and evaluation, which the suites leave out too.
 * @module
 */
import type { GPT } from "../model/gpt.ts";
import { Rng } from "../random.ts";
import { BABY_SETTINGS } from "../train/presets.ts";
import { decayGroups, trainStep } from "../train/trainer.ts";

/**
 * A function that runs one more training step of `model` on its batch of B fixed sequences.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { fixedBatchStep } from "./fixed_step.ts";
 * const model = new GPT({ vocabSize: 7, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
 * const before = model.params.slice();
 * fixedBatchStep(model, 2)();
 * assert.notDeepEqual(model.params, before);
 * ```
 */
export function fixedBatchStep(model: GPT, B: number): () => void {
  const { vocabSize: V, blockSize: T } = model.config;
  const rng = new Rng(7);
  const inputs = Int32Array.from({ length: B * T }, () => rng.int(V));
  const targets = Int32Array.from({ length: B * T }, () => rng.int(V));
  const opt = {
    m: model.alloc(model.numParameters),
    v: model.alloc(model.numParameters),
    groups: decayGroups(model.config, BABY_SETTINGS.weightDecay),
  };
  let step = 0;
  return () => {
    trainStep(model, { inputs, targets, B, opt, step: step++, lr: 1e-3, settings: BABY_SETTINGS });
  };
}
