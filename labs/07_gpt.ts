/**
 * Lab 07 · The GPT: embeddings, L blocks, the final LayerNorm and the tied output head in one
 * model; where its parameters are; its design choices beside the alternatives; why the loss at initialisation is ln(vocab); the backward
 * pass through the whole model, checked; and a few steps of gradient descent to see it learn.
 *
 * Tokens here are the characters of a short text the lab carries, so it needs no corpus.
 * @module
 */
import { barChart, lossCurves } from "../lib/charts.ts";
import { countParameters, GPT2_SMALL, type GPTConfig } from "../lib/model/config.ts";
import { PRESETS } from "../lib/train/presets.ts";
import type { crossEntropySoftmaxBackward } from "../lib/layers/crossentropy.ts";
import { geluBackward, geluForward } from "../lib/layers/gelu.ts";
import { GPT } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { parameterShapes } from "../lib/model/layout.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { formatCount } from "../lib/term.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { tr, verbatim } from "../lib/i18n.ts";
import type { linearBackward } from "../lib/layers/linear.ts";
import { Rng } from "../lib/random.ts";
import { loadGPT, saveGPT } from "../lib/train/safetensors.ts";
import { exercises } from "./catalog/07_gpt.ts";
import { CATALOG } from "./catalog/mod.ts";
import { compareModels, describeYourGPT, yourGPT } from "../lib/course/your_gpt.ts";
import type { gptBackward, gptForward } from "../lib/model/gpt.ts";
import { FRENCH_SAMPLE } from "./texts.ts";

const TEXT = FRENCH_SAMPLE;
const CHARS = [...new Set(TEXT)].sort();
const V = CHARS.length;
const CONFIG: GPTConfig = { vocabSize: V, blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 32 };
const [B, T] = [4, 32];

/** B windows of T characters from the text, and the same windows shifted by one: the targets. */
function batch(): { inputs: Int32Array; targets: Int32Array } {
  const ids = [...TEXT].map((c) => CHARS.indexOf(c));
  const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
  const rng = new Rng(1);
  for (let b = 0; b < B; b++) {
    const start = rng.int(ids.length - T - 1);
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = ids[start + t];
      targets[b * T + t] = ids[start + t + 1];
    }
  }
  return { inputs, targets };
}

/** Sizes of the parameter groups of a model with this config. */
function breakdown(config: GPTConfig): { part: string; params: number }[] {
  const groups = new Map<string, number>();
  for (const [name, shape] of parameterShapes(config)) {
    const part = name.includes("wte")
      ? tr({ en: "wte (tokens, = head)", fr: "wte (tokens, = tête)" })
      : name.includes("wpe")
      ? "wpe (positions)"
      : name.includes(".attn.")
      ? "attention"
      : name.includes(".mlp.")
      ? "MLP"
      : "LayerNorms";
    groups.set(part, (groups.get(part) ?? 0) + shape.reduce((a, b) => a * b, 1));
  }
  return [...groups].map(([part, params]) => ({ part, params }));
}

const exact = (n: number) => formatCount(n);

const theModel = step({ en: "The whole model", fr: "Le modèle entier" }, (ctx) => {
  ctx.say({
    en: `
    Everything so far, assembled (lib/model/gpt.ts). Token ids (B, T) pick rows of the token table wte
    and position rows of wpe; their sum, the residual stream (B, T, C), passes through L blocks;
    a final LayerNorm ln_f, then the output head turns each position into V logits, one score
    per possible next token. GPT-2 ties the head to wte: the logits are ln_f · wteᵀ, the same
    table read the other way, which saves V·C parameters.
  `,
    fr: `
    Tout ce qui précède, assemblé (lib/model/gpt.ts). Les identifiants de tokens (B, T)
    choisissent des lignes de la table des tokens wte et des lignes de positions de wpe ; leur
    somme, le flux résiduel (B, T, C), traverse L blocs ; une dernière LayerNorm ln_f, puis la
    tête de sortie change chaque position en V logits, un score par token suivant possible.
    GPT-2 lie la tête à wte : les logits valent ln_f · wteᵀ, la même table lue dans l'autre sens,
    ce qui économise V·C paramètres.
  `,
  });
  ctx.show(`
  ids (B,T) ─▶ wte[ids] + wpe[t] ─▶ block × L ─▶ ln_f ─▶ · wteᵀ ─▶ logits (B,T,V) ─▶ softmax ─▶ loss
  `);
  ctx.say({
    en: `
    Parameters, gradients and activations each live in one Float32Array, cut into named views
    by a size table, as in llm.c; the names are GPT-2's (transformer.h.0.attn.c_attn.weight), so
    the model can be held beside nanoGPT's or saved as safetensors for any framework.
    This lab's model reads the ${V} distinct characters of a short text: C = ${CONFIG.nEmbd},
    ${CONFIG.nLayer} blocks of ${CONFIG.nHead} heads, context ${CONFIG.blockSize}.
  `,
    fr: `
    Paramètres, gradients et activations vivent chacun dans un seul Float32Array, découpé en vues
    nommées par une table des tailles, comme dans llm.c ; les noms sont ceux de GPT-2
    (transformer.h.0.attn.c_attn.weight), si bien qu'on peut poser le modèle à côté de celui de
    nanoGPT ou l'enregistrer en safetensors pour n'importe quel framework. Le modèle de ce lab
    lit les ${V} caractères distincts d'un court texte : C = ${CONFIG.nEmbd}, ${CONFIG.nLayer}
    blocs de ${CONFIG.nHead} têtes, contexte ${CONFIG.blockSize}.
  `,
  });
});

