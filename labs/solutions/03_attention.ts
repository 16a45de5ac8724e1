/**
 * Lab 03 reference solutions, kept apart from the starters in labs/exercises/.
 */

/** Exercise 03.1. */
export function attentionWeights(
  q: Float32Array,
  k: Float32Array,
  T: number,
  d: number,
  causal = true,
): Float32Array {
  const weights = new Float32Array(T * T);
  for (let t = 0; t < T; t++) {
    const last = causal ? t : T - 1;
    const scores: number[] = [];
    for (let t2 = 0; t2 <= last; t2++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += q[t * d + i] * k[t2 * d + i];
      scores.push(s / Math.sqrt(d));
    }
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const total = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, t2) => (weights[t * T + t2] = e / total));
  }
  return weights;
}

/** Exercise 03.2. */
export function attend(weights: Float32Array, v: Float32Array, T: number, d: number): Float32Array {
  const out = new Float32Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let t2 = 0; t2 < T; t2++) s += weights[t * T + t2] * v[t2 * d + i];
      out[t * d + i] = s;
    }
  }
  return out;
}
