/**
 * Exercises of lab 10: softmax with a temperature, top-k filtering and top-p (nucleus) filtering.
 * @module
 */
import {
  closeCase,
  type Exercise,
  EXP_OVERFLOW,
  explainNonFinite,
  show,
} from "../../lib/course/exercise.ts";
import { Rng } from "../../lib/random.ts";
import { nextTokenDistribution } from "../../lib/model/sampling.ts";
import { softmax } from "../../lib/layers/softmax.ts";

const FILE = "labs/exercises/10_generation.ts";

/** The sampler's distribution at a temperature (> 0), nothing filtered. */
function softmaxWithTemperature(logits: Float32Array, temperature: number): Float32Array {
  return nextTokenDistribution(logits, { temperature });
}

/** A distribution through the sampler's top-k filter (its logits are the log-probabilities). */
function topKFilter(probs: Float32Array, k: number): Float32Array {
  return nextTokenDistribution(Float32Array.from(probs, Math.log), { topK: k });
}

/** A distribution through the sampler's top-p filter. */
function topPFilter(probs: Float32Array, p: number): Float32Array {
  return nextTokenDistribution(Float32Array.from(probs, Math.log), { topP: p });
}

/** The signatures the lab calls the student's functions with. */
export type SoftmaxWithTemperature = typeof softmaxWithTemperature;
export type TopKFilter = typeof topKFilter;
export type TopPFilter = typeof topPFilter;

/** Seeded distributions over V tokens, peaked enough that filters keep a few of them. */
function distributions(seed: number, sizes: number[]): Float32Array[] {
  const rng = new Rng(seed);
  return sizes.map((V) => Float32Array.from(softmax([...rng.normalArray(V, 2)])));
}

const temperatureExercise: Exercise<typeof softmaxWithTemperature> = {
  id: "10.1",
  title: { en: "Softmax with a temperature", fr: "Le softmax avec une température" },
  file: FILE,
  symbol: "softmaxWithTemperature",
  hint: {
    en: "Temperature divides the logits before the softmax. What does dividing by 0.5 do to " +
      "the gaps between logits, and so to the probabilities? As in lab 00, what do you subtract " +
      "first so that exp never overflows?",
    fr: "La température divise les logits avant le softmax. Que fait la division par 0,5 aux " +
      "écarts entre logits, et donc aux probabilités ? Comme au lab 00, que soustrais-tu " +
      "d'abord pour qu'exp ne déborde jamais ?",
  },
  prompt: {
    en: "softmax(logits / temperature), for a temperature > 0.",
    fr: "softmax(logits / temperature), pour une température > 0.",
  },
  points: 2,
  reference: softmaxWithTemperature,
  check(impl) {
    const rng = new Rng(12);
    return ([[3, 1], [5, 0.5], [8, 2], [65, 0.8], [4, 0.05]] as [number, number][]).map(
      ([V, t]) => {
        const logits = rng.normalArray(V, 3);
        if (V === 4) logits[1] = 400; // overflows exp() unless the max is subtracted
        return explainNonFinite(
          closeCase(
            `softmaxWithTemperature(${show(logits)}, ${t})`,
            impl(logits.slice(), t),
            softmaxWithTemperature(logits, t),
            1e-6,
          ),
          EXP_OVERFLOW,
        );
      },
    );
  },
};

const topKExercise: Exercise<typeof topKFilter> = {
  id: "10.2",
  title: { en: "Top-k filtering", fr: "Le filtrage top-k" },
  file: FILE,
  symbol: "topKFilter",
  hint: {
    en: "Which k tokens survive, and what happens to the others' probability? After removing " +
      "mass, do the survivors still add up to 1? Ties are broken by the smaller token id.",
    fr: "Quels k tokens survivent, et que devient la probabilité des autres ? Une fois de la " +
      "masse retirée, les survivants font-ils encore 1 au total ? En cas d'égalité, le plus " +
      "petit identifiant passe en premier.",
  },
  prompt: {
    en: "keep the k most likely tokens (on equal probabilities, the smaller id first), set the " +
      "others to 0, and renormalise so the result adds up to 1.",
    fr: "garde les k tokens les plus probables (à probabilités égales, le plus petit identifiant " +
      "d'abord), mets les autres à 0, et renormalise pour que le total fasse 1.",
  },
  points: 2,
  reference: topKFilter,
  check(impl) {
    const dists = distributions(13, [5, 8, 65, 3]);
    return ([1, 3, 10, 5] as number[]).map((k, i) =>
      closeCase(
        `topKFilter(${show(dists[i])}, ${k})`,
        impl(dists[i].slice(), k),
        topKFilter(dists[i], k),
        1e-6,
      )
    );
  },
};

const topPExercise: Exercise<typeof topPFilter> = {
  id: "10.3",
  title: { en: "Top-p (nucleus) filtering", fr: "Le filtrage top-p (nucleus)" },
  file: FILE,
  symbol: "topPFilter",
  hint: {
    en: "Take tokens from the most to the least likely, adding up their probabilities: when do " +
      "you stop so that the kept set is the smallest whose mass reaches p? How many tokens does " +
      "p = 0 keep? Then renormalise the survivors.",
    fr: "Prends les tokens du plus probable au moins probable en additionnant leurs probabilités " +
      ": quand t'arrêtes-tu pour que l'ensemble gardé soit le plus petit dont la masse atteint " +
      "p ? Combien de tokens p = 0 garde-t-il ? Renormalise ensuite les survivants.",
  },
  prompt: {
    en: "keep the most likely tokens, in order (on equal probabilities, the smaller id first), " +
      "until their total reaches p, always at least one; set the others to 0 and renormalise.",
    fr: "garde les tokens les plus probables, dans l'ordre (à probabilités égales, le plus petit " +
      "identifiant d'abord), jusqu'à ce que leur total atteigne p, toujours au moins un ; mets " +
      "les autres à 0 et renormalise.",
  },
  points: 3,
  reference: topPFilter,
  check(impl) {
    const dists = distributions(14, [5, 8, 65, 6, 10]);
    return ([0.5, 0.9, 0.9, 0, 1] as number[]).map((p, i) =>
      closeCase(
        `topPFilter(${show(dists[i])}, ${p})`,
        impl(dists[i].slice(), p),
        topPFilter(dists[i], p),
        1e-6,
      )
    );
  },
};

/** Lab 10's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [
  temperatureExercise,
  topKExercise,
  topPExercise,
] as Exercise[];
