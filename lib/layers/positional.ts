/**
 * How a GPT knows where each token stands. Three ways:
 * - learned (GPT-2, the default): a trainable table `wpe` (T, C) added to the token embeddings,
 *   handled by lib/layers/encoder.ts;
 * - sinusoidal ("Attention Is All You Need"): a fixed table of sines and cosines at geometric
 *   frequencies, added the same way (so no parameters);
 * - RoPE (rotary, as LLaMA): nothing is added; instead each head's queries and keys are rotated
 *   pair by pair by an angle proportional to the position, so q·k depends on the distance.
 *
 * Shapes: B batch, T time, C channels, NH heads, hs = C/NH (even for RoPE). Base 10000 for both
 * fixed schemes. Leaves out the scaled/extended RoPE variants.
 * @module
 */

const BASE = 10000;

/**
 * The sinusoidal table: pe[t, 2i] = sin(t·ω_i), pe[t, 2i+1] = cos(t·ω_i), ω_i = BASE^(−2i/C).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sinusoidalTable } from "./positional.ts";
 * const pe = sinusoidalTable(4, 8);
 * assert.ok(pe[0] === 0 && pe[1] === 1);
 * ```
 */
export function sinusoidalTable(T: number, C: number): Float32Array {
  const pe = new Float32Array(T * C); // (T, C)
  for (let t = 0; t < T; t++) {
    for (let i = 0; 2 * i < C; i++) {
      const angle = t * Math.pow(BASE, (-2 * i) / C);
      pe[t * C + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < C) pe[t * C + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/** Rotates q and k of every head of (B, T, 3C) by `sign`·t·θ_i; v passes through. */
function rotate(
  out: Float32Array, // (B, T, 3C)
  inp: Float32Array, // (B, T, 3C)
  B: number,
  T: number,
  C: number,
  NH: number,
  sign: 1 | -1,
  accumulate: boolean,
  offset = 0,
): void {
  const hs = C / NH;
  if (hs % 2 !== 0) throw new Error(`RoPE needs an even head size, got ${hs} (C ${C}, NH ${NH}).`);
  // The angles depend on (t, i) only: computing them once per call, not once per batch row,
  // head and part, takes the trigonometry out of the inner loop.
  const half = hs / 2;
  const cosT = new Float64Array(T * half), sinT = new Float64Array(T * half);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const angle = sign * (t + offset) * Math.pow(BASE, (-2 * i) / hs);
      cosT[t * half + i] = Math.cos(angle);
      sinT[t * half + i] = Math.sin(angle);
    }
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const base = (b * T + t) * 3 * C;
      for (let part = 0; part < 2; part++) { // q, then k
        for (let h = 0; h < NH; h++) {
          const p = base + part * C + h * hs;
          for (let i = 0; i < half; i++) {
            const cos = cosT[t * half + i], sin = sinT[t * half + i];
            const x = inp[p + 2 * i], y = inp[p + 2 * i + 1];
            const rx = x * cos - y * sin, ry = x * sin + y * cos;
            out[p + 2 * i] = accumulate ? out[p + 2 * i] + rx : rx;
            out[p + 2 * i + 1] = accumulate ? out[p + 2 * i + 1] + ry : ry;
          }
        }
      }
      for (let i = 2 * C; i < 3 * C; i++) {
        out[base + i] = accumulate ? out[base + i] + inp[base + i] : inp[base + i];
      }
    }
  }
}

/**
 * RoPE on c_attn's output: out is inp with each head's query and key pairs rotated by t·θ_i,
 * θ_i = BASE^(−2i/hs); values are copied unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ropeForward } from "./positional.ts";
 * const inp = new Float32Array([1, 0, 1, 0, 7, 7]); // T = 1: position 0 is not rotated
 * const out = new Float32Array(6);
 * ropeForward(out, inp, 1, 1, 2, 1);
 * assert.ok(out[0] === 1 && out[5] === 7);
 * ```
 */
export function ropeForward(
  out: Float32Array, // (B, T, 3C)
  inp: Float32Array, // (B, T, 3C)
  B: number,
  T: number,
  C: number,
  NH: number,
  positionOffset = 0, // position of the first of the T tokens (a KV cache feeds one token at a time)
): void {
  rotate(out, inp, B, T, C, NH, 1, false, positionOffset);
}

/**
 * A rotation's transpose is the rotation by the opposite angle: dinp += R(−t·θ)·dout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ropeBackward } from "./positional.ts";
 * const dinp = new Float32Array(6);
 * ropeBackward(dinp, new Float32Array([1, 0, 0, 0, 2, 2]), 1, 1, 2, 1);
 * assert.ok(dinp[0] === 1 && dinp[4] === 2);
 * ```
 */
export function ropeBackward(
  dinp: Float32Array, // (B, T, 3C)
  dout: Float32Array, // (B, T, 3C)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  rotate(dinp, dout, B, T, C, NH, -1, true);
}
