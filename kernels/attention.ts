// AssemblyScript: causal multi-head self-attention forward and backward, the exact semantics of
// the twins in lib/attention.ts (llm.c's layout and order of operations).
//
// Memory layout (row-major float32, byte-offset pointers, caller-owned):
//   inp (B, T, 3C): per position the C query channels, then C key, then C value; head h owns
//                   channels h·hs .. h·hs+hs of each, with hs = C / NH
//   preatt, att (B, NH, T, T): scores and softmax weights, zero above the diagonal
//   out (B, T, C): the heads' outputs side by side
// The gradients (dinp, dpreatt, datt) accumulate; dpreatt and datt must start at zero.
//
// SIMD: the head dimension hs is the vector axis of every q·k dot product and every weighted sum
// of values (dot and axpy in simd.ts); the time axis is the vector axis of the softmax (a
// polynomial exp on four lanes). One (batch, head) pair touches only its own rows of preatt/att
// and its own channels of out/dinp, so pairs can run on different threads.

import { axpy, dot, expShifted, maxOf, scale, sumLanes4, zero } from "./simd";

/** Forward pass of the pairs (b, h) numbered first .. last−1 (pair = b·NH + h). */
export function attentionForward(
  out: usize,
  preatt: usize,
  att: usize,
  inp: usize,
  B: i32,
  T: i32,
  C: i32,
  NH: i32,
  first: i32,
  last: i32,
): void {
  if ((C / NH) % 8 == 0) forwardTiled(out, preatt, att, inp, T, C, NH, first, last);
  else forwardRows(out, preatt, att, inp, T, C, NH, first, last);
}

/** Backward pass of the pairs (b, h) numbered first .. last−1; adds into dinp, dpreatt, datt. */
export function attentionBackward(
  dinp: usize,
  dpreatt: usize,
  datt: usize,
  dout: usize,
  inp: usize,
  att: usize,
  B: i32,
  T: i32,
  C: i32,
  NH: i32,
  first: i32,
  last: i32,
): void {
  if ((C / NH) % 8 == 0) backwardTiled(dinp, dpreatt, datt, dout, inp, att, T, C, NH, first, last);
  else backwardRows(dinp, dpreatt, datt, dout, inp, att, T, C, NH, first, last);
}

// Any head size: one dot product or axpy of length hs per (t, t2), as in the twins.
function forwardRows(
  out: usize,
  preatt: usize,
  att: usize,
  inp: usize,
  T: i32,
  C: i32,
  NH: i32,
  first: i32,
  last: i32,
): void {
  const C3 = 3 * C, hs = C / NH;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  for (let pair = first; pair < last; pair++) {
    const b = pair / NH, h = pair % NH;
    const base = inp + ((<usize> b * <usize> T * <usize> C3 + <usize> (h * hs)) << 2);
    for (let t = 0; t < T; t++) {
      const q = base + ((<usize> t * <usize> C3) << 2);
      const row = (<usize> ((pair * T + t) * T)) << 2;
      const pre = preatt + row, w = att + row;
      for (let t2 = 0; t2 <= t; t2++) {
        const k = base + ((<usize> t2 * <usize> C3 + <usize> C) << 2);
        store<f32>(pre + (<usize> t2 << 2), dot(q, k, hs) * sc);
      }
      const n = t + 1;
      softmaxRow(w, pre, n, T);
      const o = out + ((<usize> (b * T + t) * <usize> C + <usize> (h * hs)) << 2);
      zero(o, hs);
      for (let t2 = 0; t2 <= t; t2++) {
        const v = base + ((<usize> t2 * <usize> C3 + <usize> (2 * C)) << 2);
        axpy(o, load<f32>(w + (<usize> t2 << 2)), v, hs);
      }
    }
  }
}

