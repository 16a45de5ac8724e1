/**
 * Lab 04 · Multi-head attention: why several heads; how C channels split into NH heads inside
 * the one (B, T, 3C) output of c_attn; per-head attention patterns; the output projection that
 * mixes the heads; the backward pass, gradient-checked.
 *
 * The four heads shown are built by hand to display patterns trained models are known to
 * learn (previous token, first token, same word, plain average); lab 09's model learns its own.
 * @module
 */
import type { attentionBackward, attentionForward } from "../lib/layers/attention.ts";
import { heatmap } from "../lib/charts.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { tr } from "../lib/i18n.ts";
import { linearForward } from "../lib/layers/linear.ts";
import { Rng } from "../lib/random.ts";
import { formatCount } from "../lib/term.ts";
import { exercises } from "./catalog/04_multihead.ts";

const WORDS = ["le", "chat", "voit", "le", "chien", "et", "le", "chat"];
const T = WORDS.length;
const NH = 4;
const HS = 8; // head size, ≥ T so that a position fits in one-hot form
const C = NH * HS;
const HEADS = [
  { en: "previous word", fr: "mot précédent" },
  { en: "first word", fr: "premier mot" },
  { en: "same word", fr: "même mot" },
  { en: "average of the past", fr: "moyenne du passé" },
];

/**
 * The c_attn output (1, T, 3C) of four hand-made heads. Head 0's query at t is the one-hot of
 * position t − 1 and every key the one-hot of its own position, so t matches t − 1; head 1's
 * query is position 0; head 2 compares word vectors; head 3 has zero queries, so equal scores.
 * Values are random.
 */
function handMadeQkv(): Float32Array {
  const inp = new Float32Array(T * 3 * C);
  const sharp = 30; // after the 1/√hs scaling, a score gap of ~10: the softmax picks one key
  const rng = new Rng(2);
  const wordVec = new Map(WORDS.map((w) => [w, rng.normalArray(HS, 1 / Math.sqrt(HS))]));
  const q = (t: number, h: number, i: number) => t * 3 * C + h * HS + i;
  const k = (t: number, h: number, i: number) => t * 3 * C + C + h * HS + i;
  for (let t = 0; t < T; t++) {
    inp[q(t, 0, Math.max(0, t - 1))] = sharp;
    inp[k(t, 0, t)] = 1;
    inp[q(t, 1, 0)] = sharp;
    inp[k(t, 1, t)] = 1;
    const v = wordVec.get(WORDS[t])!;
    for (let i = 0; i < HS; i++) {
      inp[q(t, 2, i)] = sharp * v[i];
      inp[k(t, 2, i)] = v[i];
    }
    for (let i = 0; i < C; i++) inp[t * 3 * C + 2 * C + i] = rng.normal();
  }
  return inp;
}

const whyHeads = step({ en: "Why several heads", fr: "Pourquoi plusieurs têtes" }, (ctx) => {
  ctx.say({
    en: `
    One head computes one set of weights per position: one way of deciding what matters. A
    word often needs several at once: the previous word for grammar, its subject far back,
    repeated names. Multi-head attention runs NH heads side by side, each on its own slice of
    hs = C / NH channels, and concatenates their outputs. The cost is the same as one head of
    width C; what changes is that NH different patterns can coexist.
  `,
    fr: `
    Une tête calcule un seul jeu de poids par position : une seule façon de décider ce qui
    compte. Or un mot a souvent besoin de plusieurs à la fois : le mot précédent pour la
    grammaire, son sujet loin en arrière, les noms qui se répètent. L'attention multi-têtes fait
    tourner NH têtes côte à côte, chacune sur sa propre tranche de hs = C / NH canaux, et met
    leurs sorties bout à bout. Le coût est celui d'une seule tête de largeur C ; ce qui change,
    c'est que NH motifs différents peuvent coexister.
  `,
  });
  ctx.table([
    [
      { en: "model", fr: "modèle" },
      "C",
      { en: "heads", fr: "têtes" },
      { en: "head size", fr: "taille de tête" },
    ],
    [{ en: "this lab", fr: "ce lab" }, C, NH, HS],
    [{ en: "baby preset", fr: "préréglage baby" }, 128, 4, 32],
    [{ en: "mini preset", fr: "préréglage mini" }, 256, 8, 32],
    ["GPT-2 small", 768, 12, 64],
  ]);
});