const parameterCount = step({
  en: "Parameter count by part",
  fr: "Le nombre de paramètres par partie",
}, async (ctx) => {
  ctx.say({
    en: `
    Where the parameters are. For each preset, the exact count with a character vocabulary
    (65 symbols, tiny Shakespeare) and with a 5,000-token BPE vocabulary:
  `,
    fr: `
    Où sont les paramètres. Pour chaque préréglage, le total exact avec un vocabulaire de
    caractères (65 symboles, tiny Shakespeare) et avec un vocabulaire BPE de 5 000 tokens :
  `,
  });
  ctx.table([
    [
      { en: "preset", fr: "préréglage" },
      { en: "layers", fr: "couches" },
      { en: "heads", fr: "têtes" },
      { en: "width", fr: "largeur" },
      { en: "context", fr: "contexte" },
      { en: "65 characters", fr: "65 caractères" },
      { en: "5,000 BPE tokens", fr: "5 000 tokens BPE" },
    ],
    ...Object.entries(PRESETS).map(([name, p]) => [
      name,
      p.nLayer,
      p.nHead,
      p.nEmbd,
      p.blockSize,
      exact(countParameters({ vocabSize: 65, ...p })),
      exact(countParameters({ vocabSize: 5000, ...p })),
    ]),
  ]);
  const baby = { vocabSize: 65, ...PRESETS.baby };
  const parts = breakdown(baby);
  const total = countParameters(baby);
  await ctx.chart(
    "parameter_breakdown",
    barChart({
      title: tr({
        en: "Parameters of the baby preset (65 characters), by part",
        fr: "Paramètres du préréglage baby (65 caractères), par partie",
      }),
      data: parts.map((p) => ({
        ...p,
        label: `${exact(p.params)} (${(100 * p.params / total).toFixed(1)}%)`,
      })),
      category: "part",
      value: "params",
      categoryTitle: tr({ en: "part", fr: "partie" }),
      valueTitle: tr({ en: "parameters", fr: "paramètres" }),
      horizontal: true,
      label: "label",
      width: 360,
    }),
  );
  const bpe = breakdown({ vocabSize: 5000, ...PRESETS.baby })[0];
  ctx.say({
    en: `
    Each block holds 12·C² + 13·C parameters: attention 4·C² (q, k, v and the output
    projection), the MLP 8·C² (C → 4C → C), plus biases and LayerNorms. The blocks dominate
    with characters; with 5,000 BPE tokens the token table alone grows to ${exact(bpe.params)}.
  `,
    fr: `
    Chaque bloc contient 12·C² + 13·C paramètres : l'attention 4·C² (q, k, v et la projection de
    sortie), le MLP 8·C² (C → 4C → C), plus les biais et les LayerNorm. Les blocs dominent avec
    des caractères ; avec 5 000 tokens BPE, la table des tokens monte à elle seule à
    ${exact(bpe.params)}.
  `,
  });
});