function backwardRows(
  dinp: usize,
  dpreatt: usize,
  datt: usize,
  dout: usize,
  inp: usize,
  att: usize,
  T: i32,
  C: i32,
  NH: i32,
  first: i32,
  last: i32,
): void {
  const C3 = 3 * C, hs = C / NH;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  for (let pair = first; pair < last; pair++) {
    const b = pair / NH, h = pair % NH;
    const headOff = (<usize> b * <usize> T * <usize> C3 + <usize> (h * hs)) << 2;
    const base = inp + headOff, dbase = dinp + headOff;
    for (let t = 0; t < T; t++) {
      const tOff = (<usize> t * <usize> C3) << 2;
      const row = (<usize> ((pair * T + t) * T)) << 2;
      const w = att + row, dw = datt + row, dpre = dpreatt + row;
      const o = dout + ((<usize> (b * T + t) * <usize> C + <usize> (h * hs)) << 2);
      for (let t2 = 0; t2 <= t; t2++) {
        const vOff = (<usize> t2 * <usize> C3 + <usize> (2 * C)) << 2;
        const at = (<usize> t2) << 2;
        store<f32>(dw + at, load<f32>(dw + at) + dot(base + vOff, o, hs));
        axpy(dbase + vOff, load<f32>(w + at), o, hs);
      }
      softmaxRowBackward(dpre, w, dw, t + 1);
      for (let t2 = 0; t2 <= t; t2++) {
        const kOff = (<usize> t2 * <usize> C3 + <usize> C) << 2;
        const g = load<f32>(dpre + (<usize> t2 << 2)) * sc;
        axpy(dbase + tOff, g, base + kOff, hs);
        axpy(dbase + kOff, g, base + tOff, hs);
      }
    }
  }
}

/** Row t of the softmax: w = softmax(pre[0..n)), and both zero over the masked future n..T. */
function softmaxRow(w: usize, pre: usize, n: i32, T: i32): void {
  const sum = expShifted(w, pre, maxOf(pre, n), n);
  scale(w, 1 / sum, n);
  // The masked future: weight exactly zero, and a score of zero rather than stale memory.
  zero(pre + (<usize> n << 2), T - n);
  zero(w + (<usize> n << 2), T - n);
}

/** Row t of the softmax's backward over its n unmasked entries. */
function softmaxRowBackward(dpre: usize, w: usize, dw: usize, n: i32): void {
  // Softmax backward: dpreatt += att · (datt − Σ att·datt).
  const weighted = dot(w, dw, n);
  const wv = f32x4.splat(weighted);
  let t2 = 0;
  for (; t2 + 4 <= n; t2 += 4) {
    const at = (<usize> t2) << 2;
    v128.store(
      dpre + at,
      f32x4.relaxed_madd(
        v128.load(w + at),
        f32x4.sub(v128.load(dw + at), wv),
        v128.load(dpre + at),
      ),
    );
  }
  for (; t2 < n; t2++) {
    const at = (<usize> t2) << 2;
    store<f32>(
      dpre + at,
      load<f32>(dpre + at) + load<f32>(w + at) * (load<f32>(dw + at) - weighted),
    );
  }
}

// Head sizes that are a multiple of 8: the products of one (batch, head) pair are small matmuls,
// and each runs on register tiles rather than one dot product per (t, t2). Three tile shapes:
// - scores (q·k for preatt, dout·v for datt): both operands run along d, so 2 rows × 4 columns
//   of dot products accumulate in eight vectors and are summed across lanes once at the end;
// - rows × values (att·v, dpre·k): out[t][d..d+8) += Σ_t2 w[t][t2]·v[t2][d..d+8) for 4 rows t,
//   a broadcast of each weight times two vectors of the value row;
// - columns × values (attᵀ·dout, dpreᵀ·q): out[t2][d..d+8) += Σ_t w[t][t2..t2+4)·x[t][d..d+8),
//   where four weights of one row load as one vector and are broadcast by shuffles.
// Weights above the diagonal are zero (softmax and its backward leave them so), which lets a
// tile that straddles the diagonal run to its edge without a mask. Rows and columns past T are
// clamped to row T−1 on reads and skipped on writes, so nothing outside the pair is touched.

const SCORES_STORE = 0; // preatt = scale · q·k over the whole tile
const SCORES_ADD_CAUSAL = 1; // datt += dout·v, only where t2 ≤ t

