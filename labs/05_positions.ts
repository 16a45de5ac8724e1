/**
 * Lab 05 · Positions: why attention alone cannot tell word order; sinusoidal encodings; learned
 * position embeddings (GPT-2); RoPE, which rotates queries and keys so that scores depend on
 * distance; the three side by side, in a small model.
 * @module
 */
import { attentionForward } from "../lib/layers/attention.ts";
import { heatmap, lineChart, lossCurves } from "../lib/charts.ts";
import type { PositionalEncoding } from "../lib/model/config.ts";
import { encoderForward } from "../lib/layers/encoder.ts";
import { GPT } from "../lib/model/gpt.ts";
import { formatCount } from "../lib/term.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { type Text, tr } from "../lib/i18n.ts";
import { linearForward } from "../lib/layers/linear.ts";
import { ropeForward, sinusoidalTable } from "../lib/layers/positional.ts";
import { Rng } from "../lib/random.ts";
import { exercises } from "./catalog/05_positions.ts";
import { FRENCH_SAMPLE } from "./texts.ts";

const A = ["le", "chien", "mord", "l'homme", "."];
const B_ = ["l'homme", "mord", "le", "chien", "."];

/** Output of one random attention layer at the last position, with or without positions. */
function lastOutput(words: string[], pe: Float32Array | null): Float32Array {
  const vocab = [...new Set([...A, ...B_])];
  const [T, C] = [words.length, 16];
  const rng = new Rng(1);
  const wte = rng.normalArray(vocab.length * C), wqkv = rng.normalArray(3 * C * C, 0.3);
  const x = new Float32Array(T * C), qkv = new Float32Array(T * 3 * C);
  encoderForward(x, Int32Array.from(words, (w) => vocab.indexOf(w)), wte, pe, 1, T, C);
  linearForward(qkv, x, wqkv, null, T, C, 3 * C);
  const out = new Float32Array(T * C), att = new Float32Array(2 * T * T);
  attentionForward(out, new Float32Array(2 * T * T), att, qkv, 1, T, C, 2);
  return out.subarray((T - 1) * C);
}

/** Largest difference between the two sentences' outputs at ".", given a position table. */
function orderDifference(pe: Float32Array | null): number {
  const a = lastOutput(A, pe), b = lastOutput(B_, pe);
  return Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
}

const orderMatters = step({ en: "Why order matters", fr: "Pourquoi l'ordre compte" }, (ctx) => {
  ctx.say({
    en: `
    Attention scores compare contents: q·k says nothing about where a word stands. Feed
    "${A.join(" ")}" and "${B_.join(" ")}" to one attention layer: the last position sees the same
    five words in both, and without position information it computes exactly the same thing,
    although the two sentences mean opposite things.
  `,
    fr: `
    Les scores d'attention comparent des contenus : q·k ne dit rien de la place d'un mot. Donne
    « ${A.join(" ")} » et « ${B_.join(" ")} » à une couche d'attention : la dernière position voit
    les cinq mêmes mots dans les deux phrases et, sans information de position, elle calcule
    exactement la même chose, alors que les deux phrases disent le contraire l'une de l'autre.
  `,
  });
  const none = orderDifference(null).toExponential(1);
  ctx.say({
    en: `
    Largest difference between the two outputs at "." — no positions: ${none}. The fix is to
    make each token's vector depend on its position too.
  `,
    fr: `
    Plus grand écart entre les deux sorties en « . », sans positions : ${none}. Le remède :
    faire dépendre le vecteur de chaque token de sa position aussi.
  `,
  });
});

