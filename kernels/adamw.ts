// AssemblyScript: one AdamW update over n parameters, in place; twin: `adamwStep` in
// lib/layers/adamw.ts, which calls this once per parameter group. Layout: params, grads, m, v (n)
// float32, byte pointers, caller-owned; `hyper` holds seven float32: lr, β1, β2, eps, c1, c2 and
// decay, where c1 = 1 − β1^t and c2 = 1 − β2^t are the bias corrections and decay = lr · weight
// decay.
// The work items are groups of four parameters (the last may be partial), so the update splits
// across threads anywhere.
// SIMD: four parameters at a time in float32 (the twin works in float64 and rounds once per
// stored value, so the two agree to a few float32 ulps per step, not bit for bit).

export function adamw(
  params: usize,
  grads: usize,
  m: usize,
  v: usize,
  n: i32,
  hyper: usize,
  first: i32,
  last: i32,
): void {
  // Floats come through memory: a range job's arguments travel as 32-bit integers.
  const lr = load<f32>(hyper), beta1 = load<f32>(hyper, 4), beta2 = load<f32>(hyper, 8);
  const eps = load<f32>(hyper, 12), c1 = load<f32>(hyper, 16), c2 = load<f32>(hyper, 20);
  const decay = load<f32>(hyper, 24);
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const a1 = f32x4.splat(1 - beta1), a2 = f32x4.splat(1 - beta2);
  const step = f32x4.splat(lr / c1), rc2 = f32x4.splat(1 / c2);
  const ev = f32x4.splat(eps), dv = f32x4.splat(decay);
  const end = min(last << 2, n);
  let i = first << 2;
  for (; i + 4 <= end; i += 4) {
    const o = <usize> i << 2;
    const g = v128.load(grads + o);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(a1, g));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(a2, f32x4.mul(g, g)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const p = v128.load(params + o);
    const upd = f32x4.div(f32x4.mul(step, mi), f32x4.add(f32x4.sqrt(f32x4.mul(vi, rc2)), ev));
    v128.store(params + o, f32x4.sub(p, f32x4.add(upd, f32x4.mul(dv, p))));
  }
  for (; i < end; i++) {
    const o = <usize> i << 2;
    const g = load<f32>(grads + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * g;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * g * g;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    const p = load<f32>(params + o);
    store<f32>(params + o, p - ((lr / c1) * mi / (Mathf.sqrt(vi / c2) + eps) + decay * p));
  }
}
