/**
 * Exercises of lab 05: the sinusoidal position table, and RoPE's rotation of queries and keys.
 * @module
 */
import type { Exercise } from "../../lib/course/exercise.ts";
import { closeCase } from "../../lib/course/cases.ts";
import { ropeForward, sinusoidalTable } from "../../lib/layers/positional.ts";
import { Rng } from "../../lib/random.ts";
import { compareCalls } from "./calls.ts";

const FILE = "labs/exercises/05_positions.ts";

const sinusoidalExercise: Exercise<typeof sinusoidalTable> = {
  id: "05.1",
  title: { en: "The sinusoidal position table", fr: "La table de positions sinusoïdale" },
  file: FILE,
  symbol: "sinusoidalTable",
  hint: {
    en: "Channels come in pairs (2i, 2i+1) sharing one frequency ω_i = 10000^(−2i/C): sine in " +
      "the first, cosine in the second. What happens to the last channel when C is odd?",
    fr: "Les canaux vont par paires (2i, 2i+1) qui partagent une fréquence ω_i = 10000^(−2i/C) : " +
      "le sinus dans le premier, le cosinus dans le second. Que devient le dernier canal quand C " +
      "est impair ?",
  },
  prompt: {
    en: 'the sinusoidal table (T, C) of "Attention Is All You Need": pe[t, 2i] = sin(t·ω_i), ' +
      "pe[t, 2i+1] = cos(t·ω_i), with ω_i = 10000^(−2i/C).",
    fr: "la table sinusoïdale (T, C) de « Attention Is All You Need » : pe[t, 2i] = sin(t·ω_i), " +
      "pe[t, 2i+1] = cos(t·ω_i), avec ω_i = 10000^(−2i/C).",
  },
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
  title: { en: "RoPE: rotating queries and keys", fr: "RoPE : faire tourner requêtes et clés" },
  file: FILE,
  symbol: "ropeForward",
  hint: {
    en: "For each position t, each of the two parts q and k, each head and each pair " +
      "(2i, 2i+1) of its channels: rotate the point (x, y) by the angle t·θ_i with " +
      "θ_i = 10000^(−2i/hs). What do the value channels become?",
    fr: "Pour chaque position t, chacune des deux parties q et k, chaque tête et chaque paire " +
      "(2i, 2i+1) de ses canaux : fais tourner le point (x, y) de l'angle t·θ_i, avec " +
      "θ_i = 10000^(−2i/hs). Que deviennent les canaux de valeur ?",
  },
  prompt: {
    en: "RoPE on the output of c_attn, (B, T, 3C) laid out as in lab 04 (q, k, v, each split " +
      "into NH heads of hs = C / NH channels). In `out`, every head's query and key channel " +
      "pairs (2i, 2i+1) are rotated by the angle t·θ_i, θ_i = 10000^(−2i/hs): (x, y) → " +
      "(x·cos − y·sin, x·sin + y·cos). Value channels are copied unchanged.",
    fr: "RoPE sur la sortie de c_attn, (B, T, 3C) disposée comme au lab 04 (q, k, v, chacun " +
      "réparti en NH têtes de hs = C / NH canaux). Dans `out`, les paires de canaux (2i, 2i+1) " +
      "de requête et de clé de chaque tête tournent de l'angle t·θ_i, θ_i = 10000^(−2i/hs) : " +
      "(x, y) → (x·cos − y·sin, x·sin + y·cos). Les canaux de valeur sont recopiés tels quels.",
  },
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
