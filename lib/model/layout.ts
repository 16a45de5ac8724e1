/**
 * Where every number of a GPT lives. Parameters, gradients and activations each sit in one
 * `Float32Array`; a size table (name → shape, in order) carves it into named views, as llm.c
 * does. Parameter names are nanoGPT's state_dict names for GPT-2 (`transformer.h.0.attn.c_attn.weight`),
 * so a checkpoint lines up with nanoGPT, llm.c and Hugging Face's GPT-2 (which stores its Conv1D
 * weights transposed: ours are (out, in) like nn.Linear).
 *
 * Shapes: B batch, T time, C channels (nEmbd), NH heads, L layers, V vocabulary.
 * @module
 */
import type { GPTConfig } from "./config.ts";

/** A tensor's name and shape, one row of a size table. */
export type TensorShape = [name: string, shape: number[]];

/** A weight with its bias, as LayerNorm and Linear have. */
export interface Affine {
  weight: Float32Array;
  bias: Float32Array;
}

/** One transformer block's parameters (or their gradients), named as in GPT-2. */
export interface BlockParams {
  ln_1: Affine; // (C), (C)
  attn: { c_attn: Affine; c_proj: Affine }; // (3C, C), (3C); (C, C), (C)
  ln_2: Affine; // (C), (C)
  mlp: { c_fc: Affine; c_proj: Affine }; // (4C, C), (4C); (C, 4C), (C)
}

/** All parameters (or gradients) of a GPT as views into one buffer. */
export interface ParameterViews {
  wte: Float32Array; // (V, C), also the output head
  wpe: Float32Array | null; // (blockSize, C), only for learned positions
  h: BlockParams[]; // L blocks
  ln_f: Affine; // (C), (C)
  /** The same views by their checkpoint names. */
  byName: Record<string, Float32Array>;
}

/** One block's activations, kept by the forward pass for the backward pass. */
export interface BlockActivations {
  ln_1: Float32Array; // (B, T, C)
  ln_1_mean: Float32Array; // (B, T)
  ln_1_rstd: Float32Array; // (B, T)
  qkv: Float32Array; // (B, T, 3C) c_attn's output
  qkvr: Float32Array; // (B, T, 3C) after RoPE; the same view as qkv without RoPE
  preatt: Float32Array; // (B, NH, T, T)
  att: Float32Array; // (B, NH, T, T)
  atty: Float32Array; // (B, T, C) attention output, before c_proj
  attproj: Float32Array; // (B, T, C)
  residual2: Float32Array; // (B, T, C) stream after attention
  ln_2: Float32Array; // (B, T, C)
  ln_2_mean: Float32Array; // (B, T)
  ln_2_rstd: Float32Array; // (B, T)
  fch: Float32Array; // (B, T, 4C)
  fch_gelu: Float32Array; // (B, T, 4C)
  fcproj: Float32Array; // (B, T, C)
  residual3: Float32Array; // (B, T, C) stream after the MLP: the block's output
}

/** All activations of one forward pass (or their gradients) as views into one buffer. */
export interface ActivationViews {
  encoded: Float32Array; // (B, T, C)
  h: BlockActivations[];
  ln_f: Float32Array; // (B, T, C)
  ln_f_mean: Float32Array; // (B, T)
  ln_f_rstd: Float32Array; // (B, T)
  logits: Float32Array; // (B, T, V)
  probs: Float32Array; // (B, T, V)
  losses: Float32Array; // (B, T)
}

const BLOCK_PARAMS: [string, (C: number) => number[]][] = [
  ["ln_1.weight", (C) => [C]],
  ["ln_1.bias", (C) => [C]],
  ["attn.c_attn.weight", (C) => [3 * C, C]],
  ["attn.c_attn.bias", (C) => [3 * C]],
  ["attn.c_proj.weight", (C) => [C, C]],
  ["attn.c_proj.bias", (C) => [C]],
  ["ln_2.weight", (C) => [C]],
  ["ln_2.bias", (C) => [C]],
  ["mlp.c_fc.weight", (C) => [4 * C, C]],
  ["mlp.c_fc.bias", (C) => [4 * C]],
  ["mlp.c_proj.weight", (C) => [C, 4 * C]],
  ["mlp.c_proj.bias", (C) => [C]],
];

