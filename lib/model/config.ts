/**
 * The shape of a GPT: its hyperparameters (GPT-2's names), GPT-2 small's for comparison, and the
 * exact parameter count that follows from them. The named presets live in lib/train/presets.ts.
 * @module
 */

/** How token positions enter the model. */
export type PositionalEncoding = "learned" | "sinusoidal" | "rope";

/** Hyperparameters of a GPT-2-style model (pre-norm, 4× MLP, tied output head). */
export interface GPTConfig {
  /** Number of distinct tokens, V. */
  vocabSize: number;
  /** Longest sequence the model reads, T (GPT-2's n_ctx, nanoGPT's block_size). */
  blockSize: number;
  /** Transformer blocks, L. */
  nLayer: number;
  /** Attention heads per block, NH; must divide nEmbd. */
  nHead: number;
  /** Width of the residual stream, C. */
  nEmbd: number;
  /** Default "learned", as GPT-2. Only "learned" has parameters (the wpe table). */
  positional?: PositionalEncoding;
}

/** GPT-2 small, the 124M model, for comparisons. */
export const GPT2_SMALL: GPTConfig = {
  vocabSize: 50257,
  blockSize: 1024,
  nLayer: 12,
  nHead: 12,
  nEmbd: 768,
};

/**
 * Exact number of trainable parameters of a GPT with this config: token embeddings (shared with
 * the output head), position embeddings when learned, each block's two LayerNorms, attention
 * (qkv and output projections with biases) and MLP (C → 4C → C with biases), and the final LayerNorm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countParameters, GPT2_SMALL } from "./config.ts";
 * assert.equal(countParameters(GPT2_SMALL), 124_439_808);
 * ```
 */
export function countParameters(config: GPTConfig): number {
  const { vocabSize: V, blockSize: T, nLayer: L, nEmbd: C } = config;
  const wte = V * C;
  const wpe = (config.positional ?? "learned") === "learned" ? T * C : 0;
  const lns = 2 * (2 * C); // ln_1 and ln_2: weight and bias each
  const attn = C * 3 * C + 3 * C + C * C + C; // c_attn and c_proj
  const mlp = C * 4 * C + 4 * C + 4 * C * C + C; // c_fc and c_proj
  const lnf = 2 * C;
  return wte + wpe + L * (lns + attn + mlp) + lnf;
}
