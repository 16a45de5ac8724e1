/**
 * Exercises of lab 11: merging a LoRA update into a weight, the gradients of A and B, and
 * counting the parameters LoRA trains.
 * @module
 */
import type { Case, Exercise } from "../../lib/course/exercise.ts";
import { closeCase, equalCase, show } from "../../lib/course/cases.ts";
import {
  LORA_TARGETS,
  loraBackward,
  loraMerge,
  loraParameterCount,
  type LoraTarget,
} from "../../lib/train/lora.ts";
import { Rng } from "../../lib/random.ts";

const FILE = "labs/exercises/11_finetuning.ts";

/** Odd shapes on purpose: a rank of 1, a square matrix, a wide one and a tall one. */
const SHAPES: [OC: number, C: number, r: number][] = [[2, 3, 1], [4, 4, 2], [3, 7, 2], [12, 4, 3]];

const mergeExercise: Exercise<typeof loraMerge> = {
  id: "11.1",
  title: {
    en: "Merging a LoRA update: W = W0 + s·B·A",
    fr: "Fusionner une mise à jour LoRA : W = W0 + s·B·A",
  },
  file: FILE,
  symbol: "loraMerge",
  hint: {
    en: "B is (OC, r) and A is (r, C): what shape is B·A, and which row of B and which column " +
      "of A meet in its entry (o, c)? Where does the scale go? With everything stored row by " +
      "row, where does entry (o, c) of an (OC, C) matrix sit in its Float32Array?",
    fr: "B est (OC, r) et A est (r, C) : quelle est la forme de B·A, et quelle ligne de B et " +
      "quelle colonne de A se rencontrent dans son entrée (o, c) ? Où va le facteur d'échelle ? " +
      "Tout étant rangé ligne par ligne, où se trouve l'entrée (o, c) d'une matrice (OC, C) " +
      "dans son Float32Array ?",
  },
  prompt: {
    en: "writes W0 + scale·B·A into `out` (OC, C), where `base` is W0 (OC, C), A is (r, C) and B " +
      "is (OC, r). With OC = 1, C = 2, r = 1: base [1, 1], A [2, 3], B [4] and scale 0.5 give " +
      "out [5, 7].",
    fr:
      "écrit W0 + scale·B·A dans `out` (OC, C), où `base` est W0 (OC, C), A est (r, C) et B est " +
      "(OC, r). Avec OC = 1, C = 2, r = 1 : base [1, 1], A [2, 3], B [4] et scale 0.5 donnent " +
      "out [5, 7].",
  },
  points: 2,
  reference: loraMerge,
  check(impl) {
    const rng = new Rng(21);
    return SHAPES.map(([OC, C, r], i) => {
      const base = rng.normalArray(OC * C), A = rng.normalArray(r * C), B = rng.normalArray(OC * r);
      const scale = [2, 0.5, 1, -1.5][i];
      const got = new Float32Array(OC * C), want = new Float32Array(OC * C);
      impl(got, base.slice(), A.slice(), B.slice(), scale, OC, C, r);
      loraMerge(want, base, A, B, scale, OC, C, r);
      return closeCase(
        `loraMerge(out, base ${show(base, 4)}, A ${show(A, 4)}, B ${
          show(B, 4)
        }, scale ${scale}, OC ${OC}, C ${C}, r ${r}) → out`,
        got,
        want,
        1e-5,
      );
    });
  },
};