const lossAtInit = step({
  en: "Loss at initialisation ≈ ln(vocab)",
  fr: "La perte à l'initialisation ≈ ln(vocab)",
}, (ctx) => {
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const loss = model.forward(inputs, targets, B, T)!;
  let maxProb = 0;
  for (const p of model.acts!.probs) maxProb = Math.max(maxProb, p);
  ctx.say({
    en: `
    A freshly initialised GPT knows nothing, and its small weights (std 0.02) give nearly equal
    logits, so it spreads its probability almost evenly: 1/V for each of the V tokens. The
    cross-entropy of a uniform guess is −log(1/V) = ln V. A loss at init far above ln V means
    the model is confidently wrong from the start, a bug in the initialisation or the loss.
  `,
    fr: `
    Un GPT fraîchement initialisé ne sait rien, et ses petits poids (écart type 0,02) donnent des
    logits presque égaux : il répartit donc sa probabilité presque uniformément, 1/V pour chacun
    des V tokens. L'entropie croisée d'une réponse uniforme vaut −log(1/V) = ln V. Une perte
    initiale bien au-dessus de ln V veut dire que le modèle se trompe avec assurance dès le
    départ : un bug dans l'initialisation ou dans la perte.
  `,
  });
  ctx.table([
    [
      { en: "vocabulary V", fr: "vocabulaire V" },
      "ln V",
      { en: "loss at init", fr: "perte initiale" },
      { en: "largest probability (1/V)", fr: "plus grande probabilité (1/V)" },
    ],
    [V, Math.log(V).toFixed(4), loss.toFixed(4), `${maxProb.toFixed(4)} (${(1 / V).toFixed(4)})`],
  ]);
});

const yourLossGradient = step({
  en: "Exercise 07.1: the gradient of the loss",
  fr: "Exercice 07.1 : le gradient de la perte",
}, async (ctx) => {
  ctx.say({
    en: `
    The backward pass starts at the loss. The mean loss over the B·T positions gives each
    position's loss the weight dlosses = 1/(B·T). Write crossEntropySoftmaxBackward: the
    gradient with respect to the logits, through the softmax and the log at once.
  `,
    fr: `
    La passe arrière part de la perte. La perte moyenne sur les B·T positions donne à la perte de
    chaque position le poids dlosses = 1/(B·T). Écris crossEntropySoftmaxBackward : le gradient
    par rapport aux logits, à travers le softmax et le log d'un seul coup.
  `,
  });
  const lossGrad = await ctx.exercise<typeof crossEntropySoftmaxBackward>("07.1");
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  model.forward(inputs, targets, B, T);
  const N = B * T;
  const dlogits = new Float32Array(N * V);
  lossGrad(dlogits, new Float32Array(N).fill(1 / N), model.acts!.probs, targets, N, V);
  let rowSum = 0;
  for (let v = 0; v < V; v++) rowSum += dlogits[v];
  const [sum0, target0] = [rowSum.toExponential(1), dlogits[targets[0]].toExponential(2)];
  ctx.say({
    en: `
    Every row of your gradient sums to zero (row 0: ${sum0}): pushing the target's logit up
    pulls the others down by the same total. The target "${CHARS[targets[0]]}" of position 0 gets
    ${target0}, every other character a small positive share.
  `,
    fr: `
    Chaque ligne de ton gradient a une somme nulle (ligne 0 : ${sum0}) : pousser vers le haut le
    logit de la cible tire les autres vers le bas du même total. La cible « ${
      CHARS[targets[0]]
    } » de la position 0 reçoit ${target0}, chaque autre caractère une petite part positive.
  `,
  });
});

