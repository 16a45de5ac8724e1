/**
 * Exercises of lab 06: LayerNorm's forward pass, then its backward pass; then the whole block,
 * forward and backward, written on the layer table and the model's flat buffers.
 * @module
 */
import type { Exercise } from "../../lib/course/exercise.ts";
import { layerNormBackward, layerNormForward } from "../../lib/layers/layernorm.ts";
import { linearForward } from "../../lib/layers/linear.ts";
import { blockBackward, blockForward } from "../../lib/model/block.ts";
import type { BlockActivations } from "../../lib/model/layout.ts";
import { parameterShapes, parameterViews, tableSize } from "../../lib/model/layout.ts";
import { TWIN_OPS } from "../../lib/model/ops.ts";
import { Rng } from "../../lib/random.ts";
import { compareCalls } from "./calls.ts";
import { byId, COMPOSE_CHILD, compositionCases, near, type Outputs, tinyModel } from "./compose.ts";
import { exercises as multihead } from "./04_multihead.ts";
import { exercises as gpt } from "./07_gpt.ts";

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

/** The block's activations in the order the forward pass writes them. */
const FLOW: (keyof BlockActivations)[] = [
  "ln_1",
  "ln_1_mean",
  "ln_1_rstd",
  "qkv",
  "att",
  "atty",
  "attproj",
  "residual2",
  "ln_2",
  "ln_2_mean",
  "ln_2_rstd",
  "fch",
  "fch_gelu",
  "fcproj",
  "residual3",
];
// B, T, C, NH of the block cases; the last has a quiet stream (std 0.003), where LayerNorm's
// epsilon counts.
const BLOCK_SHAPES: [number, number, number, number][] = [[1, 3, 4, 1], [2, 5, 8, 2], [1, 4, 8, 2]];

/** A seeded block: its model, one block's weights and activations, and its input stream x. */
function blockCase(s: number, [B, T, C, NH]: [number, number, number, number]) {
  const config = { vocabSize: 7, blockSize: T, nLayer: 1, nHead: NH, nEmbd: C };
  const { model, rng, acts } = tinyModel(40 + s, config, B, T);
  const x = rng.normalArray(B * T * C, s === 2 ? 0.003 : 1);
  return { model, w: model.p.h[0], acts, x, config };
}

