/**
 * One transformer block, forward and backward, as free functions over the model's flat buffers:
 * GPT-2's pre-norm arrangement, x + attn(ln_1(x)) then + mlp(ln_2(x)), with the MLP as
 * c_fc → GELU → c_proj. Every layer call goes through the table `ops`, so the SIMD kernels, or a
 * student's own functions (lib/course/your_gpt.ts), can stand in for any layer.
 *
 * Shapes: B batch, T time, C channels, NH heads, N = B·T positions.
 * @module
 */
import type { BlockActivations, BlockParams } from "./layout.ts";
import type { LayerOps } from "./ops.ts";

/**
 * Runs block `w` on the residual stream `x` (B, T, C), filling every activation of `h`; the
 * block's output is `h.residual3`.
 *
 * @example
 * ```ts
 * import { blockForward } from "./block.ts";
 * import { GPT } from "./gpt.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 }, 0);
 * model.forward(new Int32Array([1, 2]), null, 1, 2);
 * const { encoded, h } = model.acts!;
 * const out = h[0].residual3.slice();
 * blockForward(model.ops, h[0], model.p.h[0], encoded, 1, 2, 8, 2);
 * console.assert(out.every((v, i) => v === h[0].residual3[i]));
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
  const N = B * T;
  ops.layerNormForward(h.ln_1, h.ln_1_mean, h.ln_1_rstd, x, w.ln_1.weight, w.ln_1.bias, N, C);
  ops.linearForward(h.qkv, h.ln_1, w.attn.c_attn.weight, w.attn.c_attn.bias, N, C, 3 * C);
  if (h.qkvr !== h.qkv) ops.ropeForward(h.qkvr, h.qkv, B, T, C, NH);
  ops.attentionForward(h.atty, h.preatt, h.att, h.qkvr, B, T, C, NH);
  ops.linearForward(h.attproj, h.atty, w.attn.c_proj.weight, w.attn.c_proj.bias, N, C, C);
  ops.residualForward(h.residual2, x, h.attproj, N * C);
  const { ln_2 } = w;
  ops.layerNormForward(h.ln_2, h.ln_2_mean, h.ln_2_rstd, h.residual2, ln_2.weight, ln_2.bias, N, C);
  ops.linearForward(h.fch, h.ln_2, w.mlp.c_fc.weight, w.mlp.c_fc.bias, N, C, 4 * C);
  ops.geluForward(h.fch_gelu, h.fch, N * 4 * C);
  ops.linearForward(h.fcproj, h.fch_gelu, w.mlp.c_proj.weight, w.mlp.c_proj.bias, N, 4 * C, C);
  ops.residualForward(h.residual3, h.residual2, h.fcproj, N * C);
}

/**
 * The block's backward pass: from the gradient of its output, `dh.residual3`, adds the gradient
 * of its input into `dx` and of its parameters into `gw`. The other entries of `dh` must start
 * at zero. The calls run in reverse order of the forward pass; the stream's gradient is added to
 * from two paths at each residual, which is why every backward adds (+=).
 *
 * @example
 * ```ts
 * import { GPT } from "./gpt.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 }, 0);
 * model.forward(new Int32Array([1, 2]), new Int32Array([2, 3]), 1, 2);
 * model.zeroGrad();
 * model.backward(); // calls blockBackward for the block
 * console.assert(model.g.h[0].ln_1.weight.some((g) => g !== 0));
 * ```
 */
export function blockBackward(
  ops: LayerOps,
  dx: Float32Array, // (B, T, C)
  gw: BlockParams,
  dh: BlockActivations,
  x: Float32Array, // (B, T, C)
  w: BlockParams,
  h: BlockActivations,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const N = B * T, { c_fc, c_proj } = w.mlp, gmlp = gw.mlp, attn = w.attn, gattn = gw.attn;
  // residual3 = residual2 + fcproj: the gradient reaches both.
  ops.residualBackward(dh.residual2, dh.fcproj, dh.residual3, N * C);
  ops.linearBackward(
    dh.fch_gelu,
    gmlp.c_proj.weight,
    gmlp.c_proj.bias,
    dh.fcproj,
    h.fch_gelu,
    c_proj.weight,
    N,
    4 * C,
    C,
  );
  ops.geluBackward(dh.fch, h.fch, dh.fch_gelu, N * 4 * C);
  ops.linearBackward(
    dh.ln_2,
    gmlp.c_fc.weight,
    gmlp.c_fc.bias,
    dh.fch,
    h.ln_2,
    c_fc.weight,
    N,
    C,
    4 * C,
  );
  const { ln_2 } = gw;
  ops.layerNormBackward(
    dh.residual2, // adds to what the residual path brought
    ln_2.weight,
    ln_2.bias,
    dh.ln_2,
    h.residual2,
    w.ln_2.weight,
    h.ln_2_mean,
    h.ln_2_rstd,
    N,
    C,
  );
  // residual2 = x + attproj.
  ops.residualBackward(dx, dh.attproj, dh.residual2, N * C);
  ops.linearBackward(
    dh.atty,
    gattn.c_proj.weight,
    gattn.c_proj.bias,
    dh.attproj,
    h.atty,
    attn.c_proj.weight,
    N,
    C,
    C,
  );
  ops.attentionBackward(dh.qkvr, dh.preatt, dh.att, dh.atty, h.qkvr, h.att, B, T, C, NH);
  if (h.qkvr !== h.qkv) ops.ropeBackward(dh.qkv, dh.qkvr, B, T, C, NH);
  ops.linearBackward(
    dh.ln_1,
    gattn.c_attn.weight,
    gattn.c_attn.bias,
    dh.qkv,
    h.ln_1,
    attn.c_attn.weight,
    N,
    C,
    3 * C,
  );
  const { ln_1 } = gw;
  ops.layerNormBackward(
    dx, // adds to what the residual path brought
    ln_1.weight,
    ln_1.bias,
    dh.ln_1,
    x,
    w.ln_1.weight,
    h.ln_1_mean,
    h.ln_1_rstd,
    N,
    C,
  );
}