const backwardThroughModel = step({
  en: "Backward through the model",
  fr: "La passe arrière à travers le modèle",
}, (ctx) => {
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const loss = () => model.forward(inputs, targets, B, T)!;
  loss();
  model.zeroGrad();
  model.backward();
  ctx.say({
    en: `
    model.backward() runs every layer's backward function in reverse order, from the loss to the
    embeddings, and leaves the gradient of every parameter in model.grads, laid out like
    model.params. The size of the gradient of each part:
  `,
    fr: `
    model.backward() exécute la fonction backward de chaque couche dans l'ordre inverse, de la
    perte jusqu'aux embeddings, et laisse le gradient de chaque paramètre dans model.grads,
    rangé comme model.params. La taille du gradient de chaque partie :
  `,
  });
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  ctx.table([
    [
      { en: "parameter", fr: "paramètre" },
      { en: "entries", fr: "entrées" },
      { en: "gradient norm", fr: "norme du gradient" },
    ],
    ...Object.entries(model.g.byName)
      .filter(([name]) => !/\.h\.[1-9]/.test(name))
      .map(([name, g]) => [name, g.length, norm(g).toExponential(2)]),
  ]);
  const r = gradCheck(loss, model.params, model.grads, { samples: 40, seed: 1, h: 1e-2 });
  const big = r.analytic.filter((a) => Math.abs(a) > 1e-3).length;
  const [all, error] = [exact(model.numParameters), r.relativeError.toExponential(1)];
  ctx.say({
    en: `
    (Block 0 shown; the others look alike.) Checked against finite differences on 40 entries
    picked at random across all ${all} parameters, at initialisation: relative error ${error}.
    At init many gradients are tiny (${big} of the 40 exceed 1e-3), so float32 rounding weighs
    more here than in the tests, which check every parameter of models with larger weights to
    within 1e-3.
  `,
    fr: `
    (Seul le bloc 0 est montré ; les autres se ressemblent.) Vérifié par différences finies sur
    40 entrées tirées au hasard parmi les ${all} paramètres, à l'initialisation : erreur
    relative ${error}. À l'initialisation, beaucoup de gradients sont minuscules (${big} des 40
    dépassent 1e-3) : l'arrondi float32 pèse donc plus ici que dans les tests, qui vérifient à
    1e-3 près chaque paramètre de modèles aux poids plus grands.
  `,
  });
});

const yourLinearBackward = step({
  en: "Exercise 07.2: linear backward",
  fr: "Exercice 07.2 : la passe arrière d'une couche linéaire",
}, async (ctx) => {
  ctx.say({
    en: `
    Every projection of the model is a linear layer, and so is the output head (with wte as its
    weight). Write linearBackward; the lab then runs it on the head and compares with what the
    model itself sent back into ln_f.
  `,
    fr: `
    Chaque projection du modèle est une couche linéaire, et la tête de sortie aussi (avec wte
    comme poids). Écris linearBackward ; le lab l'applique ensuite à la tête et compare avec ce
    que le modèle lui-même a renvoyé dans ln_f.
  `,
  });
  const backward = await ctx.exercise<typeof linearBackward>("07.2");
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  model.forward(inputs, targets, B, T);
  model.zeroGrad();
  model.backward();
  const N = B * T, C = CONFIG.nEmbd;
  const dlnf = new Float32Array(N * C), dwte = new Float32Array(V * C);
  backward(dlnf, dwte, null, model.dacts!.logits, model.acts!.ln_f, model.p.wte, N, C, V);
  let diff = 0;
  for (let i = 0; i < dlnf.length; i++) {
    diff = Math.max(diff, Math.abs(dlnf[i] - model.dacts!.ln_f[i]));
  }
  ctx.say({
    en: `
    Largest difference between your d(ln_f) and the model's: ${diff.toExponential(1)}. The head's
    share of the gradient of wte is what you just computed; the embedding lookup adds its own
    share into the same rows, because the two uses of wte are tied.
  `,
    fr: `
    Plus grand écart entre ton d(ln_f) et celui du modèle : ${diff.toExponential(1)}. La part de
    la tête dans le gradient de wte, c'est ce que tu viens de calculer ; la recherche
    d'embedding ajoute sa propre part dans les mêmes lignes, car les deux usages de wte sont
    liés.
  `,
  });
});

const descent = step({
  en: "Gradient descent on one batch",
  fr: "Descente de gradient sur un batch",
}, async (ctx) => {
  ctx.say({
    en: `
    With gradients, learning is a loop: forward, backward, move every parameter a little
    against its gradient. Plain gradient descent (learning rate 0.5) on the same batch, 60 steps:
    the loss on this one batch should fall far below ln V as the model memorises it. Lab 09 trains for real, with AdamW and fresh
    batches.
  `,
    fr: `
    Avec les gradients, apprendre est une boucle : passe avant, passe arrière, puis déplacer un
    peu chaque paramètre à l'opposé de son gradient. Une descente de gradient simple (taux
    d'apprentissage 0,5) sur le même batch, 60 pas : la perte sur ce seul batch doit tomber bien
    en dessous de ln V à mesure que le modèle l'apprend par cœur. Le lab 09 entraîne pour de
    vrai, avec AdamW et des batchs toujours nouveaux.
  `,
  });
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const data: { step: number; loss: number }[] = [];
  for (let s = 0; s <= 60; s++) {
    const loss = model.forward(inputs, targets, B, T)!;
    data.push({ step: s, loss });
    model.zeroGrad();
    model.backward();
    for (let i = 0; i < model.params.length; i++) model.params[i] -= 0.5 * model.grads[i];
  }
  await ctx.chart(
    "loss_descent",
    lossCurves({
      title: {
        en: "Loss on one batch under gradient descent",
        fr: "Perte sur un batch sous descente de gradient",
      },
      curves: [[{ en: "one batch", fr: "un batch" }, data]],
    }),
  );
  const [first, lnV] = [data[0].loss.toFixed(3), Math.log(V).toFixed(3)];
  const last = data[data.length - 1].loss.toFixed(3);
  ctx.say({
    en: `Loss ${first} at step 0 (ln V = ${lnV}), ${last} after 60 steps.`,
    fr: `Perte ${first} au pas 0 (ln V = ${lnV}), ${last} après 60 pas.`,
  });
});

