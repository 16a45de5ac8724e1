/**
 * Exercises of lab 02: the embedding layer's lookup (token and position tables), cosine
 * similarity between two vectors, and the lookup's backward pass.
 * @module
 */
import { encoderBackward, encoderForward } from "../../lib/layers/encoder.ts";
import type { Exercise } from "../../lib/course/exercise.ts";
import { closeCase, show } from "../../lib/course/cases.ts";
import { Rng } from "../../lib/random.ts";
import { cosineSimilarity } from "../../lib/course/vectors.ts";
import { compareCalls } from "./calls.ts";

const FILE = "labs/exercises/02_embeddings.ts";

const lookupExercise: Exercise<typeof encoderForward> = {
  id: "02.1",
  title: { en: "The embedding lookup", fr: "La recherche dans la table d'embeddings" },
  file: FILE,
  symbol: "encoderForward",
  hint: {
    en:
      "Row (b, t) of the output starts at (b·T + t)·C. Which row of wte does token inp[b·T + t] " +
      "select, and which row of wpe belongs to position t? What do you add when wpe is null?",
    fr: "La ligne (b, t) de la sortie commence à (b·T + t)·C. Quelle ligne de wte le token " +
      "inp[b·T + t] sélectionne-t-il, et quelle ligne de wpe appartient à la position t ? " +
      "Qu'ajoutes-tu quand wpe vaut null ?",
  },
  prompt: {
    en:
      "the embedding layer. For every sequence b and position t, out[b, t, :] is the row of wte " +
      "for token inp[b, t], plus row t of wpe when wpe is not null.",
    fr: "la couche d'embedding. Pour chaque séquence b et chaque position t, out[b, t, :] est la " +
      "ligne de wte du token inp[b, t], plus la ligne t de wpe quand wpe n'est pas null.",
  },
  points: 2,
  reference: encoderForward,
  check(impl) {
    const rng = new Rng(2);
    return ([[1, 1, 1, 3], [2, 3, 4, 10], [3, 5, 8, 7]] as [number, number, number, number][])
      .flatMap(([B, T, C, V], s) => {
        const inp = Int32Array.from({ length: B * T }, () => rng.int(V));
        return compareCalls(
          `encoderForward(out, inp, wte, ${s === 1 ? "null" : "wpe"}, B=${B}, T=${T}, C=${C})`,
          impl,
          encoderForward,
          [
            rng.normalArray(B * T * C), // stale values: out must be overwritten
            inp,
            rng.normalArray(V * C),
            s === 1 ? null : rng.normalArray(T * C),
            B,
            T,
            C,
          ],
          { out: 0 },
          1e-6,
        );
      });
  },
};

const cosineExercise: Exercise<typeof cosineSimilarity> = {
  id: "02.2",
  title: { en: "Cosine similarity", fr: "La similarité cosinus" },
  file: FILE,
  symbol: "cosineSimilarity",
  hint: {
    en: "The dot product grows with the vectors' lengths. What do you divide it by so that only " +
      "the angle between them counts? And what should a zero vector give, rather than NaN?",
    fr: "Le produit scalaire grandit avec la longueur des vecteurs. Par quoi le diviser pour que " +
      "seul compte l'angle entre eux ? Et que doit donner un vecteur nul, plutôt que NaN ?",
  },
  prompt: {
    en:
      "the cosine of the angle between a and b, a·b / (‖a‖·‖b‖); 0 when either is the zero vector.",
    fr: "le cosinus de l'angle entre a et b, a·b / (‖a‖·‖b‖) ; 0 si l'un des deux est le vecteur " +
      "nul.",
  },
  points: 2,
  reference: cosineSimilarity,
  check(impl) {
    const rng = new Rng(3);
    const pairs: [number[], number[]][] = [
      [[1, 0], [0, 1]],
      [[1, 2, 3], [2, 4, 6]],
      [[1, 2], [-1, -2]],
      [[0, 0, 0], [1, 2, 3]],
      [Array.from(rng.normalArray(16)), Array.from(rng.normalArray(16))],
    ];
    return pairs.map(([a, b]) =>
      closeCase(
        `cosineSimilarity(${show(a)}, ${show(b)})`,
        impl([...a], [...b]),
        cosineSimilarity(a, b),
        1e-6,
      )
    );
  },
};

const backwardExercise: Exercise<typeof encoderBackward> = {
  id: "02.3",
  title: { en: "The embedding backward", fr: "La passe arrière de l'embedding" },
  file: FILE,
  symbol: "encoderBackward",
  hint: {
    en: "Position (b, t) read row inp[b·T + t] of wte and row t of wpe; its gradient dout row " +
      "goes back to exactly those rows. A token that appears twice was read twice: what happens " +
      "to its row's gradient? And when dwpe is null?",
    fr: "La position (b, t) a lu la ligne inp[b·T + t] de wte et la ligne t de wpe ; la ligne de " +
      "dout qui lui correspond, son gradient, revient exactement à ces lignes-là. Un token " +
      "présent deux fois a été lu deux fois : que devient le gradient de sa ligne ? Et quand " +
      "dwpe vaut null ?",
  },
  prompt: {
    en: "the embedding layer's backward pass. dout[b, t, :] is the gradient of the loss with " +
      "respect to out[b, t, :]: add it into the row of dwte that token inp[b, t] read, and " +
      "into row t of dwpe when dwpe is not null. A token read twice gets both gradients.",
    fr: "la passe arrière de la couche d'embedding. dout[b, t, :] est le gradient de la perte " +
      "par rapport à out[b, t, :] : ajoute-le à la ligne de dwte que le token inp[b, t] a lue, " +
      "et à la ligne t de dwpe quand dwpe n'est pas null. Un token lu deux fois reçoit les " +
      "deux gradients.",
  },
  points: 2,
  reference: encoderBackward,
  check(impl) {
    const rng = new Rng(3);
    // Few tokens, long sequences: ids repeat, so their rows must add up.
    return ([[1, 2, 1, 1], [2, 4, 3, 3], [3, 6, 8, 4]] as [number, number, number, number][])
      .flatMap(([B, T, C, V], s) =>
        compareCalls(
          `encoderBackward(dwte, ${
            s === 1 ? "null" : "dwpe"
          }, dout, inp, B=${B}, T=${T}, C=${C}) ` +
            `with repeated token ids`,
          impl,
          encoderBackward,
          [
            s === 2 ? rng.normalArray(V * C) : new Float32Array(V * C), // backward adds
            s === 1 ? null : s === 2 ? rng.normalArray(T * C) : new Float32Array(T * C),
            rng.normalArray(B * T * C),
            Int32Array.from({ length: B * T }, () => rng.int(V)),
            B,
            T,
            C,
          ],
          s === 1 ? { dwte: 0 } : { dwte: 0, dwpe: 1 },
          1e-5,
        )
      );
  },
};

/** Lab 02's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [
  lookupExercise,
  cosineExercise,
  backwardExercise,
] as Exercise[];
