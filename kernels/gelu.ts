// AssemblyScript: GELU (tanh approximation) forward and backward, elementwise over N floats,
// the semantics of the twins in lib/layers/gelu.ts. out = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
// dinp accumulates. Byte-offset pointers, caller-owned.
// SIMD trick: ½·(1 + tanh u) is the logistic σ(2u) = 1 / (1 + e^{−2u}), so gelu(x) = x·σ(2u)
// costs one vector exp and one division per four values. −2u is clamped to 87 first, where
// e^{−2u} stays finite and σ is 0 in float32 anyway.

import { expConst, expk } from "./simd";

const SCALE: f32 = 0.7978845608028654; // √(2/π)
const CUBE: f32 = 0.044715;

/** GELU of groups first .. last−1 of four floats (the last group may be partial). */
export function geluForward(out: usize, inp: usize, N: i32, first: i32, last: i32): void {
  // The exp constants, hoisted out of the loop (see simd.ts).
  const lo = expConst(0), log2e = expConst(1), magic = expConst(2);
  const ln2hi = expConst(3), ln2lo = expConst(4);
  const p0 = expConst(5), p1 = expConst(6), p2 = expConst(7);
  const p3 = expConst(8), p4 = expConst(9), p5 = expConst(10);
  const one = expConst(11);
  // Multiplied by `one` (a load) so that they are not constants the optimizer would sink into
  // the loop.
  const minus2s = f32x4.mul(one, f32x4.splat(-2 * SCALE)), cube = f32x4.mul(one, f32x4.splat(CUBE));
  const top = f32x4.neg(lo);
  const end = min(last << 2, N);
  for (let i = first << 2; i < end; i += 4) {
    const o = <usize> i << 2;
    // The last group of fewer than four floats goes through the same vector code on a copy.
    const tail = N - i < 4;
    const x = tail ? loadTail(inp + o, N - i) : v128.load(inp + o);
    const z = f32x4.mul(minus2s, f32x4.relaxed_madd(f32x4.mul(cube, x), f32x4.mul(x, x), x));
    const e = expk(f32x4.pmin(z, top), lo, log2e, magic, ln2hi, ln2lo, p0, p1, p2, p3, p4, p5, one);
    const y = f32x4.div(x, f32x4.add(one, e));
    if (tail) storeTail(out + o, y, N - i);
    else v128.store(out + o, y);
  }
}

/** Its backward over the same groups, adding into dinp. */
export function geluBackward(
  dinp: usize,
  inp: usize,
  dout: usize,
  N: i32,
  first: i32,
  last: i32,
): void {
  const lo = expConst(0), log2e = expConst(1), magic = expConst(2);
  const ln2hi = expConst(3), ln2lo = expConst(4);
  const p0 = expConst(5), p1 = expConst(6), p2 = expConst(7);
  const p3 = expConst(8), p4 = expConst(9), p5 = expConst(10);
  const one = expConst(11);
  const minus2s = f32x4.mul(one, f32x4.splat(-2 * SCALE)), cube = f32x4.mul(one, f32x4.splat(CUBE));
  const twoS = f32x4.mul(one, f32x4.splat(2 * SCALE));
  const sixSC = f32x4.mul(one, f32x4.splat(6 * SCALE * CUBE));
  const top = f32x4.neg(lo);
  const end = min(last << 2, N);
  for (let i = first << 2; i < end; i += 4) {
    const o = <usize> i << 2;
    const tail = N - i < 4;
    const x = tail ? loadTail(inp + o, N - i) : v128.load(inp + o);
    const dy = tail ? loadTail(dout + o, N - i) : v128.load(dout + o);
    const dx = tail ? loadTail(dinp + o, N - i) : v128.load(dinp + o);
    const x2 = f32x4.mul(x, x);
    const z = f32x4.mul(minus2s, f32x4.relaxed_madd(f32x4.mul(cube, x), x2, x));
    const e = expk(f32x4.pmin(z, top), lo, log2e, magic, ln2hi, ln2lo, p0, p1, p2, p3, p4, p5, one);
    const sig = f32x4.div(one, f32x4.add(one, e));
    // gelu′ = σ + x·σ(1 − σ)·2u′, with 2u′ = 2√(2/π)·(1 + 3·0.044715·x²)
    const du2 = f32x4.relaxed_madd(sixSC, x2, twoS);
    const grad = f32x4.relaxed_madd(f32x4.mul(x, f32x4.relaxed_nmadd(sig, sig, sig)), du2, sig);
    const r = f32x4.relaxed_madd(grad, dy, dx);
    if (tail) storeTail(dinp + o, r, N - i);
    else v128.store(dinp + o, r);
  }
}

/** The first n < 4 floats at p in lanes 0..n−1, zeros after (never reads past p + 4n). */
function loadTail(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores lanes 0..n−1 of v at p (n < 4). */
function storeTail(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
