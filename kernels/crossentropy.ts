// AssemblyScript: the fused backward pass of softmax + cross-entropy, the semantics of the twin
// crossEntropySoftmaxBackward in lib/layers/crossentropy.ts:
//   dlogits[n, v] += (probs[n, v] − [v = targets[n]]) · dlosses[n]
// Layout: dlogits, probs (N, V) row-major float32; dlosses (N) float32; targets (N) int32.
// Byte-offset pointers, caller-owned; dlogits accumulates.
// SIMD: the row is one 4-wide multiply-add pass over V; the one-hot term touches a single entry,
// so it is subtracted afterwards instead of being compared in every lane.

export function crossEntropySoftmaxBackward(
  dlogits: usize,
  dlosses: usize,
  probs: usize,
  targets: usize,
  N: i32,
  V: i32,
): void {
  const V4 = V & ~3;
  for (let n = 0; n < N; n++) {
    const row = (<usize> n * <usize> V) << 2;
    const d = dlogits + row, p = probs + row;
    const dl = load<f32>(dlosses + (<usize> n << 2));
    const dlv = f32x4.splat(dl);
    for (let v = 0; v < V4; v += 4) {
      const o = <usize> v << 2;
      v128.store(d + o, f32x4.relaxed_madd(v128.load(p + o), dlv, v128.load(d + o)));
    }
    for (let v = V4; v < V; v++) {
      const o = <usize> v << 2;
      store<f32>(d + o, load<f32>(d + o) + load<f32>(p + o) * dl);
    }
    const t = <usize> load<i32>(targets + (<usize> n << 2)) << 2;
    store<f32>(d + t, load<f32>(d + t) - dl);
  }
}
