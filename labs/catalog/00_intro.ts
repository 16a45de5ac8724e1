/**
 * Exercises of lab 00: softmax (scores to attention weights) and counting a GPT's parameters.
 * @module
 */
import { countParameters, GPT2_SMALL, type GPTConfig } from "../../lib/model/config.ts";
import { PRESETS } from "../../lib/train/presets.ts";
import type { Exercise } from "../../lib/course/exercise.ts";
import {
  closeCase,
  equalCase,
  EXP_OVERFLOW,
  explainNonFinite,
  show,
} from "../../lib/course/cases.ts";
import { Rng } from "../../lib/random.ts";
import { softmax } from "../../lib/layers/softmax.ts";

const FILE = "labs/exercises/00_intro.ts";

const softmaxExercise: Exercise<typeof softmax> = {
  id: "00.1",
  title: {
    en: "Softmax: from scores to attention weights",
    fr: "Le softmax : des scores aux poids d'attention",
  },
  file: FILE,
  symbol: "softmax",
  hint: {
    en: "Which function turns any number into a positive one, and what do you divide by so " +
      "that the results add up to 1? What happens to Math.exp(1000), and what can you subtract " +
      "from every score without changing the answer?",
    fr: "Quelle fonction rend n'importe quel nombre positif, et par quoi divises-tu pour que " +
      "les résultats fassent 1 au total ? Que devient Math.exp(1000), et que peux-tu " +
      "soustraire à chaque score sans changer la réponse ?",
  },
  prompt: {
    en: "turn raw attention scores into weights that are positive and sum to 1. " +
      "softmax([2, 1, 0.1]) ≈ [0.659, 0.242, 0.099].",
    fr: "change des scores d'attention bruts en poids positifs de somme 1. " +
      "softmax([2, 1, 0.1]) ≈ [0.659, 0.242, 0.099].",
  },
  points: 2,
  reference: softmax,
  check(impl) {
    const rng = new Rng(0);
    const inputs = [
      [2, 1, 0.1],
      [0, 0, 0, 0],
      [1000, 1001, 999], // overflows exp() unless the max is subtracted first
      [-5],
      Array.from({ length: 7 }, () => rng.normal() * 3),
    ];
    return inputs.map((x) =>
      explainNonFinite(
        closeCase(`softmax(${show(x)})`, impl([...x]), softmax(x), 1e-6),
        EXP_OVERFLOW,
      )
    );
  },
};

const countExercise: Exercise<typeof countParameters> = {
  id: "00.2",
  title: { en: "Counting a GPT's parameters", fr: "Compter les paramètres d'un GPT" },
  file: FILE,
  symbol: "countParameters",
  hint: {
    en: "List what one block holds: two LayerNorms (a weight and a bias each), the attention's " +
      "q, k, v projection and its output projection, the MLP's two layers (C → 4C → C). Which of " +
      "them has a bias? Then add the token table, the position table and the final LayerNorm; " +
      "the output head reuses the token table.",
    fr: "Fais la liste de ce que contient un bloc : deux LayerNorm (un poids et un biais " +
      "chacune), la projection q, k, v de l'attention et sa projection de sortie, les deux " +
      "couches du MLP (C → 4C → C). Lesquelles ont un biais ? Ajoute ensuite la table des " +
      "tokens, celle des positions et la LayerNorm finale ; la tête de sortie réutilise la " +
      "table des tokens.",
  },
  prompt: {
    en: "the exact number of parameters of a GPT-2-style model with learned position " +
      "embeddings, 4× MLP, biases everywhere and an output head tied to the token embeddings. " +
      "For GPT-2 small it is 124,439,808.",
    fr: "le nombre exact de paramètres d'un modèle à la GPT-2, avec des embeddings de position " +
      "appris, un MLP 4×, des biais partout et une tête de sortie liée aux embeddings des " +
      "tokens. Pour GPT-2 small, c'est 124 439 808.",
  },
  points: 3,
  reference: countParameters,
  check(impl) {
    const configs: GPTConfig[] = [
      { vocabSize: 65, ...PRESETS.baby },
      { vocabSize: 5000, ...PRESETS.mini },
      GPT2_SMALL,
      { vocabSize: 7, blockSize: 3, nLayer: 1, nHead: 1, nEmbd: 2 },
    ];
    return configs.map((c) => {
      const what = `countParameters({ vocabSize: ${c.vocabSize}, blockSize: ${c.blockSize}, ` +
        `nLayer: ${c.nLayer}, nHead: ${c.nHead}, nEmbd: ${c.nEmbd} })`;
      return equalCase(what, impl({ ...c }), countParameters(c));
    });
  },
};

/** Lab 00's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [softmaxExercise, countExercise] as Exercise[];
