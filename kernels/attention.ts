// AssemblyScript: causal multi-head self-attention forward and backward, the semantics of the
// twins in lib/layers/attention.ts (llm.c's layout).
//
// Memory layout (row-major float32, byte-offset pointers, caller-owned):
//   inp (B, T, 3C): per position the C query channels, then C key, then C value; head h owns
//                   channels h·hs .. h·hs+hs of each, with hs = C / NH
//   preatt, att (B, NH, T, T): scores and softmax weights, zero above the diagonal
//   out (B, T, C): the heads' outputs side by side
// The gradients (dinp, dpreatt, datt) accumulate; dpreatt and datt must start at zero.
// `scratch` holds `scratchBytes` per thread (see attentionScratchFloats) for packed panels.
//
// One (batch, head) pair is six small matmuls (two forward, four backward) and a row softmax.
// Each product runs on matmul.ts's packing and 4×8 register microkernel, so every step of the
// inner loop is three vector loads for eight FMAs, whatever the head size (hs is zero-padded
// to the panel width). The causal mask is used to skip work: a block of four rows t needs
// only the columns t2 < t + 4 of the scores, and only those rows of the values.
// One pair touches only its own rows of preatt/att and its own channels of out/dinp, so
// pairs can run on different threads.

import { MR, NR, packA, packBPanel, tileProduct } from "./matmul";
import { dot, expShifted, maxOf, scale, zero } from "./simd";
import { thread } from "./thread";

/** Floats of scratch one thread needs for sequences of T positions and heads of size hs. */
export function attentionScratchFloats(T: i32, hs: i32): i32 {
  const panels = max(roundUp(T, NR) * hs, roundUp(hs, NR) * T); // the packed B of any product
  return panels + MR * max(T, hs) + MR * NR; // plus one packed A block and an edge tile
}

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
  scratch: usize,
  scratchBytes: i32,
  first: i32,
  last: i32,
): void {
  const hs = C / NH, C3 = 3 * C;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  const work = scratch + <usize> thread() * <usize> scratchBytes;
  const ldT = <usize> T << 2;
  for (let pair = first; pair < last; pair++) {
    const b = pair / NH, h = pair % NH;
    const q = inp + ((<usize> b * <usize> T * <usize> C3 + <usize> (h * hs)) << 2);
    const k = q + (<usize> C << 2), v = k + (<usize> C << 2);
    const rows = (<usize> pair * <usize> T * <usize> T) << 2;
    const pre = preatt + rows, w = att + rows;
    // preatt = sc · q·kᵀ; the softmax then zeroes each row's masked future.
    product(SCORES, pre, T, q, C3, 1, k, 1, C3, T, hs, T, sc, false, work);
    for (let t = 0; t < T; t++) softmaxRow(w + <usize> t * ldT, pre + <usize> t * ldT, t + 1, T);
    // out = att·v
    const o = out + ((<usize> b * <usize> T * <usize> C + <usize> (h * hs)) << 2);
    product(ROWS, o, C, w, T, 1, v, C3, 1, T, T, hs, 1, false, work);
  }
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
  scratch: usize,
  scratchBytes: i32,
  first: i32,
  last: i32,
): void {
  const hs = C / NH, C3 = 3 * C;
  const sc = <f32> (1 / Math.sqrt(<f64> hs));
  const work = scratch + <usize> thread() * <usize> scratchBytes;
  const ldT = <usize> T << 2;
  for (let pair = first; pair < last; pair++) {
    const b = pair / NH, h = pair % NH;
    const head = (<usize> b * <usize> T * <usize> C3 + <usize> (h * hs)) << 2;
    const q = inp + head, k = q + (<usize> C << 2), v = k + (<usize> C << 2);
    const dq = dinp + head, dk = dq + (<usize> C << 2), dv = dk + (<usize> C << 2);
    const rows = (<usize> pair * <usize> T * <usize> T) << 2;
    const w = att + rows, dw = datt + rows, dpre = dpreatt + rows;
    const o = dout + ((<usize> b * <usize> T * <usize> C + <usize> (h * hs)) << 2);
    product(SCORES, dw, T, o, C, 1, v, 1, C3, T, hs, T, 1, true, work); // datt += dout·vᵀ
    product(COLUMNS, dv, C3, w, 1, T, o, C, 1, T, T, hs, 1, true, work); // dv += attᵀ·dout
    for (let t = 0; t < T; t++) {
      softmaxRowBackward(dpre + <usize> t * ldT, w + <usize> t * ldT, dw + <usize> t * ldT, t + 1);
    }
    product(ROWS, dq, C3, dpre, T, 1, k, C3, 1, T, T, hs, sc, true, work); // dq += sc·dpre·k
    product(COLUMNS, dk, C3, dpre, 1, T, q, C3, 1, T, T, hs, sc, true, work); // dk += sc·dpreᵀ·q
  }
}

