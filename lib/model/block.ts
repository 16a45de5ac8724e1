/**
 * One transformer block, forward and backward, as free functions over the model's flat buffers:
 * GPT-2's pre-norm arrangement, x + attn(ln_1(x)) then + mlp(ln_2(x)), with the MLP as
 * c_fc → GELU → c_proj, in llm.c's order. Every layer call goes through the table `ops`, so the
 * SIMD kernels, or a student's own functions (lib/course/your_gpt.ts), can stand in for any
 * layer. The model's forward pass and the KV cache's per-token step (lib/model/generate.ts) run
 * the same block code, `blockLayers`; only how attention is done differs.
 *
 * Shapes: B batch, T time, C channels, NH heads, N = B·T positions.
 * @module
 */
import type { BlockActivations, BlockParams } from "./layout.ts";
import type { LayerOps } from "./ops.ts";

/** The buffers one block writes for N positions: a forward pass's activations, or a KV cache's row. */
export type BlockBuffers = Omit<BlockActivations, "preatt" | "att">;

/**
 * The block's layers over N positions, x (N, C) → h.residual3 (N, C). `attend` fills h.atty
 * (N, C) from h.qkv (N, 3C): causal attention over the whole sequence for the model, one query
 * against the cached keys and values for the KV cache. x may be h.residual3 itself: it is read
 * before that is written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockLayers } from "./block.ts";
 * import { GPT } from "./gpt.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 }, 0);
 * model.forward(new Int32Array([1, 2]), null, 1, 2);
 * const { encoded, h } = model.acts!;
 * const out = h[0].residual3.slice();
 * blockLayers(model.ops, model.p.h[0], h[0], encoded, 2, 8, (h) =>
 *   model.ops.attentionForward(h.atty, h.preatt, h.att, h.qkvr, 1, 2, 8, 2));
 * assert.deepEqual(h[0].residual3, out);
 * ```
 */
// deno-fmt-ignore
export function blockLayers<H extends BlockBuffers>(ops: LayerOps, w: BlockParams, h: H, x: Float32Array, N: number, C: number, attend: (h: H) => void): void {
  ops.layerNormForward(h.ln_1, h.ln_1_mean, h.ln_1_rstd, x, w.ln_1.weight, w.ln_1.bias, N, C); // ln_1 (N, C)
  ops.linearForward(h.qkv, h.ln_1, w.attn.c_attn.weight, w.attn.c_attn.bias, N, C, 3 * C); // qkv (N, 3C)
  attend(h); // atty (N, C)
  ops.linearForward(h.attproj, h.atty, w.attn.c_proj.weight, w.attn.c_proj.bias, N, C, C); // attproj (N, C)
  ops.residualForward(h.residual2, x, h.attproj, N * C); // residual2 (N, C)
  ops.layerNormForward(h.ln_2, h.ln_2_mean, h.ln_2_rstd, h.residual2, w.ln_2.weight, w.ln_2.bias, N, C); // ln_2 (N, C)
  ops.linearForward(h.fch, h.ln_2, w.mlp.c_fc.weight, w.mlp.c_fc.bias, N, C, 4 * C); // fch (N, 4C)
  ops.geluForward(h.fch_gelu, h.fch, N * 4 * C); // fch_gelu (N, 4C)
  ops.linearForward(h.fcproj, h.fch_gelu, w.mlp.c_proj.weight, w.mlp.c_proj.bias, N, 4 * C, C); // fcproj (N, C)
  ops.residualForward(h.residual3, h.residual2, h.fcproj, N * C); // residual3 (N, C)
}

/**
 * Runs block `w` on the residual stream `x` (B, T, C) with causal self-attention, filling every
 * activation of `h`; the block's output is `h.residual3`. Exercise 06.3 writes this one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockForward } from "./block.ts";
 * import { GPT } from "./gpt.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 }, 0);
 * model.forward(new Int32Array([1, 2]), null, 1, 2);
 * const { encoded, h } = model.acts!;
 * const out = h[0].residual3.slice();
 * blockForward(model.ops, h[0], model.p.h[0], encoded, 1, 2, 8, 2);
 * assert.deepEqual(h[0].residual3, out);
 * ```
 */
