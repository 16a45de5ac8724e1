/**
 * Exercises of lab 06: LayerNorm's forward pass, then its backward pass.
 * @module
 */
import type { Exercise } from "../../lib/course/exercise.ts";
import { layerNormBackward, layerNormForward } from "../../lib/layers/layernorm.ts";
import { Rng } from "../../lib/random.ts";
import { compareCalls } from "./calls.ts";

const FILE = "labs/exercises/06_block.ts";
const SHAPES: [number, number][] = [[1, 1], [1, 4], [3, 7], [8, 32]];

const forwardExercise: Exercise<typeof layerNormForward> = {
  id: "06.1",
  title: { en: "LayerNorm forward", fr: "La passe avant de LayerNorm" },
  file: FILE,
  symbol: "layerNormForward",
  hint: {
    en: "For each row: what are its mean and variance? Subtract, divide by the square root of " +
      "(variance + 1e-5), then apply weight and bias per channel. What must you store in mean and " +
      "rstd so that the backward pass need not recompute them?",
    fr: "Pour chaque ligne : quelles sont sa moyenne et sa variance ? Soustrais, divise par la " +
      "racine carrée de (variance + 1e-5), puis applique le poids et le biais canal par canal. " +
      "Que dois-tu ranger dans mean et rstd pour que la passe arrière n'ait pas à les " +
      "recalculer ?",
  },
  prompt: {
    en: "LayerNorm. For each row: out = (inp − mean) / sqrt(variance + 1e-5) · weight + bias, " +
      "with the mean and the (biased) variance over the row's C values. Also store each row's " +
      "mean in `mean[n]` and 1 / sqrt(variance + 1e-5) in `rstd[n]`.",
    fr: "LayerNorm. Pour chaque ligne : out = (inp − mean) / sqrt(variance + 1e-5) · weight + " +
      "bias, avec la moyenne et la variance (biaisée) sur les C valeurs de la ligne. Range " +
      "aussi la moyenne de chaque ligne dans `mean[n]` et 1 / sqrt(variance + 1e-5) dans " +
      "`rstd[n]`.",
  },
  points: 3,
  reference: layerNormForward,
  check(impl) {
    const rng = new Rng(6);
    return SHAPES.flatMap(([N, C]) =>
      compareCalls(
        `layerNormForward(out, mean, rstd, inp, weight, bias, N=${N}, C=${C})`,
        impl,
        layerNormForward,
        [
          new Float32Array(N * C),
          new Float32Array(N),
          new Float32Array(N),
          rng.normalArray(N * C, 3),
          rng.normalArray(C),
          rng.normalArray(C),
          N,
          C,
        ],
        { out: 0, mean: 1, rstd: 2 },
        1e-4,
      )
    );
  },
};

const backwardExercise: Exercise<typeof layerNormBackward> = {
  id: "06.2",
  title: { en: "LayerNorm backward", fr: "La passe arrière de LayerNorm" },
  file: FILE,
  symbol: "layerNormBackward",
  hint: {
    en: "With x̂ = (x − mean)·rstd and out = x̂·weight + bias, what reaches bias and weight " +
      "from dout? For the input, every x̂ of a row depends on every x of the row through the mean " +
      "and rstd: with g = dout·weight, which averages over the row does that take away from g? " +
      "And do you add into the gradients or overwrite them?",
    fr: "Avec x̂ = (x − mean)·rstd et out = x̂·weight + bias, qu'est-ce qui parvient à bias et à " +
      "weight depuis dout ? Pour l'entrée, chaque x̂ d'une ligne dépend de chaque x de la ligne " +
      "à travers la moyenne et rstd : avec g = dout·weight, quelles moyennes sur la ligne cela " +
      "retire-t-il de g ? Et ajoutes-tu aux gradients ou les écrases-tu ?",
  },
  prompt: {
    en: "LayerNorm's backward pass. Given dout, the gradient of the loss with respect to `out`, " +
      "add the gradients with respect to inp, weight and bias into dinp, dweight, dbias.",
    fr: "la passe arrière de LayerNorm. À partir de dout, le gradient de la perte par rapport à " +
      "`out`, ajoute les gradients par rapport à inp, weight et bias dans dinp, dweight, dbias.",
  },
  points: 4,
  reference: layerNormBackward,
  check(impl) {
    const rng = new Rng(7);
    return SHAPES.flatMap(([N, C], s) => {
      const inp = rng.normalArray(N * C, 2), weight = rng.normalArray(C), bias = rng.normalArray(C);
      const out = new Float32Array(N * C), mean = new Float32Array(N), rstd = new Float32Array(N);
      layerNormForward(out, mean, rstd, inp, weight, bias, N, C);
      // Half of the cases start from non-zero gradients: backward passes add to them.
      const start = (n: number) => (s % 2 ? rng.normalArray(n) : new Float32Array(n));
      return compareCalls(
        `layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N=${N}, C=${C})`,
        impl,
        layerNormBackward,
        [start(N * C), start(C), start(C), rng.normalArray(N * C), inp, weight, mean, rstd, N, C],
        { dinp: 0, dweight: 1, dbias: 2 },
        1e-4,
      );
    });
  },
};

/** Lab 06's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [forwardExercise, backwardExercise] as Exercise[];