const backwardExercise: Exercise<typeof loraBackward> = {
  id: "11.2",
  title: { en: "The gradients of A and B", fr: "Les gradients de A et de B" },
  file: FILE,
  symbol: "loraBackward",
  hint: {
    en: "W = W0 + s·B·A, and dW says how the loss moves with each entry of W. Entry (o, c) of W " +
      "holds s·Σₖ B[o,k]·A[k,c]: how does it move when A[k,c] moves, and when B[o,k] does? " +
      "Sum those over every entry of W that they touch. Do dA and dB start from zero?",
    fr: "W = W0 + s·B·A, et dW dit comment la perte varie avec chaque entrée de W. L'entrée (o, " +
      "c) de W vaut s·Σₖ B[o,k]·A[k,c] : comment varie-t-elle quand A[k,c] varie, et quand " +
      "B[o,k] varie ? Somme ces contributions sur toutes les entrées de W qu'elles touchent. dA " +
      "et dB partent-ils de zéro ?",
  },
  prompt: {
    en: "the gradients of A (r, C) and B (OC, r) from dW (OC, C), the gradient of the merged " +
      "weight W = W0 + scale·B·A. Write them into dA and dB (overwrite what is there). With OC " +
      "= 1, C = 2, r = 1: dW [1, 2], A [2, 3], B [4] and scale 0.5 give dA [2, 4], dB [4].",
    fr: "les gradients de A (r, C) et de B (OC, r) à partir de dW (OC, C), le gradient du poids " +
      "fusionné W = W0 + scale·B·A. Écris-les dans dA et dB (en écrasant leur contenu). Avec OC " +
      "= 1, C = 2, r = 1 : dW [1, 2], A [2, 3], B [4] et scale 0.5 donnent dA [2, 4], dB [4].",
  },
  points: 3,
  reference: loraBackward,
  check(impl) {
    const rng = new Rng(22);
    const cases: Case[] = [];
    SHAPES.forEach(([OC, C, r], i) => {
      const dW = rng.normalArray(OC * C), A = rng.normalArray(r * C), B = rng.normalArray(OC * r);
      const scale = [2, 0.5, 1, -1.5][i];
      // Stale values in the outputs: the gradients are written, not added to.
      const got = [rng.normalArray(r * C), rng.normalArray(OC * r)];
      const want = [new Float32Array(r * C), new Float32Array(OC * r)];
      impl(got[0], got[1], dW.slice(), A.slice(), B.slice(), scale, OC, C, r);
      loraBackward(want[0], want[1], dW, A, B, scale, OC, C, r);
      const what = `loraBackward(dA, dB, dW ${show(dW, 4)}, A ${show(A, 4)}, B ${
        show(B, 4)
      }, scale ${scale}, OC ${OC}, C ${C}, r ${r})`;
      cases.push(closeCase(`${what} → dA`, got[0], want[0], 1e-4));
      cases.push(closeCase(`${what} → dB`, got[1], want[1], 1e-4));
    });
    return cases;
  },
};

const countExercise: Exercise<typeof loraParameterCount> = {
  id: "11.3",
  title: {
    en: "Counting the parameters LoRA trains",
    fr: "Compter les paramètres que LoRA entraîne",
  },
  file: FILE,
  symbol: "loraParameterCount",
  hint: {
    en: "An adapted matrix W of shape (OC, C) gets A of shape (r, C) and B of shape (OC, r): how " +
      "many numbers is that? What are OC and C for c_attn (queries, keys and values together), " +
      "for attention's c_proj, for c_fc (the MLP widens 4×), and for the MLP's c_proj? How many " +
      "blocks have them?",
    fr: "Une matrice adaptée W de forme (OC, C) reçoit A de forme (r, C) et B de forme (OC, r) : " +
      "combien de nombres cela fait-il ? Que valent OC et C pour c_attn (requêtes, clés et " +
      "valeurs ensemble), pour le c_proj de l'attention, pour c_fc (le MLP élargit 4 fois) et " +
      "pour le c_proj du MLP ? Combien de blocs en ont ?",
  },
  prompt: {
    en:
      'how many numbers LoRA of rank `rank` trains on a GPT of width C with L blocks, when it adapts `targets` in every block ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"). A weight is (OC, C_in): c_attn (3C, C), attn.c_proj (C, C), mlp.c_fc (4C, C), mlp.c_proj (C, 4C). loraParameterCount(8, 1, 2, ["attn.c_proj"]) is 32.',
    fr:
      'combien de nombres LoRA de rang `rank` entraîne sur un GPT de largeur C à L blocs, quand il adapte `targets` dans chaque bloc ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"). Un poids est (OC, C_in) : c_attn (3C, C), attn.c_proj (C, C), mlp.c_fc (4C, C), mlp.c_proj (C, 4C). loraParameterCount(8, 1, 2, ["attn.c_proj"]) vaut 32.',
  },
  points: 2,
  reference: loraParameterCount,
  check(impl) {
    const settings: [number, number, number, LoraTarget[]][] = [
      [32, 2, 4, [...LORA_TARGETS]],
      [128, 4, 8, [...LORA_TARGETS]],
      [16, 3, 1, ["attn.c_attn"]],
      [16, 1, 2, ["mlp.c_proj"]],
      [64, 2, 16, ["attn.c_attn", "attn.c_proj"]],
      [8, 0, 2, [...LORA_TARGETS]],
    ];
    return settings.map(([C, L, r, targets]) =>
      equalCase(
        `loraParameterCount(C ${C}, L ${L}, rank ${r}, ${show(targets)})`,
        impl(C, L, r, [...targets]),
        loraParameterCount(C, L, r, targets),
      )
    );
  },
};

/** Lab 11's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [mergeExercise, backwardExercise, countExercise] as Exercise[];
