/**
 * Exercises of lab 09: the learning-rate schedule, gradient-norm clipping and one AdamW step;
 * then the training loop that calls them.
 * @module
 */
import { adamwStep, clipGradNorm, type ParamGroup } from "../../lib/layers/adamw.ts";
import type { Case, Exercise } from "../../lib/course/exercise.ts";
import { closeCase, show } from "../../lib/course/cases.ts";
import { Rng } from "../../lib/random.ts";
import { learningRate, type ScheduleOptions } from "../../lib/train/schedule.ts";

import { GPT } from "../../lib/model/gpt.ts";
import { type LoopParts, type LoopRun, trainLoop } from "../../lib/train/loop.ts";
import { COMPOSE_CHILD, compositionCases } from "./compose.ts";

const FILE = "labs/exercises/09_training.ts";

const scheduleExercise: Exercise<typeof learningRate> = {
  id: "09.1",
  title: {
    en: "Warmup, then cosine decay",
    fr: "Montée progressive, puis décroissance en cosinus",
  },
  file: FILE,
  symbol: "learningRate",
  hint: {
    en: "Three regimes: before warmupSteps, between warmupSteps and decaySteps, after. In the " +
      "first, what fraction of maxLr has step 0 reached, and step warmupSteps − 1? In the second, " +
      "what goes from 0 to 1, and which function of it goes from 1 to 0 along half a cosine?",
    fr: "Trois régimes : avant warmupSteps, entre warmupSteps et decaySteps, après. Dans le " +
      "premier, quelle fraction de maxLr le pas 0 a-t-il atteinte, et le pas warmupSteps − 1 ? " +
      "Dans le deuxième, qu'est-ce qui va de 0 à 1, et quelle fonction de cette quantité va de " +
      "1 à 0 le long d'une demi-période de cosinus ?",
  },
  prompt: {
    en:
      "the learning rate at `step` (from 0). During warmup it rises linearly to maxLr, reaching " +
      "maxLr·(step + 1)/(warmupSteps + 1); from warmupSteps to decaySteps it follows half a " +
      "cosine from maxLr down to minLr; after decaySteps it stays at minLr.",
    fr: "le taux d'apprentissage au pas `step` (à partir de 0). Pendant la montée (warmup), il " +
      "croît linéairement jusqu'à maxLr et vaut maxLr·(step + 1)/(warmupSteps + 1) ; de " +
      "warmupSteps à decaySteps, il suit une demi-période de cosinus de maxLr jusqu'à minLr ; " +
      "après decaySteps, il reste à minLr.",
  },
  points: 2,
  reference: learningRate,
  check(impl) {
    const options: ScheduleOptions[] = [
      { maxLr: 1e-3, minLr: 1e-4, warmupSteps: 100, decaySteps: 2000 },
      { maxLr: 3e-3, minLr: 3e-4, warmupSteps: 15, decaySteps: 150 },
      { maxLr: 0.5, minLr: 0, warmupSteps: 0, decaySteps: 10 },
    ];
    return options.flatMap((o) =>
      [
        0,
        1,
        o.warmupSteps - 1,
        o.warmupSteps,
        Math.floor((o.warmupSteps + o.decaySteps) / 2),
        o.decaySteps - 1,
        o.decaySteps,
        o.decaySteps + 5,
      ]
        .filter((s) => s >= 0)
        .map((s) =>
          closeCase(
            `learningRate(${s}, ${show(o)})`,
            impl(s, { ...o }),
            learningRate(s, o),
            1e-9,
          )
        )
    );
  },
};