const blockForwardExercise: Exercise<typeof blockForward> = {
  id: "06.3",
  title: { en: "The block forward", fr: "La passe avant du bloc" },
  file: FILE,
  symbol: "blockForward",
  hint: {
    en: "Follow the diagram of the lab, one ops call per line: ln_1 of x, c_attn, attention, " +
      "c_proj, then residual2 = x + attproj; ln_2 of residual2 (not of x), c_fc, GELU, c_proj, " +
      "residual3 = residual2 + fcproj. Which buffer of h does each call write, and which does " +
      "it read? Normalise before each part (pre-norm), never after.",
    fr: "Suis le schéma du lab, un appel à ops par ligne : ln_1 de x, c_attn, l'attention, " +
      "c_proj, puis residual2 = x + attproj ; ln_2 de residual2 (pas de x), c_fc, GELU, " +
      "c_proj, residual3 = residual2 + fcproj. Quel buffer de h chaque appel écrit-il, et " +
      "lequel lit-il ? Normalise avant chaque partie (pre-norm), jamais après.",
  },
  prompt: {
    en: "the pre-norm block, forward. With N = B·T positions and one `ops` call per line, fill " +
      "every buffer of h (backward reads them): ln_1 = LayerNorm(x) qkv = c_attn(ln_1) atty = " +
      "attention(qkv) attproj = c_proj(atty) residual2 = x + attproj ln_2 = " +
      "LayerNorm(residual2) fch = c_fc(ln_2) fch_gelu = GELU(fch) fcproj = " +
      "mlp.c_proj(fch_gelu) residual3 = residual2 + fcproj (the block's output) " +
      "ops.linearForward(out, inp, weight, bias, N, C, OC), ops.geluForward(out, inp, n) and " +
      "ops.residualForward(out, a, b, n) are there beside your own layerNormForward and " +
      "attentionForward (whose qkv argument is h.qkvr: the same buffer as h.qkv without RoPE).",
    fr: "le bloc pre-norm, passe avant. Avec N = B·T positions et un appel à `ops` par ligne, " +
      "remplis chaque buffer de h (la passe arrière les lit) : ln_1 = LayerNorm(x), qkv = " +
      "c_attn(ln_1), atty = attention(qkv), attproj = c_proj(atty), residual2 = x + attproj, " +
      "ln_2 = LayerNorm(residual2), fch = c_fc(ln_2), fch_gelu = GELU(fch), fcproj = " +
      "mlp.c_proj(fch_gelu), residual3 = residual2 + fcproj (la sortie du bloc). " +
      "ops.linearForward(out, inp, weight, bias, N, C, OC), ops.geluForward(out, inp, n) et " +
      "ops.residualForward(out, a, b, n) sont là, à côté de tes propres layerNormForward et " +
      "attentionForward (dont l'argument qkv est h.qkvr : le même buffer que h.qkv, sans " +
      "RoPE).",
  },
  points: 4,
  reference: blockForward,
  sandbox: COMPOSE_CHILD,
  get uses() {
    return [forwardExercise, byId(multihead, "04.1")];
  },
  check(impl, parts = {}) {
    return compositionCases(blockForwardExercise, impl, parts, BLOCK_SHAPES, (shape, s) => {
      const [B, T, C, NH] = shape;
      return {
        what: `blockForward(ops, h, w, x, B=${B}, T=${T}, C=${C}, NH=${NH})`,
        library: TWIN_OPS,
        tolerance: 1e-4,
        run(fn, ops) {
          const { w, acts, x } = blockCase(s, shape);
          const h = acts().h[0];
          fn(ops, h, w, x, B, T, C, NH);
          return Object.fromEntries(FLOW.map((name) => [name, h[name]]));
        },
        diagnose(got) {
          const { w, x } = blockCase(s, shape);
          const N = B * T, qkv = new Float32Array(N * 3 * C);
          linearForward(qkv, x, w.attn.c_attn.weight, w.attn.c_attn.bias, N, C, 3 * C);
          if (near(got.qkv as Float32Array, qkv)) {
            return {
              en: "post-norm order: attention reads x itself; GPT-2 normalises first, " +
                "c_attn reads ln_1(x)",
              fr: "ordre post-norm : l'attention lit x lui-même ; GPT-2 normalise d'abord, " +
                "c_attn lit ln_1(x)",
            };
          }
          if (near(got.residual2 as Float32Array, got.attproj as Float32Array)) {
            return {
              en: "a missing residual: residual2 must be x + attproj, not attproj alone",
              fr: "une connexion résiduelle manquante : residual2 doit valoir x + attproj, pas " +
                "attproj seul",
            };
          }
          if (near(got.residual3 as Float32Array, got.fcproj as Float32Array)) {
            return {
              en: "a missing residual: residual3 must be residual2 + fcproj, not fcproj alone",
              fr:
                "une connexion résiduelle manquante : residual3 doit valoir residual2 + fcproj, " +
                "pas fcproj seul",
            };
          }
          return undefined;
        },
      };
    });
  },
};

