/**
 * Lab 03 · Attention: queries, keys and values; scaled dot-product scores; why they are divided
 * by √d; the causal mask; one head written from scratch and checked against the batched version
 * the model uses (lib/layers/attention.ts) and against its WebAssembly SIMD kernel.
 *
 * The vectors here come from random projections, so the patterns are not meaningful yet; a
 * trained model's attention appears in the later labs.
 * @module
 */
import { attentionForward } from "../lib/layers/attention.ts";
import { heatmap, lineChart } from "../lib/charts.ts";
import { loadKernels } from "../lib/wasm/instance.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { type Text, tr, verbatim } from "../lib/i18n.ts";
import { linearForward } from "../lib/layers/linear.ts";
import { Rng } from "../lib/random.ts";
import type { attend, attentionWeights } from "../lib/layers/single_head.ts";
import { exercises } from "./catalog/03_attention.ts";

const WORDS = ["Le", "chat", "mange", "la", "petite", "souris"];
const T = WORDS.length;
const C = 16; // embedding width
const D = 8; // head size

/** The sentence's embeddings and its q, k, v: random, seeded, the same on every run. */
function sentence() {
  const rng = new Rng(3);
  const x = rng.normalArray(T * C); // (T, C)
  const project = () => {
    const w = rng.normalArray(D * C, 1 / Math.sqrt(C)); // (D, C)
    const out = new Float32Array(T * D); // (T, D)
    linearForward(out, x, w, null, T, C, D);
    return out;
  };
  return { x, q: project(), k: project(), v: project() };
}

function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}

const queriesKeysValues = step({
  en: "Queries, keys and values",
  fr: "Requêtes, clés et valeurs",
}, (ctx) => {
  const { q } = sentence();
  ctx.say({
    en: `
    Attention lets each position gather information from the others. Every token's vector x is
    projected three ways: a query q ("what am I looking for?"), a key k ("what do I offer?") and
    a value v ("what I pass on if chosen"). Each projection is a linear layer, a (d, C) matrix:
    here C = ${C} and the head size d = ${D}, for the ${T} tokens of "${WORDS.join(" ")}".
  `,
    fr: `
    L'attention permet à chaque position de recueillir l'information des autres. Le vecteur x de
    chaque token est projeté de trois façons : une requête q (query, « qu'est-ce que je cherche
    ? »), une clé k (key, « qu'est-ce que j'offre ? ») et une valeur v (value, « ce que je
    transmets si l'on me choisit »). Chaque projection est une couche linéaire, une matrice
    (d, C) : ici C = ${C} et la taille de tête d = ${D}, pour les ${T} tokens de
    « ${WORDS.join(" ")} ».
  `,
  });
  ctx.show({
    en: `x (T=${T}, C=${C}) ──▶ q = x·Wqᵀ, k = x·Wkᵀ, v = x·Wvᵀ   each (T=${T}, d=${D})`,
    fr: `x (T=${T}, C=${C}) ──▶ q = x·Wqᵀ, k = x·Wkᵀ, v = x·Wvᵀ   chacune (T=${T}, d=${D})`,
  });
  const query = Array.from(q.subarray(D, 2 * D), (v) => fmt(v)).join(", ");
  ctx.say({
    en: `The query of "${WORDS[1]}": [${query}]`,
    fr: `La requête de « ${WORDS[1]} » : [${query}]`,
  });
});

const scores = step({
  en: "Scores: how well each query matches each key",
  fr: "Les scores : l'accord de chaque requête avec chaque clé",
}, (ctx) => {
  const { q, k } = sentence();
  ctx.say({
    en: `
    How well query t matches key t2 is their dot product q[t]·k[t2]: large when they point the
    same way. All of them at once are the (T, T) matrix q·kᵀ; rows are the tokens that look,
    columns the tokens looked at.
  `,
    fr: `
    L'accord entre la requête t et la clé t2 se mesure par leur produit scalaire q[t]·k[t2] :
    grand quand elles pointent dans la même direction. Tous ensemble, ils forment la matrice
    (T, T) q·kᵀ ; les lignes sont les tokens qui regardent, les colonnes les tokens regardés.
  `,
  });
  const rows: (string | number | Text)[][] = [["", ...WORDS.map(verbatim)]];
  for (let t = 0; t < T; t++) {
    const row: string[] = [];
    for (let t2 = 0; t2 < T; t2++) {
      let dot = 0;
      for (let i = 0; i < D; i++) dot += q[t * D + i] * k[t2 * D + i];
      row.push(fmt(dot));
    }
    rows.push([WORDS[t], ...row]);
  }
  ctx.table(rows);
});

