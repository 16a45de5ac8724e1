/**
 * Lab 06 reference solutions, kept apart from the starters in labs/exercises/.
 */

/** Exercise 06.1. */
export function layerNormForward(
  out: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array,
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const row = inp.subarray(n * C, n * C + C);
    const m = row.reduce((a, b) => a + b, 0) / C;
    const variance = row.reduce((a, b) => a + (b - m) * (b - m), 0) / C;
    const r = 1 / Math.sqrt(variance + 1e-5);
    row.forEach((x, i) => (out[n * C + i] = (x - m) * r * weight[i] + bias[i]));
    mean[n] = m;
    rstd[n] = r;
  }
}

/** Exercise 06.2. */
export function layerNormBackward(
  dinp: Float32Array,
  dweight: Float32Array,
  dbias: Float32Array,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const xhat: number[] = [], g: number[] = [];
    for (let i = 0; i < C; i++) {
      xhat.push((inp[n * C + i] - mean[n]) * rstd[n]);
      g.push(dout[n * C + i] * weight[i]);
      dweight[i] += xhat[i] * dout[n * C + i];
      dbias[i] += dout[n * C + i];
    }
    const gMean = g.reduce((a, b) => a + b, 0) / C;
    const gxMean = g.reduce((a, b, i) => a + b * xhat[i], 0) / C;
    for (let i = 0; i < C; i++) dinp[n * C + i] += rstd[n] * (g[i] - gMean - xhat[i] * gxMean);
  }
}