const blockBackwardExercise: Exercise<typeof blockBackward> = {
  id: "06.4",
  title: { en: "The block backward", fr: "La passe arrière du bloc" },
  file: FILE,
  symbol: "blockBackward",
  hint: {
    en: "Walk blockForward's calls from the last to the first, each with its backward: the " +
      "gradient of an output goes in, those of its inputs and weights come out. Where the " +
      "stream splits (x feeds ln_1 and the residual; residual2 feeds ln_2 and the residual), the " +
      "two gradients meet: does your code add the second to the first, or overwrite it?",
    fr: "Parcours les appels de blockForward du dernier au premier, chacun avec sa passe arrière " +
      ": le gradient d'une sortie entre, ceux de ses entrées et de ses poids sortent. Là où le " +
      "flux se sépare (x alimente ln_1 et la connexion résiduelle ; residual2 alimente ln_2 et " +
      "la connexion résiduelle), les deux gradients se rejoignent : ton code ajoute-t-il le " +
      "second au premier, ou l'écrase-t-il ?",
  },
  prompt: {
    en: "the block, backward. dh.residual3 holds the gradient of the block's output; every other " +
      "buffer of dh starts at zero. Run blockForward's calls in reverse, each layer's backward " +
      "(ops.residualBackward(da, db, dout, n) adds dout into both da and db), so as to ADD the " +
      "gradient of x into dx and of each weight into gw.",
    fr: "le bloc, passe arrière. dh.residual3 contient le gradient de la sortie du bloc ; tous " +
      "les autres buffers de dh partent de zéro. Refais les appels de blockForward à l'envers, " +
      "avec la passe arrière de chaque couche (ops.residualBackward(da, db, dout, n) ajoute " +
      "dout à da et à db), de façon à AJOUTER le gradient de x à dx et celui de chaque poids à " +
      "gw.",
  },
  points: 5,
  reference: blockBackward,
  sandbox: COMPOSE_CHILD,
  get uses() {
    return [backwardExercise, byId(multihead, "04.2"), byId(gpt, "07.2")];
  },
  check(impl, parts = {}) {
    // Not the quiet stream: its large rstd turns float rounding into differences above 1e-4.
    return compositionCases(
      blockBackwardExercise,
      impl,
      parts,
      BLOCK_SHAPES.slice(0, 2),
      (shape, s) => {
        const [B, T, C, NH] = shape;
        // The forward pass once, by the library: backward reads its activations.
        const { w, acts, x, config } = blockCase(s, shape);
        const h = acts().h[0];
        blockForward(TWIN_OPS, h, w, x, B, T, C, NH);
        const dout = new Rng(60 + s).normalArray(B * T * C);
        const start = s % 2 ? new Rng(61).normalArray(B * T * C) : new Float32Array(B * T * C);
        return {
          what: `blockBackward(ops, dx, gw, dh, x, w, h, B=${B}, T=${T}, C=${C}, NH=${NH})`,
          library: TWIN_OPS,
          tolerance: 1e-4,
          run(fn, ops) {
            const dx = start.slice(), dh = acts().h[0];
            const g = parameterViews(config, new Float32Array(tableSize(parameterShapes(config))));
            dh.residual3.set(dout);
            fn(ops, dx, g.h[0], dh, x, w, h, B, T, C, NH);
            const out: Outputs = { dx, dresidual2: dh.residual2 };
            for (const [name, view] of Object.entries(g.byName)) {
              if (name.startsWith("transformer.h.0.")) out[name.slice(16)] = view;
            }
            return out;
          },
          diagnose(got, expected) {
            const dx = got.dx as Float32Array, want = expected.dx as Float32Array;
            const dr2 = expected.dresidual2 as Float32Array;
            if (near(dx, want.map((v, i) => v - start[i])) && s % 2) {
              return {
                en: "dx was overwritten: it held a gradient already, and backward adds (+=)",
                fr: "dx a été écrasé : il contenait déjà un gradient, et la passe arrière ajoute " +
                  "(+=)",
              };
            }
            if (near(dx, dr2.map((v, i) => v + start[i]))) {
              return {
                en: "ln_1's gradient never reached dx: x feeds ln_1 too, add its gradient",
                fr:
                  "le gradient de ln_1 n'a jamais atteint dx : x alimente aussi ln_1, ajoute son " +
                  "gradient",
              };
            }
            if (near(dx, want.map((v, i) => v - dr2[i]))) {
              return {
                en: "the residual path's gradient is lost: dx must get residual2's gradient " +
                  "added, as well as ln_1's",
                fr:
                  "le gradient du chemin résiduel est perdu : dx doit recevoir celui de residual2, " +
                  "en plus de celui de ln_1",
              };
            }
            return undefined;
          },
        };
      },
    );
  },
};

/** Lab 06's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [
  forwardExercise,
  backwardExercise,
  blockForwardExercise,
  blockBackwardExercise,
] as Exercise[];