const clipExercise: Exercise<typeof clipGradNorm> = {
  id: "09.2",
  title: { en: "Gradient-norm clipping", fr: "Écrêter la norme du gradient" },
  file: FILE,
  symbol: "clipGradNorm",
  hint: {
    en: "The norm is over all gradients at once, as one long vector. When it exceeds maxNorm, " +
      "which single factor brings it back to maxNorm without changing the direction? What should " +
      "happen when it does not exceed it, and what do you return?",
    fr: "La norme porte sur tous les gradients à la fois, comme un seul long vecteur. Quand elle " +
      "dépasse maxNorm, quel facteur unique la ramène à maxNorm sans changer la direction ? Que " +
      "doit-il se passer quand elle ne la dépasse pas, et que renvoies-tu ?",
  },
  prompt: {
    en: "when the L2 norm of all of `grads` exceeds maxNorm, scale them in place by maxNorm / " +
      "(norm + 1e-6). Return the norm measured before any scaling.",
    fr: "quand la norme L2 de l'ensemble de `grads` dépasse maxNorm, multiplie-les sur place par " +
      "maxNorm / (norm + 1e-6). Renvoie la norme mesurée avant toute mise à l'échelle.",
  },
  points: 2,
  reference: clipGradNorm,
  check(impl) {
    const rng = new Rng(10);
    return ([[3, 1], [50, 1], [50, 100], [7, 0.01]] as [number, number][]).flatMap(([n, max]) => {
      const grads = rng.normalArray(n);
      const mine = grads.slice(), ref = grads.slice();
      const norm = impl(mine, max);
      const expected = clipGradNorm(ref, max);
      const what = `clipGradNorm(${n} gradients of norm ${show(expected)}, ${max})`;
      return [
        closeCase(`${what} returns`, norm, expected, 1e-4),
        closeCase(`${what} → grads`, mine, ref, 1e-6),
      ];
    });
  },
};

const adamwExercise: Exercise<typeof adamwStep> = {
  id: "09.3",
  title: { en: "One AdamW step", fr: "Un pas d'AdamW" },
  file: FILE,
  symbol: "adamwStep",
  hint: {
    en: "What do m and v track, and how does each running average fold in the new gradient? " +
      "Why are both too small in the first steps, and what does dividing by 1 − β^t fix? Where " +
      "does weight decay enter in AdamW — through the gradient, or straight on the weight — and " +
      "which group says how much?",
    fr: "Que suivent m et v, et comment chaque moyenne glissante incorpore-t-elle le nouveau " +
      "gradient ? Pourquoi sont-elles toutes deux trop petites aux premiers pas, et que corrige " +
      "la division par 1 − β^t ? Où intervient la décroissance des poids (weight decay) dans " +
      "AdamW — à travers le gradient ou directement sur le poids — et quel groupe dit de " +
      "combien ?",
  },
  prompt: {
    en: "one AdamW update in place, at step t (from 1). Each group's range [start, end) of the " +
      "parameters decays by lr·weightDecay·param (decoupled: not through the gradient). " +
      "Defaults: beta1 0.9, beta2 0.999, eps 1e-8.",
    fr:
      "une mise à jour AdamW sur place, au pas t (à partir de 1). Dans la plage [start, end) de " +
      "chaque groupe, les paramètres décroissent de lr·weightDecay·param (découplé : pas à " +
      "travers le gradient). Valeurs par défaut : beta1 0.9, beta2 0.999, eps 1e-8.",
  },
  points: 3,
  reference: adamwStep,
  check(impl) {
    const rng = new Rng(11);
    const cases: Case[] = [];
    const setups: { n: number; t: number; groups: ParamGroup[] }[] = [
      { n: 4, t: 1, groups: [{ start: 0, end: 4, weightDecay: 0 }] },
      {
        n: 10,
        t: 3,
        groups: [{ start: 0, end: 6, weightDecay: 0.1 }, { start: 6, end: 10, weightDecay: 0 }],
      },
      {
        n: 9,
        t: 50,
        groups: [{ start: 0, end: 3, weightDecay: 0 }, { start: 3, end: 9, weightDecay: 0.5 }],
      },
    ];
    for (const { n, t, groups } of setups) {
      const params = rng.normalArray(n), grads = rng.normalArray(n);
      const m = t === 1 ? new Float32Array(n) : rng.normalArray(n, 0.1);
      const v = t === 1 ? new Float32Array(n) : rng.uniformArray(n, 0, 0.01);
      const options = { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8 };
      const got = [params, m, v].map((a) => a.slice());
      const want = [params, m, v].map((a) => a.slice());
      impl(got[0], grads.slice(), got[1], got[2], t, { ...options }, groups.map((g) => ({ ...g })));
      adamwStep(want[0], grads, want[1], want[2], t, options, groups);
      const what = `adamwStep(${n} parameters, t=${t}, lr 0.01, β 0.9/0.99, groups ${
        show(groups)
      })`;
      ["params", "m", "v"].forEach((name, i) =>
        cases.push(closeCase(`${what} → ${name}`, got[i], want[i], 1e-6))
      );
    }
    return cases;
  },
};