function forwardTiled(
  out: usize,
  preatt: usize,
  att: usize,
  inp: usize,
  T: i32,
  C: i32,
  NH: i32,
  first: i32,
  last: i32,
): void {
  const hs = C / NH;
  const ld3 = <usize> (3 * C) << 2;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  for (let pair = first; pair < last; pair++) {
    const b = pair / NH, h = pair % NH;
    const q = inp + ((<usize> b * <usize> T * <usize> (3 * C) + <usize> (h * hs)) << 2);
    const k = q + (<usize> C << 2), v = q + (<usize> (2 * C) << 2);
    const rows = (<usize> pair * <usize> T * <usize> T) << 2;
    const pre = preatt + rows, w = att + rows;
    scores(pre, q, ld3, k, ld3, T, hs, sc, SCORES_STORE);
    const ldT = <usize> T << 2;
    for (let t = 0; t < T; t++) softmaxRow(w + <usize> t * ldT, pre + <usize> t * ldT, t + 1, T);
    const o = out + ((<usize> b * <usize> T * <usize> C + <usize> (h * hs)) << 2);
    rowsTimesValues(o, <usize> C << 2, w, v, ld3, T, hs, 1, false);
  }
}

function backwardTiled(
  dinp: usize,
  dpreatt: usize,
  datt: usize,
  dout: usize,
  inp: usize,
  att: usize,
  T: i32,
  C: i32,
  NH: i32,
  first: i32,
  last: i32,
): void {
  const hs = C / NH;
  const ld3 = <usize> (3 * C) << 2, ld = <usize> C << 2, ldT = <usize> T << 2;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  for (let pair = first; pair < last; pair++) {
    const b = pair / NH, h = pair % NH;
    const head = (<usize> b * <usize> T * <usize> (3 * C) + <usize> (h * hs)) << 2;
    const q = inp + head, k = q + ld, v = k + ld;
    const dq = dinp + head, dk = dq + ld, dv = dk + ld;
    const rows = (<usize> pair * <usize> T * <usize> T) << 2;
    const w = att + rows, dw = datt + rows, dpre = dpreatt + rows;
    const o = dout + ((<usize> b * <usize> T * <usize> C + <usize> (h * hs)) << 2);
    scores(dw, o, ld, v, ld3, T, hs, 1, SCORES_ADD_CAUSAL);
    columnsTimesValues(dv, ld3, w, o, ld, T, hs, 1);
    for (let t = 0; t < T; t++) {
      softmaxRowBackward(dpre + <usize> t * ldT, w + <usize> t * ldT, dw + <usize> t * ldT, t + 1);
    }
    rowsTimesValues(dq, ld3, dpre, k, ld3, T, hs, sc, true);
    columnsTimesValues(dk, ld3, dpre, q, ld3, T, hs, sc);
  }
}

/**
 * s[t][t2] for t2 ≤ t (and the rest of each 4-wide block) where s = x·yᵀ over hs channels:
 * x rows `ldx` bytes apart, y rows `ldy` bytes apart, s rows T floats apart.
 */
