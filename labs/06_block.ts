/**
 * Lab 06 · The transformer block: LayerNorm, the GELU feed-forward network, residual
 * connections and the pre-norm arrangement GPT-2 uses; the block's forward and backward passes;
 * activation statistics through depth; a gradient check against finite differences.
 * @module
 */
import { lineChart } from "../lib/charts.ts";
import { geluForward } from "../lib/layers/gelu.ts";
import { GPT } from "../lib/model/gpt.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { type Text, tr, verbatim } from "../lib/i18n.ts";
import type { layerNormBackward, layerNormForward } from "../lib/layers/layernorm.ts";
import { Rng } from "../lib/random.ts";
import type { blockBackward, blockForward } from "../lib/model/block.ts";
import { exercises } from "./catalog/06_block.ts";
import { maxAbsDiff } from "../lib/course/your_gpt.ts";

function fmt(x: number, digits = 3): string {
  return x.toFixed(digits);
}

function stats(v: Float32Array): { mean: number; std: number } {
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return { mean: m, std: Math.sqrt(s / v.length) };
}

const theBlock = step({
  en: "The block: pre-norm, attention, MLP, residuals",
  fr: "Le bloc : pre-norm, attention, MLP, connexions résiduelles",
}, (ctx) => {
  ctx.say({
    en: `
    A GPT is a stack of identical blocks. Each reads the residual stream x, a (B, T, C) array,
    and adds two things to it: what attention gathers from other positions, then what a small
    feed-forward network (the MLP) computes at each position on its own. GPT-2 normalises before
    each part ("pre-norm"):
  `,
    fr: `
    Un GPT est une pile de blocs identiques. Chacun lit le flux résiduel x, un tableau (B, T, C),
    et y ajoute deux choses : ce que l'attention recueille des autres positions, puis ce qu'un
    petit réseau feed-forward (le MLP) calcule à chaque position, seul. GPT-2 normalise avant
    chaque partie (« pre-norm ») :
  `,
  });
  ctx.show(`
  x ──┬──▶ ln_1 ──▶ attention (c_attn, heads, c_proj) ──▶ (+) ──┬──▶ ln_2 ──▶ MLP ──▶ (+) ──▶ x'
      └──────────────────────────────────────────────────────┘   └────────────────────┘
  MLP: c_fc (C → 4C) ──▶ GELU ──▶ c_proj (4C → C)
  `);
  ctx.say({
    en: `
    The (+) are the residual connections: the block only adds a correction to x, so a deep
    stack starts close to the identity and gradients flow straight down the stream.
  `,
    fr: `
    Les (+) sont les connexions résiduelles : le bloc ne fait qu'ajouter une correction à x ; une
    pile profonde démarre donc près de l'identité, et les gradients descendent tout droit le
    long du flux.
  `,
  });
});

const yourLayerNorm = step({
  en: "Exercise 06.1: LayerNorm",
  fr: "Exercice 06.1 : LayerNorm",
}, async (ctx) => {
  ctx.say({
    en: `
    LayerNorm rescales each position's C numbers to mean 0 and variance 1, then applies a learned
    gain (weight) and shift (bias) per channel. It keeps every block's input on the same scale
    however large the stream grows. Write layerNormForward in labs/exercises/06_block.ts.
  `,
    fr: `
    LayerNorm ramène les C nombres de chaque position à une moyenne 0 et une variance 1, puis
    applique par canal un gain (weight) et un décalage (bias) appris. Elle garde l'entrée de
    chaque bloc à la même échelle, quelle que soit la croissance du flux. Écris
    layerNormForward dans labs/exercises/06_block.ts.
  `,
  });
  const layerNorm = await ctx.exercise<typeof layerNormForward>("06.1");
  const C = 8;
  const inp = new Rng(1).normalArray(C, 5).map((x) => x + 3);
  const out = new Float32Array(C), mean = new Float32Array(1), rstd = new Float32Array(1);
  layerNorm(out, mean, rstd, inp, new Float32Array(C).fill(1), new Float32Array(C), 1, C);
  const a = stats(inp), b = stats(out);
  ctx.table([
    ["", { en: "values", fr: "valeurs" }, { en: "mean", fr: "moyenne" }, {
      en: "std",
      fr: "écart type",
    }],
    [
      { en: "before", fr: "avant" },
      Array.from(inp, (x) => fmt(x, 1)).join(" "),
      fmt(a.mean, 2),
      fmt(a.std, 2),
    ],
    [
      { en: "after", fr: "après" },
      Array.from(out, (x) => fmt(x, 2)).join(" "),
      fmt(b.mean, 2),
      fmt(b.std, 2),
    ],
  ]);
});

