// AssemblyScript: out (N) [+]= W (N, K) · a (K) [+ bias], the one-row case of A·Bᵀ that sampling
// with a KV cache runs for every layer and every token. The matmul would pack all of W into
// panels for one row of output, copying the whole weight matrix per call; here each row of W is
// read once, in place, as the dot product it is.
// SIMD: four rows of W at a time, vectors along k, one accumulator per row; the four sums are
// reduced across lanes together (sumLanes4) into one vector of four outputs.

import { dot, sumLanes4 } from "./simd";

/** Rows of W grouped by four, groups first .. last−1 (the last group may be partial). */
export function matvecTransB(
  out: usize,
  a: usize,
  w: usize,
  K: i32,
  N: i32,
  bias: usize,
  accumulate: i32,
  first: i32,
  last: i32,
): void {
  const ldw = <usize> K << 2;
  const k4 = <usize> (K & ~3) << 2;
  const end = min(last << 2, N);
  let n = first << 2;
  for (; n + 4 <= end; n += 4) {
    const w0 = w + <usize> n * ldw, w1 = w0 + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let k: usize = 0; k < k4; k += 16) {
      const x = v128.load(a + k);
      s0 = f32x4.relaxed_madd(x, v128.load(w0 + k), s0);
      s1 = f32x4.relaxed_madd(x, v128.load(w1 + k), s1);
      s2 = f32x4.relaxed_madd(x, v128.load(w2 + k), s2);
      s3 = f32x4.relaxed_madd(x, v128.load(w3 + k), s3);
    }
    let r = sumLanes4(s0, s1, s2, s3);
    for (let k = k4; k < (<usize> K << 2); k += 4) {
      const x = f32x4.splat(load<f32>(a + k));
      const col = f32x4.replace_lane(
        f32x4.replace_lane(
          f32x4.replace_lane(f32x4.splat(load<f32>(w0 + k)), 1, load<f32>(w1 + k)),
          2,
          load<f32>(w2 + k),
        ),
        3,
        load<f32>(w3 + k),
      );
      r = f32x4.relaxed_madd(x, col, r);
    }
    const o = out + (<usize> n << 2);
    if (bias) r = f32x4.add(r, v128.load(bias + (<usize> n << 2)));
    if (accumulate) r = f32x4.add(r, v128.load(o));
    v128.store(o, r);
  }
  for (; n < end; n++) {
    let r = dot(a, w + <usize> n * ldw, K);
    const o = out + (<usize> n << 2);
    if (bias) r += load<f32>(bias + (<usize> n << 2));
    if (accumulate) r += load<f32>(o);
    store<f32>(o, r);
  }
}