function scores(s: usize, x: usize, ldx: usize, y: usize, ldy: usize, T: i32, hs: i32, alpha: f32, mode: i32): void {
  const ldT = <usize> T << 2;
  for (let t = 0; t < T; t += 2) {
    const x0 = x + <usize> t * ldx;
    const x1 = x + <usize> min(t + 1, T - 1) * ldx;
    const last = min(t + 1, T - 1);
    for (let t2 = 0; t2 <= last; t2 += 4) {
      const y0 = y + <usize> t2 * ldy;
      const y1 = y + <usize> min(t2 + 1, T - 1) * ldy;
      const y2 = y + <usize> min(t2 + 2, T - 1) * ldy;
      const y3 = y + <usize> min(t2 + 3, T - 1) * ldy;
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
      let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
      for (let d: usize = 0; d < (<usize> hs << 2); d += 16) {
        const p = v128.load(x0 + d), r = v128.load(x1 + d);
        let z = v128.load(y0 + d);
        a00 = f32x4.relaxed_madd(p, z, a00);
        a10 = f32x4.relaxed_madd(r, z, a10);
        z = v128.load(y1 + d);
        a01 = f32x4.relaxed_madd(p, z, a01);
        a11 = f32x4.relaxed_madd(r, z, a11);
        z = v128.load(y2 + d);
        a02 = f32x4.relaxed_madd(p, z, a02);
        a12 = f32x4.relaxed_madd(r, z, a12);
        z = v128.load(y3 + d);
        a03 = f32x4.relaxed_madd(p, z, a03);
        a13 = f32x4.relaxed_madd(r, z, a13);
      }
      const s0 = s + <usize> t * ldT + (<usize> t2 << 2);
      storeScores(s0, sumLanes4(a00, a01, a02, a03), alpha, t, t2, T, mode);
      if (t + 1 < T) storeScores(s0 + ldT, sumLanes4(a10, a11, a12, a13), alpha, t + 1, t2, T, mode);
    }
  }
}

/** Writes the 4 scores of row t from column t2 as `mode` says, never past column T−1. */
// @ts-ignore: decorator
@inline function storeScores(p: usize, r: v128, alpha: f32, t: i32, t2: i32, T: i32, mode: i32): void {
  if (mode == SCORES_STORE) {
    r = f32x4.mul(r, f32x4.splat(alpha));
    if (t2 + 4 <= T) {
      v128.store(p, r);
    } else {
      store<f32>(p, f32x4.extract_lane(r, 0));
      if (t2 + 1 < T) store<f32>(p, f32x4.extract_lane(r, 1), 4);
      if (t2 + 2 < T) store<f32>(p, f32x4.extract_lane(r, 2), 8);
    }
  } else if (t2 + 3 <= t) {
    v128.store(p, f32x4.add(v128.load(p), r));
  } else {
    store<f32>(p, load<f32>(p) + f32x4.extract_lane(r, 0));
    if (t2 + 1 <= t) store<f32>(p, load<f32>(p, 4) + f32x4.extract_lane(r, 1), 4);
    if (t2 + 2 <= t) store<f32>(p, load<f32>(p, 8) + f32x4.extract_lane(r, 2), 8);
  }
}

/**
 * out[t][d] (+)= alpha · Σ_t2 w[t][t2] · x[t2][d] for every t < T and d < hs: w is T×T (zero
 * above the diagonal), x rows `ldx` bytes apart, out rows `ldo` bytes apart.
 */
function rowsTimesValues(out: usize, ldo: usize, w: usize, x: usize, ldx: usize, T: i32, hs: i32, alpha: f32, add: bool): void {
  const ldT = <usize> T << 2;
  const al = f32x4.splat(alpha);
  for (let t = 0; t < T; t += 4) {
    const w0 = w + <usize> t * ldT;
    const w1 = w + <usize> min(t + 1, T - 1) * ldT;
    const w2 = w + <usize> min(t + 2, T - 1) * ldT;
    const w3 = w + <usize> min(t + 3, T - 1) * ldT;
    const n = <usize> min(t + 4, T) << 2; // columns t2 < n can be nonzero in these rows
    for (let d: usize = 0; d < (<usize> hs << 2); d += 32) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let xr = x + d;
      for (let j: usize = 0; j < n; j += 4) {
        const b0 = v128.load(xr), b1 = v128.load(xr, 16);
        let s = v128.load32_splat(w0 + j);
        c00 = f32x4.relaxed_madd(s, b0, c00);
        c01 = f32x4.relaxed_madd(s, b1, c01);
        s = v128.load32_splat(w1 + j);
        c10 = f32x4.relaxed_madd(s, b0, c10);
        c11 = f32x4.relaxed_madd(s, b1, c11);
        s = v128.load32_splat(w2 + j);
        c20 = f32x4.relaxed_madd(s, b0, c20);
        c21 = f32x4.relaxed_madd(s, b1, c21);
        s = v128.load32_splat(w3 + j);
        c30 = f32x4.relaxed_madd(s, b0, c30);
        c31 = f32x4.relaxed_madd(s, b1, c31);
        xr += ldx;
      }
      const o = out + <usize> t * ldo + d;
      storeRow(o, c00, c01, al, add);
      if (t + 1 < T) storeRow(o + ldo, c10, c11, al, add);
      if (t + 2 < T) storeRow(o + 2 * ldo, c20, c21, al, add);
      if (t + 3 < T) storeRow(o + 3 * ldo, c30, c31, al, add);
    }
  }
}

