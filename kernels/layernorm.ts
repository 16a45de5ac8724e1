// AssemblyScript: layer normalization forward and backward over rows, the semantics of the twins
// in lib/layers/layernorm.ts (llm.c's). Row-major float32, byte-offset pointers, caller-owned:
//   inp, out, dout, dinp (N, C); weight, bias, dweight, dbias (C); mean, rstd (N)
// Gradients (dinp, dweight, dbias) accumulate.
// Rows are independent, so the forward pass takes a range of rows. The backward pass takes a
// range of fixed chunks of rows: each chunk writes its own sums for dweight and dbias, and
// layerNormReduce adds them in chunk order, so the result is the same on one thread or two.
// SIMD: the channel axis C is the vector axis of every pass; the row statistics are horizontal
// sums of 4-lane accumulators. Mean and variance use two passes (not E[x²] − E[x]²), as the twin
// does, so large offsets cancel exactly.

import { axpy, hsum, zero } from "./simd";

const EPS: f32 = 1e-5;

export function layerNormForward(
  out: usize,
  mean: usize,
  rstd: usize,
  inp: usize,
  weight: usize,
  bias: usize,
  N: i32,
  C: i32,
  first: i32,
  last: i32,
): void {
  const C4 = C & ~3;
  for (let n = first; n < last; n++) {
    const x = inp + ((<usize> n * <usize> C) << 2);
    const y = out + ((<usize> n * <usize> C) << 2);
    let acc = f32x4.splat(0);
    for (let i = 0; i < C4; i += 4) acc = f32x4.add(acc, v128.load(x + (<usize> i << 2)));
    let s = hsum(acc);
    for (let i = C4; i < C; i++) s += load<f32>(x + (<usize> i << 2));
    const m = s / <f32> C;
    const mv = f32x4.splat(m);
    acc = f32x4.splat(0);
    for (let i = 0; i < C4; i += 4) {
      const d = f32x4.sub(v128.load(x + (<usize> i << 2)), mv);
      acc = f32x4.relaxed_madd(d, d, acc);
    }
    let v = hsum(acc);
    for (let i = C4; i < C; i++) {
      const d = load<f32>(x + (<usize> i << 2)) - m;
      v += d * d;
    }
    const r = <f32> 1 / Mathf.sqrt(v / <f32> C + EPS);
    const rv = f32x4.splat(r);
    for (let i = 0; i < C4; i += 4) {
      const o = <usize> i << 2;
      const xhat = f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv);
      v128.store(y + o, f32x4.relaxed_madd(xhat, v128.load(weight + o), v128.load(bias + o)));
    }
    for (let i = C4; i < C; i++) {
      const o = <usize> i << 2;
      store<f32>(y + o, (load<f32>(x + o) - m) * r * load<f32>(weight + o) + load<f32>(bias + o));
    }
    store<f32>(mean + (<usize> n << 2), m);
    store<f32>(rstd + (<usize> n << 2), r);
  }
}

/**
 * dinp of rows in chunks first .. last−1 (`rows` rows each), and each chunk's sums of dweight's
 * and dbias's terms in partials[chunk] (2·C floats: dweight's, then dbias's).
 */
export function layerNormBackward(
  dinp: usize,
  partials: usize,
  dout: usize,
  inp: usize,
  weight: usize,
  mean: usize,
  rstd: usize,
  N: i32,
  C: i32,
  rows: i32,
  first: i32,
  last: i32,
): void {
  for (let chunk = first; chunk < last; chunk++) {
    const dweight = partials + ((<usize> chunk * <usize> (2 * C)) << 2);
    const dbias = dweight + (<usize> C << 2);
    zero(dweight, 2 * C);
    backwardRows(dinp, dweight, dbias, dout, inp, weight, mean, rstd, C, chunk * rows, min(N, (chunk + 1) * rows));
  }
}

/** dweight += Σ_chunk partials[chunk]'s first C floats and dbias the next C, chunk by chunk. */
export function layerNormReduce(dweight: usize, dbias: usize, partials: usize, chunks: i32, C: i32): void {
  for (let chunk = 0; chunk < chunks; chunk++) {
    const p = partials + ((<usize> chunk * <usize> (2 * C)) << 2);
    axpy(dweight, 1, p, C);
    axpy(dbias, 1, p + (<usize> C << 2), C);
  }
}

function backwardRows(
  dinp: usize,
  dweight: usize,
  dbias: usize,
  dout: usize,
  inp: usize,
  weight: usize,
  mean: usize,
  rstd: usize,
  C: i32,
  first: i32,
  last: i32,
): void {
  const C4 = C & ~3;
  for (let n = first; n < last; n++) {
    const row = (<usize> n * <usize> C) << 2;
    const x = inp + row, dy = dout + row, dx = dinp + row;
    const m = load<f32>(mean + (<usize> n << 2)), r = load<f32>(rstd + (<usize> n << 2));
    const mv = f32x4.splat(m), rv = f32x4.splat(r);
    // Means of g = dout·weight and of g·xhat over the row.
    let ag = f32x4.splat(0), agx = f32x4.splat(0);
    for (let i = 0; i < C4; i += 4) {
      const o = <usize> i << 2;
      const xhat = f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv);
      const g = f32x4.mul(v128.load(dy + o), v128.load(weight + o));
      ag = f32x4.add(ag, g);
      agx = f32x4.relaxed_madd(g, xhat, agx);
    }
    let gMean = hsum(ag), gxMean = hsum(agx);
    for (let i = C4; i < C; i++) {
      const o = <usize> i << 2;
      const xhat = (load<f32>(x + o) - m) * r;
      const g = load<f32>(dy + o) * load<f32>(weight + o);
      gMean += g;
      gxMean += g * xhat;
    }
    gMean /= <f32> C;
    gxMean /= <f32> C;
    const gm = f32x4.splat(gMean), gxm = f32x4.splat(gxMean);
    for (let i = 0; i < C4; i += 4) {
      const o = <usize> i << 2;
      const xhat = f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv);
      const d = v128.load(dy + o);
      const g = f32x4.mul(d, v128.load(weight + o));
      v128.store(dbias + o, f32x4.add(v128.load(dbias + o), d));
      v128.store(dweight + o, f32x4.relaxed_madd(xhat, d, v128.load(dweight + o)));
      // dinp += rstd · (g − gMean − xhat · gxMean)
      const t = f32x4.relaxed_nmadd(xhat, gxm, f32x4.sub(g, gm));
      v128.store(dx + o, f32x4.relaxed_madd(rv, t, v128.load(dx + o)));
    }
    for (let i = C4; i < C; i++) {
      const o = <usize> i << 2;
      const xhat = (load<f32>(x + o) - m) * r;
      const d = load<f32>(dy + o);
      const g = d * load<f32>(weight + o);
      store<f32>(dbias + o, load<f32>(dbias + o) + d);
      store<f32>(dweight + o, load<f32>(dweight + o) + xhat * d);
      store<f32>(dx + o, load<f32>(dx + o) + r * (g - gMean - xhat * gxMean));
    }
  }
}
