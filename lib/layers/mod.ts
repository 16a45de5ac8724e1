/**
 * The layers, as TypeScript twins: one op per file, each a forward/backward pair on flat
 * `Float32Array`s with GPT-2's names and llm.c's argument order, shapes in their docs: encoder,
 * linear (with matmul under it), attention (single_head.ts and attention_step.ts beside it),
 * layernorm, gelu, residual, softmax, crossentropy, positional, fill and the optimizer's adamw.
 * They are the reference every kernel is tested against and the default of every model.
 *
 * Imports: the root utilities of lib/ only. Everything else may import them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { geluBackward, geluForward } from "./mod.ts";
 * const out = new Float32Array(1), dinp = new Float32Array(1);
 * geluForward(out, new Float32Array([0]), 1);
 * geluBackward(dinp, new Float32Array([0]), new Float32Array([1]), 1);
 * assert.equal(out[0], 0);
 * assert.ok(Math.abs(dinp[0] - 0.5) < 1e-6); // GELU'(0) = 1/2
 * ```
 * @module
 */
export * from "./adamw.ts";
export * from "./attention.ts";
export * from "./attention_step.ts";
export * from "./crossentropy.ts";
export * from "./encoder.ts";
export * from "./fill.ts";
export * from "./gelu.ts";
export * from "./layernorm.ts";
export * from "./linear.ts";
export * from "./matmul.ts";
export * from "./positional.ts";
export * from "./residual.ts";
export * from "./single_head.ts";
export * from "./softmax.ts";
