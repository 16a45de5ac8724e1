/**
 * Lab 11 reference solutions, kept apart from the starters in labs/exercises/.
 */
import type { LoraTarget } from "../../lib/train/lora.ts";

/** Exercise 11.1. */
export function loraMerge(
  out: Float32Array,
  base: Float32Array,
  A: Float32Array,
  B: Float32Array,
  scale: number,
  OC: number,
  C: number,
  r: number,
): void {
  for (let o = 0; o < OC; o++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let k = 0; k < r; k++) sum += B[o * r + k] * A[k * C + c];
      out[o * C + c] = base[o * C + c] + scale * sum;
    }
  }
}

/** Exercise 11.2. */
export function loraBackward(
  dA: Float32Array,
  dB: Float32Array,
  dW: Float32Array,
  A: Float32Array,
  B: Float32Array,
  scale: number,
  OC: number,
  C: number,
  r: number,
): void {
  // dA (r, C) = scale · Bᵀ · dW
  for (let k = 0; k < r; k++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let o = 0; o < OC; o++) sum += B[o * r + k] * dW[o * C + c];
      dA[k * C + c] = scale * sum;
    }
  }
  // dB (OC, r) = scale · dW · Aᵀ
  for (let o = 0; o < OC; o++) {
    for (let k = 0; k < r; k++) {
      let sum = 0;
      for (let c = 0; c < C; c++) sum += dW[o * C + c] * A[k * C + c];
      dB[o * r + k] = scale * sum;
    }
  }
}

/** Exercise 11.3. */
export function loraParameterCount(
  C: number,
  L: number,
  rank: number,
  targets: LoraTarget[],
): number {
  const shapes: Record<LoraTarget, [number, number]> = {
    "attn.c_attn": [3 * C, C],
    "attn.c_proj": [C, C],
    "mlp.c_fc": [4 * C, C],
    "mlp.c_proj": [C, 4 * C],
  };
  let count = 0;
  for (const t of targets) count += rank * (shapes[t][0] + shapes[t][1]);
  return L * count;
}
