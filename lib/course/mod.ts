/**
 * The course machinery: the lab runner and its report (lab.ts, report.ts), exercises and their
 * checks (exercise.ts, the cases they compare: cases.ts, own_code.ts, gradcheck.ts), `deno task
 * doctor` (doctor.ts), a lab's training run reused while its inputs are unchanged (run_cache.ts),
 * the reading list (reading.ts), the tools some labs teach with (word2vec.ts, vectors.ts,
 * contextual.ts, sample_stats.ts), and your GPT, the model filled with the student's parts
 * (your_gpt.ts). The labs' content (steps, texts, the exercise catalog) lives in labs/, above it:
 * nothing here imports labs/.
 *
 * Imports: lib/train, lib/wasm, lib/model, lib/layers, lib/tokenizer and the root utilities.
 * lib/grade sits above it and uses its exercise types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineSimilarity } from "./mod.ts";
 * assert.equal(cosineSimilarity(new Float32Array([1, 0]), new Float32Array([2, 0])), 1);
 * ```
 * @module
 */
export * from "./contextual.ts";
export * from "./doctor.ts";
export * from "./cases.ts";
export * from "./exercise.ts";
export * from "./gradcheck.ts";
export * from "./lab.ts";
export * from "./own_code.ts";
export * from "./reading.ts";
export * from "./report.ts";
export * from "./run_cache.ts";
export * from "./sample_stats.ts";
export * from "./vectors.ts";
export * from "./word2vec.ts";
export * from "./your_gpt.ts";
