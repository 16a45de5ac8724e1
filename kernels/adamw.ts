// AssemblyScript: one AdamW update over n parameters, in place; twin: `adamwStep` in
// lib/layers/adamw.ts. Layout: params, grads, m, v float32, byte pointers, caller-owned;
// `groups` is a table of `ngroups` entries (start, end, lr · weight decay), sorted, not
// overlapping; `hyper` holds six float32: lr, β1, β2, eps, c1, c2, where c1 = 1 − β1^t and
// c2 = 1 − β2^t are the bias corrections. Parameters outside every group are left alone.
// The work items are groups of four parameters (the last may be partial), so the update splits
// across threads anywhere.
// SIMD: four parameters at a time in float32 (the twin works in float64 and rounds once per
// stored value, so the two agree to a few float32 ulps per step, not bit for bit).

/** Bytes of one entry of the group table: start (i32), end (i32), lr · weight decay (f32). */
const GROUP_BYTES = 12;

export function adamw(
  params: usize,
  grads: usize,
  m: usize,
  v: usize,
  groups: usize,
  ngroups: i32,
  hyper: usize,
  first: i32,
  last: i32,
): void {
  // The items are groups of four parameters of the whole table, whatever the groups: one job
  // for every group of a step, where a job per group handed the two threads ~30 small jobs.
  const e0 = first << 2;
  for (let g = 0; g < ngroups; g++) {
    const entry = groups + <usize> g * GROUP_BYTES;
    const lo = max(load<i32>(entry), e0);
    const hi = min(load<i32>(entry, 4), last << 2);
    if (lo < hi) update(params, grads, m, v, lo, hi, hyper, load<f32>(entry, 8));
  }
}

/** The update of parameters lo..hi with decay = lr · weight decay. */
// @ts-ignore: decorator
@inline function update(
  params: usize,
  grads: usize,
  m: usize,
  v: usize,
  lo: i32,
  hi: i32,
  hyper: usize,
  decay: f32,
): void {
  // Floats come through memory: a range job's arguments travel as 32-bit integers.
  const beta1 = load<f32>(hyper, 4), beta2 = load<f32>(hyper, 8);
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const a1 = f32x4.splat(1 - beta1), a2 = f32x4.splat(1 - beta2);
  const step = f32x4.splat(load<f32>(hyper) / load<f32>(hyper, 16));
  const rc2 = f32x4.splat(1 / load<f32>(hyper, 20));
  const ev = f32x4.splat(load<f32>(hyper, 12)), dv = f32x4.splat(decay);
  // Four at a time, then the rest one lane at a time through the same arithmetic: every
  // parameter gets the same bits whichever path it takes, so one thread and two agree.
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    lanes(params, grads, m, v, <usize> i << 2, false, b1, b2, a1, a2, step, rc2, ev, dv);
  }
  for (; i < hi; i++) {
    lanes(params, grads, m, v, <usize> i << 2, true, b1, b2, a1, a2, step, rc2, ev, dv);
  }
}

/** The update of the four parameters at byte offset o, or of the one there when `one`. */
// @ts-ignore: decorator
@inline function lanes(
  params: usize,
  grads: usize,
  m: usize,
  v: usize,
  o: usize,
  one: bool,
  b1: v128,
  b2: v128,
  a1: v128,
  a2: v128,
  step: v128,
  rc2: v128,
  ev: v128,
  dv: v128,
): void {
  const g = one ? v128.load32_zero(grads + o) : v128.load(grads + o);
  const m0 = one ? v128.load32_zero(m + o) : v128.load(m + o);
  const v0 = one ? v128.load32_zero(v + o) : v128.load(v + o);
  const p = one ? v128.load32_zero(params + o) : v128.load(params + o);
  const mi = f32x4.add(f32x4.mul(b1, m0), f32x4.mul(a1, g));
  const vi = f32x4.add(f32x4.mul(b2, v0), f32x4.mul(a2, f32x4.mul(g, g)));
  const upd = f32x4.div(f32x4.mul(step, mi), f32x4.add(f32x4.sqrt(f32x4.mul(vi, rc2)), ev));
  const np = f32x4.sub(p, f32x4.add(upd, f32x4.mul(dv, p)));
  if (one) {
    v128.store32_lane(m + o, mi, 0);
    v128.store32_lane(v + o, vi, 0);
    v128.store32_lane(params + o, np, 0);
  } else {
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(params + o, np);
  }
}
