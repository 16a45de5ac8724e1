/**
 * Exercises of lab 07: the gradient of softmax + cross-entropy with respect to the logits, and
 * the backward pass of a linear layer; then the whole GPT, forward (with its loss) and backward,
 * on the layer table and the model's flat buffers.
 * @module
 */
import { crossEntropySoftmaxBackward, softmaxForward } from "../../lib/layers/crossentropy.ts";
import type { Exercise } from "../../lib/course/exercise.ts";
import { linearBackward } from "../../lib/layers/linear.ts";
import { Rng } from "../../lib/random.ts";
import { compareCalls } from "./calls.ts";
import { tr } from "../../lib/i18n.ts";
import { byId, COMPOSE_CHILD, compositionCases, near, type Outputs, tinyModel } from "./compose.ts";
import { exercises as embeddings } from "./02_embeddings.ts";
import { exercises as block } from "./06_block.ts";
import { encoderBackward } from "../../lib/layers/encoder.ts";
import { blockBackward, blockForward } from "../../lib/model/block.ts";
import { gptBackward, gptForward, type GPTParts } from "../../lib/model/gpt.ts";
import { parameterShapes, parameterViews, tableSize } from "../../lib/model/layout.ts";
import { TWIN_OPS } from "../../lib/model/ops.ts";

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

/**
 * lib/'s layers and block: the table the GPT exercises run on first. It holds no whole-model
 * pass, so a submission cannot hand its work to lib/'s gptForward or gptBackward.
 */
const LIBRARY: GPTParts = { ...TWIN_OPS, blockForward, blockBackward };
// B, T of the GPT cases, on a model of 2 blocks.
const GPT_SHAPES: [number, number][] = [[1, 4], [2, 6]];

function gptCase(s: number, [B, T]: [number, number]) {
  const config = { vocabSize: 11, blockSize: T, nLayer: 2, nHead: 2, nEmbd: 8 };
  return { config, ...tinyModel(70 + s, config, B, T) };
}

const gptForwardExercise: Exercise<typeof gptForward> = {
  id: "07.3",
  title: { en: "The GPT forward, and its loss", fr: "La passe avant du GPT, et sa perte" },
  file: FILE,
  symbol: "gptForward",
  hint: {
    en: "The seed's MiniGPT.forward: token embeddings plus position embeddings (encoderForward " +
      "does both), the L blocks one after the other (block l reads block l−1's residual3), ln_f, " +
      "then the head: logits = ln_f · wteᵀ, the token table read the other way. Softmax, the " +
      "losses, and their mean: over how many positions?",
    fr: "Le MiniGPT.forward du cours : les embeddings des tokens plus ceux des positions " +
      "(encoderForward fait les deux), les L blocs l'un après l'autre (le bloc l lit le " +
      "residual3 du bloc l−1), ln_f, puis la tête : logits = ln_f · wteᵀ, la table des tokens " +
      "lue dans l'autre sens. Le softmax, les pertes, et leur moyenne : sur combien de " +
      "positions ?",
  },
  prompt: {
    en: "the GPT forward. The stream starts as wte[token] + wpe[t] (ops.encoderForward into " +
      "a.encoded), goes through the L blocks (block l reads the previous block's residual3), " +
      "then ln_f; the head is tied: logits = ln_f · wteᵀ (ops.linearForward with p.wte and no " +
      "bias), then ops.softmaxForward into a.probs. With targets, fill a.losses " +
      "(ops.crossEntropyForward) and return their mean; without, return null.",
    fr: "la passe avant du GPT. Le flux part de wte[token] + wpe[t] (ops.encoderForward dans " +
      "a.encoded), traverse les L blocs (le bloc l lit le residual3 du bloc précédent), puis " +
      "ln_f ; la tête est liée : logits = ln_f · wteᵀ (ops.linearForward avec p.wte et sans " +
      "biais), puis ops.softmaxForward dans a.probs. Avec des cibles, remplis a.losses " +
      "(ops.crossEntropyForward) et renvoie leur moyenne ; sans cibles, renvoie null.",
  },
  points: 4,
  reference: gptForward,
  sandbox: COMPOSE_CHILD,
  get uses() {
    return [byId(embeddings, "02.1"), byId(block, "06.1"), byId(block, "06.3")];
  },
  check(impl, parts = {}) {
    return compositionCases(gptForwardExercise, impl, parts, GPT_SHAPES, (shape, s) => {
      const [B, T] = shape;
      return {
        what: `gptForward(ops, p, a, inputs, targets, B=${B}, T=${T}, config)`,
        library: LIBRARY,
        tolerance: 1e-4,
        run(fn, ops) {
          const { model, acts, inputs, targets, config } = gptCase(s, shape);
          const a = acts();
          const loss = fn(ops, model.p, a, inputs, targets, B, T, config);
          const out: Outputs = { encoded: a.encoded };
          a.h.forEach((h, l) => (out[`h.${l}.residual3`] = h.residual3));
          return { ...out, ln_f: a.ln_f, logits: a.logits, losses: a.losses, loss };
        },
        diagnose(got, expected) {
          const { model, inputs, config } = gptCase(s, shape);
          const C = config.nEmbd, tokensOnly = new Float32Array(B * T * C);
          inputs.forEach((id, n) =>
            tokensOnly.set(model.p.wte.subarray(id * C, id * C + C), n * C)
          );
          if (near(got.encoded as Float32Array, tokensOnly)) {
            return {
              en: "positions forgotten: the stream starts as wte[token] + wpe[t]",
              fr: "positions oubliées : le flux part de wte[token] + wpe[t]",
            };
          }
          const loss = got.loss as number, want = expected.loss as number, N = B * T;
          for (
            const [count, name] of [
              [B, "B"],
              [T, "T"],
              [1, tr({ en: "1 (a sum)", fr: "1 (une somme)" })],
            ] as const
          ) {
            if (count !== N && Math.abs(loss - (want * N) / count) < 1e-4) {
              return {
                en: `the loss averaged over the wrong count: divided by ${name}, not by B·T = ${N}`,
                fr: `la perte moyennée sur le mauvais nombre : divisée par ${name}, pas par ` +
                  `B·T = ${N}`,
              };
            }
          }
          if (near(got.ln_f as Float32Array, expected.ln_f as Float32Array)) {
            return {
              en: "the head: logits = ln_f · wteᵀ, tied to the token table, with no bias",
              fr: "la tête : logits = ln_f · wteᵀ, liée à la table des tokens, sans biais",
            };
          }
          return undefined;
        },
      };
    });
  },
};

