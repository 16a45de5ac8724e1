/**
 * Exercises of lab 07: the gradient of softmax + cross-entropy with respect to the logits, and
 * the backward pass of a linear layer.
 * @module
 */
import { crossEntropySoftmaxBackward, softmaxForward } from "../../lib/layers/crossentropy.ts";
import type { Exercise } from "../../lib/course/exercise.ts";
import { linearBackward } from "../../lib/layers/linear.ts";
import { Rng } from "../../lib/random.ts";
import { compareCalls } from "./calls.ts";

const FILE = "labs/exercises/07_gpt.ts";

const lossGradExercise: Exercise<typeof crossEntropySoftmaxBackward> = {
  id: "07.1",
  title: {
    en: "The gradient of softmax + cross-entropy",
    fr: "Le gradient du softmax suivi de l'entropie croisée",
  },
  file: FILE,
  symbol: "crossEntropySoftmaxBackward",
  hint: {
    en: "The loss of row n is −log probs[n, target]. Work out d(loss)/d(logit v) through the " +
      "softmax for v = target and for v ≠ target: what simple expression of probs do you get? " +
      "Then scale it by dlosses[n], and add rather than overwrite.",
    fr:
      "La perte de la ligne n vaut −log probs[n, target]. Calcule d(perte)/d(logit v) à travers " +
      "le softmax pour v = target et pour v ≠ target : quelle expression simple de probs " +
      "obtiens-tu ? Multiplie-la ensuite par dlosses[n], et ajoute au lieu d'écraser.",
  },
  prompt: {
    en: "with probs = softmax(logits) per row and losses[n] = −log probs[n, targets[n]], add " +
      "d(Σ_n dlosses[n]·losses[n]) / d(logits) into dlogits.",
    fr: "avec probs = softmax(logits) par ligne et losses[n] = −log probs[n, targets[n]], ajoute " +
      "d(Σ_n dlosses[n]·losses[n]) / d(logits) dans dlogits.",
  },
  points: 3,
  reference: crossEntropySoftmaxBackward,
  check(impl) {
    const rng = new Rng(8);
    return ([[1, 2], [3, 5], [6, 65]] as [number, number][]).flatMap(([N, V], s) => {
      const probs = new Float32Array(N * V);
      softmaxForward(probs, rng.normalArray(N * V, 2), N, V);
      const targets = Int32Array.from({ length: N }, () => rng.int(V));
      return compareCalls(
        `crossEntropySoftmaxBackward(dlogits, dlosses, probs, targets, N=${N}, V=${V})`,
        impl,
        crossEntropySoftmaxBackward,
        [
          s === 1 ? rng.normalArray(N * V) : new Float32Array(N * V),
          rng.uniformArray(N, 0, 1),
          probs,
          targets,
          N,
          V,
        ],
        { dlogits: 0 },
        1e-6,
      );
    });
  },
};

const linearExercise: Exercise<typeof linearBackward> = {
  id: "07.2",
  title: { en: "Linear backward", fr: "La passe arrière d'une couche linéaire" },
  file: FILE,
  symbol: "linearBackward",
  hint: {
    en:
      "out[n, o] = Σ_c inp[n, c]·weight[o, c] + bias[o]. Which out entries does inp[n, c] touch, " +
      "and with which factor? Same question for weight[o, c] and for bias[o]. Remember that dbias " +
      "may be null.",
    fr: "out[n, o] = Σ_c inp[n, c]·weight[o, c] + bias[o]. Quelles entrées de out inp[n, c] " +
      "touche-t-il, et avec quel facteur ? Même question pour weight[o, c] et pour bias[o]. " +
      "N'oublie pas que dbias peut valoir null.",
  },
  prompt: {
    en: "the backward pass of out = inp · weightᵀ + bias, weight stored (OC, C). Add the " +
      "gradients of inp, weight and bias (skip bias when dbias is null).",
    fr: "la passe arrière de out = inp · weightᵀ + bias, weight étant rangé (OC, C). Ajoute les " +
      "gradients de inp, weight et bias (saute bias quand dbias vaut null).",
  },
  points: 3,
  reference: linearBackward,
  check(impl) {
    const rng = new Rng(9);
    return ([[1, 1, 1], [4, 3, 5], [7, 16, 9]] as [number, number, number][]).flatMap((
      [N, C, OC],
      s,
    ) =>
      compareCalls(
        `linearBackward(dinp, dweight, dbias, dout, inp, weight, N=${N}, C=${C}, OC=${OC})`,
        impl,
        linearBackward,
        [
          s === 1 ? rng.normalArray(N * C) : new Float32Array(N * C),
          s === 1 ? rng.normalArray(OC * C) : new Float32Array(OC * C),
          s === 2 ? null : new Float32Array(OC),
          rng.normalArray(N * OC),
          rng.normalArray(N * C),
          rng.normalArray(OC * C),
          N,
          C,
          OC,
        ],
        s === 2 ? { dinp: 0, dweight: 1 } : { dinp: 0, dweight: 1, dbias: 2 },
        1e-4,
      )
    );
  },
};

/** Lab 07's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [lossGradExercise, linearExercise] as Exercise[];
