// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 11 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 11` again. Hints: `deno task hint 11.1`.
 *
 * Matrices are Float32Arrays stored row by row: entry (i, j) of an (R, K) matrix is at i·K + j.
 */
import type { LoraTarget } from "../../lib/train/lora.ts";

/**
 * Exercise 11.1: writes W0 + scale·B·A into `out` (OC, C), where `base` is W0 (OC, C), A is
 * (r, C) and B is (OC, r).
 * With OC = 1, C = 2, r = 1: base [1, 1], A [2, 3], B [4] and scale 0.5 give out [5, 7].
 */
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
  // TODO: one entry of out at a time: the base's entry plus scale times a sum over the rank.
  throw new Error("TODO: write loraMerge");
}

/**
 * Exercise 11.2: the gradients of A (r, C) and B (OC, r) from dW (OC, C), the gradient of the
 * merged weight W = W0 + scale·B·A. Write them into dA and dB (overwrite what is there).
 * With OC = 1, C = 2, r = 1: dW [1, 2], A [2, 3], B [4] and scale 0.5 give dA [2, 4], dB [4].
 */
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
  // TODO: each of dA and dB is scale times a product of dW with the other factor.
  throw new Error("TODO: write loraBackward");
}

/**
 * Exercise 11.3: how many numbers LoRA of rank `rank` trains on a GPT of width C with L blocks,
 * when it adapts `targets` in every block ("attn.c_attn", "attn.c_proj", "mlp.c_fc",
 * "mlp.c_proj"). A weight is (OC, C_in): c_attn (3C, C), attn.c_proj (C, C), mlp.c_fc (4C, C),
 * mlp.c_proj (C, 4C).
 * loraParameterCount(8, 1, 2, ["attn.c_proj"]) is 32.
 */
export function loraParameterCount(
  C: number,
  L: number,
  rank: number,
  targets: LoraTarget[],
): number {
  // TODO: add up rank × (rows + columns) over the adapted matrices of every block.
  throw new Error("TODO: write loraParameterCount");
}