const sinusoidal = step({
  en: "Exercise 05.1: sinusoidal encodings",
  fr: "Exercice 05.1 : les encodages sinusoïdaux",
}, async (ctx) => {
  ctx.say({
    en: `
    The original Transformer adds a fixed table to the token embeddings: for position t, pairs
    of channels hold sin(t·ω_i) and cos(t·ω_i), with frequencies ω_i = 10000^(−2i/C) going from
    one turn per 6 positions down to almost nothing. Like the hands of a clock running at many
    speeds, the pattern is different at every position, and shifting by k positions is the same
    rotation whatever the starting point. Write sinusoidalTable in labs/exercises/05_positions.ts.
  `,
    fr: `
    Le Transformer d'origine ajoute une table fixe aux embeddings des tokens : pour la position
    t, des paires de canaux contiennent sin(t·ω_i) et cos(t·ω_i), avec des fréquences
    ω_i = 10000^(−2i/C) qui vont d'un tour toutes les 6 positions à presque rien. Comme les
    aiguilles d'une horloge qui tourneraient à bien des vitesses, le motif diffère à chaque
    position, et se décaler de k positions revient à la même rotation quel que soit le point de
    départ. Écris sinusoidalTable dans labs/exercises/05_positions.ts.
  `,
  });
  const table = await ctx.exercise<typeof sinusoidalTable>("05.1");
  const [T, C] = [48, 32];
  const pe = table(T, C);
  await ctx.chart(
    "encoding_heatmap",
    heatmap({
      title: tr({
        en: `Sinusoidal position encodings (T = ${T}, C = ${C})`,
        fr: `Encodages de position sinusoïdaux (T = ${T}, C = ${C})`,
      }),
      values: Array.from({ length: T }, (_, t) => pe.subarray(t * C, t * C + C)),
      rowTitle: "position t",
      columnTitle: tr({ en: "channel", fr: "canal" }),
      scheme: "redblue",
      domain: [-1, 1],
      cellSize: 10,
    }),
  );
  const withPe = orderDifference(table(A.length, 16));
  ctx.say({
    en: `
    Fast channels on the left, slow ones on the right. With your table added, the two sentences
    of step 1 now differ at "." by up to ${withPe.toFixed(3)}.
  `,
    fr: `
    Les canaux rapides à gauche, les lents à droite. Ta table ajoutée, les deux phrases de
    l'étape 1 diffèrent désormais en « . » de ${withPe.toFixed(3)} au plus.
  `,
  });
});

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

const similarity = step({
  en: "Similarity vs distance",
  fr: "Ressemblance et distance",
}, async (ctx) => {
  ctx.say({
    en: `
    How alike are the encodings of two positions, as a function of their distance? For
    sinusoidal encodings, the cosine of pe[t] and pe[t + Δ], averaged over t; for a learned
    table at initialisation (random, as GPT-2 starts); and for RoPE, the score between one
    query and the same vector used as a key, Δ positions apart, relative to Δ = 0.
  `,
    fr: `
    À quel point les encodages de deux positions se ressemblent-ils, selon leur distance ? Pour
    les encodages sinusoïdaux, le cosinus entre pe[t] et pe[t + Δ], moyenné sur t ; pour une
    table apprise à l'initialisation (aléatoire, comme GPT-2 au départ) ; et pour RoPE, le score
    entre une requête et le même vecteur pris comme clé, à Δ positions d'écart, rapporté à
    Δ = 0.
  `,
  });
  const names = {
    sin: tr({ en: "sinusoidal (cosine)", fr: "sinusoïdal (cosinus)" }),
    learned: tr({ en: "learned, at init (cosine)", fr: "appris, à l'init (cosinus)" }),
    rope: tr({ en: "RoPE (q·k relative)", fr: "RoPE (q·k relatif)" }),
  };
  const [T, C, span] = [128, 64, 64];
  const pe = sinusoidalTable(T, C);
  const learned = new Rng(3).normalArray(T * C, 0.02);
  const one = new Rng(4).normalArray(C);
  const qk = new Float32Array(T * 3 * C);
  for (let t = 0; t < T; t++) {
    qk.set(one, t * 3 * C);
    qk.set(one, t * 3 * C + C);
  }
  const rotated = new Float32Array(qk.length);
  ropeForward(rotated, qk, 1, T, C, 1);
  const score = (t: number, t2: number) => {
    let s = 0;
    for (let i = 0; i < C; i++) s += rotated[t * 3 * C + i] * rotated[t2 * 3 * C + C + i];
    return s;
  };
  const data = [];
  for (let d = 0; d < span; d++) {
    let sin = 0, lrn = 0;
    for (let t = 0; t + d < T; t++) {
      sin += cosine(pe.subarray(t * C, t * C + C), pe.subarray((t + d) * C, (t + d) * C + C));
      lrn += cosine(
        learned.subarray(t * C, t * C + C),
        learned.subarray((t + d) * C, (t + d) * C + C),
      );
    }
    data.push({ distance: d, similarity: sin / (T - d), encoding: names.sin });
    data.push({ distance: d, similarity: lrn / (T - d), encoding: names.learned });
    data.push({ distance: d, similarity: score(d, 0) / score(0, 0), encoding: names.rope });
  }
  await ctx.chart(
    "similarity_vs_distance",
    lineChart({
      title: tr({
        en: "Similarity of two positions vs their distance",
        fr: "Ressemblance de deux positions selon leur distance",
      }),
      data,
      x: "distance",
      y: "similarity",
      series: "encoding",
      seriesTitle: tr({ en: "encoding", fr: "encodage" }),
      points: false,
      xTitle: tr({ en: "distance Δ (positions)", fr: "distance Δ (positions)" }),
      yTitle: tr({ en: "similarity", fr: "ressemblance" }),
    }),
  );
  ctx.say({
    en: `
    Sinusoidal encodings are most alike for nearby positions and the similarity falls with
    distance: a smooth notion of "near". A learned table starts with no structure at all (about
    0 beyond Δ = 0) and must discover it in training. RoPE's score depends only on Δ, never on
    where the pair sits.
  `,
    fr: `
    Les encodages sinusoïdaux se ressemblent le plus pour des positions voisines, et la
    ressemblance baisse avec la distance : une notion lisse de « proche ». Une table apprise
    démarre sans aucune structure (environ 0 dès que Δ > 0) et doit la découvrir à
    l'entraînement. Le score de RoPE ne dépend que de Δ, jamais de l'endroit où se trouve la
    paire.
  `,
  });
});