const gelu = step({
  en: "GELU, the MLP's non-linearity",
  fr: "GELU, la non-linéarité du MLP",
}, async (ctx) => {
  ctx.say({
    en: `
    The MLP widens each position to 4C channels, applies a non-linearity and projects back to C.
    GPT-2's non-linearity is GELU, x·Φ(x) (in a tanh approximation): like ReLU for large |x|, but
    smooth around 0 and slightly negative just below it, so small negative inputs still pass a
    gradient.
  `,
    fr: `
    Le MLP élargit chaque position à 4C canaux, applique une non-linéarité et reprojette sur C.
    La non-linéarité de GPT-2 est la GELU, x·Φ(x) (dans une approximation en tanh) : comme ReLU
    pour les grands |x|, mais lisse autour de 0 et légèrement négative juste en dessous, si bien
    que de petites entrées négatives laissent encore passer un gradient.
  `,
  });
  const xs = Array.from({ length: 41 }, (_, i) => -4 + i * 0.2);
  const out = new Float32Array(xs.length);
  geluForward(out, new Float32Array(xs), xs.length);
  const data = xs.flatMap((x, i) => [
    { x, y: out[i], f: "GELU" },
    { x, y: Math.max(0, x), f: "ReLU" },
  ]);
  await ctx.chart(
    "gelu_vs_relu",
    lineChart({
      title: tr({ en: "GELU and ReLU", fr: "GELU et ReLU" }),
      data,
      x: "x",
      y: "y",
      series: "f",
      seriesTitle: tr({ en: "function", fr: "fonction" }),
      points: false,
    }),
  );
});

