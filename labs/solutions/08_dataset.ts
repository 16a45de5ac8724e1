/**
 * Lab 08 reference solutions, kept apart from the starters in labs/exercises/.
 */
import type { Rng } from "../../lib/random.ts";

/** Exercise 08.1. */
export function splitTokens(
  tokens: Int32Array,
  valFraction: number,
): { train: Int32Array; val: Int32Array } {
  const cut = Math.floor(tokens.length * (1 - valFraction));
  return { train: tokens.slice(0, cut), val: tokens.slice(cut) };
}

/** Exercise 08.2. */
export function makeBatch(
  data: Int32Array,
  B: number,
  T: number,
  rng: Rng,
): { inputs: Int32Array; targets: Int32Array } {
  const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = rng.int(data.length - T);
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = data[start + t];
      targets[b * T + t] = data[start + t + 1];
    }
  }
  return { inputs, targets };
}