/**
 * The shape of one block parameter, named as inside a block (`attn.c_attn.weight`), in a model of
 * width C.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockParamShape } from "./layout.ts";
 * assert.equal(blockParamShape("mlp.c_proj.weight", 8).join(), "8,32");
 * ```
 */
export function blockParamShape(name: string, C: number): number[] {
  const entry = BLOCK_PARAMS.find(([n]) => n === name);
  if (!entry) throw new Error(`A GPT block has no parameter named ${name}.`);
  return entry[1](C);
}

/**
 * The parameter size table of `config`, in buffer order. The output head is tied to
 * `transformer.wte.weight`, so it has no row of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parameterShapes } from "./layout.ts";
 * const t = parameterShapes({ vocabSize: 10, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 8 });
 * assert.ok(t[0][0] === "transformer.wte.weight" && t.length === 2 + 12 + 2);
 * ```
 */
export function parameterShapes(config: GPTConfig): TensorShape[] {
  const { vocabSize: V, blockSize, nLayer: L, nEmbd: C } = config;
  const table: TensorShape[] = [["transformer.wte.weight", [V, C]]];
  if ((config.positional ?? "learned") === "learned") {
    table.push(["transformer.wpe.weight", [blockSize, C]]);
  }
  for (let l = 0; l < L; l++) {
    for (const [name, shape] of BLOCK_PARAMS) table.push([`transformer.h.${l}.${name}`, shape(C)]);
  }
  table.push(["transformer.ln_f.weight", [C]], ["transformer.ln_f.bias", [C]]);
  return table;
}

/**
 * The activation size table of one forward pass on B sequences of T tokens.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activationShapes } from "./layout.ts";
 * const t = activationShapes({ vocabSize: 10, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 }, 3, 4);
 * assert.equal(t.find(([n]) => n === "h.0.att")![1].join(), "3,2,4,4");
 * ```
 */
export function activationShapes(config: GPTConfig, B: number, T: number): TensorShape[] {
  const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C } = config;
  const rope = config.positional === "rope";
  const table: TensorShape[] = [["encoded", [B, T, C]]];
  for (let l = 0; l < L; l++) {
    const rows: TensorShape[] = [
      ["ln_1", [B, T, C]],
      ["ln_1_mean", [B, T]],
      ["ln_1_rstd", [B, T]],
      ["qkv", [B, T, 3 * C]],
      ...(rope ? [["qkvr", [B, T, 3 * C]] as TensorShape] : []),
      ["preatt", [B, NH, T, T]],
      ["att", [B, NH, T, T]],
      ["atty", [B, T, C]],
      ["attproj", [B, T, C]],
      ["residual2", [B, T, C]],
      ["ln_2", [B, T, C]],
      ["ln_2_mean", [B, T]],
      ["ln_2_rstd", [B, T]],
      ["fch", [B, T, 4 * C]],
      ["fch_gelu", [B, T, 4 * C]],
      ["fcproj", [B, T, C]],
      ["residual3", [B, T, C]],
    ];
    for (const [name, shape] of rows) table.push([`h.${l}.${name}`, shape]);
  }
  table.push(
    ["ln_f", [B, T, C]],
    ["ln_f_mean", [B, T]],
    ["ln_f_rstd", [B, T]],
    ["logits", [B, T, V]],
    ["probs", [B, T, V]],
    ["losses", [B, T]],
  );
  return table;
}

/**
 * Number of floats a size table needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tableSize } from "./layout.ts";
 * assert.equal(tableSize([["a", [2, 3]], ["b", [4]]]), 10);
 * ```
 */
export function tableSize(table: TensorShape[]): number {
  return table.reduce((sum, [, shape]) => sum + numel(shape), 0);
}

/**
 * Number of elements of a tensor of this shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numel } from "./layout.ts";
 * assert.equal(numel([2, 3, 4]), 24);
 * ```
 */
