/**
 * The presets, in one place: each names a model shape (without its vocabulary, which comes from
 * the tokenizer) and the settings it trains with. `deno task train --preset`, the labs, the
 * benchmarks and the tests all read them here.
 * @module
 */
import type { GPTConfig } from "../model/config.ts";
import type { TrainSettings } from "./trainer.ts";

/** The names of the presets. */
export type PresetName = "baby" | "mini" | "nano";

/**
 * Named model sizes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countParameters } from "../model/config.ts";
 * import { PRESETS } from "./presets.ts";
 * assert.equal(countParameters({ ...PRESETS.baby, vocabSize: 65 }), 809_856);
 * ```
 */
export const PRESETS: Record<PresetName, Omit<GPTConfig, "vocabSize">> = {
  /** nanoGPT's CPU config for shakespeare_char. */
  baby: { blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 },
  /** The course's table: 6 layers, 8 heads, 256 wide, context 128. */
  mini: { blockSize: 128, nLayer: 6, nHead: 8, nEmbd: 256 },
  /** nanoGPT's shakespeare_char config. */
  nano: { blockSize: 256, nLayer: 6, nHead: 6, nEmbd: 384 },
};

/** nanoGPT's CPU "baby GPT" run on tiny shakespeare: the settings the others start from. */
export const BABY_SETTINGS: TrainSettings = {
  batchSize: 12,
  steps: 2000,
  warmupSteps: 100,
  maxLr: 1e-3,
  minLr: 1e-4,
  beta1: 0.9,
  beta2: 0.99,
  weightDecay: 0.1,
  gradClip: 1.0,
  evalEvery: 250,
  evalBatches: 20,
  seed: 1337,
};

/** The settings each preset trains with. */
export const TRAIN_PRESETS: Record<PresetName, TrainSettings> = {
  baby: BABY_SETTINGS,
  mini: { ...BABY_SETTINGS, batchSize: 32, steps: 3000, maxLr: 6e-4, minLr: 6e-5 },
  nano: { ...BABY_SETTINGS, batchSize: 64, steps: 5000, evalEvery: 500 },
};
