/**
 * Lab 05 reference solutions, kept apart from the starters in labs/exercises/.
 */

/** Exercise 05.1. */
export function sinusoidalTable(T: number, C: number): Float32Array {
  const pe = new Float32Array(T * C);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < C; c++) {
      const pair = c - (c % 2);
      const angle = t / Math.pow(10000, pair / C);
      pe[t * C + c] = c % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return pe;
}

/** Exercise 05.2. */
export function ropeForward(
  out: Float32Array,
  inp: Float32Array,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  out.set(inp);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (const part of [0, C]) {
        for (let h = 0; h < NH; h++) {
          for (let i = 0; i < hs; i += 2) {
            const at = (b * T + t) * 3 * C + part + h * hs + i;
            const angle = t / Math.pow(10000, i / hs);
            const [x, y] = [inp[at], inp[at + 1]];
            out[at] = x * Math.cos(angle) - y * Math.sin(angle);
            out[at + 1] = x * Math.sin(angle) + y * Math.cos(angle);
          }
        }
      }
    }
  }
}