const gptBackwardExercise: Exercise<typeof gptBackward> = {
  id: "07.4",
  title: { en: "The GPT backward", fr: "La passe arrière du GPT" },
  file: FILE,
  symbol: "gptBackward",
  hint: {
    en: "gptForward's calls from the last to the first, each with its backward: the loss " +
      "gradient into the logits (d.losses is given), the head, ln_f, the blocks from L−1 down to " +
      "0 (block l's input gradient is block l−1's dh.residual3), the embeddings. wte is used " +
      "twice, as the table and as the head: where do its two gradients go?",
    fr: "Les appels de gptForward du dernier au premier, chacun avec sa passe arrière : le " +
      "gradient de la perte dans les logits (d.losses est donné), la tête, ln_f, les blocs de " +
      "L−1 jusqu'à 0 (le gradient d'entrée du bloc l est le dh.residual3 du bloc l−1), les " +
      "embeddings. wte sert deux fois, comme table et comme tête : où vont ses deux gradients " +
      "?",
  },
  prompt: {
    en: "the GPT backward. d.losses holds d(loss)/d(losses[n]) (1/N for the mean); every other " +
      "buffer of d starts at zero. Run gptForward's calls in reverse, each layer's backward, " +
      "so as to ADD every parameter's gradient into g.",
    fr: "la passe arrière du GPT. d.losses contient d(perte)/d(losses[n]) (1/N pour la moyenne) " +
      "; tous les autres buffers de d partent de zéro. Refais les appels de gptForward à " +
      "l'envers, avec la passe arrière de chaque couche, de façon à AJOUTER le gradient de " +
      "chaque paramètre à g.",
  },
  points: 5,
  reference: gptBackward,
  sandbox: COMPOSE_CHILD,
  get uses() {
    return [
      byId(embeddings, "02.3"),
      byId(block, "06.2"),
      byId(block, "06.4"),
      lossGradExercise,
      linearExercise,
    ];
  },
  check(impl, parts = {}) {
    return compositionCases(gptBackwardExercise, impl, parts, GPT_SHAPES, (shape, s) => {
      const [B, T] = shape;
      const { model, acts, inputs, targets, config } = gptCase(s, shape);
      const a = acts();
      gptForward(LIBRARY, model.p, a, inputs, targets, B, T, config);
      const P = tableSize(parameterShapes(config));
      const start = s % 2 ? new Rng(80).normalArray(P) : new Float32Array(P);
      // The backward order: what the first wrong gradient is tells where the mistake is.
      const names = parameterShapes(config).map(([name]) => name).reverse();
      return {
        what: `gptBackward(ops, g, d, p, a, inputs, targets, B=${B}, T=${T}, config)`,
        library: LIBRARY,
        tolerance: 1e-4,
        run(fn, ops) {
          const g = parameterViews(config, start.slice()), d = acts();
          d.losses.fill(1 / (B * T));
          fn(ops, g, d, model.p, a, inputs, targets, B, T, config);
          return {
            ...Object.fromEntries(names.map((n) => [n, g.byName[n]])),
            dencoded: d.encoded,
          };
        },
        diagnose(got, expected) {
          const wte = "transformer.wte.weight", wpe = "transformer.wpe.weight";
          const startOf = parameterViews(config, start).byName;
          if (near(got[wpe] as Float32Array, startOf[wpe])) {
            return {
              en: "positions forgotten: encoderBackward adds into g.wpe as well as g.wte",
              fr: "positions oubliées : encoderBackward ajoute dans g.wpe comme dans g.wte",
            };
          }
          const embeddingOnly = startOf[wte].slice();
          encoderBackward(
            embeddingOnly,
            null,
            expected.dencoded as Float32Array,
            inputs,
            B,
            T,
            config.nEmbd,
          );
          if (near(got[wte] as Float32Array, embeddingOnly)) {
            return {
              en: "an untied head: the head is wte too, so the head's gradient (linearBackward " +
                "into g.wte) adds to the embedding's",
              fr: "une tête non liée : la tête est aussi wte, donc le gradient de la tête " +
                "(linearBackward dans g.wte) s'ajoute à celui de l'embedding",
            };
          }
          return undefined;
        },
      };
    });
  },
};

/** Lab 07's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [
  lossGradExercise,
  linearExercise,
  gptForwardExercise,
  gptBackwardExercise,
] as Exercise[];
