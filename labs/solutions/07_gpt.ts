/**
 * Lab 07 reference solutions, kept apart from the starters in labs/exercises/.
 */
import type { ActivationViews, ParameterViews } from "../../lib/model/layout.ts";
import type { GPTDims, GPTParts } from "../../lib/model/gpt.ts";

/** Exercise 07.1. */
export function crossEntropySoftmaxBackward(
  dlogits: Float32Array,
  dlosses: Float32Array,
  probs: Float32Array,
  targets: Int32Array,
  N: number,
  V: number,
): void {
  for (let n = 0; n < N; n++) {
    for (let v = 0; v < V; v++) {
      const p = probs[n * V + v];
      dlogits[n * V + v] += (v === targets[n] ? p - 1 : p) * dlosses[n];
    }
  }
}

/** Exercise 07.2. */
export function linearBackward(
  dinp: Float32Array,
  dweight: Float32Array,
  dbias: Float32Array | null,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  N: number,
  C: number,
  OC: number,
): void {
  // Each gradient entry is a sum over what its value touched.
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let o = 0; o < OC; o++) s += dout[n * OC + o] * weight[o * C + c];
      dinp[n * C + c] += s;
    }
  }
  for (let o = 0; o < OC; o++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += dout[n * OC + o] * inp[n * C + c];
      dweight[o * C + c] += s;
    }
  }
  if (dbias) {
    for (let n = 0; n < N; n++) for (let o = 0; o < OC; o++) dbias[o] += dout[n * OC + o];
  }
}

/** Exercise 07.3. */
export function gptForward(
  ops: GPTParts,
  p: ParameterViews,
  a: ActivationViews,
  inputs: Int32Array,
  targets: Int32Array | null,
  B: number,
  T: number,
  config: GPTDims,
): number | null {
  const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C } = config, N = B * T;
  ops.encoderForward(a.encoded, inputs, p.wte, p.wpe, B, T, C);
  let x = a.encoded;
  for (let l = 0; l < L; l++) {
    ops.blockForward(ops, a.h[l], p.h[l], x, B, T, C, NH);
    x = a.h[l].residual3;
  }
  ops.layerNormForward(a.ln_f, a.ln_f_mean, a.ln_f_rstd, x, p.ln_f.weight, p.ln_f.bias, N, C);
  ops.linearForward(a.logits, a.ln_f, p.wte, null, N, C, V);
  ops.softmaxForward(a.probs, a.logits, N, V);
  if (!targets) return null;
  ops.crossEntropyForward(a.losses, a.probs, targets, N, V);
  let sum = 0;
  for (let n = 0; n < N; n++) sum += a.losses[n];
  return sum / N;
}

/** Exercise 07.4. */
export function gptBackward(
  ops: GPTParts,
  g: ParameterViews,
  d: ActivationViews,
  p: ParameterViews,
  a: ActivationViews,
  inputs: Int32Array,
  targets: Int32Array,
  B: number,
  T: number,
  config: GPTDims,
): void {
  const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C } = config, N = B * T;
  ops.crossEntropySoftmaxBackward(d.logits, d.losses, a.probs, targets, N, V);
  ops.linearBackward(d.ln_f, g.wte, null, d.logits, a.ln_f, p.wte, N, C, V);
  const x = L > 0 ? a.h[L - 1].residual3 : a.encoded;
  const dx = L > 0 ? d.h[L - 1].residual3 : d.encoded;
  ops.layerNormBackward(
    dx,
    g.ln_f.weight,
    g.ln_f.bias,
    d.ln_f,
    x,
    p.ln_f.weight,
    a.ln_f_mean,
    a.ln_f_rstd,
    N,
    C,
  );
  for (let l = L - 1; l >= 0; l--) {
    const inp = l > 0 ? a.h[l - 1].residual3 : a.encoded;
    const dinp = l > 0 ? d.h[l - 1].residual3 : d.encoded;
    ops.blockBackward(ops, dinp, g.h[l], d.h[l], inp, p.h[l], a.h[l], B, T, C, NH);
  }
  ops.encoderBackward(g.wte, g.wpe, d.encoded, inputs, B, T, C);
}