const layout = step({
  en: "Splitting heads inside one array",
  fr: "Répartir les têtes dans un seul tableau",
}, (ctx) => {
  ctx.say({
    en: `
    No tensor is ever reshaped: c_attn produces, for each position, 3C numbers, and each head
    reads its slice of them. For (b, t), with hs = ${HS}:
  `,
    fr: `
    Aucun tenseur n'est jamais remis en forme : c_attn produit 3C nombres pour chaque position,
    et chaque tête lit sa tranche. Pour (b, t), avec hs = ${HS} :
  `,
  });
  ctx.table([
    [
      { en: "head", fr: "tête" },
      { en: "query channels", fr: "canaux de requête" },
      { en: "key channels", fr: "canaux de clé" },
      { en: "value channels", fr: "canaux de valeur" },
      { en: "output channels", fr: "canaux de sortie" },
    ],
    ...Array.from({ length: NH }, (_, h) => [
      h,
      `${h * HS}–${h * HS + HS - 1}`,
      `${C + h * HS}–${C + h * HS + HS - 1}`,
      `${2 * C + h * HS}–${2 * C + h * HS + HS - 1}`,
      `${h * HS}–${h * HS + HS - 1}`,
    ]),
  ]);
  ctx.say({
    en: `
    The weights of head h for sequence b live in att at ((b·NH + h)·T + t)·T + t2: a (B, NH, T, T)
    array, the one place where memory grows with T².
  `,
    fr: `
    Les poids de la tête h pour la séquence b sont rangés dans att à l'indice
    ((b·NH + h)·T + t)·T + t2 : un tableau (B, NH, T, T), le seul endroit où la mémoire croît
    comme T².
  `,
  });
});

const yourForward = step({
  en: "Exercise 04.1: multi-head attention, one heatmap per head",
  fr: "Exercice 04.1 : l'attention multi-têtes, une carte de chaleur par tête",
}, async (ctx) => {
  ctx.say({
    en: `
    Write attentionForward in labs/exercises/04_multihead.ts: lab 03's head, for every sequence
    and every head, reading the batched layout. The lab runs it on four heads built by hand
    for "${WORDS.join(" ")}".
  `,
    fr: `
    Écris attentionForward dans labs/exercises/04_multihead.ts : la tête du lab 03, pour chaque
    séquence et chaque tête, en lisant la disposition en batch. Le lab la fait tourner sur
    quatre têtes construites à la main pour « ${WORDS.join(" ")} ».
  `,
  });
  const forward = await ctx.exercise<typeof attentionForward>("04.1");
  const inp = handMadeQkv();
  const out = new Float32Array(T * C), preatt = new Float32Array(NH * T * T);
  const att = new Float32Array(NH * T * T);
  forward(out, preatt, att, inp, 1, T, C, NH);
  for (let h = 0; h < NH; h++) {
    const rows = Array.from(
      { length: T },
      (_, t) => att.subarray((h * T + t) * T, (h * T + t + 1) * T),
    );
    await ctx.chart(
      `attention_head_${h}`,
      heatmap({
        title: tr({ en: `Head ${h}: ${HEADS[h].en}`, fr: `Tête ${h} : ${HEADS[h].fr}` }),
        values: rows,
        rowLabels: WORDS.map((w, t) => `${t} ${w}`),
        columnLabels: WORDS.map((w, t) => `${t} ${w}`),
        rowTitle: tr({ en: "query", fr: "requête" }),
        columnTitle: tr({ en: "key", fr: "clé" }),
        domain: [0, 1],
        cellFormat: ".1f",
        cellSize: 30,
      }),
    );
  }
  const focus = (h: number, t: number) => {
    const row = att.subarray((h * T + t) * T, (h * T + t + 1) * T);
    const at = row.indexOf(Math.max(...row));
    return tr({ en: `"${WORDS[at]}" (position ${at})`, fr: `« ${WORDS[at]} » (position ${at})` });
  };
  ctx.say({
    en: `
    At position 7 ("chat"), head 0 looks at ${focus(0, 7)}, head 1 at ${focus(1, 7)}, head 2 at
    the earlier "chat" as much as at itself, head 3 spreads evenly. Same input, four readings.
  `,
    fr: `
    En position 7 (« chat »), la tête 0 regarde ${focus(0, 7)}, la tête 1 ${focus(1, 7)}, la
    tête 2 le « chat » précédent autant qu'elle-même, la tête 3 se répartit également. Même
    entrée, quatre lectures.
  `,
  });
});