export function blockForward(
  ops: LayerOps,
  h: BlockActivations,
  w: BlockParams,
  x: Float32Array, // (B, T, C)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  blockLayers(ops, w, h, x, B * T, C, (h) => { // qkv (B, T, 3C) → atty (B, T, C)
    if (h.qkvr !== h.qkv) ops.ropeForward(h.qkvr, h.qkv, B, T, C, NH);
    ops.attentionForward(h.atty, h.preatt, h.att, h.qkvr, B, T, C, NH);
  });
}

/**
 * The block's backward pass: from the gradient of its output, `dh.residual3`, adds the gradient
 * of its input into `dx` and of its parameters into `gw`. The other entries of `dh` must start
 * at zero. The calls run in reverse order of the forward pass; the stream's gradient is added to
 * from two paths at each residual, which is why every backward adds (+=).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "./gpt.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 }, 0);
 * model.forward(new Int32Array([1, 2]), new Int32Array([2, 3]), 1, 2);
 * model.zeroGrad();
 * model.backward(); // calls blockBackward for the block
 * assert.ok(model.g.h[0].ln_1.weight.some((g) => g !== 0));
 * ```
 */
// deno-fmt-ignore
export function blockBackward(ops: LayerOps, dx: Float32Array, gw: BlockParams, dh: BlockActivations, x: Float32Array, w: BlockParams, h: BlockActivations, B: number, T: number, C: number, NH: number): void {
  const N = B * T;
  ops.residualBackward(dh.residual2, dh.fcproj, dh.residual3, N * C); // residual3 = residual2 + fcproj: (N, C) each
  ops.linearBackward(dh.fch_gelu, gw.mlp.c_proj.weight, gw.mlp.c_proj.bias, dh.fcproj, h.fch_gelu, w.mlp.c_proj.weight, N, 4 * C, C); // dfch_gelu (N, 4C)
  ops.geluBackward(dh.fch, h.fch, dh.fch_gelu, N * 4 * C); // dfch (N, 4C)
  ops.linearBackward(dh.ln_2, gw.mlp.c_fc.weight, gw.mlp.c_fc.bias, dh.fch, h.ln_2, w.mlp.c_fc.weight, N, C, 4 * C); // dln_2 (N, C)
  ops.layerNormBackward(dh.residual2, gw.ln_2.weight, gw.ln_2.bias, dh.ln_2, h.residual2, w.ln_2.weight, h.ln_2_mean, h.ln_2_rstd, N, C); // dresidual2 (N, C), added to the residual path's
  ops.residualBackward(dx, dh.attproj, dh.residual2, N * C); // residual2 = x + attproj: (N, C) each
  ops.linearBackward(dh.atty, gw.attn.c_proj.weight, gw.attn.c_proj.bias, dh.attproj, h.atty, w.attn.c_proj.weight, N, C, C); // datty (N, C)
  ops.attentionBackward(dh.qkvr, dh.preatt, dh.att, dh.atty, h.qkvr, h.att, B, T, C, NH); // dqkv (N, 3C)
  if (h.qkvr !== h.qkv) ops.ropeBackward(dh.qkv, dh.qkvr, B, T, C, NH); // (N, 3C)
  ops.linearBackward(dh.ln_1, gw.attn.c_attn.weight, gw.attn.c_attn.bias, dh.qkv, h.ln_1, w.attn.c_attn.weight, N, C, 3 * C); // dln_1 (N, C)
  ops.layerNormBackward(dx, gw.ln_1.weight, gw.ln_1.bias, dh.ln_1, x, w.ln_1.weight, h.ln_1_mean, h.ln_1_rstd, N, C); // dx (N, C), added to the residual path's
}
