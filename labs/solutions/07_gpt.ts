/**
 * Lab 07 reference solutions, kept apart from the starters in labs/exercises/.
 */

/** Exercise 07.1. */
export function crossEntropySoftmaxBackward(
  dlogits: Float32Array,
  dlosses: Float32Array,
  probs: Float32Array,
  targets: Int32Array,
  N: number,
  V: number,
): void {
  for (let n = 0; n < N; n++) {
    for (let v = 0; v < V; v++) {
      const p = probs[n * V + v];
      dlogits[n * V + v] += (v === targets[n] ? p - 1 : p) * dlosses[n];
    }
  }
}

/** Exercise 07.2. */
export function linearBackward(
  dinp: Float32Array,
  dweight: Float32Array,
  dbias: Float32Array | null,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  N: number,
  C: number,
  OC: number,
): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < OC; o++) {
      const g = dout[n * OC + o];
      if (dbias) dbias[o] += g;
      for (let c = 0; c < C; c++) {
        dinp[n * C + c] += g * weight[o * C + c];
        dweight[o * C + c] += g * inp[n * C + c];
      }
    }
  }
}