const saving = step({
  en: "Saving and loading the weights",
  fr: "Enregistrer et recharger les poids",
}, async (ctx) => {
  const model = new GPT(CONFIG, 0);
  const path = `${ctx.outDir}/model.safetensors`;
  await saveGPT(path, model);
  const bytes = await Deno.readFile(path);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const { inputs, targets } = batch();
  const before = model.forward(inputs, targets, B, T)!;
  const after = (await loadGPT(path)).forward(inputs, targets, B, T)!;
  ctx.say({
    en: `
    A model is its numbers. saveGPT writes them as safetensors, a format any framework reads:
    8 bytes giving the length of a JSON header, the header naming each tensor with its shape and
    byte range, then the raw float32 data; the config goes beside it as JSON. Both are written
    to a temporary file first and renamed, so a crash never leaves half a model. This one takes
    ${exact(bytes.length)} bytes (${exact(model.numParameters)} parameters × 4 bytes, plus 8 +
    ${exact(headerLength)} bytes of header). Three of its entries:
  `,
    fr: `
    Un modèle, ce sont ses nombres. saveGPT les écrit en safetensors, un format que tout framework
    sait lire : 8 octets qui donnent la longueur d'un en-tête JSON, l'en-tête qui nomme chaque
    tenseur avec sa forme et sa plage d'octets, puis les données float32 brutes ; la
    configuration est rangée à côté, en JSON. Les deux sont d'abord écrits dans un fichier
    temporaire puis renommés : un plantage ne laisse jamais un demi-modèle. Celui-ci prend
    ${exact(bytes.length)} octets (${exact(model.numParameters)} paramètres × 4 octets, plus 8 +
    ${exact(headerLength)} octets d'en-tête). Trois de ses entrées :
  `,
  });
  ctx.show(
    ["transformer.wte.weight", "transformer.h.0.attn.c_attn.weight", "transformer.ln_f.bias"]
      .map((name) => `${name}: ${JSON.stringify(header[name])}`).join("\n"),
  );
  ctx.say({
    en: `
    Loaded back, it gives the same loss on the same batch: ${before.toFixed(6)} before,
    ${after.toFixed(6)} after. Lab 08 prepares a real dataset to train on.
  `,
    fr: `
    Rechargé, il donne la même perte sur le même batch : ${before.toFixed(6)} avant,
    ${after.toFixed(6)} après. Le lab 08 prépare un vrai jeu de données pour l'entraînement.
  `,
  });
});