const learnedPositions = step({
  en: "Learned positions, as GPT-2",
  fr: "Des positions apprises, comme GPT-2",
}, (ctx) => {
  ctx.say({
    en: `
    GPT-2 simply learns its positions: a table wpe of blockSize × C parameters, added to the
    token embeddings like the sinusoidal one. Flexible and simple, but a model cannot read past
    blockSize, since there is no row for position blockSize. The three schemes:
  `,
    fr: `
    GPT-2 apprend tout simplement ses positions : une table wpe de blockSize × C paramètres,
    ajoutée aux embeddings des tokens comme la table sinusoïdale. C'est souple et simple, mais
    le modèle ne peut pas lire au-delà de blockSize, faute de ligne pour la position blockSize.
    Les trois méthodes :
  `,
  });
  const added: Text = { en: "added to embeddings", fr: "ajouté aux embeddings" };
  const absolute: Text = { en: "absolute positions", fr: "positions absolues" };
  ctx.table([
    [
      "",
      { en: "learned (GPT-2)", fr: "appris (GPT-2)" },
      { en: "sinusoidal", fr: "sinusoïdal" },
      { en: "RoPE (LLaMA)", fr: "RoPE (LLaMA)" },
    ],
    [{ en: "where", fr: "où" }, added, added, {
      en: "rotates q and k in every layer",
      fr: "fait tourner q et k dans chaque couche",
    }],
    [
      { en: "parameters (baby preset)", fr: "paramètres (préréglage baby)" },
      `64 × 128 = ${formatCount(8192)}`,
      "0",
      "0",
    ],
    [{ en: "what a score sees", fr: "ce que voit un score" }, absolute, absolute, {
      en: "relative distance",
      fr: "distance relative",
    }],
    [
      { en: "beyond the training length", fr: "au-delà de la longueur d'entraînement" },
      { en: "impossible", fr: "impossible" },
      { en: "defined, rarely good", fr: "défini, rarement bon" },
      { en: "defined, degrades", fr: "défini, se dégrade" },
    ],
  ]);
});