/**
 * out[t2][d] += alpha · Σ_t w[t][t2] · x[t][d] for every t2 < T and d < hs: the transpose of
 * rowsTimesValues's weights, read four columns at a time.
 */
function columnsTimesValues(out: usize, ldo: usize, w: usize, x: usize, ldx: usize, T: i32, hs: i32, alpha: f32): void {
  const ldT = <usize> T << 2;
  const al = f32x4.splat(alpha);
  for (let t2 = 0; t2 < T; t2 += 4) {
    const whole = t2 + 4 <= T;
    for (let d: usize = 0; d < (<usize> hs << 2); d += 32) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      // Rows t < t2 hold zeros in these columns: start at the diagonal.
      let wr = w + <usize> t2 * ldT + (<usize> t2 << 2);
      let xr = x + <usize> t2 * ldx + d;
      for (let t = t2; t < T; t++) {
        const a = whole ? v128.load(wr) : loadPartial(wr, T - t2);
        const b0 = v128.load(xr), b1 = v128.load(xr, 16);
        let s = i32x4.shuffle(a, a, 0, 0, 0, 0);
        c00 = f32x4.relaxed_madd(s, b0, c00);
        c01 = f32x4.relaxed_madd(s, b1, c01);
        s = i32x4.shuffle(a, a, 1, 1, 1, 1);
        c10 = f32x4.relaxed_madd(s, b0, c10);
        c11 = f32x4.relaxed_madd(s, b1, c11);
        s = i32x4.shuffle(a, a, 2, 2, 2, 2);
        c20 = f32x4.relaxed_madd(s, b0, c20);
        c21 = f32x4.relaxed_madd(s, b1, c21);
        s = i32x4.shuffle(a, a, 3, 3, 3, 3);
        c30 = f32x4.relaxed_madd(s, b0, c30);
        c31 = f32x4.relaxed_madd(s, b1, c31);
        wr += ldT;
        xr += ldx;
      }
      const o = out + <usize> t2 * ldo + d;
      storeRow(o, c00, c01, al, true);
      if (t2 + 1 < T) storeRow(o + ldo, c10, c11, al, true);
      if (t2 + 2 < T) storeRow(o + 2 * ldo, c20, c21, al, true);
      if (t2 + 3 < T) storeRow(o + 3 * ldo, c30, c31, al, true);
    }
  }
}

/** The first `n` < 4 floats at p, zeros after: a row's last, partial block of columns. */
// @ts-ignore: decorator
@inline function loadPartial(p: usize, n: i32): v128 {
  let a = f32x4.splat(0);
  a = f32x4.replace_lane(a, 0, load<f32>(p));
  if (n > 1) a = f32x4.replace_lane(a, 1, load<f32>(p, 4));
  if (n > 2) a = f32x4.replace_lane(a, 2, load<f32>(p, 8));
  return a;
}

/** o[0..8) = alpha·(c0, c1), or += when `add`. */
// @ts-ignore: decorator
@inline function storeRow(o: usize, c0: v128, c1: v128, alpha: v128, add: bool): void {
  if (add) {
    v128.store(o, f32x4.relaxed_madd(alpha, c0, v128.load(o)));
    v128.store(o, f32x4.relaxed_madd(alpha, c1, v128.load(o, 16)), 16);
  } else {
    v128.store(o, f32x4.mul(alpha, c0));
    v128.store(o, f32x4.mul(alpha, c1), 16);
  }
}