const choices = step({
  en: "Our GPT's choices, and the alternatives",
  fr: "Les choix de notre GPT, et leurs alternatives",
}, (ctx) => {
  const model = new GPT(CONFIG, 0);
  const cost = (c: GPTConfig) => ({
    head: c.vocabSize * c.nEmbd,
    positions: c.blockSize * c.nEmbd,
    total: countParameters(c),
  });
  const here = cost(CONFIG), gpt2 = cost(GPT2_SMALL);
  const share = (n: number, of: number) =>
    tr({ en: `${(100 * n / of).toFixed(0)}%`, fr: `${(100 * n / of).toFixed(0)} %` });
  const x = new Float32Array([-1]), y = new Float32Array(1), dx = new Float32Array(1);
  geluForward(y, x, 1);
  geluBackward(dx, x, new Float32Array([1]), 1);
  const lns = model.config.nLayer * 2 + 1;
  ctx.say({
    en: `
    Every GPT makes a handful of design choices. Ours are GPT-2's; the alternatives are what
    the original Transformer (2017) or later models chose. The numbers are computed for this
    lab's model (${exact(here.total)} parameters) and for GPT-2 small (${exact(gpt2.total)}).
  `,
    fr: `
    Tout GPT fait une poignée de choix de conception. Les nôtres sont ceux de GPT-2 ; les
    alternatives sont ce qu'ont choisi le Transformer d'origine (2017) ou des modèles plus
    récents. Les nombres sont calculés pour le modèle de ce lab (${exact(here.total)}
    paramètres) et pour GPT-2 small (${exact(gpt2.total)}).
  `,
  });
  const millions = (n: number) =>
    tr({ en: `${(n / 1e6).toFixed(1)}M`, fr: `${(n / 1e6).toFixed(1).replace(".", ",")} M` });
  const slope = `f(−1) = ${y[0].toFixed(3)}`;
  ctx.table([
    [
      { en: "choice", fr: "choix" },
      { en: "ours (GPT-2)", fr: "le nôtre (GPT-2)" },
      verbatim("alternative"),
      { en: "computed", fr: "calculé" },
    ],
    ["LayerNorm", { en: "pre-norm, + ln_f", fr: "pré-norm, + ln_f" }, {
      en: "post-norm (2017, BERT)",
      fr: "post-norm (2017, BERT)",
    }, { en: `${lns} LayerNorms vs ${lns - 1}`, fr: `${lns} LayerNorms contre ${lns - 1}` }],
    [
      { en: "MLP activation", fr: "activation du MLP" },
      "GELU",
      "ReLU (2017), SwiGLU (LLaMA)",
      {
        en: `${slope}, slope ${dx[0].toFixed(3)} vs 0, 0`,
        fr: `${slope}, pente ${dx[0].toFixed(3)} contre 0, 0`,
      },
    ],
    [
      { en: "output head", fr: "tête de sortie" },
      { en: "tied to wte", fr: "liée à wte" },
      { en: "its own (V, C) matrix", fr: "sa propre matrice (V, C)" },
      {
        en: `untied: +${exact(here.head)} here, +${millions(gpt2.head)} in GPT-2`,
        fr: `déliée : +${exact(here.head)} ici, +${millions(gpt2.head)} dans GPT-2`,
      },
    ],
    [
      "positions",
      { en: "learned wpe", fr: "wpe apprise" },
      { en: "sinusoidal (2017), RoPE (LLaMA)", fr: "sinusoïdale (2017), RoPE (LLaMA)" },
      {
        en: `wpe: ${exact(here.positions)} here, ${exact(gpt2.positions)} in GPT-2`,
        fr: `wpe : ${exact(here.positions)} ici, ${exact(gpt2.positions)} dans GPT-2`,
      },
    ],
  ]);
  const saved = share(gpt2.head, gpt2.total), ours = share(here.head, here.total);
  ctx.say({
    en: `
    Pre-norm normalises what enters each sub-layer but never the residual path x + f(x), so
    the gradient has a straight path from the loss to the embeddings and deep stacks train
    without the long warmup post-norm needs. GELU is a smooth ReLU: a slightly negative input
    still passes a gradient, so no unit goes dead. Tying the head reads the same table both
    ways, saving ${saved} of GPT-2's parameters (${ours} of ours). A learned position table
    fits the data; a fixed one costs nothing and is defined for any position; RoPE rotates
    queries and keys so that scores depend on distance (lab 05 trains all three).
  `,
    fr: `
    Le pré-norm normalise ce qui entre dans chaque sous-couche, jamais le chemin résiduel
    x + f(x) : le gradient a un chemin direct de la perte jusqu'aux embeddings, et les piles
    profondes s'entraînent sans le long warmup qu'exige le post-norm. GELU est un ReLU adouci :
    une entrée légèrement négative laisse encore passer un gradient, aucune unité ne meurt.
    Lier la tête lit la même table dans les deux sens, ce qui économise ${saved} des paramètres
    de GPT-2 (${ours} des nôtres). Une table de positions apprise s'ajuste aux données ; une
    table fixe ne coûte rien et vaut pour n'importe quelle position ; RoPE fait tourner
    requêtes et clés pour que les scores dépendent de la distance (le lab 05 entraîne les
    trois).
  `,
  });
  ctx.say({
    en: `
    The positional option of lib/model/config.ts switches the positions; the other choices
    are written into the forward and backward passes of lib/model/gpt.ts and block.ts. They
    are GPT-2's so that our weights line up with nanoGPT's and llm.c's, name for name.
  `,
    fr: `
    L'option positional de lib/model/config.ts change de positions ; les autres choix sont
    écrits dans les passes avant et arrière de lib/model/gpt.ts et block.ts. Ce sont ceux de GPT-2, pour que
    nos poids correspondent, nom pour nom, à ceux de nanoGPT et de llm.c.
  `,
  });
});

