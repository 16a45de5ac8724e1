/**
 * Exercises of lab 03: the attention weights of one head (scores, causal mask, softmax) and the
 * weighted sum of values.
 * @module
 */
import {
  closeCase,
  type Exercise,
  EXP_OVERFLOW,
  explainNonFinite,
} from "../../lib/course/exercise.ts";
import { Rng } from "../../lib/random.ts";
import { attend, attentionWeights } from "../../lib/layers/single_head.ts";

const FILE = "labs/exercises/03_attention.ts";
const SHAPES: [number, number][] = [[1, 1], [4, 2], [7, 5], [16, 8]];

const weightsExercise: Exercise<typeof attentionWeights> = {
  id: "03.1",
  title: "Causal attention weights of one head",
  file: FILE,
  symbol: "attentionWeights",
  hint: "For row t, which positions may t look at? Score each with a dot product, divide by " +
    "the square root of what, then make the row positive and sum to 1. What score gives a " +
    "weight of exactly zero after exp()?",
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
  title: "The weighted sum of values",
  file: FILE,
  symbol: "attend",
  hint: "Output row t mixes the value rows: how much of v[t2] goes into it, and where did you " +
    "compute that number?",
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
