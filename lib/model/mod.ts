/**
 * The model: its config and presets of shape (config.ts), the transformer block (block.ts), the
 * GPT with its forward and backward (gpt.ts) over buffers laid out by layout.ts, the table of
 * layer functions it calls (ops.ts, `LayerOps`; gpt.ts's `ModelOps` adds the block's and the
 * whole model's passes), generation with a KV cache (generate.ts), the plain autoregressive
 * loop a student writes (generation_loop.ts) and sampling (sampling.ts).
 *
 * Imports: lib/layers and the root utilities. It never imports lib/wasm: the kernels come in
 * through `GPTOptions.ops`, filled by lib/wasm/backend.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generate, GPT } from "./mod.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
 * assert.equal(generate(model, [1, 2], { maxTokens: 3, temperature: 0 }).length, 3);
 * ```
 * @module
 */
export * from "./block.ts";
export * from "./config.ts";
export * from "./generate.ts";
export * from "./generation_loop.ts";
export * from "./gpt.ts";
export * from "./layout.ts";
export * from "./ops.ts";
export * from "./sampling.ts";
