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
  const hs = C / NH, scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * NH + h) * T + t) * T;
        let max = -Infinity;
        for (let t2 = 0; t2 <= t; t2++) {
          let s = 0;
          for (let i = 0; i < hs; i++) {
            s += inp[at(b, t, 0, h, i, T, C, hs)] * inp[at(b, t2, 1, h, i, T, C, hs)];
          }
          preatt[row + t2] = s * scale;
          max = Math.max(max, s * scale);
        }
        let total = 0;
        for (let t2 = 0; t2 <= t; t2++) total += att[row + t2] = Math.exp(preatt[row + t2] - max);
        for (let t2 = 0; t2 < T; t2++) {
          if (t2 <= t) att[row + t2] /= total;
          else att[row + t2] = preatt[row + t2] = 0;
        }
        const o = (b * T + t) * C + h * hs;
        out.fill(0, o, o + hs);
        for (let t2 = 0; t2 <= t; t2++) {
          for (let i = 0; i < hs; i++) {
            out[o + i] += att[row + t2] * inp[at(b, t2, 2, h, i, T, C, hs)];
          }
        }
      }
    }
  }
}

/** Exercise 04.2. */
export function attentionBackward(
  dinp: Float32Array,
  dpreatt: Float32Array,
  datt: Float32Array,
  dout: Float32Array,
  inp: Float32Array,
  att: Float32Array,
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH, scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * NH + h) * T + t) * T;
        const dy = (i: number) => dout[(b * T + t) * C + h * hs + i];
        // Through the weighted sum of values.
        for (let t2 = 0; t2 <= t; t2++) {
          let s = 0;
          for (let i = 0; i < hs; i++) {
            s += inp[at(b, t2, 2, h, i, T, C, hs)] * dy(i);
            dinp[at(b, t2, 2, h, i, T, C, hs)] += att[row + t2] * dy(i);
          }
          datt[row + t2] += s;
        }
        // Through the softmax.
        let mean = 0;
        for (let t2 = 0; t2 <= t; t2++) mean += att[row + t2] * datt[row + t2];
        for (let t2 = 0; t2 <= t; t2++) {
          dpreatt[row + t2] += att[row + t2] * (datt[row + t2] - mean);
        }
        // Through the scaled scores q·k.
        for (let t2 = 0; t2 <= t; t2++) {
          const g = dpreatt[row + t2] * scale;
          for (let i = 0; i < hs; i++) {
            dinp[at(b, t, 0, h, i, T, C, hs)] += inp[at(b, t2, 1, h, i, T, C, hs)] * g;
            dinp[at(b, t2, 1, h, i, T, C, hs)] += inp[at(b, t, 0, h, i, T, C, hs)] * g;
          }
        }
      }
    }
  }
}