const whyScale = step({ en: "Why divide by √d", fr: "Pourquoi diviser par √d" }, async (ctx) => {
  ctx.say({
    en: `
    If q and k have d independent entries of variance 1, their dot product has variance d. At
    d = 64 the scores spread over about ±8, and softmax of such scores puts nearly all the
    weight on one key: the gradient through the others vanishes and learning stalls. Dividing
    by √d brings the variance back to 1. Measured on 2,000 random pairs:
  `,
    fr: `
    Si q et k ont d composantes indépendantes de variance 1, leur produit scalaire a une
    variance d. Pour d = 64, les scores s'étalent sur environ ±8, et le softmax de tels scores
    met presque tout le poids sur une seule clé : le gradient qui passe par les autres
    s'évanouit et l'apprentissage cale. Diviser par √d ramène la variance à 1. Mesuré sur 2 000
    paires aléatoires :
  `,
  });
  const rng = new Rng(5);
  const rows: (string | number | Text)[][] = [[
    "d",
    { en: "variance of q·k", fr: "variance de q·k" },
    { en: "variance of q·k/√d", fr: "variance de q·k/√d" },
  ]];
  for (const d of [4, 16, 64, 256]) {
    const dots: number[] = [];
    for (let n = 0; n < 2000; n++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += rng.normal() * rng.normal();
      dots.push(s);
    }
    const variance = dots.reduce((a, b) => a + b * b, 0) / dots.length;
    rows.push([d, fmt(variance, 1), fmt(variance / d)]);
  }
  ctx.table(rows);
  ctx.say({
    en: `
    The same effect as a picture: eight fixed scores of spread 1, multiplied by a scale before
    the softmax. A scale of 8 is what forgetting to divide does at d = 64. The entropy of eight
    equal weights, the flattest possible, is ln 8 ≈ 2.08.
  `,
    fr: `
    Le même effet en image : huit scores fixes d'écart type 1, multipliés par un facteur
    d'échelle avant le softmax. Un facteur 8, c'est ce que produit l'oubli de la division pour
    d = 64. L'entropie de huit poids égaux, la plus plate possible, vaut ln 8 ≈ 2,08.
  `,
  });
  const largest = tr({ en: "largest weight", fr: "plus grand poids" });
  const entropyName = tr({ en: "entropy (nats)", fr: "entropie (nats)" });
  const base = new Rng(6).normalArray(8);
  const data = [];
  for (let e = -3; e <= 4; e += 0.5) {
    const s = 2 ** e;
    const scaled = Array.from(base, (b) => b * s);
    const max = Math.max(...scaled);
    const exps = scaled.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    const p = exps.map((v) => v / total);
    const entropy = -p.reduce((a, b) => a + (b > 0 ? b * Math.log(b) : 0), 0);
    data.push({ scale: s, measure: largest, value: Math.max(...p) });
    data.push({ scale: s, measure: entropyName, value: entropy });
  }
  await ctx.chart(
    "softmax_sharpness",
    lineChart({
      title: tr({
        en: "Softmax sharpness vs the scale of the scores",
        fr: "Netteté du softmax selon l'échelle des scores",
      }),
      data,
      x: "scale",
      y: "value",
      series: "measure",
      seriesTitle: tr({ en: "measure", fr: "mesure" }),
      logX: true,
      xTitle: tr({
        en: "scale applied to the scores (log)",
        fr: "facteur appliqué aux scores (log)",
      }),
      yTitle: "",
    }),
  );
});

const causalMask = step({ en: "The causal mask", fr: "Le masque causal" }, (ctx) => {
  ctx.say({
    en: `
    A GPT is trained to predict the next token, so position t must not see positions after t:
    otherwise it would read the answer. The causal mask sets those scores to −∞ before the
    softmax; exp(−∞) = 0, so they get no weight and each row still sums to 1.
  `,
    fr: `
    Un GPT est entraîné à prédire le token suivant : la position t ne doit donc pas voir les
    positions après t, sinon elle lirait la réponse. Le masque causal met ces scores à −∞ avant
    le softmax ; exp(−∞) = 0, ils ne reçoivent donc aucun poids et chaque ligne fait toujours 1
    au total.
  `,
  });
  ctx.show(
    WORDS.map((w, t) => `${w.padEnd(7)}${WORDS.map((_, t2) => (t2 <= t ? " ●" : " ·")).join("")}`)
      .join("\n"),
  );
  ctx.say({
    en: `
    The first token can only attend to itself; the last sees the whole sentence. One training
    sequence of T tokens thereby gives T predictions at once, each with the right context.
  `,
    fr: `
    Le premier token ne peut regarder que lui-même ; le dernier voit toute la phrase. Une seule
    séquence d'entraînement de T tokens donne ainsi T prédictions à la fois, chacune avec le bon
    contexte.
  `,
  });
});

