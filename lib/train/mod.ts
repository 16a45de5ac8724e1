/**
 * Training: corpora and token datasets (corpus.ts, dataset.ts), the training loop with AdamW
 * on a warmup + cosine schedule (trainer.ts, schedule.ts), checkpoints and safetensors
 * (checkpoint.ts, safetensors.ts), fine-tuning and LoRA (finetune.ts, lora.ts, style_data.ts),
 * the presets (presets.ts), and the runners of `deno task train` and `deno task sample`.
 *
 * Imports: lib/wasm (to pick a backend), lib/model, lib/layers, lib/tokenizer and the root
 * utilities.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learningRate } from "./mod.ts";
 * const o = { maxLr: 1e-3, minLr: 1e-4, warmupSteps: 10, decaySteps: 100 };
 * assert.equal(learningRate(100, o), 1e-4);
 * ```
 * @module
 */
export * from "./checkpoint.ts";
export * from "./corpus.ts";
export * from "./dataset.ts";
export * from "./finetune.ts";
export * from "./lora.ts";
export * from "./presets.ts";
export * from "./run_sample.ts";
export * from "./run_train.ts";
export * from "./safetensors.ts";
export * from "./schedule.ts";
export * from "./style_data.ts";
export * from "./trainer.ts";
