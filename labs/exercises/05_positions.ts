// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 05 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 05` again. Hints: `deno task hint 05.1`.
 */

/**
 * Exercise 05.1: the sinusoidal table (T, C) of "Attention Is All You Need":
 * pe[t, 2i] = sin(t·ω_i), pe[t, 2i+1] = cos(t·ω_i), with ω_i = 10000^(−2i/C).
 */
export function sinusoidalTable(T: number, C: number): Float32Array {
  // TODO: fill a new Float32Array(T * C), row t at t * C.
  throw new Error("TODO: write sinusoidalTable");
}

/**
 * Exercise 05.2: RoPE on the output of c_attn, (B, T, 3C) laid out as in lab 04 (q, k, v, each
 * split into NH heads of hs = C / NH channels). In `out`, every head's query and key channel
 * pairs (2i, 2i+1) are rotated by the angle t·θ_i, θ_i = 10000^(−2i/hs):
 * (x, y) → (x·cos − y·sin, x·sin + y·cos). Value channels are copied unchanged.
 */
export function ropeForward(
  out: Float32Array, // (B, T, 3C)
  inp: Float32Array, // (B, T, 3C)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  // TODO: rotate q and k pair by pair, copy v.
  throw new Error("TODO: write ropeForward");
}
