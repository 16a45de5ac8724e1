// AssemblyScript: small SIMD building blocks shared by the row kernels (softmax, attention):
// a vector exp, dot product, axpy and horizontal reductions over float32 arrays in memory.
// Every loop has a 4-wide main part and a scalar tail; nothing allocates.

/**
 * e^x on four lanes, Cephes' expf scheme: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two
 * parts so n·ln2 is exact), a degree-6 polynomial for e^r, and 2^n built in the exponent bits.
 * About 1 ulp. Inputs are clamped to [-87.3, 88]: below, the result is ~1e-38 instead of a
 * denormal or 0, which no softmax can tell apart.
 */
// @ts-ignore: decorator
export function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.33654)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.relaxed_nmadd(n, f32x4.splat(0.693359375), x);
  r = f32x4.relaxed_nmadd(n, f32x4.splat(-2.12194440e-4), r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.relaxed_madd(p, r, f32x4.splat(1.3981999507e-3));
  p = f32x4.relaxed_madd(p, r, f32x4.splat(8.3334519073e-3));
  p = f32x4.relaxed_madd(p, r, f32x4.splat(4.1665795894e-2));
  p = f32x4.relaxed_madd(p, r, f32x4.splat(1.6666665459e-1));
  p = f32x4.relaxed_madd(p, r, f32x4.splat(5.0000001201e-1));
  const y = f32x4.relaxed_madd(p, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1)));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

/** The same exp on one value (lane 0), so tails round exactly like the vector part. */
// @ts-ignore: decorator
export function exps(x: f32): f32 {
  return f32x4.extract_lane(expv(f32x4.splat(x)), 0);
}

// @ts-ignore: decorator
export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
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
  for (; i + 4 <= n; i += 4) m = f32x4.max(m, v128.load(x + (<usize> i << 2)));
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
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize> i << 2;
    const e = expv(f32x4.sub(v128.load(src + o), sh));
    v128.store(dst + o, e);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(e));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)));
  }
  const both = f64x2.add(lo, hi);
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
