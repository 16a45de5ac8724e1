/**
 * One training step of a model on a fixed random batch, as `bench train` and `bench profile` time
 * it: the same tokens every step (seeded), AdamW with the baby settings and their decay groups;
 * and the same step as the suites ask PyTorch for it (lib/bench/torch_gpt.py's cases).
 * Leaves out data loading and evaluation, which the suites leave out too.
 * @module
 */
import type { GPT } from "../model/gpt.ts";
import { Rng } from "../random.ts";
import { BABY_SETTINGS, PRESETS } from "../train/presets.ts";
import { decayGroups, trainStep } from "../train/step.ts";

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

/** A case as lib/bench/torch_gpt.py's `trainer` reads it. */
export interface TorchCase {
  vocab: number;
  block: number;
  layers: number;
  heads: number;
  embd: number;
  batch: number;
  steps: number;
}

/**
 * The PyTorch side's case for a preset trained at batch B over a vocabulary of V, timed over
 * `steps` steps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { torchCase } from "./fixed_step.ts";
 * assert.deepEqual(torchCase("baby", 65, 12, 3), { vocab: 65, block: 64, layers: 4, heads: 4, embd: 128, batch: 12, steps: 3 });
 * ```
 */
export function torchCase(
  preset: keyof typeof PRESETS,
  V: number,
  B: number,
  steps: number,
): TorchCase {
  const p = PRESETS[preset];
  return {
    vocab: V,
    block: p.blockSize,
    layers: p.nLayer,
    heads: p.nHead,
    embd: p.nEmbd,
    batch: B,
    steps,
  };
}
