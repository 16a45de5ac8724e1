/**
 * Causal multi-head self-attention, after the c_attn projection and before c_proj: each head
 * scores every earlier position by q·k/√hs, turns the scores into weights with a softmax, and
 * takes the weighted sum of the values. Positions never see the future (the causal mask).
 *
 * Shapes: B batch, T time, C channels, NH heads, hs = C/NH the head size. `inp` is c_attn's
 * output, (B, T, 3C): for each position the C query channels, then C key, then C value, each
 * split into NH heads of hs channels. Gradients accumulate; `datt` and `dpreatt` are scratch
 * buffers that must start at zero. Leaves out dropout and any KV cache.
 * @module
 */

/**
 * Fills `preatt` with the scaled scores, `att` with the softmax weights (zero above the diagonal)
 * and `out` with each head's weighted sum of values, heads side by side.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attentionForward } from "./attention.ts";
 * // one position attends only to itself, so the output is its value
 * const inp = new Float32Array([1, 2, 3]); // q, k, v with C = 1
 * const out = new Float32Array(1), preatt = new Float32Array(1), att = new Float32Array(1);
 * attentionForward(out, preatt, att, inp, 1, 1, 1, 1);
 * assert.ok(att[0] === 1 && out[0] === 3 && preatt[0] === 2);
 * ```
 */
export function attentionForward(
  out: Float32Array, // (B, T, C)
  preatt: Float32Array, // (B, NH, T, T)
  att: Float32Array, // (B, NH, T, T)
  inp: Float32Array, // (B, T, 3C)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const C3 = 3 * C, hs = C / NH, scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < NH; h++) {
        const q = b * T * C3 + t * C3 + h * hs;
        const row = ((b * NH + h) * T + t) * T;
        let max = -Infinity;
        for (let t2 = 0; t2 <= t; t2++) {
          const k = b * T * C3 + t2 * C3 + h * hs + C;
          let dot = 0;
          for (let i = 0; i < hs; i++) dot += inp[q + i] * inp[k + i];
          preatt[row + t2] = dot * scale;
          if (dot * scale > max) max = dot * scale;
        }
        let sum = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const e = Math.exp(preatt[row + t2] - max);
          att[row + t2] = e;
          sum += e;
        }
        for (let t2 = 0; t2 <= t; t2++) att[row + t2] /= sum;
        // The masked future: weight exactly zero, and a score of zero rather than stale memory.
        for (let t2 = t + 1; t2 < T; t2++) att[row + t2] = preatt[row + t2] = 0;
        const o = (b * T + t) * C + h * hs;
        for (let i = 0; i < hs; i++) out[o + i] = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const v = b * T * C3 + t2 * C3 + h * hs + 2 * C;
          const a = att[row + t2];
          for (let i = 0; i < hs; i++) out[o + i] += a * inp[v + i];
        }
      }
    }
  }
}

/**
 * Adds the gradient of q, k and v into `dinp`, going back through the weighted sum of values,
 * the softmax (dpreatt = att · (datt − Σ att·datt)) and the scaled dot products.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attentionBackward, attentionForward } from "./attention.ts";
 * const inp = new Float32Array([1, 2, 3]);
 * const out = new Float32Array(1), preatt = new Float32Array(1), att = new Float32Array(1);
 * attentionForward(out, preatt, att, inp, 1, 1, 1, 1);
 * const dinp = new Float32Array(3);
 * attentionBackward(dinp, new Float32Array(1), new Float32Array(1), new Float32Array([1]), inp, att, 1, 1, 1, 1);
 * assert.ok(dinp[2] === 1 && dinp[0] === 0);
 * ```
 */
export function attentionBackward(
  dinp: Float32Array, // (B, T, 3C)
  dpreatt: Float32Array, // (B, NH, T, T)
  datt: Float32Array, // (B, NH, T, T)
  dout: Float32Array, // (B, T, C)
  inp: Float32Array, // (B, T, 3C)
  att: Float32Array, // (B, NH, T, T)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const C3 = 3 * C, hs = C / NH, scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < NH; h++) {
        const q = b * T * C3 + t * C3 + h * hs;
        const row = ((b * NH + h) * T + t) * T;
        const o = (b * T + t) * C + h * hs;
        for (let t2 = 0; t2 <= t; t2++) {
          const v = b * T * C3 + t2 * C3 + h * hs + 2 * C;
          let d = 0;
          for (let i = 0; i < hs; i++) {
            d += inp[v + i] * dout[o + i];
            dinp[v + i] += att[row + t2] * dout[o + i];
          }
          datt[row + t2] += d;
        }
        let weighted = 0;
        for (let t2 = 0; t2 <= t; t2++) weighted += att[row + t2] * datt[row + t2];
        for (let t2 = 0; t2 <= t; t2++) {
          dpreatt[row + t2] += att[row + t2] * (datt[row + t2] - weighted);
        }
        for (let t2 = 0; t2 <= t; t2++) {
          const k = b * T * C3 + t2 * C3 + h * hs + C;
          const g = dpreatt[row + t2] * scale;
          for (let i = 0; i < hs; i++) {
            dinp[q + i] += inp[k + i] * g;
            dinp[k + i] += inp[q + i] * g;
          }
        }
      }
    }
  }
}
