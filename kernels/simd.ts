// AssemblyScript: small SIMD building blocks shared by the row kernels (softmax, attention):
// a vector exp, dot product, axpy and horizontal reductions over float32 arrays in memory.
// Every loop has a 4-wide main part and a scalar tail; nothing allocates.

// Constants of the exp below, read from memory into locals before each loop. Written as v128
// literals, they would be rematerialized by the optimizer inside the loop (a dozen constants,
// several instructions each, per four values); loaded from memory, they stay loop-invariant.
const EXP = memory.data<f32>([
  -87.33654, // lowest input: e^x there is ~1e-38, the smallest normal float
  1.44269504088896341, // log2(e)
  12583039.0, // 1.5·2^23 + 127, see expk
  0.693359375, // ln 2, high part (n·ln2hi is exact in float32)
  -2.12194440e-4, // ln 2, low part
  1.9875691500e-4, // polynomial for e^r, highest degree first
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
  1.0,
]);

/** Splats of the EXP constants, in order: what expk takes after x. */
// @ts-ignore: decorator
@inline export function expConst(i: usize): v128 {
  return v128.load32_splat(EXP + (i << 2));
}

/**
 * e^x on four lanes for x ≤ 88 (every caller passes x − max ≤ 0), Cephes' expf scheme:
 * x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two parts so n·ln2 is exact), a degree-6
 * polynomial for e^r, and 2^n built in the exponent bits. About 1 ulp. Inputs below −87.3 give
 * ~1e-38 instead of a denormal or 0, which no softmax can tell apart.
 * n comes from the magic-number trick: the one FMA t = x·log2e + (1.5·2^23 + 127) rounds to an
 * integer whose low bits are n + 127, so t << 23 is the float 2^n; no float-to-int conversion,
 * which costs several instructions in V8.
 */
// @ts-ignore: decorator
@inline export function expk(
  x: v128,
  lo: v128,
  log2e: v128,
  magic: v128,
  ln2hi: v128,
  ln2lo: v128,
  p0: v128,
  p1: v128,
  p2: v128,
  p3: v128,
  p4: v128,
  p5: v128,
  one: v128,
): v128 {
  x = f32x4.pmax(x, lo);
  const t = f32x4.relaxed_madd(x, log2e, magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.relaxed_nmadd(n, ln2hi, x);
  r = f32x4.relaxed_nmadd(n, ln2lo, r);
  let p = f32x4.relaxed_madd(p0, r, p1);
  p = f32x4.relaxed_madd(p, r, p2);
  p = f32x4.relaxed_madd(p, r, p3);
  p = f32x4.relaxed_madd(p, r, p4);
  p = f32x4.relaxed_madd(p, r, p5);
  const y = f32x4.relaxed_madd(p, f32x4.mul(r, r), f32x4.add(r, one));
  return f32x4.mul(y, i32x4.shl(t, 23));
}

/** The same exp on one value, so tails round exactly like the vector part. */
function exps(x: f32): f32 {
  const e = expk(
    f32x4.splat(x),
    expConst(0),
    expConst(1),
    expConst(2),
    expConst(3),
    expConst(4),
    expConst(5),
    expConst(6),
    expConst(7),
    expConst(8),
    expConst(9),
    expConst(10),
    expConst(11),
  );
  return f32x4.extract_lane(e, 0);
}

// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** [Σ lanes of a, Σ of b, Σ of c, Σ of d], by two rounds of pairwise shuffles and adds. */
// @ts-ignore: decorator
@inline export function sumLanes4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

/** Σ x[i]·y[i] for i < n (two accumulators hide the FMA latency). */
export function dot(x: usize, y: usize, n: i32): f32 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize> i << 2;
    a0 = f32x4.relaxed_madd(v128.load(x + o), v128.load(y + o), a0);
    a1 = f32x4.relaxed_madd(v128.load(x + o, 16), v128.load(y + o, 16), a1);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize> i << 2;
    a0 = f32x4.relaxed_madd(v128.load(x + o), v128.load(y + o), a0);
  }
  let s = hsum(f32x4.add(a0, a1));
  for (; i < n; i++) s += load<f32>(x + (<usize> i << 2)) * load<f32>(y + (<usize> i << 2));
  return s;
}

/** y[i] += alpha·x[i] for i < n. */
export function axpy(y: usize, alpha: f32, x: usize, n: i32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize> i << 2;
    v128.store(y + o, f32x4.relaxed_madd(a, v128.load(x + o), v128.load(y + o)));
  }
  for (; i < n; i++) {
    const o = <usize> i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** Largest of x[0..n), or -Infinity when n is 0. */
export function maxOf(x: usize, n: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let i = 0;
  // pmax is one maxps; the NaN-exact f32x4.max costs several instructions on x86-64.
  for (; i + 4 <= n; i += 4) m = f32x4.pmax(m, v128.load(x + (<usize> i << 2)));
  let s = max(
    max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)),
    max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)),
  );
  for (; i < n; i++) s = max(s, load<f32>(x + (<usize> i << 2)));
  return s;
}

/**
 * dst[i] = e^(src[i] − shift) for i < n (dst may be src); returns their sum. The sum runs in
 * float64 lanes: a float32 sum of a 50k-entry vocabulary would drift by ~1e-5 relative.
 */
export function expShifted(dst: usize, src: usize, shift: f32, n: i32): f32 {
  const sh = f32x4.splat(shift);
  const lo = expConst(0), log2e = expConst(1), magic = expConst(2);
  const ln2hi = expConst(3), ln2lo = expConst(4);
  const p0 = expConst(5), p1 = expConst(6), p2 = expConst(7);
  const p3 = expConst(8), p4 = expConst(9), p5 = expConst(10);
  const one = expConst(11);
  let sumLo = f64x2.splat(0), sumHi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize> i << 2;
    const x = f32x4.sub(v128.load(src + o), sh);
    const e = expk(x, lo, log2e, magic, ln2hi, ln2lo, p0, p1, p2, p3, p4, p5, one);
    v128.store(dst + o, e);
    sumLo = f64x2.add(sumLo, f64x2.promote_low_f32x4(e));
    sumHi = f64x2.add(sumHi, f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)));
  }
  const both = f64x2.add(sumLo, sumHi);
  let s = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  for (; i < n; i++) {
    const o = <usize> i << 2;
    const e = exps(load<f32>(src + o) - shift);
    store<f32>(dst + o, e);
    s += e;
  }
  return <f32> s;
}

/** x[i] *= alpha for i < n. */
export function scale(x: usize, alpha: f32, n: i32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize> i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), a));
  }
  for (; i < n; i++) store<f32>(x + (<usize> i << 2), load<f32>(x + (<usize> i << 2)) * alpha);
}

/** x[i] = 0 for i < n. */
export function zero(x: usize, n: i32): void {
  memory.fill(x, 0, <usize> n << 2);
}
