// AssemblyScript: the bias gradient of a linear layer, dbias[o] += Σ_n dout[n, o], the semantics
// of `biasBackward` in lib/linear.ts. Layout: dout (N, OC) row-major float32, dbias (OC); byte
// pointers, caller-owned; dbias accumulates.
// SIMD: sixteen output channels at a time in four registers, walking down the rows, so each sum
// adds its rows in the twin's order (n = 0, 1, …) and the result is bit-identical to it.

export function biasBackward(dbias: usize, dout: usize, N: i32, OC: i32): void {
  const stride = <usize> OC << 2;
  let o = 0;
  for (; o + 16 <= OC; o += 16) {
    const d = dbias + (<usize> o << 2);
    let a0 = v128.load(d), a1 = v128.load(d, 16), a2 = v128.load(d, 32), a3 = v128.load(d, 48);
    let p = dout + (<usize> o << 2);
    for (let n = 0; n < N; n++, p += stride) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
    }
    v128.store(d, a0);
    v128.store(d, a1, 16);
    v128.store(d, a2, 32);
    v128.store(d, a3, 48);
  }
  for (; o + 4 <= OC; o += 4) {
    const d = dbias + (<usize> o << 2);
    let a = v128.load(d);
    let p = dout + (<usize> o << 2);
    for (let n = 0; n < N; n++, p += stride) a = f32x4.add(a, v128.load(p));
    v128.store(d, a);
  }
  for (; o < OC; o++) {
    const d = dbias + (<usize> o << 2);
    let s = load<f32>(d);
    let p = dout + (<usize> o << 2);
    for (let n = 0; n < N; n++, p += stride) s += load<f32>(p);
    store<f32>(d, s);
  }
}
