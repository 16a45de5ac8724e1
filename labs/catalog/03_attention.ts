/**
 * Exercises of lab 03: the attention weights of one head (scores, causal mask, softmax) and the
 * weighted sum of values.
 * @module
 */
import type { Exercise } from "../../lib/course/exercise.ts";
import { closeCase, EXP_OVERFLOW, explainNonFinite } from "../../lib/course/cases.ts";
import { Rng } from "../../lib/random.ts";
import { attend, attentionWeights } from "../../lib/layers/single_head.ts";

const FILE = "labs/exercises/03_attention.ts";
const SHAPES: [number, number][] = [[1, 1], [4, 2], [7, 5], [16, 8]];

const weightsExercise: Exercise<typeof attentionWeights> = {
  id: "03.1",
  title: {
    en: "Causal attention weights of one head",
    fr: "Les poids d'attention causale d'une tête",
  },
  file: FILE,
  symbol: "attentionWeights",
  hint: {
    en: "For row t, which positions may t look at? Score each with a dot product, divide by " +
      "the square root of what, then make the row positive and sum to 1. What score gives a " +
      "weight of exactly zero after exp()?",
    fr: "Pour la ligne t, quelles positions t a-t-elle le droit de regarder ? Donne à chacune " +
      "un score par produit scalaire, divise par la racine carrée de quoi, puis rends la ligne " +
      "positive et de somme 1. Quel score donne un poids exactement nul après exp() ?",
  },
  prompt: {
    en: "the attention weights of one head, a (T, T) matrix. Row t holds the softmax over t2 " +
      "of q[t]·k[t2] / √d; with `causal`, every t2 > t gets weight 0 and the rest sum to 1.",
    fr: "les poids d'attention d'une tête, une matrice (T, T). La ligne t contient le softmax " +
      "sur t2 de q[t]·k[t2] / √d ; avec `causal`, tout t2 > t reçoit le poids 0 et les autres " +
      "font 1 au total.",
  },
  points: 3,
  reference: attentionWeights,
  check(impl) {
    const rng = new Rng(3);
    const cases = SHAPES.flatMap(([T, d]) => {
      const q = rng.normalArray(T * d, 2), k = rng.normalArray(T * d, 2);
      return [true, false].map((causal) =>
        closeCase(
          `attentionWeights(q, k, T=${T}, d=${d}, causal=${causal})`,
          impl(q.slice(), k.slice(), T, d, causal),
          attentionWeights(q, k, T, d, causal),
          1e-5,
        )
      );
    });
    // Scores near 1768 = (30² + 40²)/√2: exp() overflows unless each row's max is subtracted.
    const q = new Float32Array([30, 40, 30, 40, 40, 30]);
    for (const causal of [true, false]) {
      cases.push(explainNonFinite(
        closeCase(
          `attentionWeights(q = k = [[30, 40], [30, 40], [40, 30]], T=3, d=2, causal=${causal})`,
          impl(q.slice(), q.slice(), 3, 2, causal),
          attentionWeights(q, q, 3, 2, causal),
          1e-5,
        ),
        EXP_OVERFLOW,
      ));
    }
    return cases;
  },
};

const attendExercise: Exercise<typeof attend> = {
  id: "03.2",
  title: { en: "The weighted sum of values", fr: "La somme pondérée des valeurs" },
  file: FILE,
  symbol: "attend",
  hint: {
    en: "Output row t mixes the value rows: how much of v[t2] goes into it, and where did you " +
      "compute that number?",
    fr: "La ligne t de la sortie mélange les lignes de valeurs : quelle part de v[t2] y entre, " +
      "et où as-tu déjà calculé ce nombre ?",
  },
  prompt: {
    en: "the output of attention, (T, d): row t is the sum over t2 of weights[t, t2] · v[t2].",
    fr: "la sortie de l'attention, (T, d) : la ligne t est la somme sur t2 de " +
      "weights[t, t2] · v[t2].",
  },
  points: 2,
  reference: attend,
  check(impl) {
    const rng = new Rng(4);
    return SHAPES.map(([T, d]) => {
      const w = attentionWeights(rng.normalArray(T * d), rng.normalArray(T * d), T, d);
      const v = rng.normalArray(T * d);
      return closeCase(
        `attend(weights, v, T=${T}, d=${d})`,
        impl(w.slice(), v.slice(), T, d),
        attend(w, v, T, d),
        1e-5,
      );
    });
  },
};

/** Lab 03's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [weightsExercise, attendExercise] as Exercise[];
