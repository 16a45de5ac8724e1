/**
 * Exercises of lab 05: the sinusoidal position table, and RoPE's rotation of queries and keys.
 * @module
 */
import { closeCase, type Exercise } from "../../lib/course/exercise.ts";
import { ropeForward, sinusoidalTable } from "../../lib/layers/positional.ts";
import { Rng } from "../../lib/random.ts";
import { compareCalls } from "./calls.ts";

const FILE = "labs/exercises/05_positions.ts";

const sinusoidalExercise: Exercise<typeof sinusoidalTable> = {
  id: "05.1",
  title: "The sinusoidal position table",
  file: FILE,
  symbol: "sinusoidalTable",
  hint: "Channels come in pairs (2i, 2i+1) sharing one frequency ω_i = 10000^(−2i/C): sine in " +
    "the first, cosine in the second. What happens to the last channel when C is odd?",
  points: 2,
  reference: sinusoidalTable,
  check(impl) {
    return ([[1, 2], [4, 6], [16, 7], [64, 32]] as [number, number][]).map(([T, C]) =>
      closeCase(`sinusoidalTable(T=${T}, C=${C})`, impl(T, C), sinusoidalTable(T, C), 1e-5)
    );
  },
};

const ropeExercise: Exercise<typeof ropeForward> = {
  id: "05.2",
  title: "RoPE: rotating queries and keys",
  file: FILE,
  symbol: "ropeForward",
  hint: "For each position t, each of the two parts q and k, each head and each pair (2i, 2i+1) " +
    "of its channels: rotate the point (x, y) by the angle t·θ_i with θ_i = 10000^(−2i/hs). " +
    "What do the value channels become?",
  points: 3,
  reference: ropeForward,
  check(impl) {
    const rng = new Rng(12);
    return ([[1, 1, 2, 1], [1, 5, 8, 2], [2, 7, 12, 3], [1, 40, 16, 1]] as [
      number,
      number,
      number,
      number,
    ][]).flatMap(([B, T, C, NH]) =>
      compareCalls(
        `ropeForward(out, inp, B=${B}, T=${T}, C=${C}, NH=${NH})`,
        impl,
        ropeForward,
        [rng.normalArray(B * T * 3 * C), rng.normalArray(B * T * 3 * C), B, T, C, NH],
        { out: 0 },
        1e-5,
      )
    );
  },
};

/** Lab 05's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [sinusoidalExercise, ropeExercise] as Exercise[];
