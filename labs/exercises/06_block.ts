// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 06 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 06` again. Hints: `deno task hint 06.1`.
 *
 * N rows (positions), C channels; row n of a (N, C) array starts at n * C. As in llm.c, the
 * caller owns every buffer, and backward passes ADD into gradient buffers (+=).
 *
 * Exercises 06.3 and 06.4 write the block on the model's flat buffers: `ops` is the table of
 * layer functions (yours where your exercises pass, the library's elsewhere), `w` the block's
 * weights, `h` its activations; their names are GPT-2's, see lib/model/layout.ts.
 */
import type { BlockActivations, BlockParams } from "../../lib/model/layout.ts";
import type { LayerOps } from "../../lib/model/ops.ts";

/**
 * Exercise 06.1: LayerNorm. For each row: out = (inp − mean) / sqrt(variance + 1e-5) · weight
 * + bias, with the mean and the (biased) variance over the row's C values. Also store each
 * row's mean in `mean[n]` and 1 / sqrt(variance + 1e-5) in `rstd[n]`.
 */
export function layerNormForward(
  out: Float32Array, // (N, C)
  mean: Float32Array, // (N)
  rstd: Float32Array, // (N)
  inp: Float32Array, // (N, C)
  weight: Float32Array, // (C)
  bias: Float32Array, // (C)
  N: number,
  C: number,
): void {
  // TODO: normalise each row, then scale and shift.
  throw new Error("TODO: write layerNormForward");
}

/**
 * Exercise 06.2: LayerNorm's backward pass. Given dout, the gradient of the loss with respect to
 * `out`, add the gradients with respect to inp, weight and bias into dinp, dweight, dbias.
 */
export function layerNormBackward(
  dinp: Float32Array, // (N, C)
  dweight: Float32Array, // (C)
  dbias: Float32Array, // (C)
  dout: Float32Array, // (N, C)
  inp: Float32Array, // (N, C)
  weight: Float32Array, // (C)
  mean: Float32Array, // (N)
  rstd: Float32Array, // (N)
  N: number,
  C: number,
): void {
  // TODO: the chain rule through the scale and shift, then through the normalisation.
  throw new Error("TODO: write layerNormBackward");
}

/**
 * Exercise 06.3: the pre-norm block, forward. With N = B·T positions and one `ops` call per
 * line, fill every buffer of h (backward reads them):
 *   ln_1 = LayerNorm(x)            qkv = c_attn(ln_1)         atty = attention(qkv)
 *   attproj = c_proj(atty)         residual2 = x + attproj
 *   ln_2 = LayerNorm(residual2)    fch = c_fc(ln_2)           fch_gelu = GELU(fch)
 *   fcproj = mlp.c_proj(fch_gelu)  residual3 = residual2 + fcproj   (the block's output)
 * ops.linearForward(out, inp, weight, bias, N, C, OC), ops.geluForward(out, inp, n) and
 * ops.residualForward(out, a, b, n) are there beside your own layerNormForward and
 * attentionForward (whose qkv argument is h.qkvr: the same buffer as h.qkv without RoPE).
 */
export function blockForward(
  ops: LayerOps,
  h: BlockActivations, // this block's activations, filled here
  w: BlockParams, // ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj
  x: Float32Array, // (B, T, C) the residual stream entering the block
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  // TODO: ten ops calls, in the order of the diagram.
  throw new Error("TODO: write blockForward");
}

/**
 * Exercise 06.4: the block, backward. dh.residual3 holds the gradient of the block's output;
 * every other buffer of dh starts at zero. Run blockForward's calls in reverse, each layer's
 * backward (ops.residualBackward(da, db, dout, n) adds dout into both da and db), so as to ADD
 * the gradient of x into dx and of each weight into gw.
 */
export function blockBackward(
  ops: LayerOps,
  dx: Float32Array, // (B, T, C) gradient of the block's input, added to
  gw: BlockParams, // gradients of the block's weights, added to
  dh: BlockActivations, // gradients of its activations: residual3 given, the rest zero
  x: Float32Array, // (B, T, C) the block's input
  w: BlockParams,
  h: BlockActivations, // the activations blockForward kept
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  // TODO: blockForward's calls, from the last to the first.
  throw new Error("TODO: write blockBackward");
}