const yourWeights = step({
  en: "Exercise 03.1: attention weights",
  fr: "Exercice 03.1 : les poids d'attention",
}, async (ctx) => {
  ctx.say({
    en: `
    Your turn: write attentionWeights in labs/exercises/03_attention.ts: the scores scaled by
    1/√d, the causal mask, and a softmax per row.
  `,
    fr: `
    À toi : écris attentionWeights dans labs/exercises/03_attention.ts : les scores multipliés
    par 1/√d, le masque causal et un softmax par ligne.
  `,
  });
  const weights = await ctx.exercise<typeof attentionWeights>("03.1");
  const { q, k } = sentence();
  const w = weights(q, k, T, D);
  const rows = Array.from({ length: T }, (_, t) => w.subarray(t * T, t * T + T));
  await ctx.chart(
    "attention_heatmap",
    heatmap({
      title: tr({
        en: "Attention weights of one head (random projections)",
        fr: "Poids d'attention d'une tête (projections aléatoires)",
      }),
      values: rows,
      rowLabels: WORDS,
      columnLabels: WORDS,
      rowTitle: tr({ en: "query (looks)", fr: "requête (regarde)" }),
      columnTitle: tr({ en: "key (looked at)", fr: "clé (regardée)" }),
      domain: [0, 1],
      cellFormat: ".2f",
    }),
  );
  const best = (t: number) => WORDS[rows[t].indexOf(Math.max(...rows[t]))];
  const top = fmt(Math.max(...rows[T - 1]));
  ctx.say({
    en: `
    Above the diagonal everything is 0. "${WORDS[T - 1]}" attends most to "${best(T - 1)}"
    (${top}), "${WORDS[2]}" to "${best(2)}": with random projections that means nothing yet;
    training is what gives the projections their meaning.
  `,
    fr: `
    Au-dessus de la diagonale, tout vaut 0. « ${WORDS[T - 1]} » regarde surtout
    « ${best(T - 1)} » (${top}), « ${WORDS[2]} » surtout « ${best(2)} » : avec des projections
    aléatoires, cela ne veut encore rien dire ; c'est l'entraînement qui donne leur sens aux
    projections.
  `,
  });
});

const yourAttend = step({
  en: "Exercise 03.2: the weighted sum of values",
  fr: "Exercice 03.2 : la somme pondérée des valeurs",
}, async (ctx) => {
  ctx.say({
    en: `
    The weights say how much of each value to take. Write attend: output row t is the weighted
    sum of the value rows.
  `,
    fr: `
    Les poids disent quelle part de chaque valeur prendre. Écris attend : la ligne t de la
    sortie est la somme des lignes de valeurs, pondérée par ces poids.
  `,
  });
  const weightsOf = await ctx.exercise<typeof attentionWeights>("03.1");
  const attendFn = await ctx.exercise<typeof attend>("03.2");
  const { q, k, v } = sentence();
  const out = attendFn(weightsOf(q, k, T, D), v, T, D);
  const same = Array.from(out.subarray(0, D)).every((x, i) => Math.abs(x - v[i]) < 1e-6);
  const last = Array.from(out.subarray((T - 1) * D), (x) => fmt(x)).join(", ");
  ctx.say({
    en: `
    Each output is a blend of values, so it stays in their range. The first row is exactly the
    first value (${same ? "checked" : "NOT the case: check the mask"}): "${WORDS[0]}" sees only
    itself. The output of "${WORDS[T - 1]}": [${last}].
  `,
    fr: `
    Chaque sortie est un mélange de valeurs : elle reste donc dans leur plage. La première ligne
    est exactement la première valeur (${
      same ? "vérifié" : "ce n'est PAS le cas : vérifie le masque"
    }) : « ${WORDS[0]} » ne voit que lui-même. La sortie de « ${WORDS[T - 1]} » : [${last}].
  `,
  });
});

