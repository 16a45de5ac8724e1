/**
 * Lab 02 reference solutions, kept apart from the starters in labs/exercises/.
 */

/** Exercise 02.1. */
export function encoderForward(
  out: Float32Array,
  inp: Int32Array,
  wte: Float32Array,
  wpe: Float32Array | null,
  B: number,
  T: number,
  C: number,
): void {
  for (let n = 0; n < B * T; n++) {
    const t = n % T;
    out.set(wte.subarray(inp[n] * C, inp[n] * C + C), n * C);
    if (wpe) { for (let c = 0; c < C; c++) out[n * C + c] += wpe[t * C + c]; }
  }
}

/** Exercise 02.2. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  if (na === 0 || nb === 0) return 0;
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}

/** Exercise 02.3. */
export function encoderBackward(
  dwte: Float32Array,
  dwpe: Float32Array | null,
  dout: Float32Array,
  inp: Int32Array,
  B: number,
  T: number,
  C: number,
): void {
  for (let n = 0; n < B * T; n++) {
    const t = n % T, row = inp[n] * C;
    for (let c = 0; c < C; c++) {
      dwte[row + c] += dout[n * C + c];
      if (dwpe) dwpe[t * C + c] += dout[n * C + c];
    }
  }
}
