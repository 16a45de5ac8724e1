/**
 * Lab 06 reference solutions, kept apart from the starters in labs/exercises/.
 */
import type { BlockActivations, BlockParams } from "../../lib/model/layout.ts";
import type { LayerOps } from "../../lib/model/ops.ts";

/** Exercise 06.1. */
export function layerNormForward(
  out: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array,
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const row = inp.subarray(n * C, n * C + C);
    const m = row.reduce((a, b) => a + b, 0) / C;
    const variance = row.reduce((a, b) => a + (b - m) * (b - m), 0) / C;
    const r = 1 / Math.sqrt(variance + 1e-5);
    row.forEach((x, i) => (out[n * C + i] = (x - m) * r * weight[i] + bias[i]));
    mean[n] = m;
    rstd[n] = r;
  }
}

/** Exercise 06.2. */
export function layerNormBackward(
  dinp: Float32Array,
  dweight: Float32Array,
  dbias: Float32Array,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const xhat: number[] = [], g: number[] = [];
    for (let i = 0; i < C; i++) {
      xhat.push((inp[n * C + i] - mean[n]) * rstd[n]);
      g.push(dout[n * C + i] * weight[i]);
      dweight[i] += xhat[i] * dout[n * C + i];
      dbias[i] += dout[n * C + i];
    }
    const gMean = g.reduce((a, b) => a + b, 0) / C;
    const gxMean = g.reduce((a, b, i) => a + b * xhat[i], 0) / C;
    for (let i = 0; i < C; i++) dinp[n * C + i] += rstd[n] * (g[i] - gMean - xhat[i] * gxMean);
  }
}

/** Exercise 06.3. */
export function blockForward(
  ops: LayerOps,
  h: BlockActivations,
  w: BlockParams,
  x: Float32Array,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const N = B * T, { attn, mlp } = w;
  ops.layerNormForward(h.ln_1, h.ln_1_mean, h.ln_1_rstd, x, w.ln_1.weight, w.ln_1.bias, N, C);
  ops.linearForward(h.qkv, h.ln_1, attn.c_attn.weight, attn.c_attn.bias, N, C, 3 * C);
  if (h.qkvr !== h.qkv) ops.ropeForward(h.qkvr, h.qkv, B, T, C, NH);
  ops.attentionForward(h.atty, h.preatt, h.att, h.qkvr, B, T, C, NH);
  ops.linearForward(h.attproj, h.atty, attn.c_proj.weight, attn.c_proj.bias, N, C, C);
  ops.residualForward(h.residual2, x, h.attproj, N * C);
  ops.layerNormForward(
    h.ln_2,
    h.ln_2_mean,
    h.ln_2_rstd,
    h.residual2,
    w.ln_2.weight,
    w.ln_2.bias,
    N,
    C,
  );
  ops.linearForward(h.fch, h.ln_2, mlp.c_fc.weight, mlp.c_fc.bias, N, C, 4 * C);
  ops.geluForward(h.fch_gelu, h.fch, N * 4 * C);
  ops.linearForward(h.fcproj, h.fch_gelu, mlp.c_proj.weight, mlp.c_proj.bias, N, 4 * C, C);
  ops.residualForward(h.residual3, h.residual2, h.fcproj, N * C);
}

/** Exercise 06.4. */
export function blockBackward(
  ops: LayerOps,
  dx: Float32Array,
  gw: BlockParams,
  dh: BlockActivations,
  x: Float32Array,
  w: BlockParams,
  h: BlockActivations,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const N = B * T, { attn, mlp } = w, ga = gw.attn, gm = gw.mlp;
  ops.residualBackward(dh.residual2, dh.fcproj, dh.residual3, N * C);
  ops.linearBackward(
    dh.fch_gelu,
    gm.c_proj.weight,
    gm.c_proj.bias,
    dh.fcproj,
    h.fch_gelu,
    mlp.c_proj.weight,
    N,
    4 * C,
    C,
  );
  ops.geluBackward(dh.fch, h.fch, dh.fch_gelu, N * 4 * C);
  ops.linearBackward(
    dh.ln_2,
    gm.c_fc.weight,
    gm.c_fc.bias,
    dh.fch,
    h.ln_2,
    mlp.c_fc.weight,
    N,
    C,
    4 * C,
  );
  ops.layerNormBackward(
    dh.residual2,
    gw.ln_2.weight,
    gw.ln_2.bias,
    dh.ln_2,
    h.residual2,
    w.ln_2.weight,
    h.ln_2_mean,
    h.ln_2_rstd,
    N,
    C,
  );
  ops.residualBackward(dx, dh.attproj, dh.residual2, N * C);
  ops.linearBackward(
    dh.atty,
    ga.c_proj.weight,
    ga.c_proj.bias,
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
    ga.c_attn.weight,
    ga.c_attn.bias,
    dh.qkv,
    h.ln_1,
    attn.c_attn.weight,
    N,
    C,
    3 * C,
  );
  ops.layerNormBackward(
    dx,
    gw.ln_1.weight,
    gw.ln_1.bias,
    dh.ln_1,
    x,
    w.ln_1.weight,
    h.ln_1_mean,
    h.ln_1_rstd,
    N,
    C,
  );
}