const depth = step({
  en: "Activation statistics through depth",
  fr: "Statistiques des activations selon la profondeur",
}, async (ctx) => {
  ctx.say({
    en: `
    How do activations behave through depth? A model of 8 blocks (C = 64), run on random tokens
    at initialisation: the spread (std) of the residual stream after each block, and of the
    LayerNorm output each block reads. GPT-2 scales the initial weights of the two projections
    that write into the stream (c_proj) by 1/√(2L), so that the 2L additions do not make the
    stream grow with depth; the second line leaves that scaling out.
  `,
    fr: `
    Comment les activations se comportent-elles avec la profondeur ? Un modèle de 8 blocs
    (C = 64), sur des tokens aléatoires, à l'initialisation : l'étalement (écart type) du flux
    résiduel après chaque bloc, et celui de la sortie de LayerNorm que lit chaque bloc. GPT-2
    multiplie les poids initiaux des deux projections qui écrivent dans le flux (c_proj) par
    1/√(2L), pour que les 2L additions ne fassent pas grossir le flux avec la profondeur ; la
    deuxième courbe laisse de côté ce facteur.
  `,
  });
  const config = { vocabSize: 65, blockSize: 32, nLayer: 8, nHead: 4, nEmbd: 64 };
  const [B, T] = [2, 32];
  const rng = new Rng(2);
  const inputs = Int32Array.from({ length: B * T }, () => rng.int(65));
  const data: { block: number; std: number; what: string }[] = [];
  const rows: (string | number | Text)[][] = [[
    { en: "block", fr: "bloc" },
    { en: "stream (GPT-2 init)", fr: "flux (init GPT-2)" },
    { en: "stream (unscaled)", fr: "flux (sans facteur)" },
  ]];
  const runs: Float32Array[][] = [];
  for (const scaled of [true, false]) {
    const model = new GPT(config, 0);
    if (!scaled) {
      for (const h of model.p.h) {
        for (const w of [h.attn.c_proj.weight, h.mlp.c_proj.weight]) {
          for (let i = 0; i < w.length; i++) w[i] *= Math.sqrt(2 * config.nLayer);
        }
      }
    }
    model.forward(inputs, null, B, T);
    const a = model.acts!;
    const streams = [a.encoded.slice(), ...a.h.map((h) => h.residual3.slice())];
    runs.push(streams);
    const label = scaled
      ? tr({ en: "stream, GPT-2 init", fr: "flux, init GPT-2" })
      : tr({ en: "stream, unscaled", fr: "flux, sans facteur" });
    streams.forEach((s, l) => data.push({ block: l, std: stats(s).std, what: label }));
    if (scaled) {
      a.h.forEach((h, l) =>
        data.push({
          block: l + 1,
          std: stats(h.ln_1).std,
          what: tr({ en: "ln_1 output", fr: "sortie de ln_1" }),
        })
      );
    }
  }
  runs[0].forEach((s, l) => rows.push([l, fmt(stats(s).std, 4), fmt(stats(runs[1][l]).std, 4)]));
  ctx.table(rows);
  await ctx.chart(
    "activation_stats",
    lineChart({
      title: tr({
        en: "Activation spread through depth (at initialisation)",
        fr: "Étalement des activations avec la profondeur (à l'initialisation)",
      }),
      data,
      x: "block",
      y: "std",
      series: "what",
      seriesTitle: tr({ en: "what", fr: "quoi" }),
      xTitle: tr({ en: "after block (0 = embeddings)", fr: "après le bloc (0 = embeddings)" }),
      yTitle: tr({ en: "standard deviation", fr: "écart type" }),
      logY: true,
    }),
  );
  ctx.say({
    en: `
    The LayerNorm output stays at spread ≈ 1 whatever the stream does: that is its job. The
    stream itself grows block by block, faster without the 1/√(2L) scaling.
  `,
    fr: `
    La sortie de LayerNorm garde un étalement ≈ 1 quoi que fasse le flux : c'est son rôle. Le
    flux, lui, grossit bloc après bloc, plus vite sans le facteur 1/√(2L).
  `,
  });
});

const forwardBackward = step({
  en: "Forward and backward of a block",
  fr: "Passes avant et arrière d'un bloc",
}, (ctx) => {
  ctx.say({
    en: `
    The forward pass of a block, as lib/model/block.ts runs it, each line a layer with its own forward
    function; every intermediate array is kept, because the backward pass needs it:
  `,
    fr: `
    La passe avant d'un bloc, telle que lib/model/block.ts l'exécute, chaque ligne une couche avec
    sa propre fonction forward ; chaque tableau intermédiaire est conservé, car la passe arrière
    en a besoin :
  `,
  });
  // The same lines in both languages but for the word that says attention keeps att.
  const forward = (keeps: string) => `
  ln_1      = layerNorm(x)                       (B, T, C)
  qkv       = c_attn(ln_1)                       (B, T, 3C)
  atty      = attention(qkv)                     (B, T, C)   ${keeps} att (B, NH, T, T)
  residual2 = x + c_proj(atty)                   (B, T, C)
  ln_2      = layerNorm(residual2)               (B, T, C)
  fch_gelu  = gelu(c_fc(ln_2))                   (B, T, 4C)
  x'        = residual2 + mlp.c_proj(fch_gelu)   (B, T, C)
  `;
  ctx.show({ en: forward("keeps"), fr: forward("garde") });
  ctx.say({
    en: `
    The backward pass walks the same lines bottom to top. Each layer's backward function takes
    the gradient of its output and adds the gradients of its inputs and parameters. "Adds"
    matters: x feeds both the residual path and ln_1, so its gradient is the sum of what comes
    back along each.
  `,
    fr: `
    La passe arrière parcourt les mêmes lignes de bas en haut. La fonction backward de chaque
    couche prend le gradient de sa sortie et ajoute les gradients de ses entrées et de ses
    paramètres. « Ajoute » compte : x alimente à la fois le chemin résiduel et ln_1, son
    gradient est donc la somme de ce qui revient par chacun.
  `,
  });
});

