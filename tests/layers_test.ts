import assert from "node:assert/strict";
import { attentionBackward, attentionForward } from "../lib/layers/attention.ts";
import {
  crossEntropyForward,
  crossEntropySoftmaxBackward,
  softmaxForward,
} from "../lib/layers/crossentropy.ts";
import { encoderBackward, encoderForward } from "../lib/layers/encoder.ts";
import { geluBackward, geluForward } from "../lib/layers/gelu.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { layerNormBackward, layerNormForward } from "../lib/layers/layernorm.ts";
import { linearBackward, linearForward } from "../lib/layers/linear.ts";
import { ropeBackward, ropeForward, sinusoidalTable } from "../lib/layers/positional.ts";
import { Rng } from "../lib/random.ts";
import { residualBackward, residualForward } from "../lib/layers/residual.ts";

// Each layer is checked on the scalar loss Σ out·w for a fixed random w, whose gradient with
// respect to out is w: the backward pass is fed dout = w and compared with finite differences.
const TOLERANCE = 2e-3; // relative error; a wrong gradient scores near 1

function weightedSum(out: Float32Array, w: Float32Array): number {
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * w[i];
  return s;
}

function check(name: string, loss: () => number, x: Float32Array, grad: Float32Array) {
  const r = gradCheck(loss, x, grad);
  assert.ok(r.relativeError < TOLERANCE, `${name}: relative error ${r.relativeError}`);
}

Deno.test("encoder gradients for wte and wpe match finite differences within 2e-3", () => {
  const [B, T, C, V] = [2, 3, 4, 5];
  const rng = new Rng(1);
  const inp = new Int32Array([0, 3, 3, 4, 1, 3]);
  const wte = rng.normalArray(V * C), wpe = rng.normalArray(T * C), w = rng.normalArray(B * T * C);
  const out = new Float32Array(B * T * C);
  const loss = () => (encoderForward(out, inp, wte, wpe, B, T, C), weightedSum(out, w));
  const dwte = new Float32Array(V * C), dwpe = new Float32Array(T * C);
  encoderBackward(dwte, dwpe, w, inp, B, T, C);
  check("wte", loss, wte, dwte);
  check("wpe", loss, wpe, dwpe);
  assert.ok(dwte.subarray(2 * C, 3 * C).every((g) => g === 0), "unused token 2 gets no gradient");
});

Deno.test("linear gradients for input, weight and bias match finite differences within 2e-3", () => {
  const [N, C, OC] = [5, 7, 3];
  const rng = new Rng(2);
  const inp = rng.normalArray(N * C), weight = rng.normalArray(OC * C), bias = rng.normalArray(OC);
  const w = rng.normalArray(N * OC), out = new Float32Array(N * OC);
  const loss = () => (linearForward(out, inp, weight, bias, N, C, OC), weightedSum(out, w));
  const dinp = new Float32Array(N * C), dw = new Float32Array(OC * C), db = new Float32Array(OC);
  linearBackward(dinp, dw, db, w, inp, weight, N, C, OC);
  check("inp", loss, inp, dinp);
  check("weight", loss, weight, dw);
  check("bias", loss, bias, db);
});

Deno.test("linear backward accumulates into existing gradients", () => {
  const [N, C, OC] = [2, 3, 2];
  const rng = new Rng(3);
  const inp = rng.normalArray(N * C),
    weight = rng.normalArray(OC * C),
    dout = rng.normalArray(N * OC);
  const once = new Float32Array(OC * C), twice = new Float32Array(OC * C);
  const scratch = new Float32Array(N * C);
  linearBackward(scratch, once, null, dout, inp, weight, N, C, OC);
  linearBackward(scratch, twice, null, dout, inp, weight, N, C, OC);
  linearBackward(scratch, twice, null, dout, inp, weight, N, C, OC);
  for (let i = 0; i < once.length; i++) assert.ok(Math.abs(twice[i] - 2 * once[i]) < 1e-5);
});