const yourRope = step({ en: "Exercise 05.2: RoPE", fr: "Exercice 05.2 : RoPE" }, async (ctx) => {
  ctx.say({
    en: `
    RoPE adds nothing to the embeddings. In every attention layer it rotates each pair of a
    head's query and key channels by an angle proportional to the position. A rotation keeps
    lengths, and the product of a query rotated by t·θ with a key rotated by t2·θ depends only on
    (t − t2)·θ. Write ropeForward.
  `,
    fr: `
    RoPE n'ajoute rien aux embeddings. Dans chaque couche d'attention, il fait tourner chaque
    paire de canaux de requête et de clé d'une tête d'un angle proportionnel à la position. Une
    rotation conserve les longueurs, et le produit d'une requête tournée de t·θ par une clé
    tournée de t2·θ ne dépend que de (t − t2)·θ. Écris ropeForward.
  `,
  });
  const rope = await ctx.exercise<typeof ropeForward>("05.2");
  const [T, C] = [8, 8];
  const one = new Rng(5).normalArray(3 * C);
  const inp = new Float32Array(T * 3 * C);
  for (let t = 0; t < T; t++) inp.set(one, t * 3 * C);
  const out = new Float32Array(inp.length);
  rope(out, inp, 1, T, C, 1);
  const score = (t: number, t2: number) => {
    let s = 0;
    for (let i = 0; i < C; i++) s += out[t * 3 * C + i] * out[t2 * 3 * C + C + i];
    return s.toFixed(4);
  };
  ctx.say({
    en: "The same query and key at every position; scores after your rotation:",
    fr: "La même requête et la même clé à chaque position ; les scores après ta rotation :",
  });
  ctx.table([
    [
      { en: "query at", fr: "requête en" },
      { en: "key at", fr: "clé en" },
      { en: "distance", fr: "distance" },
      { en: "score", fr: "score" },
    ],
    [2, 0, 2, score(2, 0)],
    [5, 3, 2, score(5, 3)],
    [7, 5, 2, score(7, 5)],
    [7, 4, 3, score(7, 4)],
    [6, 6, 0, score(6, 6)],
  ]);
});

const sideBySide = step({
  en: "Learned vs sinusoidal vs RoPE in a model",
  fr: "Appris, sinusoïdal ou RoPE dans un modèle",
}, async (ctx) => {
  ctx.say({
    en: `
    The three in a small GPT (1 block, C = 32, context 32) on the characters of a short text:
    the same seed, the same batches, 40 steps of plain gradient descent each. One short run is
    not a verdict on which is better; it shows that all three train.
  `,
    fr: `
    Les trois dans un petit GPT (1 bloc, C = 32, contexte 32) sur les caractères d'un court
    texte : la même graine, les mêmes batchs, 40 pas de descente de gradient simple chacun. Un
    seul entraînement court ne dit pas lequel est le meilleur ; il montre que les trois
    apprennent.
  `,
  });
  const chars = [...new Set(FRENCH_SAMPLE)].sort();
  const ids = [...FRENCH_SAMPLE].map((c) => chars.indexOf(c));
  const [B, T] = [4, 32];
  const curves: [string, { step: number; loss: number }[]][] = [];
  const rows: (string | number | Text)[][] = [[
    { en: "encoding", fr: "encodage" },
    { en: "parameters", fr: "paramètres" },
    { en: "loss at step 0", fr: "perte au pas 0" },
    { en: "loss at step 40", fr: "perte au pas 40" },
  ]];
  for (const positional of ["learned", "sinusoidal", "rope"] as PositionalEncoding[]) {
    const model = new GPT({
      vocabSize: chars.length,
      blockSize: T,
      nLayer: 1,
      nHead: 4,
      nEmbd: 32,
      positional,
    }, 0);
    const rng = new Rng(6);
    const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
    const losses: { step: number; loss: number }[] = [];
    for (let s = 0; s <= 40; s++) {
      for (let b = 0; b < B; b++) {
        const start = rng.int(ids.length - T - 1);
        for (let t = 0; t < T; t++) {
          inputs[b * T + t] = ids[start + t];
          targets[b * T + t] = ids[start + t + 1];
        }
      }
      losses.push({ step: s, loss: model.forward(inputs, targets, B, T)! });
      model.zeroGrad();
      model.backward();
      for (let i = 0; i < model.params.length; i++) model.params[i] -= 0.5 * model.grads[i];
    }
    curves.push([positional, losses]);
    rows.push([
      positional,
      formatCount(model.numParameters),
      losses[0].loss.toFixed(3),
      losses.at(-1)!.loss.toFixed(3),
    ]);
  }
  ctx.table(rows);
  await ctx.chart(
    "positional_comparison",
    lossCurves({
      title: {
        en: "Training loss with each positional encoding",
        fr: "Perte d'entraînement avec chaque encodage de position",
      },
      curves,
      curveTitle: { en: "encoding", fr: "encodage" },
    }),
  );
  ctx.say({
    en: "Lab 06 assembles attention and an MLP into the transformer block.",
    fr: "Le lab 06 assemble l'attention et un MLP pour former le bloc transformer.",
  });
});

/** Lab 05, as the runner sees it. */
export const lab: Lab = {
  id: "05",
  slug: "05_positions",
  title: { en: "Positional encodings", fr: "Les encodages de position" },
  exercises,
  steps: [orderMatters, sinusoidal, similarity, learnedPositions, yourRope, sideBySide],
};