const yourBackward = step({
  en: "Exercise 06.2: LayerNorm backward, with a gradient check",
  fr: "Exercice 06.2 : la passe arrière de LayerNorm, avec vérification du gradient",
}, async (ctx) => {
  ctx.say({
    en: `
    LayerNorm's backward pass is the subtle one: every output of a row depends on every input
    through the mean and the variance. Write layerNormBackward.
  `,
    fr: `
    La passe arrière de LayerNorm est la plus délicate : chaque sortie d'une ligne dépend de
    chaque entrée à travers la moyenne et la variance. Écris layerNormBackward.
  `,
  });
  const forward = await ctx.exercise<typeof layerNormForward>("06.1");
  const backward = await ctx.exercise<typeof layerNormBackward>("06.2");
  const [N, C] = [3, 16];
  const rng = new Rng(3);
  const inp = rng.normalArray(N * C, 2), weight = rng.normalArray(C), bias = rng.normalArray(C);
  const w = rng.normalArray(N * C); // the loss is Σ out·w, so dout = w
  const out = new Float32Array(N * C), mean = new Float32Array(N), rstd = new Float32Array(N);
  const loss = () => {
    forward(out, mean, rstd, inp, weight, bias, N, C);
    return out.reduce((s, o, i) => s + o * w[i], 0);
  };
  loss();
  const dinp = new Float32Array(N * C), dw = new Float32Array(C), db = new Float32Array(C);
  backward(dinp, dw, db, w, inp, weight, mean, rstd, N, C);
  ctx.say({
    en: `
    A gradient check compares your backward pass with finite differences of your forward pass:
    nudge one input by ±h, see how the loss moves. Relative errors ‖analytic − numeric‖ /
    (‖analytic‖ + ‖numeric‖) near 1e-4 are float32 rounding; a mistake gives something near 1.
  `,
    fr: `
    Une vérification du gradient compare ta passe arrière aux différences finies de ta passe
    avant : on pousse une entrée de ±h et on regarde comment bouge la perte. Des erreurs
    relatives ‖analytique − numérique‖ / (‖analytique‖ + ‖numérique‖) autour de 1e-4 viennent de
    l'arrondi float32 ; une erreur de code donne un nombre proche de 1.
  `,
  });
  ctx.table([
    [verbatim("gradient"), { en: "entries", fr: "entrées" }, {
      en: "relative error",
      fr: "erreur relative",
    }],
    ["dinp", N * C, gradCheck(loss, inp, dinp).relativeError.toExponential(1)],
    ["dweight", C, gradCheck(loss, weight, dw).relativeError.toExponential(1)],
    ["dbias", C, gradCheck(loss, bias, db).relativeError.toExponential(1)],
  ]);
});

const blockGradCheck = step({
  en: "Gradient check of a whole block",
  fr: "Vérification du gradient d'un bloc entier",
}, (ctx) => {
  ctx.say({
    en: `
    The same check on a whole block, through the model's own layers: a GPT with one block
    (C = 16, 2 heads), its weights perturbed so that gradients stand well above rounding, the
    loss being the mean cross-entropy of a batch. Eight entries of every parameter tensor:
  `,
    fr: `
    La même vérification sur un bloc entier, à travers les couches du modèle lui-même : un GPT à
    un bloc (C = 16, 2 têtes), ses poids perturbés pour que les gradients dépassent nettement
    l'arrondi, la perte étant l'entropie croisée moyenne d'un batch. Huit entrées de chaque
    tenseur de paramètres :
  `,
  });
  const { model, B, T, inputs, targets } = oneBlock(4);
  const loss = () => model.forward(inputs, targets, B, T)!;
  loss();
  model.zeroGrad();
  model.backward();
  const rows: (string | number | Text)[][] = [[
    { en: "parameter", fr: "paramètre" },
    { en: "entries", fr: "entrées" },
    { en: "relative error", fr: "erreur relative" },
  ]];
  for (const [name, view] of Object.entries(model.p.byName)) {
    if (!name.startsWith("transformer.h.0.")) continue;
    const grad = model.g.byName[name];
    const r = gradCheck(loss, view, grad, { samples: 8, seed: rows.length });
    rows.push([
      name.replace("transformer.h.0.", ""),
      view.length,
      r.relativeError.toExponential(1),
    ]);
  }
  ctx.table(rows);
  ctx.say({
    en: "Lab 07 puts L blocks between the embeddings and the output head: the whole GPT.",
    fr: "Le lab 07 place L blocs entre les embeddings et la tête de sortie : le GPT complet.",
  });
});