Deno.test("layernorm normalises rows and its gradients match finite differences within 2e-3", () => {
  const [N, C] = [4, 6];
  const rng = new Rng(4);
  const inp = rng.normalArray(N * C, 3), weight = rng.normalArray(C), bias = rng.normalArray(C);
  const out = new Float32Array(N * C), mean = new Float32Array(N), rstd = new Float32Array(N);
  const ones = new Float32Array(C).fill(1), zeros = new Float32Array(C);
  layerNormForward(out, mean, rstd, inp, ones, zeros, N, C);
  const row = Array.from(out.subarray(0, C));
  const m = row.reduce((a, b) => a + b) / C;
  const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / C;
  assert.ok(Math.abs(m) < 1e-6 && Math.abs(v - 1) < 1e-3, `mean ${m}, variance ${v}`);
  const w = rng.normalArray(N * C);
  const loss =
    () => (layerNormForward(out, mean, rstd, inp, weight, bias, N, C), weightedSum(out, w));
  loss();
  const dinp = new Float32Array(N * C), dw = new Float32Array(C), db = new Float32Array(C);
  layerNormBackward(dinp, dw, db, w, inp, weight, mean, rstd, N, C);
  check("inp", loss, inp, dinp);
  check("weight", loss, weight, dw);
  check("bias", loss, bias, db);
});

Deno.test("GELU matches known values and its gradient matches finite differences within 2e-3", () => {
  const out = new Float32Array(3);
  geluForward(out, new Float32Array([-1, 0, 1]), 3);
  // tanh-approximation values, as in GPT-2 and PyTorch's gelu(approximate="tanh")
  assert.ok(Math.abs(out[0] - -0.158808) < 1e-5 && Math.abs(out[2] - 0.841192) < 1e-5);
  const N = 20;
  const rng = new Rng(5);
  const inp = rng.normalArray(N, 2), w = rng.normalArray(N), o = new Float32Array(N);
  const loss = () => (geluForward(o, inp, N), weightedSum(o, w));
  const dinp = new Float32Array(N);
  geluBackward(dinp, inp, w, N);
  check("inp", loss, inp, dinp);
});

Deno.test("residual gradients match finite differences within 2e-3", () => {
  const N = 6;
  const rng = new Rng(6);
  const a = rng.normalArray(N), b = rng.normalArray(N), w = rng.normalArray(N);
  const out = new Float32Array(N);
  const loss = () => (residualForward(out, a, b, N), weightedSum(out, w));
  const da = new Float32Array(N), db = new Float32Array(N);
  residualBackward(da, db, w, N);
  check("inp1", loss, a, da);
  check("inp2", loss, b, db);
});

Deno.test("attention is causal, its rows sum to 1, and its gradient matches finite differences within 2e-3", () => {
  const [B, T, C, NH] = [2, 5, 6, 2];
  const rng = new Rng(7);
  const inp = rng.normalArray(B * T * 3 * C);
  const out = new Float32Array(B * T * C);
  const preatt = new Float32Array(B * NH * T * T), att = new Float32Array(B * NH * T * T);
  attentionForward(out, preatt, att, inp, B, T, C, NH);
  for (let r = 0; r < B * NH * T; r++) {
    const t = r % T;
    const row = att.subarray(r * T, r * T + T);
    assert.ok(Math.abs(row.reduce((x, y) => x + y) - 1) < 1e-6);
    assert.ok(row.subarray(t + 1).every((a) => a === 0), `row ${r} sees the future`);
  }
  // Changing the last position's key and value cannot change any earlier output.
  const before = out.slice();
  const moved = inp.slice();
  for (let i = C; i < 3 * C; i++) moved[(T - 1) * 3 * C + i] += 1;
  attentionForward(out, preatt, att, moved, B, T, C, NH);
  assert.deepEqual(out.subarray(0, (T - 1) * C), before.subarray(0, (T - 1) * C));

  const w = rng.normalArray(B * T * C);
  const loss = () => (attentionForward(out, preatt, att, inp, B, T, C, NH), weightedSum(out, w));
  loss();
  const dinp = new Float32Array(inp.length);
  attentionBackward(
    dinp,
    new Float32Array(att.length),
    new Float32Array(att.length),
    w,
    inp,
    att,
    B,
    T,
    C,
    NH,
  );
  check("inp", loss, inp, dinp);
});

