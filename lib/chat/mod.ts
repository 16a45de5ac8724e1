/**
 * The small chat model: generated conversations (data.ts), the chat template and its tokenizer
 * (template.ts), supervised fine-tuning on the assistant's tokens (sft.ts, presets.ts,
 * run_sft.ts), answering and evaluation (eval.ts), and the chat itself, in the terminal or a
 * browser (session.ts, terminal.ts, web.ts).
 *
 * Imports: lib/train, lib/wasm, lib/model, lib/layers, lib/tokenizer and the root utilities.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatConversation } from "./mod.ts";
 * const text = formatConversation([{ role: "user", text: "hi" }]);
 * assert.ok(text.includes("hi"));
 * ```
 * @module
 */
export * from "./data.ts";
export * from "./eval.ts";
export * from "./presets.ts";
export * from "./run_sft.ts";
export * from "./session.ts";
export * from "./sft.ts";
export * from "./template.ts";
export * from "./terminal.ts";
export * from "./web.ts";
