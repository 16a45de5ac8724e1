// AssemblyScript: out (M, N) = a (M, K) · b (K, N), row-major float32.
// Pointers are byte offsets into the shared linear memory; the caller owns every buffer.
//
// SIMD trick: out[i, j..j+3] is one f32x4 accumulator. Each step of k broadcasts the scalar
// a[i, k] to all four lanes and multiplies it by the contiguous slice b[k, j..j+3], so four
// output columns advance per instruction. Columns past the last multiple of four are the
// scalar tail.

export function matmul(out: usize, a: usize, b: usize, M: i32, K: i32, N: i32): void {
  const N4 = N & ~3;
  for (let i = 0; i < M; i++) {
    const aRow = a + ((<usize> i * <usize> K) << 2);
    const outRow = out + ((<usize> i * <usize> N) << 2);
    for (let j = 0; j < N4; j += 4) {
      let acc = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const aik = f32x4.splat(load<f32>(aRow + (<usize> k << 2)));
        const bkj = v128.load(b + ((<usize> k * <usize> N + <usize> j) << 2));
        acc = f32x4.add(acc, f32x4.mul(aik, bkj));
      }
      v128.store(outRow + (<usize> j << 2), acc);
    }
    for (let j = N4; j < N; j++) {
      let acc: f32 = 0;
      for (let k = 0; k < K; k++) {
        acc += load<f32>(aRow + (<usize> k << 2)) *
          load<f32>(b + ((<usize> k * <usize> N + <usize> j) << 2));
      }
      store<f32>(outRow + (<usize> j << 2), acc);
    }
  }
}
