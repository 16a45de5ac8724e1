/**
 * Lab 04 reference solutions, kept apart from the starters in labs/exercises/.
 */

/** Index of channel i of part (0 q, 1 k, 2 v) of head h at (b, t) in the (B, T, 3C) input. */
function at(
  b: number,
  t: number,
  part: number,
  h: number,
  i: number,
  T: number,
  C: number,
  hs: number,
) {
  return (b * T + t) * 3 * C + part * C + h * hs + i;
}

/** Exercise 04.1. */
export function attentionForward(
  out: Float32Array,
  preatt: Float32Array,
  att: Float32Array,
  inp: Float32Array,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * NH + h) * T + t) * T;
        const scores: number[] = [];
        for (let t2 = 0; t2 <= t; t2++) {
          let s = 0;
          for (let i = 0; i < hs; i++) {
            s += inp[at(b, t, 0, h, i, T, C, hs)] * inp[at(b, t2, 1, h, i, T, C, hs)];
          }
          scores.push(s / Math.sqrt(hs));
        }
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (let t2 = 0; t2 < T; t2++) {
          preatt[row + t2] = t2 <= t ? scores[t2] : 0;
          att[row + t2] = t2 <= t ? exps[t2] / total : 0;
        }
        for (let i = 0; i < hs; i++) {
          let s = 0;
          for (let t2 = 0; t2 <= t; t2++) s += att[row + t2] * inp[at(b, t2, 2, h, i, T, C, hs)];
          out[(b * T + t) * C + h * hs + i] = s;
        }
      }
    }
  }
}

/** Exercise 04.2. */
export function attentionBackward(
  dinp: Float32Array,
  _dpreatt: Float32Array,
  _datt: Float32Array,
  dout: Float32Array,
  inp: Float32Array,
  att: Float32Array,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * NH + h) * T + t) * T;
        const dy = (i: number) => dout[(b * T + t) * C + h * hs + i];
        const datt: number[] = [];
        for (let t2 = 0; t2 <= t; t2++) {
          let s = 0;
          for (let i = 0; i < hs; i++) {
            s += dy(i) * inp[at(b, t2, 2, h, i, T, C, hs)];
            dinp[at(b, t2, 2, h, i, T, C, hs)] += att[row + t2] * dy(i);
          }
          datt.push(s);
        }
        const mean = datt.reduce((a, d, t2) => a + att[row + t2] * d, 0);
        for (let t2 = 0; t2 <= t; t2++) {
          const g = att[row + t2] * (datt[t2] - mean) / Math.sqrt(hs);
          for (let i = 0; i < hs; i++) {
            dinp[at(b, t, 0, h, i, T, C, hs)] += g * inp[at(b, t2, 1, h, i, T, C, hs)];
            dinp[at(b, t2, 1, h, i, T, C, hs)] += g * inp[at(b, t, 0, h, i, T, C, hs)];
          }
        }
      }
    }
  }
}