/** A one-block model of lab 06's size, its weights moved off their initial values, and a batch. */
function oneBlock(seed = 5) {
  const model = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 }, seed);
  const rng = new Rng(seed);
  for (let i = 0; i < model.params.length; i++) model.params[i] += rng.normal() * 0.3;
  const [B, T] = [2, 6];
  const inputs = Int32Array.from({ length: B * T }, () => rng.int(11));
  const targets = Int32Array.from({ length: B * T }, () => rng.int(11));
  return { model, B, T, inputs, targets };
}

const yourBlock = step({
  en: "Exercise 06.3: the block, on the model's buffers",
  fr: "Exercice 06.3 : le bloc, sur les buffers du modèle",
}, async (ctx) => {
  ctx.say({
    en: `
    Now you write the block itself, on the model's own buffers: blockForward(ops, h, w, x, …)
    in labs/exercises/06_block.ts. ops is the table of layer functions the model calls (yours
    where your exercises pass: LayerNorm, attention; lib/'s for linear, GELU and the residual
    add); w holds the block's weights under GPT-2's names, h its activations. The data flow,
    with the name of every buffer your calls write:
  `,
    fr: `
    À toi d'écrire le bloc lui-même, sur les buffers du modèle : blockForward(ops, h, w, x, …)
    dans labs/exercises/06_block.ts. ops est la table des fonctions de couche qu'appelle le
    modèle (les tiennes là où tes exercices passent : LayerNorm, attention ; celles de lib/ pour
    la couche linéaire, GELU et l'addition résiduelle) ; w contient les poids du bloc sous les
    noms de GPT-2, h ses activations. Le flux de données, avec le nom de chaque buffer
    qu'écrivent tes appels :
  `,
  });
  ctx.show(`
  x ─┬─▶ layerNorm ─▶ ln_1 ─▶ c_attn ─▶ qkv ─▶ attention ─▶ atty ─▶ c_proj ─▶ attproj ─┐
     │                                                                                  (+)─▶ residual2
     └──────────────────────────────────────────────────────────────────────────────────┘
  residual2 ─┬─▶ layerNorm ─▶ ln_2 ─▶ c_fc ─▶ fch ─▶ GELU ─▶ fch_gelu ─▶ c_proj ─▶ fcproj ─┐
             │                                                                              (+)─▶ residual3
             └──────────────────────────────────────────────────────────────────────────────┘
  `);
  const forward = await ctx.exercise<typeof blockForward>("06.3");
  const { model, B, T, inputs } = oneBlock();
  const { nEmbd: C, nHead: NH } = model.config;
  model.forward(inputs, null, B, T);
  const a = model.acts!, expected = a.h[0].residual3.slice();
  a.h[0].residual3.fill(0);
  forward(model.ops, a.h[0], model.p.h[0], a.encoded, B, T, C, NH);
  ctx.say({
    en: `
    Your block on the model's embeddings (B = ${B}, T = ${T}, C = ${C}): its output differs from
    the library's block by at most ${maxAbsDiff(a.h[0].residual3, expected).toExponential(1)}.
    From lab 07 on, the model calls your blockForward for every block.
  `,
    fr: `
    Ton bloc sur les embeddings du modèle (B = ${B}, T = ${T}, C = ${C}) : sa sortie s'écarte
    de celle du bloc de la bibliothèque d'au plus
    ${maxAbsDiff(a.h[0].residual3, expected).toExponential(1)}. À partir du lab 07, le modèle
    appelle ton blockForward pour chaque bloc.
  `,
  });
});

