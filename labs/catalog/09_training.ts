/**
 * Exercises of lab 09: the learning-rate schedule, gradient-norm clipping and one AdamW step.
 * @module
 */
import { adamwStep, clipGradNorm, type ParamGroup } from "../../lib/layers/adamw.ts";
import { type Case, closeCase, type Exercise, show } from "../../lib/course/exercise.ts";
import { Rng } from "../../lib/random.ts";
import { learningRate, type ScheduleOptions } from "../../lib/train/schedule.ts";

const FILE = "labs/exercises/09_training.ts";

const scheduleExercise: Exercise<typeof learningRate> = {
  id: "09.1",
  title: "Warmup, then cosine decay",
  file: FILE,
  symbol: "learningRate",
  hint: "Three regimes: before warmupSteps, between warmupSteps and decaySteps, after. In the " +
    "first, what fraction of maxLr has step 0 reached, and step warmupSteps − 1? In the second, " +
    "what goes from 0 to 1, and which function of it goes from 1 to 0 along half a cosine?",
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
  title: "Gradient-norm clipping",
  file: FILE,
  symbol: "clipGradNorm",
  hint: "The norm is over all gradients at once, as one long vector. When it exceeds maxNorm, " +
    "which single factor brings it back to maxNorm without changing the direction? What should " +
    "happen when it does not exceed it, and what do you return?",
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
  title: "One AdamW step",
  file: FILE,
  symbol: "adamwStep",
  hint: "What do m and v track, and how does each running average fold in the new gradient? " +
    "Why are both too small in the first steps, and what does dividing by 1 − β^t fix? Where " +
    "does weight decay enter in AdamW — through the gradient, or straight on the weight — and " +
    "which group says how much?",
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

/** Lab 09's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [
  scheduleExercise,
  clipExercise,
  adamwExercise,
] as Exercise[];
