/**
 * Exercises of lab 04: batched causal multi-head attention, forward then backward, with the
 * signatures of lib/layers/attention.ts (and of the SIMD kernel that must match it).
 * @module
 */
import { attentionBackward, attentionForward } from "../../lib/layers/attention.ts";
import { type Exercise, EXP_OVERFLOW, explainNonFinite } from "../../lib/course/exercise.ts";
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
  title: "Multi-head attention forward",
  file: FILE,
  symbol: "attentionForward",
  hint: "Loop over b, t and h. Where do the query of head h at position t, and the key and value " +
    "of head h at position t2, sit in the (B, T, 3C) input? Then it is lab 03 for one head: " +
    "scores over t2 ≤ t scaled by 1/√hs, softmax, weighted sum into out's channels for head h. " +
    "What should preatt and att hold above the diagonal?",
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
  title: "Multi-head attention backward",
  file: FILE,
  symbol: "attentionBackward",
  hint: "Go back through the three steps in reverse. Through the weighted sum: what do the " +
    "weight att[t2] and the value v[t2] each receive from dout? Through the softmax: when one " +
    "score moves, how do all the weights of its row move? Through q·k/√hs: what does q receive " +
    "from each key, and each key from q? And do you add into dinp or overwrite it?",
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