// How the causal mask limits a product c (M×N) = A (M×K) · B (K×N), for a block of rows i0..i0+3:
const SCORES = 0; // c[t][t2] with K = hs: only columns t2 < i0 + 4 (t2 ≤ t is what is kept)
const ROWS = 1; // c[t][d] = Σ_t2 w[t][t2]·x[t2][d]: only k = t2 < i0 + 4 (w is zero beyond)
const COLUMNS = 2; // c[t2][d] = Σ_t w[t][t2]·x[t][d]: only k = t ≥ i0 (w is zero before)

/**
 * c (+)= alpha · A·B over the causal part `mode` says, with A(i, k) = a[i·rsA + k·csA] and
 * B(k, j) = b[k·rsB + j·csB] (strides in floats), c rows `ldc` floats apart. For SCORES, the
 * entries above the diagonal are left zero (accumulating) or for the softmax to clear (storing).
 */
function product(
  mode: i32,
  c: usize,
  ldc: i32,
  a: usize,
  rsA: i32,
  csA: i32,
  b: usize,
  rsB: i32,
  csB: i32,
  M: i32,
  K: i32,
  N: i32,
  alpha: f32,
  add: bool,
  work: usize,
): void {
  const panels = (N + NR - 1) / NR;
  const packedA = work + ((<usize> panels * <usize> K * NR) << 2);
  const tile = packedA + ((<usize> MR * <usize> K) << 2);
  const ldcBytes = <usize> ldc << 2;
  // B whole, panel after panel, each k-major over all of K.
  for (let p = 0; p < panels; p++) {
    const j0 = p * NR;
    packBPanel(
      work + ((<usize> p * <usize> K * NR) << 2),
      b + ((<usize> j0 * <usize> csB) << 2),
      K,
      rsB,
      csB,
      min(NR, N - j0),
    );
  }
  for (let i0 = 0; i0 < M; i0 += MR) {
    const h = min(MR, M - i0);
    const end = min(i0 + MR, M); // the causal limit of this block of rows
    const k0 = mode == COLUMNS ? i0 : 0;
    const k1 = mode == ROWS ? end : K;
    const kc = k1 - k0;
    const p1 = mode == SCORES ? (end + NR - 1) / NR : panels;
    packA(packedA, a, rsA, csA, i0, h, k0, kc);
    // A's scale goes into its packed copy: alpha·(A·B) as (alpha·A)·B, a few rounding bits apart.
    if (alpha != 1) scale(packedA, alpha, MR * kc);
    for (let p = 0; p < p1; p++) {
      const j0 = p * NR;
      const cols = min(NR, N - j0);
      const bPanel = work + ((<usize> (p * K + k0) * NR) << 2);
      const cTile = c + <usize> i0 * ldcBytes + (<usize> j0 << 2);
      tileProduct(kc, packedA, bPanel, cTile, ldcBytes, h, cols, add, 0, tile);
    }
    // Accumulated scores above the diagonal (t2 > t, in the tiles that straddle it) go back to 0.
    if (mode == SCORES && add) {
      for (let t = i0; t < end; t++) {
        const from = t + 1, to = min(N, p1 * NR);
        if (to > from) zero(c + <usize> t * ldcBytes + (<usize> from << 2), to - from);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function roundUp(n: i32, m: i32): i32 {
  return (n + m - 1) / m * m;
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