const fromScratchVsKernel = step({
  en: "From scratch vs the fused twin vs the SIMD kernel",
  fr: "De zéro, le jumeau fusionné et le noyau SIMD",
}, async (ctx) => {
  const weightsOf = await ctx.exercise<typeof attentionWeights>("03.1");
  const attendFn = await ctx.exercise<typeof attend>("03.2");
  ctx.say({
    en: `
    The model does not call these two functions: lib/layers/attention.ts fuses scores, mask, softmax
    and the weighted sum into one pass over a batch of sequences and all heads, reading q, k and
    v from the single (B, T, 3C) output of the c_attn projection. It is the plain TypeScript
    twin of the WebAssembly SIMD kernel (kernels/, loaded by lib/wasm/instance.ts), which must match
    it. The three on one head, T = 128, d = 64:
  `,
    fr: `
    Le modèle n'appelle pas ces deux fonctions : lib/layers/attention.ts fusionne scores, masque,
    softmax et somme pondérée en une seule passe sur un batch de séquences et toutes les têtes,
    en lisant q, k et v dans l'unique sortie (B, T, 3C) de la projection c_attn. C'est le jumeau
    en TypeScript simple du noyau WebAssembly SIMD (kernels/, chargé par lib/wasm/instance.ts),
    qui doit lui donner les mêmes résultats. Les trois sur une tête, T = 128, d = 64 :
  `,
  });
  const [t, d] = [128, 64];
  const rng = new Rng(9);
  const q = rng.normalArray(t * d), k = rng.normalArray(t * d), v = rng.normalArray(t * d);
  const inp = new Float32Array(t * 3 * d); // (1, T, 3C) with C = d, one head
  for (let i = 0; i < t; i++) {
    inp.set(q.subarray(i * d, i * d + d), i * 3 * d);
    inp.set(k.subarray(i * d, i * d + d), i * 3 * d + d);
    inp.set(v.subarray(i * d, i * d + d), i * 3 * d + 2 * d);
  }
  const out = new Float32Array(t * d);
  const preatt = new Float32Array(t * t), att = new Float32Array(t * t);
  let mine: Float32Array = new Float32Array(0), weights: Float32Array = new Float32Array(0);
  const scratchMs = median(() => {
    weights = weightsOf(q, k, t, d);
    mine = attendFn(weights, v, t, d);
  });
  const fusedMs = median(() => attentionForward(out, preatt, att, inp, 1, t, d, 1));
  const kernels = await loadKernels();
  const mark = kernels.arena.mark();
  const alloc = (n: number) => kernels.arena.alloc(n);
  const [kOut, kPre, kAtt, kInp] = [alloc(t * d), alloc(t * t), alloc(t * t), alloc(inp.length)];
  kInp.set(inp);
  const kernelMs = median(() => kernels.attentionForward(kOut, kPre, kAtt, kInp, 1, t, d, 1));
  const largest = (a: Float32Array, b: Float32Array) =>
    Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i]))).toExponential(1);
  ctx.table([
    [
      "",
      { en: "from scratch (yours)", fr: "de zéro (le tien)" },
      { en: "fused twin (TypeScript)", fr: "jumeau fusionné (TypeScript)" },
      { en: "SIMD kernel (WebAssembly)", fr: "noyau SIMD (WebAssembly)" },
    ],
    [
      { en: "median time of 5 runs", fr: "temps médian sur 5 exécutions" },
      `${fmt(scratchMs)} ms`,
      `${fmt(fusedMs)} ms`,
      `${fmt(kernelMs, 3)} ms`,
    ],
    [
      {
        en: "largest difference in weights from the twin",
        fr: "plus grand écart des poids au jumeau",
      },
      largest(weights, att),
      "",
      largest(kAtt, att),
    ],
    [
      {
        en: "largest difference in outputs from the twin",
        fr: "plus grand écart des sorties au jumeau",
      },
      largest(mine, out),
      "",
      largest(kOut, out),
    ],
  ]);
  kernels.arena.release(mark);
  ctx.say({
    en: `
    All three agree to float32 rounding. The two TypeScript versions take similar times (the
    fused one computes only the unmasked half of the scores and keeps them for the backward
    pass); the kernel does the same work four floats at a time in WebAssembly SIMD, which is
    what makes training practical. Lab 04 splits the C channels into several heads that attend
    independently.
  `,
    fr: `
    Les trois concordent à l'arrondi float32 près. Les deux versions TypeScript prennent des
    temps voisins (la version fusionnée ne calcule que la moitié non masquée des scores et les
    garde pour la passe arrière) ; le noyau fait le même travail quatre flottants à la fois en
    WebAssembly SIMD, et c'est ce qui rend l'entraînement praticable. Le lab 04 répartit les C
    canaux entre plusieurs têtes qui portent leur attention indépendamment.
  `,
  });
});

/** Median time in milliseconds of 5 runs of `f`. */
function median(f: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2];
}

/** Lab 03, as the runner sees it. */
export const lab: Lab = {
  id: "03",
  slug: "03_attention",
  title: {
    en: "Attention: queries, keys and values",
    fr: "L'attention : requêtes, clés et valeurs",
  },
  exercises,
  steps: [
    queriesKeysValues,
    scores,
    whyScale,
    causalMask,
    yourWeights,
    yourAttend,
    fromScratchVsKernel,
  ],
};