/** One loop case: where it starts and ends, and whether it clips. */
const LOOP_CASES = [
  { start: 0, steps: 12, evalEvery: 5, gradClip: 0.5 },
  { start: 4, steps: 10, evalEvery: 3, gradClip: 0 },
];

/** What a run of the loop did, step by step, as the check's spies saw it. */
interface LoopTrace {
  events: string[];
  /** Backward passes that began with gradients that were not zero. */
  dirtyBackward: number;
  /** The learning rates AdamW received, and those the schedule gives for the same steps. */
  lrs: number[];
  scheduled: number[];
  evaluated: number[];
}

const loopExercise: Exercise<typeof trainLoop> = {
  id: "09.4",
  title: { en: "The training loop", fr: "La boucle d'entraînement" },
  file: FILE,
  symbol: "trainLoop",
  hint: {
    en: "One step, in this order: a batch, forward, zero the gradients, backward, clip, the " +
      "learning rate of this step from the schedule, AdamW (its step count starts at 1). Before " +
      "a step that is a multiple of evalEvery, evaluate; and once after the last. Why must the " +
      "gradients be zeroed, given that backward adds? Why clip before the update, not after?",
    fr: "Une étape, dans cet ordre : un batch, la passe avant, la remise à zéro des gradients, " +
      "la passe arrière, l'écrêtage, le taux d'apprentissage de cette étape selon le planning, " +
      "AdamW (son compteur d'étapes commence à 1). Avant une étape multiple de evalEvery, " +
      "évalue ; et une fois après la dernière. Pourquoi faut-il remettre les gradients à zéro, " +
      "puisque la passe arrière ajoute ? Pourquoi écrêter avant la mise à jour, et pas après ?",
  },
  prompt: {
    en: "the training loop. For each step from run.start to run.steps − 1: before a step that is " +
      "a multiple of run.evalEvery, `await run.evaluate(step)`; then a batch (run.batch()), " +
      "the forward pass, zeroed gradients, the backward pass, clipping to run.gradClip (none " +
      "when it is 0; the norm is NaN then), the learning rate of this step from " +
      "parts.learningRate and run.schedule, and parts.adamwStep (its step count t starts at 1; " +
      "options { lr, ...run.adamw }, run.m, run.v, run.groups); then `await run.log(step, " +
      "loss, lr, gradNorm)`. After the last step, `await run.evaluate(run.steps)`. Return " +
      "every step's loss.",
    fr: "la boucle d'entraînement. Pour chaque étape de run.start à run.steps − 1 : avant une " +
      "étape multiple de run.evalEvery, `await run.evaluate(step)` ; puis un batch " +
      "(run.batch()), la passe avant, les gradients remis à zéro, la passe arrière, l'écrêtage " +
      "à run.gradClip (aucun quand il vaut 0 ; la norme vaut alors NaN), le taux " +
      "d'apprentissage de cette étape selon parts.learningRate et run.schedule, et " +
      "parts.adamwStep (son compteur t commence à 1 ; options { lr, ...run.adamw }, run.m, " +
      "run.v, run.groups) ; puis `await run.log(step, loss, lr, gradNorm)`. Après la dernière " +
      "étape, `await run.evaluate(run.steps)`. Renvoie la perte de chaque étape.",
  },
  points: 4,
  reference: trainLoop,
  sandbox: COMPOSE_CHILD,
  get uses() {
    return [scheduleExercise, clipExercise, adamwExercise];
  },
  check(impl, parts = {}) {
    const config = { vocabSize: 11, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 };
    const text = new Rng(90).normalArray(300).map((x) => Math.abs(Math.round(x * 3)) % 11);
    let trace: LoopTrace | undefined;
    return compositionCases(loopExercise, impl, parts, LOOP_CASES, (c, s) => ({
      what:
        `trainLoop(model, parts, run: steps ${c.start}…${c.steps - 1}, evalEvery ${c.evalEvery}, ` +
        `gradClip ${c.gradClip})`,
      library: { learningRate, clipGradNorm, adamwStep } as LoopParts,
      tolerance: 1e-5,
      async run(fn, table: LoopParts) {
        const t: LoopTrace = trace = {
          events: [],
          dirtyBackward: 0,
          lrs: [],
          scheduled: [],
          evaluated: [],
        };
        const gpt = new GPT(config, 91 + s), P = gpt.numParameters;
        const model = {
          params: gpt.params,
          grads: gpt.grads,
          forward: (inputs: Int32Array, targets: Int32Array, B: number, T: number) => {
            t.events.push("forward");
            return gpt.forward(inputs, targets, B, T);
          },
          zeroGrad: () => {
            t.events.push("zeroGrad");
            gpt.zeroGrad();
          },
          backward: () => {
            t.events.push("backward");
            if (gpt.grads.some((g) => g !== 0)) t.dirtyBackward++;
            gpt.backward();
          },
        };
        gpt.grads.set(new Rng(92).normalArray(P)); // a gradient left over from before
        const spied: LoopParts = {
          learningRate: (step, o) => {
            t.events.push("learningRate");
            return table.learningRate(step, o);
          },
          clipGradNorm: (grads, maxNorm) => {
            t.events.push("clip");
            return table.clipGradNorm(grads, maxNorm);
          },
          adamwStep: (params, grads, m, v, step, o, groups) => {
            t.events.push("adamw");
            t.lrs.push(o.lr);
            t.scheduled.push(learningRate(step - 1, schedule));
            table.adamwStep(params, grads, m, v, step, o, groups);
          },
        };
        const schedule = { maxLr: 3e-2, minLr: 3e-3, warmupSteps: 2, decaySteps: c.steps };
        const rng = new Rng(93 + s);
        const run: LoopRun = {
          ...c,
          schedule,
          adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8 },
          m: new Rng(94).normalArray(P, 1e-3),
          v: new Rng(95).uniformArray(P, 0, 1e-4),
          groups: [{ start: 0, end: P >> 1, weightDecay: 0.1 }, {
            start: P >> 1,
            end: P,
            weightDecay: 0,
          }],
          batch: () => {
            const B = 2, T = 4, inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
            for (let b = 0; b < B; b++) {
              const at = rng.int(text.length - T - 1);
              for (let i = 0; i < T; i++) {
                inputs[b * T + i] = text[at + i];
                targets[b * T + i] = text[at + i + 1];
              }
            }
            return { inputs, targets, B, T };
          },
          evaluate: (step) => Promise.resolve(void t.evaluated.push(step)),
          log: () => Promise.resolve(),
        };
        const losses = await fn(model, spied, run);
        return { losses, params: gpt.params, evaluated: t.evaluated, trace: t };
      },
      diagnose(got) {
        // The run's own trace (it came back from the grader's sandbox), or, when the run
        // threw, what the spies saw here.
        const t = (got.trace ?? trace) as LoopTrace | undefined;
        if (!t) return undefined;
        if (t.dirtyBackward > 0) {
          return {
            en: "gradients never zeroed: backward adds into grads, so each step starts " +
              "with model.zeroGrad()",
            fr: "gradients jamais remis à zéro : la passe arrière ajoute dans grads, donc chaque " +
              "étape commence par model.zeroGrad()",
          };
        }
        if (
          !t.events.includes("learningRate") || t.lrs.some((lr, i) => lr !== t.scheduled[i])
        ) {
          return {
            en: "the schedule ignored: step k's learning rate is parts.learningRate(k, " +
              "run.schedule)",
            fr: "planning ignoré : le taux d'apprentissage de l'étape k est " +
              "parts.learningRate(k, run.schedule)",
          };
        }
        const clips = t.events.map((e, i) => e === "clip" ? i : -1).filter((i) => i >= 0);
        const steps = t.events.map((e, i) => e === "adamw" ? i : -1).filter((i) => i >= 0);
        if (clips.length && clips.some((ci, k) => steps[k] !== undefined && ci > steps[k])) {
          return {
            en: "clipping after the step: clip the gradients before AdamW uses them",
            fr: "écrêtage après l'étape : écrête les gradients avant qu'AdamW ne les utilise",
          };
        }
        return undefined;
      },
    }));
  },
};

/** Lab 09's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [
  scheduleExercise,
  clipExercise,
  adamwExercise,
  loopExercise,
] as Exercise[];
