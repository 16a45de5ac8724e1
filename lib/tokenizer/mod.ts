/**
 * Tokenizers: text to token ids and back.
 *
 * - char.ts: one id per character (the char-level presets);
 * - basic.ts: BPE's steps written plainly (the exercises' references and the tests' oracle);
 * - regex.ts: GPT-2's and GPT-4's pre-split patterns;
 * - bpe.ts: the byte-level BPE tokenizer (encode, decode, special tokens, inspection), with
 *   merge.ts (merging one chunk) and pair_table.ts (the pair → rank lookup) under it;
 * - train.ts: fast training; io.ts: the readable file format;
 * - tiktoken.ts: GPT-2's own tokenizer, from the ranks in `npm:js-tiktoken`;
 * - hf.ts: Hugging Face's files (GPT-2's vocab.json + merges.txt, a character tokenizer.json);
 * - words.ts: word-level tokenization (what BPE replaced) and GPT-2's byte-to-character table.
 *
 * Imports: the root utilities of lib/ only (it sits beside lib/layers, at the bottom).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainBpe } from "./mod.ts";
 * const tok = trainBpe("low lower lowest", { vocabSize: 262 });
 * assert.equal(tok.decode(tok.encode("lowest low")), "lowest low");
 * ```
 * @module
 */
export * from "./basic.ts";
export * from "./bpe.ts";
export * from "./char.ts";
export * from "./hf.ts";
export * from "./io.ts";
export * from "./regex.ts";
export * from "./tiktoken.ts";
export * from "./train.ts";
export * from "./words.ts";