const outputProjection = step({
  en: "The output projection mixes the heads",
  fr: "La projection de sortie mélange les têtes",
}, (ctx) => {
  ctx.say({
    en: `
    The heads' outputs sit side by side in (B, T, C): channels 0–${HS - 1} from head 0, and so on.
    Each head only saw its own slice, so one more linear layer, c_proj (C → C), mixes them:
    every output channel can combine what all heads found. Its output is what the block adds to
    the residual stream.
  `,
    fr: `
    Les sorties des têtes sont côte à côte dans (B, T, C) : les canaux 0 à ${HS - 1} viennent
    de la tête 0, et ainsi de suite. Chaque tête n'a vu que sa tranche ; une couche linéaire de
    plus, c_proj (C → C), les mélange donc : chaque canal de sortie peut combiner ce que toutes
    les têtes ont trouvé. C'est sa sortie que le bloc ajoute au flux résiduel.
  `,
  });
  const rng = new Rng(4);
  const atty = rng.normalArray(T * C), w = rng.normalArray(C * C, 1 / Math.sqrt(C));
  const proj = new Float32Array(T * C);
  linearForward(proj, atty, w, new Float32Array(C), T, C, C);
  const spread = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  const [inSpread, outSpread] = [spread(atty).toFixed(2), spread(proj).toFixed(2)];
  ctx.say({
    en: `
    On random numbers, a c_proj with weights of std 1/√C keeps the spread: ${inSpread} in,
    ${outSpread} out.
  `,
    fr: `
    Sur des nombres aléatoires, un c_proj aux poids d'écart type 1/√C garde l'étalement :
    ${inSpread} en entrée, ${outSpread} en sortie.
  `,
  });
});

const yourBackward = step({
  en: "Exercise 04.2: attention backward, gradient-checked",
  fr: "Exercice 04.2 : la passe arrière de l'attention, vérifiée par le gradient",
}, async (ctx) => {
  ctx.say({
    en: `
    The backward pass goes through the same three steps in reverse. Write attentionBackward;
    the lab checks it against finite differences of your forward pass on random q, k, v.
  `,
    fr: `
    La passe arrière reprend les trois mêmes étapes à l'envers. Écris attentionBackward ; le lab
    la compare aux différences finies de ta passe avant sur des q, k, v aléatoires.
  `,
  });
  const forward = await ctx.exercise<typeof attentionForward>("04.1");
  const backward = await ctx.exercise<typeof attentionBackward>("04.2");
  const [B, t, c, nh] = [2, 5, 8, 2];
  const rng = new Rng(5);
  const inp = rng.normalArray(B * t * 3 * c), w = rng.normalArray(B * t * c);
  const out = new Float32Array(B * t * c);
  const preatt = new Float32Array(B * nh * t * t), att = new Float32Array(B * nh * t * t);
  const loss = () => {
    forward(out, preatt, att, inp, B, t, c, nh);
    return out.reduce((s, o, i) => s + o * w[i], 0);
  };
  loss();
  const dinp = new Float32Array(inp.length);
  backward(
    dinp,
    new Float32Array(att.length),
    new Float32Array(att.length),
    w,
    inp,
    att,
    B,
    t,
    c,
    nh,
  );
  const r = gradCheck(loss, inp, dinp);
  const error = r.relativeError.toExponential(1);
  ctx.say({
    en: `
    Relative error over all ${
      formatCount(inp.length)
    } inputs: ${error} (float32 rounding is around 1e-4; a
    mistake gives something near 1). Lab 05 asks how the model knows where each word stands:
    nothing in attention depends on position except the mask.
  `,
    fr: `
    Erreur relative sur les ${
      formatCount(inp.length)
    } entrées : ${error} (l'arrondi float32 donne environ
    1e-4 ; une erreur de code donne un nombre proche de 1). Le lab 05 se demande comment le
    modèle sait où se trouve chaque mot : dans l'attention, rien ne dépend de la position, à
    part le masque.
  `,
  });
});

/** Lab 04, as the runner sees it. */
export const lab: Lab = {
  id: "04",
  slug: "04_multihead",
  title: { en: "Multi-head attention", fr: "L'attention multi-têtes" },
  exercises,
  steps: [whyHeads, layout, yourForward, outputProjection, yourBackward],
};