const yourForward = step({
  en: "Exercise 07.3: the course's MiniGPT, line by line",
  fr: "Exercice 07.3 : le MiniGPT du cours, ligne par ligne",
}, async (ctx) => {
  ctx.say({
    en: `
    The course sketched the model as a Python class, MiniGPT. You now write its forward pass,
    gptForward in labs/exercises/07_gpt.ts, on the model's buffers. Line by line, the sketch
    and the call that does it:
  `,
    fr: `
    Le cours a esquissé le modèle sous la forme d'une classe Python, MiniGPT. Tu écris
    maintenant sa passe avant, gptForward dans labs/exercises/07_gpt.ts, sur les buffers du
    modèle. Ligne par ligne, l'esquisse et l'appel qui la réalise :
  `,
  });
  ctx.table([
    [
      { en: "MiniGPT (the course)", fr: "MiniGPT (le cours)" },
      { en: "your gptForward", fr: "ton gptForward" },
    ],
    ["x = self.token_embedding(x)", "ops.encoderForward(a.encoded, inputs, p.wte, p.wpe, …)"],
    ["    + self.position_embedding(x)", {
      en: "  the same call: wpe[t] is added to wte[token]",
      fr: "  le même appel : wpe[t] s'ajoute à wte[token]",
    }],
    ["for block in self.transformer_blocks:", "for (let l = 0; l < L; l++)"],
    ["    x = block(x)", "  ops.blockForward(ops, a.h[l], p.h[l], x, …); x = a.h[l].residual3"],
    [
      { en: "(GPT-2 adds a final LayerNorm)", fr: "(GPT-2 ajoute une LayerNorm finale)" },
      "ops.layerNormForward(a.ln_f, …, x, p.ln_f.weight, …)",
    ],
    ["logits = self.output_projection(x)", "ops.linearForward(a.logits, a.ln_f, p.wte, null, …)"],
    ["return logits", {
      en: "a.logits; then softmax, the losses and their mean",
      fr: "a.logits ; puis le softmax, les pertes et leur moyenne",
    }],
  ]);
  ctx.say({
    en: `
    Two differences from the sketch. The output projection is not a new Linear(d_model,
    vocab_size): GPT-2 ties it to the token table, logits = ln_f · wteᵀ, which saves V·C
    parameters. And the model also computes its loss, the mean cross-entropy over all B·T
    positions, since training needs nothing else.
  `,
    fr: `
    Deux différences avec l'esquisse. La projection de sortie n'est pas une nouvelle
    Linear(d_model, vocab_size) : GPT-2 la lie à la table des tokens, logits = ln_f · wteᵀ, ce
    qui économise V·C paramètres. Et le modèle calcule aussi sa perte, l'entropie croisée
    moyenne sur les B·T positions, puisque l'entraînement n'a besoin de rien d'autre.
  `,
  });
  const forward = await ctx.exercise<typeof gptForward>("07.3");
  const model = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const expected = model.forward(inputs, targets, B, T)!;
  const got = forward(model.ops, model.p, model.acts!, inputs, targets, B, T, model.config)!;
  ctx.say(
    {
      en: `Your gptForward's loss on the lab's batch: ${got.toFixed(6)} (lib/: ${
        expected.toFixed(6)
      }).`,
      fr: `La perte de ton gptForward sur le batch du lab : ${got.toFixed(6)} (lib/ : ${
        expected.toFixed(6)
      }).`,
    },
  );
});

