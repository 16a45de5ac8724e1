/**
 * Exercises of lab 10: softmax with a temperature, top-k filtering and top-p (nucleus) filtering;
 * then the generation loop that uses them.
 * @module
 */
import type { Exercise } from "../../lib/course/exercise.ts";
import { closeCase, EXP_OVERFLOW, explainNonFinite, show } from "../../lib/course/cases.ts";
import { Rng } from "../../lib/random.ts";
import { nextTokenDistribution } from "../../lib/model/sampling.ts";
import { softmax } from "../../lib/layers/softmax.ts";

import { GPT } from "../../lib/model/gpt.ts";
import {
  generateTokens,
  type SampleOptions,
  type SampleParts,
} from "../../lib/model/generation_loop.ts";
import { argmax } from "../../lib/model/sampling.ts";
import { COMPOSE_CHILD, compositionCases } from "./compose.ts";

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

const LETTERS = "abcdefghijk";
const GENERATION_CASES: { prompt: number[]; options: SampleOptions }[] = [
  { prompt: [1, 2], options: { maxTokens: 10, temperature: 1 } },
  { prompt: [3], options: { maxTokens: 8, temperature: 0.7, topK: 3 } },
  {
    prompt: [4, 5, 6],
    options: { maxTokens: 12, temperature: 1.3, topP: 0.8, stop: "c" },
  },
];

const generationExercise: Exercise<typeof generateTokens> = {
  id: "10.4",
  title: { en: "The generation loop", fr: "La boucle de génération" },
  file: FILE,
  symbol: "generateTokens",
  hint: {
    en: "Until maxTokens new tokens (or the stop string): keep the last blockSize tokens of the " +
      "context, run the model on them, take the logits of the last position, temperature, then " +
      "top-k and top-p when asked, and draw: the first token whose cumulative probability " +
      "exceeds rng.uniform(). Why must the draw use the rng you are given?",
    fr: "Jusqu'à maxTokens nouveaux tokens (ou la chaîne d'arrêt) : garde les blockSize derniers " +
      "tokens du contexte, fais tourner le modèle dessus, prends les logits de la dernière " +
      "position, la température, puis top-k et top-p si on les demande, et tire : le premier " +
      "token dont la probabilité cumulée dépasse rng.uniform(). Pourquoi le tirage doit-il " +
      "utiliser le rng qu'on te donne ?",
  },
  prompt: {
    en: "the generation loop. Until options.maxTokens new tokens: the context is the last " +
      "model.config.blockSize tokens (prompt and new ones); run model.forward(context ids, " +
      "null, 1, T) and take the logits of the last position from model.acts.logits (row T − 1 " +
      "of V); turn them into probabilities with parts.softmaxWithTemperature, then " +
      "parts.topKFilter when options.topK is set and parts.topPFilter when options.topP is " +
      "below 1; draw the first token whose cumulative probability exceeds rng.uniform(); " +
      "append it. Stop early once options.decode(new tokens) contains options.stop. Return the " +
      "new tokens.",
    fr: "la boucle de génération. Jusqu'à options.maxTokens nouveaux tokens : le contexte est " +
      "formé des model.config.blockSize derniers tokens (le prompt et les nouveaux) ; lance " +
      "model.forward(ids du contexte, null, 1, T) et prends les logits de la dernière position " +
      "dans model.acts.logits (la ligne T − 1, de taille V) ; fais-en des probabilités avec " +
      "parts.softmaxWithTemperature, puis parts.topKFilter quand options.topK est donné et " +
      "parts.topPFilter quand options.topP est inférieur à 1 ; tire le premier token dont la " +
      "probabilité cumulée dépasse rng.uniform() ; ajoute-le. Arrête-toi plus tôt dès que " +
      "options.decode(nouveaux tokens) contient options.stop. Renvoie les nouveaux tokens.",
  },
  points: 4,
  reference: generateTokens,
  sandbox: COMPOSE_CHILD,
  get uses() {
    return [temperatureExercise, topKExercise, topPExercise];
  },
  check(impl, parts = {}) {
    const config = { vocabSize: 11, blockSize: 6, nLayer: 1, nHead: 2, nEmbd: 8 };
    let longest = 0, draws = 0;
    const spyModel = (gpt: GPT) => ({
      config: gpt.config,
      get acts() {
        return gpt.acts;
      },
      forward: (inputs: Int32Array, targets: null, B: number, T: number) => {
        longest = Math.max(longest, T);
        return gpt.forward(inputs, targets, B, T);
      },
    });
    const model = () => {
      const gpt = new GPT(config, 100);
      const rng = new Rng(101);
      for (let i = 0; i < gpt.params.length; i++) gpt.params[i] += rng.normal() * 0.5;
      return gpt;
    };
    return compositionCases(
      generationExercise,
      impl,
      parts,
      GENERATION_CASES,
      ({ prompt, options }, s) => ({
        what: `generateTokens(model, parts, [${prompt}], ${show(options)}, rng) on a context of 6`,
        library: { softmaxWithTemperature, topKFilter, topPFilter } as SampleParts,
        tolerance: 0,
        run(fn, table) {
          longest = draws = 0;
          const rng = new Rng(102 + s), uniform = rng.uniform.bind(rng);
          rng.uniform = () => (draws++, uniform());
          const decode = (ids: number[]) => ids.map((i) => LETTERS[i]).join("");
          const tokens = fn(spyModel(model()), table, prompt, { ...options, decode }, rng);
          return { tokens, trace: { longest, draws } };
        },
        diagnose(got) {
          // The run's own trace (it came back from the grader's sandbox), or, when the
          // run threw, what the spies saw here.
          const seen = (got.trace ?? { longest, draws }) as { longest: number; draws: number };
          if (seen.longest > config.blockSize) {
            return {
              en: `no crop past the block size: the model read ${seen.longest} tokens; keep the ` +
                `last ${config.blockSize}`,
              fr: `pas de recadrage au-delà de la taille de bloc : le modèle a lu ` +
                `${seen.longest} tokens ; garde les ${config.blockSize} derniers`,
            };
          }
          if (seen.draws === 0) {
            return {
              en: "the draw is not seeded: draw with rng.uniform(), the generator you are " +
                "given, so that a seed gives the same text every time",
              fr:
                "le tirage ne suit pas la graine : tire avec rng.uniform(), le générateur qu'on te " +
                "donne, pour qu'une même graine donne le même texte à chaque fois",
            };
          }
          const gpt = model(), tokens = [...prompt], greedy: number[] = [];
          while (greedy.length < options.maxTokens) {
            const context = tokens.slice(-config.blockSize), T = context.length;
            gpt.forward(Int32Array.from(context), null, 1, T);
            const next = argmax(gpt.acts!.logits.subarray((T - 1) * 11, T * 11));
            tokens.push(next);
            greedy.push(next);
          }
          const mine = got.tokens as number[];
          if (Array.isArray(mine) && mine.length > 1 && mine.every((t, i) => t === greedy[i])) {
            return {
              en: "argmax where a draw was asked: pick by rng.uniform() against the " +
                "cumulative probabilities, not the most likely token",
              fr: "argmax là où un tirage était demandé : choisis avec rng.uniform() face aux " +
                "probabilités cumulées, pas le token le plus probable",
            };
          }
          return undefined;
        },
      }),
    );
  },
};

/** Lab 10's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [
  temperatureExercise,
  topKExercise,
  topPExercise,
  generationExercise,
] as Exercise[];
