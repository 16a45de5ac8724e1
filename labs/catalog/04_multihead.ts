/**
 * Exercises of lab 04: batched causal multi-head attention, forward then backward, with the
 * signatures of lib/layers/attention.ts (and of the SIMD kernel that must match it).
 * @module
 */
import { attentionBackward, attentionForward } from "../../lib/layers/attention.ts";
import type { Exercise } from "../../lib/course/exercise.ts";
import { EXP_OVERFLOW, explainNonFinite } from "../../lib/course/cases.ts";
import { Rng } from "../../lib/random.ts";
import { compareCalls } from "./calls.ts";

const FILE = "labs/exercises/04_multihead.ts";
// B, T, C, NH: one position, a head size of 1, several sequences, odd sizes
const SHAPES: [number, number, number, number][] = [
  [1, 1, 2, 1],
  [1, 4, 4, 4],
  [2, 5, 8, 2],
  [2, 7, 12, 3],
];

const forwardExercise: Exercise<typeof attentionForward> = {
  id: "04.1",
  title: { en: "Multi-head attention forward", fr: "La passe avant de l'attention multi-têtes" },
  file: FILE,
  symbol: "attentionForward",
  hint: {
    en: "Loop over b, t and h. Where do the query of head h at position t, and the key and " +
      "value of head h at position t2, sit in the (B, T, 3C) input? Then it is lab 03 for one " +
      "head: scores over t2 ≤ t scaled by 1/√hs, softmax, weighted sum into out's channels for " +
      "head h. What should preatt and att hold above the diagonal?",
    fr: "Boucle sur b, t et h. Où se trouvent, dans l'entrée (B, T, 3C), la requête de la tête h " +
      "en position t, puis la clé et la valeur de la tête h en position t2 ? Ensuite, c'est le " +
      "lab 03 pour une tête : scores sur t2 ≤ t multipliés par 1/√hs, softmax, somme pondérée " +
      "dans les canaux de out de la tête h. Que doivent contenir preatt et att au-dessus de la " +
      "diagonale ?",
  },
  prompt: {
    en: "causal multi-head self-attention. For every b, t, h: preatt holds the scores q·k / √hs " +
      "for t2 ≤ t, att their softmax over t2 ≤ t (0 for t2 > t), and out (B, T, C) the weighted " +
      "sum of values in head h's channels.",
    fr: "l'auto-attention causale multi-têtes. Pour chaque b, t, h : preatt contient les scores " +
      "q·k / √hs pour t2 ≤ t, att leur softmax sur t2 ≤ t (0 pour t2 > t), et out (B, T, C) la " +
      "somme pondérée des valeurs dans les canaux de la tête h.",
  },
  points: 4,
  reference: attentionForward,
  check(impl) {
    const rng = new Rng(10);
    const call = (what: string, inp: Float32Array, B: number, T: number, C: number, NH: number) =>
      compareCalls(
        `attentionForward(out, preatt, att, ${what}, B=${B}, T=${T}, C=${C}, NH=${NH})`,
        impl,
        attentionForward,
        [
          rng.normalArray(B * T * C), // stale values: out must be overwritten
          new Float32Array(B * NH * T * T),
          new Float32Array(B * NH * T * T),
          inp,
          B,
          T,
          C,
          NH,
        ],
        { out: 0, att: 2 },
        1e-5,
      );
    const cases = SHAPES.flatMap(([B, T, C, NH]) =>
      call("inp", rng.normalArray(B * T * 3 * C), B, T, C, NH)
    );
    // Each head's q = k = [30, 40] or [40, 30]: scores near 1768, so exp() overflows unless each
    // row's max is subtracted.
    const qk = [[30, 40, 40, 30], [30, 40, 40, 30], [40, 30, 30, 40]];
    const inp = Float32Array.from(qk.flatMap((x) => [...x, ...x, ...rng.normalArray(4)]));
    const large = call("inp with q = k = [30, 40, 40, 30] at t = 0, 1", inp, 1, 3, 4, 2);
    return [...cases, ...large.map((c) => explainNonFinite(c, EXP_OVERFLOW))];
  },
};

const backwardExercise: Exercise<typeof attentionBackward> = {
  id: "04.2",
  title: { en: "Multi-head attention backward", fr: "La passe arrière de l'attention multi-têtes" },
  file: FILE,
  symbol: "attentionBackward",
  hint: {
    en: "Go back through the three steps in reverse. Through the weighted sum: what do the " +
      "weight att[t2] and the value v[t2] each receive from dout? Through the softmax: when one " +
      "score moves, how do all the weights of its row move? Through q·k/√hs: what does q " +
      "receive from each key, and each key from q? And do you add into dinp or overwrite it?",
    fr: "Reprends les trois étapes à l'envers. À travers la somme pondérée : que reçoivent de " +
      "dout le poids att[t2] et la valeur v[t2] ? À travers le softmax : quand un score bouge, " +
      "comment bougent tous les poids de sa ligne ? À travers q·k/√hs : que reçoit q de chaque " +
      "clé, et chaque clé de q ? Et ajoutes-tu à dinp ou l'écrases-tu ?",
  },
  prompt: {
    en: "the backward pass. Given dout (B, T, C), add the gradient of q, k and v into dinp " +
      "(B, T, 3C). datt and dpreatt are zeroed scratch buffers you may use.",
    fr: "la passe arrière. À partir de dout (B, T, C), ajoute le gradient de q, k et v dans dinp " +
      "(B, T, 3C). datt et dpreatt sont des tampons de travail mis à zéro, à ta disposition.",
  },
  points: 5,
  reference: attentionBackward,
  check(impl) {
    const rng = new Rng(11);
    return SHAPES.flatMap(([B, T, C, NH], s) => {
      const inp = rng.normalArray(B * T * 3 * C);
      const out = new Float32Array(B * T * C);
      const preatt = new Float32Array(B * NH * T * T), att = new Float32Array(B * NH * T * T);
      attentionForward(out, preatt, att, inp, B, T, C, NH);
      return compareCalls(
        `attentionBackward(dinp, dpreatt, datt, dout, inp, att, B=${B}, T=${T}, C=${C}, NH=${NH})`,
        impl,
        attentionBackward,
        [
          s % 2 ? rng.normalArray(inp.length) : new Float32Array(inp.length),
          new Float32Array(att.length),
          new Float32Array(att.length),
          rng.normalArray(out.length),
          inp,
          att,
          B,
          T,
          C,
          NH,
        ],
        { dinp: 0 },
        1e-4,
      );
    });
  },
};

/** Lab 04's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [forwardExercise, backwardExercise] as Exercise[];
