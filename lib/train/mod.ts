/**
 * Training: corpora and token datasets (corpus.ts, dataset.ts), the training loop (loop.ts, lib/'s
 * or a student's), one optimizer step with clipping and AdamW (step.ts), the run around it on a
 * warmup + cosine schedule (trainer.ts, schedule.ts), checkpoints and safetensors (checkpoint.ts,
 * safetensors.ts) and the checks a run makes before it writes (preflight.ts), fine-tuning and LoRA
 * (finetune.ts, lora.ts, its adapters files: adapters.ts, style_data.ts), the presets
 * (presets.ts), the progress lines they all print (progress.ts), the runners of `deno task train`
 * and `deno task sample` (Ctrl-C as a request to stop: interrupt.ts), and the way out to other
 * frameworks: Hugging Face's GPT-2 folder (hf.ts), llm.c's files (llmc.ts), `deno task export` /
 * `import` (export.ts) and PyTorch beside us (pytorch.ts).
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
export * from "./adapters.ts";
export * from "./checkpoint.ts";
export * from "./corpus.ts";
export * from "./dataset.ts";
export * from "./export.ts";
export * from "./finetune.ts";
export * from "./hf.ts";
export * from "./interrupt.ts";
export * from "./llmc.ts";
export * from "./loop.ts";
export * from "./lora.ts";
export * from "./preflight.ts";
export * from "./presets.ts";
export * from "./progress.ts";
export * from "./pytorch.ts";
export * from "./run_sample.ts";
export * from "./run_train.ts";
export * from "./safetensors.ts";
export * from "./schedule.ts";
export * from "./style_data.ts";
export * from "./step.ts";
export * from "./trainer.ts";