Deno.test("softmax + cross-entropy gradient matches finite differences within 2e-3", () => {
  const [N, V] = [4, 7];
  const rng = new Rng(8);
  const logits = rng.normalArray(N * V, 2), targets = new Int32Array([0, 6, 3, 3]);
  const probs = new Float32Array(N * V), losses = new Float32Array(N);
  const dlosses = rng.uniformArray(N, 0.5, 1.5);
  const loss = () => {
    softmaxForward(probs, logits, N, V);
    crossEntropyForward(losses, probs, targets, N, V);
    return weightedSum(losses, dlosses);
  };
  loss();
  for (let n = 0; n < N; n++) {
    assert.ok(Math.abs(probs.subarray(n * V, n * V + V).reduce((a, b) => a + b) - 1) < 1e-6);
  }
  const dlogits = new Float32Array(N * V);
  crossEntropySoftmaxBackward(dlogits, dlosses, probs, targets, N, V);
  check("logits", loss, logits, dlogits);
});

Deno.test("cross-entropy of uniform probabilities over V tokens is ln V", () => {
  const V = 65;
  const probs = new Float32Array(V), losses = new Float32Array(1);
  softmaxForward(probs, new Float32Array(V), 1, V);
  crossEntropyForward(losses, probs, new Int32Array([10]), 1, V);
  assert.ok(Math.abs(losses[0] - Math.log(V)) < 1e-5);
});

Deno.test("RoPE makes q·k depend only on distance, and its gradient matches within 2e-3", () => {
  const [B, T, C, NH] = [1, 6, 8, 2];
  const rng = new Rng(9);
  // the same q and k at every position: rotated scores must depend on t − t2 only
  const one = rng.normalArray(3 * C);
  const inp = new Float32Array(B * T * 3 * C);
  for (let t = 0; t < T; t++) inp.set(one, t * 3 * C);
  const out = new Float32Array(inp.length);
  ropeForward(out, inp, B, T, C, NH);
  const dot = (t: number, t2: number) => {
    let s = 0;
    for (let i = 0; i < C / NH; i++) s += out[t * 3 * C + i] * out[t2 * 3 * C + C + i];
    return s;
  };
  assert.ok(Math.abs(dot(3, 1) - dot(5, 3)) < 1e-5 && Math.abs(dot(2, 2) - dot(4, 4)) < 1e-5);
  assert.ok(Math.abs(dot(3, 1) - dot(3, 2)) > 1e-3, "scores at different distances differ");
  const x = rng.normalArray(B * T * 3 * C), w = rng.normalArray(x.length);
  const loss = () => (ropeForward(out, x, B, T, C, NH), weightedSum(out, w));
  const dx = new Float32Array(x.length);
  ropeBackward(dx, w, B, T, C, NH);
  check("inp", loss, x, dx);
});

Deno.test("the sinusoidal table starts at sin 0 = 0, cos 0 = 1 and stays within [-1, 1]", () => {
  const pe = sinusoidalTable(16, 10);
  assert.equal(pe[1], 1);
  assert.ok(pe.every((v) => v >= -1 && v <= 1));
  assert.ok(Math.abs(pe[5 * 10] - Math.sin(5)) < 1e-6);
});

Deno.test("gradCheck flags a wrong gradient with a relative error near 1", () => {
  const x = new Float32Array([1, -2, 0.5]);
  const loss = () => x[0] ** 2 + x[1] ** 2 + x[2] ** 2;
  const wrong = new Float32Array([2, 4, 1]); // the sign of x[1] is lost
  assert.ok(gradCheck(loss, x, wrong).relativeError > 0.3);
  assert.ok(gradCheck(loss, x, new Float32Array([2, -4, 1])).relativeError < 1e-4);
});
