// AssemblyScript: the bias gradient of a linear layer, dbias[o] += Σ_n dout[n, o], the semantics
// of `biasBackward` in lib/layers/linear.ts. Layout: dout (N, OC) row-major float32, dbias (OC); byte
// pointers, caller-owned; dbias accumulates.
// The work items are groups of BIAS_CHANNELS channels (the last may be partial), so the channels
// split across threads.
// Rows are read in memory order and added into dbias four channels at a time: each sum still
// adds its rows in the twin's order (n = 0, 1, …), so the result is bit-identical to it. Walking
// down the columns instead, with the sums in registers, read dout at a stride of a whole row and
// measured several times slower on the wide layers.

/** Channels per work item. */
export const BIAS_CHANNELS = 16;

export function biasBackward(dbias: usize, dout: usize, N: i32, OC: i32, first: i32, last: i32): void {
  const o0 = first * BIAS_CHANNELS, o1 = min(last * BIAS_CHANNELS, OC);
  const o4 = o0 + ((o1 - o0) & ~3);
  const stride = <usize> OC << 2;
  let row = dout;
  for (let n = 0; n < N; n++, row += stride) {
    for (let o = o0; o < o4; o += 4) {
      const at = <usize> o << 2;
      v128.store(dbias + at, f32x4.add(v128.load(dbias + at), v128.load(row + at)));
    }
    for (let o = o4; o < o1; o++) {
      const at = <usize> o << 2;
      store<f32>(dbias + at, load<f32>(dbias + at) + load<f32>(row + at));
    }
  }
}