const yourBackward = step({
  en: "Exercise 07.4: the backward pass, in reverse",
  fr: "Exercice 07.4 : la passe arrière, à l'envers",
}, async (ctx) => {
  ctx.say({
    en: `
    gptBackward runs gptForward's calls in reverse: the loss's gradient into the logits
    (crossEntropySoftmaxBackward), the head, ln_f, the blocks from the last to the first
    (blockBackward), the embeddings. Why in reverse? A layer's gradient is computed from the
    gradient of its output, and the output is used by the layer after it: the chain rule starts
    at the loss and walks back. Where do gradients add? Wherever one value fed two places. The
    residual stream feeds every block and also passes around it; and wte is read twice, by the
    embedding lookup at the bottom and by the head at the top, so its gradient is the sum of
    both: the head's linearBackward adds into g.wte first, encoderBackward adds to it last.
  `,
    fr: `
    gptBackward refait les appels de gptForward à l'envers : le gradient de la perte dans les
    logits (crossEntropySoftmaxBackward), la tête, ln_f, les blocs du dernier au premier
    (blockBackward), les embeddings. Pourquoi à l'envers ? Le gradient d'une couche se calcule à
    partir du gradient de sa sortie, et cette sortie sert à la couche suivante : la règle de
    dérivation en chaîne part de la perte et remonte. Où les gradients s'additionnent-ils ?
    Partout où une valeur a servi à deux endroits. Le flux résiduel alimente chaque bloc et le
    contourne aussi ; et wte est lu deux fois, par la recherche d'embedding en bas et par la
    tête en haut : son gradient est donc la somme des deux. Le linearBackward de la tête ajoute
    d'abord dans g.wte, encoderBackward y ajoute en dernier.
  `,
  });
  ctx.show(`
  loss ─▶ dlogits ─▶ head (g.wte +=) ─▶ ln_f ─▶ block L−1 ─▶ … ─▶ block 0 ─▶ embeddings (g.wte +=, g.wpe +=)
  `);
  await ctx.exercise<typeof gptBackward>("07.4");
  ctx.say({
    en: "Your backward pass matches lib/'s on every gradient of the check's models.",
    fr:
      "Ta passe arrière concorde avec celle de lib/ sur chaque gradient des modèles de la vérification.",
  });
});

const yourGPTStep = step({ en: "Your GPT", fr: "Ton GPT" }, async (ctx) => {
  const mine = await yourGPT(CATALOG, ["model"], {
    root: ctx.studentRoot,
    reference: ctx.reference,
    check: ctx.check,
  });
  ctx.say({
    en: `
    Your GPT: a model whose table holds your functions wherever your exercise passes, and
    lib/'s elsewhere: new GPT(config, seed, await loadBackend("ts", { own })). It is the same class, so everything of
    lib/ (the trainer, checkpoints, sampling) runs it.
  `,
    fr: `
    Ton GPT : un modèle dont la table contient tes fonctions partout où ton exercice passe, et
    celles de lib/ ailleurs : new GPT(config, seed, await loadBackend("ts", { own })). C'est la
    même classe, donc tout ce qu'offre lib/ (l'entraîneur, les checkpoints, l'échantillonnage)
    le fait tourner.
  `,
  });
  ctx.say(describeYourGPT(mine));
  const yours = new GPT(CONFIG, 0, await loadBackend("ts", { own: mine.ops })),
    library = new GPT(CONFIG, 0);
  const { inputs, targets } = batch();
  const d = compareModels(yours, library, inputs, targets, B, T);
  ctx.table([
    [
      { en: "on the lab's batch, same weights", fr: "sur le batch du lab, mêmes poids" },
      { en: "largest difference from lib/'s model", fr: "plus grand écart avec le modèle de lib/" },
    ],
    ["logits", d.logits.toExponential(1)],
    [{ en: "loss", fr: "perte" }, d.loss.toExponential(1)],
    [{
      en: `every gradient (worst: ${d.worst})`,
      fr: `chaque gradient (le pire : ${d.worst})`,
    }, d.grads.toExponential(1)],
  ]);
  ctx.say({
    en: `
    Float32 rounding alone gives differences near 1e-7; a wrong part would show 1e-2 or more.
    Lab 09 trains your GPT.
  `,
    fr: `
    L'arrondi en float32 donne à lui seul des écarts proches de 1e-7 ; une partie fausse
    donnerait 1e-2 ou plus. Le lab 09 entraîne ton GPT.
  `,
  });
});

/** Lab 07, as the runner sees it. */
export const lab: Lab = {
  id: "07",
  slug: "07_gpt",
  title: { en: "The complete GPT", fr: "Le GPT complet" },
  exercises,
  steps: [
    theModel,
    parameterCount,
    lossAtInit,
    yourLossGradient,
    backwardThroughModel,
    yourLinearBackward,
    descent,
    saving,
    yourForward,
    yourBackward,
    yourGPTStep,
    choices,
  ],
};
