/**
 * Exercises of lab 08: the train/validation split and one batch of (input, target) windows.
 * @module
 */
import { TokenDataset } from "../../lib/train/dataset.ts";
import type { Exercise } from "../../lib/course/exercise.ts";
import { equalCase } from "../../lib/course/cases.ts";
import { Rng } from "../../lib/random.ts";

const FILE = "labs/exercises/08_dataset.ts";

/** The split as lib/train/dataset.ts makes it, in the exercise's shape. */
function splitTokens(
  tokens: Int32Array,
  valFraction: number,
): { train: Int32Array; val: Int32Array } {
  const { train, val } = new TokenDataset(tokens, valFraction);
  return { train, val };
}

/** One batch as the trainer draws it: all of `data` is the split the windows come from. */
function makeBatch(
  data: Int32Array,
  B: number,
  T: number,
  rng: Rng,
): { inputs: Int32Array; targets: Int32Array } {
  return new TokenDataset(data, 0).batch("train", B, T, rng);
}

/** The signatures the lab calls the student's functions with. */
export type SplitTokens = typeof splitTokens;
export type MakeBatch = typeof makeBatch;

const plain = (r: { [k: string]: Int32Array }) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(v ?? [])]));

const splitExercise: Exercise<typeof splitTokens> = {
  id: "08.1",
  title: { en: "The train/validation split", fr: "Le découpage entraînement/validation" },
  file: FILE,
  symbol: "splitTokens",
  hint: {
    en: "Where does the cut fall for n tokens and a fraction f held out, and which side of it " +
      "does the model never train on? Why take the end of the text rather than random tokens?",
    fr: "Où tombe la coupure pour n tokens et une fraction f mise de côté, et de quel côté le " +
      "modèle ne s'entraîne-t-il jamais ? Pourquoi prendre la fin du texte plutôt que des " +
      "tokens au hasard ?",
  },
  prompt: {
    en: "the first ⌊n·(1 − valFraction)⌋ of the n tokens train the model, the rest validate " +
      "it. Return both parts.",
    fr: "les ⌊n·(1 − valFraction)⌋ premiers des n tokens entraînent le modèle, les autres le " +
      "valident. Renvoie les deux parties.",
  },
  points: 2,
  reference: splitTokens,
  check(impl) {
    const rng = new Rng(8);
    return ([[10, 0.1], [7, 0.3], [100, 0.25], [33, 0.5]] as [number, number][]).map(
      ([n, f]) => {
        const tokens = Int32Array.from({ length: n }, () => rng.int(50));
        return equalCase(
          `splitTokens(${n} tokens, ${f})`,
          plain(impl(tokens.slice(), f)),
          plain(splitTokens(tokens, f)),
        );
      },
    );
  },
};

const batchExercise: Exercise<typeof makeBatch> = {
  id: "08.2",
  title: {
    en: "A batch of inputs and next-token targets",
    fr: "Un batch d'entrées et de cibles (le token suivant)",
  },
  file: FILE,
  symbol: "makeBatch",
  hint: {
    en: "A window of T inputs needs one more token for its last target: how far into data may " +
      "a window start? Draw one start per row, in row order, with rng.int(…). What is the " +
      "target of the input at position t?",
    fr: "Une fenêtre de T entrées a besoin d'un token de plus pour sa dernière cible : jusqu'où " +
      "dans data une fenêtre peut-elle commencer ? Tire un début par ligne, dans l'ordre des " +
      "lignes, avec rng.int(…). Quelle est la cible de l'entrée en position t ?",
  },
  prompt: {
    en: "B windows of `data`, each starting at rng.int(data.length - T) (one draw per row, in " +
      "row order). inputs (B, T) holds each window's T tokens, targets (B, T) the token that " +
      "follows each of them.",
    fr: "B fenêtres de `data`, chacune commençant à rng.int(data.length - T) (un tirage par " +
      "ligne, dans l'ordre des lignes). inputs (B, T) contient les T tokens de chaque fenêtre, " +
      "targets (B, T) le token qui suit chacun d'eux.",
  },
  points: 3,
  reference: makeBatch,
  check(impl) {
    const rng = new Rng(9);
    return ([[1, 1, 5], [2, 4, 12], [4, 8, 50], [3, 16, 17]] as [number, number, number][]).map(
      ([B, T, n], s) => {
        const data = Int32Array.from({ length: n }, () => rng.int(30));
        return equalCase(
          `makeBatch(${n} tokens, B=${B}, T=${T}, new Rng(${s}))`,
          plain(impl(data.slice(), B, T, new Rng(s))),
          plain(makeBatch(data, B, T, new Rng(s))),
        );
      },
    );
  },
};

/** Lab 08's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [splitExercise, batchExercise] as Exercise[];