export function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Carves `buffer` into consecutive views, one per row of `table`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { carve } from "./layout.ts";
 * const v = carve(new Float32Array(10), [["a", [2, 3]], ["b", [4]]]);
 * assert.ok(v.b.length === 4 && v.b.byteOffset === 24);
 * ```
 */
export function carve(buffer: Float32Array, table: TensorShape[]): Record<string, Float32Array> {
  const views: Record<string, Float32Array> = {};
  let offset = 0;
  for (const [name, shape] of table) {
    const n = numel(shape);
    views[name] = buffer.subarray(offset, offset + n);
    offset += n;
  }
  if (offset > buffer.length) {
    throw new Error(`The size table needs ${offset} floats but the buffer holds ${buffer.length}.`);
  }
  return views;
}

/**
 * Parameter (or gradient) views of `config` over `buffer`, as a tree with GPT-2's names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parameterShapes, parameterViews, tableSize } from "./layout.ts";
 * const config = { vocabSize: 10, blockSize: 4, nLayer: 2, nHead: 1, nEmbd: 8 };
 * const p = parameterViews(config, new Float32Array(tableSize(parameterShapes(config))));
 * assert.equal(p.h[1].mlp.c_fc.weight.length, 32 * 8);
 * ```
 */
export function parameterViews(config: GPTConfig, buffer: Float32Array): ParameterViews {
  const v = carve(buffer, parameterShapes(config));
  const affine = (prefix: string): Affine => ({
    weight: v[`${prefix}.weight`],
    bias: v[`${prefix}.bias`],
  });
  const h = Array.from({ length: config.nLayer }, (_, l): BlockParams => {
    const p = `transformer.h.${l}`;
    return {
      ln_1: affine(`${p}.ln_1`),
      attn: { c_attn: affine(`${p}.attn.c_attn`), c_proj: affine(`${p}.attn.c_proj`) },
      ln_2: affine(`${p}.ln_2`),
      mlp: { c_fc: affine(`${p}.mlp.c_fc`), c_proj: affine(`${p}.mlp.c_proj`) },
    };
  });
  return {
    wte: v["transformer.wte.weight"],
    wpe: v["transformer.wpe.weight"] ?? null,
    h,
    ln_f: affine("transformer.ln_f"),
    byName: v,
  };
}

/**
 * Activation (or activation-gradient) views for B×T over `buffer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activationShapes, activationViews, tableSize } from "./layout.ts";
 * const config = { vocabSize: 10, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 8 };
 * const a = activationViews(config, 2, 4, new Float32Array(tableSize(activationShapes(config, 2, 4))));
 * assert.ok(a.logits.length === 2 * 4 * 10 && a.h[0].qkvr === a.h[0].qkv);
 * ```
 */
export function activationViews(
  config: GPTConfig,
  B: number,
  T: number,
  buffer: Float32Array,
): ActivationViews {
  const v = carve(buffer, activationShapes(config, B, T));
  const h = Array.from({ length: config.nLayer }, (_, l): BlockActivations => {
    const get = (name: string) => v[`h.${l}.${name}`];
    return {
      ln_1: get("ln_1"),
      ln_1_mean: get("ln_1_mean"),
      ln_1_rstd: get("ln_1_rstd"),
      qkv: get("qkv"),
      qkvr: get("qkvr") ?? get("qkv"),
      preatt: get("preatt"),
      att: get("att"),
      atty: get("atty"),
      attproj: get("attproj"),
      residual2: get("residual2"),
      ln_2: get("ln_2"),
      ln_2_mean: get("ln_2_mean"),
      ln_2_rstd: get("ln_2_rstd"),
      fch: get("fch"),
      fch_gelu: get("fch_gelu"),
      fcproj: get("fcproj"),
      residual3: get("residual3"),
    };
  });
  return {
    encoded: v.encoded,
    h,
    ln_f: v.ln_f,
    ln_f_mean: v.ln_f_mean,
    ln_f_rstd: v.ln_f_rstd,
    logits: v.logits,
    probs: v.probs,
    losses: v.losses,
  };
}