const yourBlockBackward = step({
  en: "Exercise 06.4: the block backward, in reverse",
  fr: "Exercice 06.4 : la passe arrière du bloc, à l'envers",
}, async (ctx) => {
  ctx.say({
    en: `
    The backward pass runs the same calls in reverse, because each layer's gradient needs the
    gradient of its output, which the layer after it produces: the loss is known only at the
    end, so its gradient flows from the end back. Each call is the backward of one forward
    line: linearBackward for c_proj, geluBackward, and so on up to ln_1.
  `,
    fr: `
    La passe arrière refait les mêmes appels à l'envers, car le gradient de chaque couche a
    besoin du gradient de sa sortie, que produit la couche suivante : la perte n'est connue
    qu'à la fin, son gradient remonte donc de la fin vers le début. Chaque appel est la passe
    arrière d'une ligne de la passe avant : linearBackward pour c_proj, geluBackward, et ainsi
    de suite jusqu'à ln_1.
  `,
  });
  ctx.show(`
  dresidual3 ──┬──────────────────────────────────────────────────────────────▶ (+) dresidual2
               └─▶ c_proj ◀ fch_gelu ◀ GELU ◀ fch ◀ c_fc ◀ ln_2 ◀ layerNorm ──▶ (+) dresidual2
  dresidual2 ──┬──────────────────────────────────────────────────────────────▶ (+) dx
               └─▶ c_proj ◀ atty ◀ attention ◀ qkv ◀ c_attn ◀ ln_1 ◀ layerNorm ──▶ (+) dx
  `);
  ctx.say({
    en: `
    Where the stream forked in the forward pass (x went both into ln_1 and straight to the (+)),
    the two gradients meet and add: dx = (the residual's gradient) + (what comes back through
    ln_1). That is why every backward function adds (+=) and never overwrites: overwrite, and
    one path's gradient is lost. Write blockBackward.
  `,
    fr: `
    Là où le flux s'est séparé dans la passe avant (x allait à la fois dans ln_1 et tout droit
    vers le (+)), les deux gradients se rejoignent et s'additionnent : dx = (le gradient de la
    connexion résiduelle) + (ce qui revient par ln_1). C'est pourquoi chaque fonction de passe
    arrière ajoute (+=) et n'écrase jamais : en écrasant, on perd le gradient d'un des chemins.
    Écris blockBackward.
  `,
  });
  const backward = await ctx.exercise<typeof blockBackward>("06.4");
  const { model, B, T, inputs, targets } = oneBlock();
  const { nEmbd: C, nHead: NH } = model.config;
  model.forward(inputs, targets, B, T);
  model.zeroGrad();
  model.backward();
  const expected = model.grads.slice(), dx = model.dacts!.encoded.slice();
  // Run the block's backward again, yours this time, from the same gradient of its output.
  const a = model.acts!, d = model.dacts!, dh = d.h[0], dout = dh.residual3.slice();
  for (const view of Object.values(dh)) view.fill(0);
  dh.residual3.set(dout);
  const mineDx = new Float32Array(dx.length);
  const grads = model.g.h[0];
  for (const v of Object.values(model.g.byName)) v.fill(0);
  backward(model.ops, mineDx, grads, dh, a.encoded, model.p.h[0], a.h[0], B, T, C, NH);
  const rows: (string | number | Text)[][] = [
    [verbatim("gradient"), {
      en: "largest difference from lib/'s",
      fr: "plus grand écart avec lib/",
    }],
  ];
  rows.push(["dx", maxAbsDiff(mineDx, dx).toExponential(1)]);
  for (const [name, view] of Object.entries(model.g.byName)) {
    if (!name.startsWith("transformer.h.0.")) continue;
    const off = view.byteOffset / 4;
    rows.push([
      name.slice(16),
      maxAbsDiff(view, expected.subarray(off, off + view.length)).toExponential(1),
    ]);
  }
  ctx.table(rows);
});

/** Lab 06, as the runner sees it. */
export const lab: Lab = {
  id: "06",
  slug: "06_block",
  title: { en: "The transformer block", fr: "Le bloc transformer" },
  exercises,
  steps: [
    theBlock,
    yourLayerNorm,
    gelu,
    depth,
    forwardBackward,
    yourBackward,
    blockGradCheck,
    yourBlock,
    yourBlockBackward,
  ],
};
