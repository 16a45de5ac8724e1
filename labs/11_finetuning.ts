/**
 * Lab 11 · Fine-tuning: a model pretrained on the corpus adapted to a new style the project
 * writes itself (weekly weather forecasts, all lowercase), two ways side by side — full
 * fine-tuning, which trains every parameter, and LoRA, which freezes them all and trains a
 * low-rank update of each attention and MLP matrix — and three remedies for forgetting (frozen
 * lower layers, a lower learning rate for them, corpus text mixed into the new data). The student
 * writes LoRA's merge, its backward pass and its parameter count; the lab compares trainable
 * parameters, time, the loss on the new style and on the original corpus before and after (what
 * was learned, what was forgotten), samples, and the two ways of saving adapters.
 *
 * Starts from lab 09's best checkpoint when it is there for the same preset and corpus, else
 * trains the preset's model first (once: later runs reuse it). The quick preset takes about a
 * minute; MINIGPT_PRESET=full adapts nanoGPT's baby GPT.
 * @module
 */
import { barChart, lossCurves } from "../lib/charts.ts";
import { loadCheckpoint, saveCheckpoint } from "../lib/train/checkpoint.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { finetune, type FinetuneMethod, type FinetuneResult } from "../lib/train/finetune.ts";
import { generate } from "../lib/model/generate.ts";
import { GPT } from "../lib/model/gpt.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { type Backend, loadBackend } from "../lib/wasm/backend.ts";
import { type Lab, relative, step, type StepContext } from "../lib/course/lab.ts";
import { type Text, tr, verbatim } from "../lib/i18n.ts";
import {
  LORA_TARGETS,
  type loraBackward,
  loraMerge as mergeWeight,
  type loraParameterCount,
} from "../lib/train/lora.ts";
import { loadAdapted, saveAdapters } from "../lib/train/adapters.ts";
import { Rng } from "../lib/random.ts";
import { forecastText, forecastTowns } from "../lib/train/style_data.ts";
import { formatCount, margin, shellCommand } from "../lib/term.ts";
import { saveTokenizer } from "../lib/tokenizer/saved.ts";
import { estimateLoss, type TrainSettings } from "../lib/train/trainer.ts";
import { exercises } from "./catalog/11_finetuning.ts";
import { labCorpus, labDataset, labPreset, labPretrained, PRESET_ENV } from "./setup.ts";

/** How lab 11 fine-tunes: the new style's size, and each method's settings. */
export interface FinetuneSetup {
  /** Weekly forecasts written for training, and for the held-out split. */
  trainForecasts: number;
  heldOutForecasts: number;
  /** Shared by both methods (batches, steps, schedule shape, evaluation). */
  settings: TrainSettings;
  /** Peak learning rates: adapters that start at zero take larger steps. */
  fullLr: number;
  loraLr: number;
  rank: number;
  alpha: number;
  /** Remedies for forgetting, each a full fine-tuning run beside the two above. */
  remedies: Remedies;
}

/** The three remedies the lab measures. */
export interface Remedies {
  /** Embeddings and this many lower blocks: frozen in one run, slowed in another. */
  lowerBlocks: number;
  /** Learning-rate factor of the lower layers in the slowed run. */
  lowerLrScale: number;
  /** Share of the training text that is the original corpus in the mixed run. */
  generalShare: number;
}

const QUICK_SETTINGS: TrainSettings = {
  ...labPreset("quick").settings,
  steps: 1000,
  warmupSteps: 50,
  evalEvery: 50,
  evalBatches: 20,
};

/** The setups of the quick (default) and full presets. */
export const FINETUNE_SETUPS: Record<"quick" | "full", FinetuneSetup> = {
  quick: {
    trainForecasts: 300,
    heldOutForecasts: 40,
    settings: QUICK_SETTINGS,
    fullLr: 1e-3,
    loraLr: 2e-2,
    rank: 4,
    alpha: 8,
    remedies: { lowerBlocks: 1, lowerLrScale: 0.1, generalShare: 0.25 },
  },
  full: {
    trainForecasts: 1000,
    heldOutForecasts: 100,
    settings: { ...labPreset("full").settings, steps: 600, warmupSteps: 30, evalEvery: 50 },
    fullLr: 1e-3,
    loraLr: 5e-3,
    rank: 8,
    alpha: 16,
    remedies: { lowerBlocks: 3, lowerLrScale: 0.1, generalShare: 0.25 },
  },
};

/** Tokens in each sample. */
const SAMPLE_TOKENS = 240;

const exact = (n: number) => formatCount(n);

/** Losses of one model on the two tasks. */
interface Losses {
  style: number;
  corpus: number;
}

/** What the steps hand on to the later ones. */
interface State {
  backend?: Backend;
  pretrained?: { model: GPT; origin: string; dir: string };
  style?: TokenDataset;
  before?: Losses;
  full?: MethodRun;
  lora?: MethodRun;
  frozen?: MethodRun;
  slowed?: MethodRun;
  mixed?: MethodRun;
  mixedData?: TokenDataset;
}

/** A step of this lab: it reads and fills the run's state, with the setup the run uses. */
const setupStep = step<[State, FinetuneSetup]>;

/** Every fine-tuning run of the lab: the two methods, then the three remedies. */
type RunName = "full" | "lora" | "frozen" | "slowed" | "mixed";

/** The new style as a dataset over the corpus's characters: forecasts, and held-out ones. */
async function styleData(state: State, setup: FinetuneSetup): Promise<TokenDataset> {
  if (state.style) return state.style;
  const { tokenizer } = await labDataset();
  const encode = (text: string) => Int32Array.from(tokenizer.encode(text));
  const train = forecastText({ count: setup.trainForecasts, split: "train", seed: 1 });
  const heldOut = forecastText({ count: setup.heldOutForecasts, split: "heldOut", seed: 2 });
  return state.style = TokenDataset.fromSplits(encode(train), encode(heldOut));
}

async function pretrained(ctx: StepContext, state: State) {
  state.backend ??= await loadBackend();
  state.pretrained ??= await labPretrained(ctx, state.backend);
  return state.pretrained;
}

/** The pretrained model's losses on both tasks, measured once. */
async function lossesBefore(ctx: StepContext, state: State, setup: FinetuneSetup) {
  state.before ??= await losses((await pretrained(ctx, state)).model, state, setup);
  return state.before;
}

/** A fresh copy of the pretrained model on the kernels, to fine-tune without touching it. */
async function copyOfPretrained(ctx: StepContext, state: State): Promise<GPT> {
  const { model } = await pretrained(ctx, state);
  const copy = new GPT(model.config, 0, state.backend);
  copy.params.set(model.params);
  return copy;
}

/** Held-out loss on the new style and validation loss on the corpus, on fixed batches. */
async function losses(model: GPT, state: State, setup: FinetuneSetup): Promise<Losses> {
  const s = setup.settings;
  const { data } = await labDataset();
  const style = await styleData(state, setup);
  return {
    style: estimateLoss(model, style, "val", s.batchSize, s.evalBatches, s.seed + 1),
    corpus: estimateLoss(model, data, "val", s.batchSize, s.evalBatches, s.seed + 2),
  };
}

/** 240 characters after `prompt`, temperature 0.8, the same seed for every model. */
async function sampleText(model: GPT, prompt: string): Promise<string> {
  const { tokenizer } = await labDataset();
  const ids = generate(model, tokenizer.encode(prompt), {
    maxTokens: SAMPLE_TOKENS,
    temperature: 0.8,
    seed: 1,
  });
  return prompt + tokenizer.decode(ids);
}

/** The start of a forecast for a town training never saw. */
const STYLE_PROMPT = `forecast for ${forecastTowns("heldOut")[0]}:\n`;

/** The corpus's first line, the start of the text the model was pretrained on. */
async function corpusPrompt(): Promise<string> {
  const { text } = await labCorpus();
  return text.slice(0, text.indexOf("\n") + 1) || text.slice(0, 20);
}

const thePretrainedModel = setupStep({
  en: "A pretrained model",
  fr: "Un modèle pré-entraîné",
}, async (ctx, state, setup) => {
  const { model, origin } = await pretrained(ctx, state);
  const c = model.config;
  const [params, corpus, preset] = [
    exact(model.numParameters),
    (await labCorpus()).name,
    labPreset().name,
  ];
  const other = `${PRESET_ENV}=${preset === "quick" ? "full" : "quick"}`;
  ctx.say({
    en: `
    Pretraining gives a model that knows its corpus; fine-tuning teaches it something new with
    far less data and compute. This lab starts from ${origin}: ${params} parameters (${c.nLayer}
    layers of width ${c.nEmbd}, context ${c.blockSize}), trained on ${corpus} (the ${preset}
    preset; \`${other}\` switches). What it writes after the corpus's first line:
  `,
    fr: `
    Le pré-entraînement donne un modèle qui connaît son corpus ; le fine-tuning lui apprend
    quelque chose de nouveau avec bien moins de données et de calcul. Ce lab part de ${origin} :
    ${params} paramètres (${c.nLayer} couches de largeur ${c.nEmbd}, contexte ${c.blockSize}),
    entraîné sur ${corpus} (le préréglage ${preset} ; \`${other}\` change de préréglage). Ce
    qu'il écrit après la première ligne du corpus :
  `,
  });
  const text = await sampleText(model, await corpusPrompt());
  ctx.show(margin(text, 6));
  const val = (await lossesBefore(ctx, state, setup)).corpus.toFixed(3);
  ctx.say({
    en: `Its validation loss on the corpus: ${val} per character.`,
    fr: `Sa perte de validation sur le corpus : ${val} par caractère.`,
  });
});

const newStyle = setupStep({
  en: "A new style, written by the project",
  fr: "Un nouveau style, écrit par le projet",
}, async (ctx, state, setup) => {
  const style = await styleData(state, setup);
  const [trainChars, heldChars] = [exact(style.train.length), exact(style.val.length)];
  ctx.say({
    en: `
    The new task is a style: weekly weather forecasts, all lowercase, one day per line in a
    fixed order, a small vocabulary — as regular as a list, and unlike anything in the corpus.
    The project writes them itself (lib/train/style_data.ts, seeded), ${setup.trainForecasts}
    weeks for training (${trainChars} characters) and ${setup.heldOutForecasts} held out
    (${heldChars}). Held-out forecasts are for towns training never mentions, so the held-out
    loss measures the style, not remembered names. One of them:
  `,
    fr: `
    La nouvelle tâche est un style : des bulletins météo de la semaine, tout en minuscules, un
    jour par ligne dans un ordre fixe, un petit vocabulaire — aussi régulier qu'une liste, et
    rien de commun avec le corpus. Le projet les écrit lui-même (lib/train/style_data.ts, avec
    une graine), ${setup.trainForecasts} semaines pour l'entraînement (${trainChars} caractères)
    et ${setup.heldOutForecasts} mises de côté (${heldChars}). Les bulletins mis de côté portent
    sur des villes que l'entraînement ne cite jamais : leur perte mesure donc le style, pas des
    noms retenus. L'un d'eux (les bulletins sont en anglais) :
  `,
  });
  ctx.show(margin(forecastText({ count: 1, split: "heldOut", seed: 2 }), 8));
  const { model } = await pretrained(ctx, state);
  const before = await lossesBefore(ctx, state, setup);
  const text = await sampleText(model, STYLE_PROMPT);
  await ctx.sample("before", {
    en: "The pretrained model, asked for a forecast",
    fr: "Le modèle pré-entraîné, à qui l'on demande un bulletin",
  }, text);
  ctx.say({
    en: `
    Before fine-tuning, the model's loss on held-out forecasts is ${before.style.toFixed(3)}
    per character (on its own corpus, ${before.corpus.toFixed(3)}). Asked for a forecast, it
    writes what it knows:
  `,
    fr: `
    Avant le fine-tuning, la perte du modèle sur les bulletins mis de côté est de
    ${before.style.toFixed(3)} par caractère (sur son propre corpus, ${before.corpus.toFixed(3)}).
    Quand on lui demande un bulletin, il écrit ce qu'il connaît :
  `,
  });
  ctx.show(margin(text, 6));
});

/** One method's run: the fine-tuned copy, how training went, and its losses after. */
interface MethodRun {
  model: GPT;
  result: FinetuneResult;
  after: Losses;
}

/**
 * The forecasts for training with a share of the corpus's own training text mixed in (a slice
 * of it, the same every run); the held-out split is the forecasts' alone.
 */
async function mixedData(state: State, setup: FinetuneSetup): Promise<TokenDataset> {
  if (state.mixedData) return state.mixedData;
  const style = await styleData(state, setup);
  const { data } = await labDataset();
  const share = setup.remedies.generalShare;
  const general = Math.min(
    data.train.length,
    Math.round(style.train.length * share / (1 - share)),
  );
  const from = Math.floor((data.train.length - general) / 2);
  const tokens = new Int32Array(style.train.length + general);
  tokens.set(style.train);
  tokens.set(data.train.subarray(from, from + general), style.train.length);
  return state.mixedData = TokenDataset.fromSplits(tokens, style.val);
}

/** A copy of the pretrained model fine-tuned one of the lab's ways, once per process each. */
async function methodRun(
  ctx: StepContext,
  state: State,
  setup: FinetuneSetup,
  kind: RunName,
): Promise<MethodRun> {
  const done = state[kind];
  if (done) return done;
  const model = await copyOfPretrained(ctx, state);
  const lr = kind === "lora" ? setup.loraLr : setup.fullLr;
  const { lowerBlocks, lowerLrScale } = setup.remedies;
  const method: FinetuneMethod = kind === "lora"
    ? { kind, options: { rank: setup.rank, alpha: setup.alpha } }
    : kind === "frozen"
    ? { kind: "full", lower: { blocks: lowerBlocks, lrScale: 0 } }
    : kind === "slowed"
    ? { kind: "full", lower: { blocks: lowerBlocks, lrScale: lowerLrScale } }
    : { kind: "full" };
  const result = finetune({
    model,
    data: kind === "mixed" ? await mixedData(state, setup) : await styleData(state, setup),
    settings: { ...setup.settings, maxLr: lr, minLr: lr / 10 },
    method,
    progress: quietProgress,
  });
  return state[kind] = { model, result, after: await losses(model, state, setup) };
}

/** What each run is called in the tables and charts. */
function runTitle(kind: RunName, setup: FinetuneSetup): Text {
  const { lowerBlocks: b, lowerLrScale, generalShare } = setup.remedies;
  const lower = b === 1 ? "embeddings + block 0" : `embeddings + blocks 0–${b - 1}`;
  const lowerFr = b === 1 ? "embeddings + bloc 0" : `embeddings + blocs 0–${b - 1}`;
  const share = Math.round(generalShare * 100);
  return {
    full: FULL,
    lora: verbatim(`LoRA r=${setup.rank}`),
    frozen: { en: `full, ${lower} frozen`, fr: `complet, ${lowerFr} gelés` },
    slowed: {
      en: `full, ${lower} at ${lowerLrScale}× lr`,
      fr: `complet, ${lowerFr} à ${lowerLrScale}× le taux`,
    },
    mixed: {
      en: `full, ${share}% corpus text mixed in`,
      fr: `complet, ${share} % de texte du corpus mêlé`,
    },
  }[kind];
}

const RUNS: RunName[] = ["full", "lora", "frozen", "slowed", "mixed"];

/** Fine-tuning runs take seconds: their evaluations are the curve the lab draws afterwards. */
function quietProgress() {}

/** One method's numbers as a table row. */
function resultRow(name: string | Text, before: Losses, run: MethodRun) {
  const arrow = (a: number, b: number) => `${a.toFixed(3)} → ${b.toFixed(3)}`;
  return [
    name,
    exact(run.result.trainable),
    `${run.result.seconds.toFixed(1)} s`,
    arrow(before.style, run.after.style),
    arrow(before.corpus, run.after.corpus),
  ];
}

const HEADER: Text[] = [
  { en: "method", fr: "méthode" },
  { en: "trainable", fr: "entraînables" },
  { en: "time", fr: "durée" },
  { en: "new style (held out)", fr: "nouveau style (mis de côté)" },
  { en: "corpus (validation)", fr: "corpus (validation)" },
];
const FULL: Text = { en: "full fine-tuning", fr: "fine-tuning complet" };

const fullFinetuning = setupStep({
  en: "Full fine-tuning, and what it forgets",
  fr: "Le fine-tuning complet, et ce qu'il oublie",
}, async (ctx, state, setup) => {
  const s = setup.settings;
  const T = (await pretrained(ctx, state)).model.config.blockSize;
  const smaller = setup.fullLr < labPreset().settings.maxLr;
  const pretrainLr = labPreset().settings.maxLr;
  ctx.say({
    en: `
    The plain way: keep training. Every parameter moves, with the same step as pretraining
    (lib/train/step.ts's trainStep: forward, backward, clipping, AdamW), now on batches of
    forecasts: ${
      formatCount(s.steps)
    } steps of ${s.batchSize} windows of ${T} characters, warmup then cosine
    decay from a peak of ${setup.fullLr}${
      smaller
        ? ` (pretraining's was ${pretrainLr}: smaller steps, so as not to wreck what the model
         knows)`
        : ""
    }.
  `,
    fr: `
    La méthode simple : continuer l'entraînement. Chaque paramètre bouge, avec le même pas qu'au
    pré-entraînement (le trainStep de lib/train/step.ts : passe avant, passe arrière,
    écrêtage, AdamW), désormais sur des batchs de bulletins : ${
      formatCount(s.steps)
    } pas de ${s.batchSize}
    fenêtres de ${T} caractères, montée progressive puis décroissance en cosinus depuis un pic de
    ${setup.fullLr}${
      smaller
        ? ` (celui du pré-entraînement était de ${pretrainLr} : des pas plus petits, pour ne pas
         saccager ce que le modèle sait)`
        : ""
    }.
  `,
  });
  const run = await methodRun(ctx, state, setup, "full");
  const before = await lossesBefore(ctx, state, setup);
  ctx.table([HEADER, resultRow(FULL, before, run)]);
  const [s0, s1] = [before.style.toFixed(3), run.after.style.toFixed(3)];
  const [c0, c1] = [before.corpus.toFixed(3), run.after.corpus.toFixed(3)];
  const rose = run.after.corpus > before.corpus;
  ctx.say({
    en: `
    The new style's loss fell from ${s0} to ${s1}. ${
      rose
        ? `The price is on the right: the corpus's loss went from ${c0} to ${c1}. Nothing held
         the old weights in place, so what the model knew of the corpus was partly overwritten:
         catastrophic forgetting, in small.`
        : `The corpus's loss did not rise (${c0} → ${c1}): this time the new style cost nothing
         of the old.`
    }
  `,
    fr: `
    La perte du nouveau style est tombée de ${s0} à ${s1}. ${
      rose
        ? `Le prix est à droite : la perte du corpus est passée de ${c0} à ${c1}. Rien ne tenait
         les anciens poids en place : ce que le modèle savait du corpus a été en partie
         écrasé, l'oubli catastrophique en miniature.`
        : `La perte du corpus n'a pas augmenté (${c0} → ${c1}) : cette fois, le nouveau style
         n'a rien coûté à l'ancien.`
    }
  `,
  });
});

const yourMerge = setupStep({
  en: "Exercise 11.1: LoRA's merge, W0 + (α/r)·B·A",
  fr: "Exercice 11.1 : la fusion de LoRA, W0 + (α/r)·B·A",
}, async (ctx, state, setup) => {
  ctx.say({
    en: `
    LoRA (low-rank adaptation, Hu et al. 2021) bets that the change fine-tuning needs is
    simple. It freezes every pretrained weight W0 (OC, C) and learns the change as a product
    of two thin matrices, B (OC, r) and A (r, C), with a rank r far below C:
  `,
    fr: `
    LoRA (low-rank adaptation, Hu et al. 2021) parie que le changement dont le fine-tuning a
    besoin est simple. Il gèle chaque poids pré-entraîné W0 (OC, C) et apprend le changement
    comme le produit de deux matrices minces, B (OC, r) et A (r, C), de rang r bien inférieur à
    C :
  `,
  });
  ctx.show("W = W0 + (α / r) · B · A");
  ctx.say({
    en: `
    A starts small and random, B at zero, so at step 0 the model is exactly the pretrained
    one. α / r scales the update so that trying another rank needs no new learning rate. Here
    r = ${setup.rank} and α = ${setup.alpha}, on the four matrices of every block:
    ${LORA_TARGETS.join(", ")}. Write loraMerge, which computes W.
  `,
    fr: `
    A part petite et aléatoire, B à zéro : au pas 0, le modèle est donc exactement le modèle
    pré-entraîné. α / r met la mise à jour à l'échelle, pour qu'essayer un autre rang ne demande
    pas de nouveau taux d'apprentissage. Ici r = ${setup.rank} et α = ${setup.alpha}, sur les
    quatre matrices de chaque bloc : ${LORA_TARGETS.join(", ")}. Écris loraMerge, qui calcule W.
  `,
  });
  const merge = await ctx.exercise<typeof mergeWeight>("11.1");
  const { model } = await pretrained(ctx, state);
  const w0 = model.p.h[0].attn.c_attn.weight;
  const C = model.config.nEmbd, OC = 3 * C, r = setup.rank;
  const A = new Float32Array(r * C).fill(0.1), B = new Float32Array(OC * r);
  const w = new Float32Array(w0.length);
  merge(w, w0, A, B, setup.alpha / r, OC, C, r);
  const same = w.every((x, i) => x === w0[i]);
  B.fill(0.01);
  merge(w, w0, A, B, setup.alpha / r, OC, C, r);
  const moved = w[0] - w0[0];
  const [m5, expected] = [moved.toFixed(5), (setup.alpha * 0.001).toFixed(5)];
  ctx.say({
    en: `
    Your loraMerge on block 0's c_attn (${OC}×${C}): with B = 0 the weight is ${
      same ? "unchanged, bit for bit" : "NOT unchanged"
    }; with every entry of A 0.1 and of B 0.01, each weight moves by ${m5}
    (α/r · r · 0.1 · 0.01 = ${expected}).

    That merge is also how training runs: before each step the library writes W0 + (α/r)·B·A
    into the model's own weights, so the forward and backward passes are the pretrained
    model's, on the same SIMD kernels, unchanged.
  `,
    fr: `
    Ton loraMerge sur le c_attn du bloc 0 (${OC}×${C}) : avec B = 0, le poids est ${
      same ? "inchangé, au bit près" : "PAS inchangé"
    } ; avec toutes les entrées de A à 0,1 et de B à 0,01, chaque poids bouge de ${m5}
    (α/r · r · 0,1 · 0,01 = ${expected}).

    C'est aussi ainsi que tourne l'entraînement : avant chaque pas, la bibliothèque écrit
    W0 + (α/r)·B·A dans les poids mêmes du modèle, si bien que les passes avant et arrière sont
    celles du modèle pré-entraîné, sur les mêmes noyaux SIMD, sans changement.
  `,
  });
});

const yourBackward = setupStep({
  en: "Exercise 11.2: the gradients of A and B",
  fr: "Exercice 11.2 : les gradients de A et de B",
}, async (ctx, state, setup) => {
  ctx.say({
    en: `
    The model's backward pass gives dW, how the loss changes with each entry of the merged W.
    A and B reach the loss only through W, so the chain rule gives theirs:
  `,
    fr: `
    La passe arrière du modèle donne dW, la variation de la perte avec chaque entrée du W
    fusionné. A et B n'atteignent la perte qu'à travers W : la règle de dérivation en chaîne
    donne donc les leurs :
  `,
  });
  ctx.show("dA = (α / r) · Bᵀ · dW        dB = (α / r) · dW · Aᵀ");
  ctx.say({
    en: `
    Write loraBackward. The optimizer then updates A and B only, and keeps its two moments for
    them only: that is where LoRA saves memory.
  `,
    fr: `
    Écris loraBackward. L'optimiseur ne met ensuite à jour que A et B, et ne garde ses deux
    moments que pour eux : c'est là que LoRA économise de la mémoire.
  `,
  });
  const backward = await ctx.exercise<typeof loraBackward>("11.2");
  // A copy, so that the probes below leave the pretrained weights alone.
  const model = await copyOfPretrained(ctx, state);
  const C = model.config.nEmbd, OC = 4 * C, r = setup.rank, s = setup.alpha / r;
  const w = model.p.h[0].mlp.c_fc.weight, w0 = w.slice();
  const A = new Float32Array(r * C).map((_, i) => Math.sin(i) / Math.sqrt(C));
  const B = new Float32Array(OC * r).map((_, i) => 0.05 * Math.cos(i));
  const style = await styleData(state, setup);
  const { inputs, targets } = style.batch("train", 4, model.config.blockSize, new Rng(7));
  // The library's merge writes W, so only the student's backward is on trial here.
  const loss = () => {
    mergeWeight(w, w0, A, B, s, OC, C, r);
    return model.forward(inputs, targets, 4, model.config.blockSize)!;
  };
  loss();
  model.zeroGrad();
  model.backward();
  const dA = new Float32Array(r * C), dB = new Float32Array(OC * r);
  backward(dA, dB, model.g.h[0].mlp.c_fc.weight, A, B, s, OC, C, r);
  const checkA = gradCheck(loss, A, dA, { h: 1e-3, samples: 6, seed: 1 });
  const checkB = gradCheck(loss, B, dB, { h: 1e-2, samples: 6, seed: 2 });
  ctx.table([
    [
      { en: "entry", fr: "entrée" },
      { en: "your gradient", fr: "ton gradient" },
      { en: "finite difference", fr: "différence finie" },
    ],
    ...checkA.indices.slice(0, 3).map((i, j) => [
      `A[${i}]`,
      checkA.analytic[j].toExponential(3),
      checkA.numeric[j].toExponential(3),
    ]),
    ...checkB.indices.slice(0, 3).map((i, j) => [
      `B[${i}]`,
      checkB.analytic[j].toExponential(3),
      checkB.numeric[j].toExponential(3),
    ]),
  ]);
  const [eA, eB] = [checkA.relativeError.toExponential(1), checkB.relativeError.toExponential(1)];
  ctx.say({
    en: `
    On block 0's c_fc with random A and B, your gradients agree with the slope of the loss
    measured by finite differences: relative error ${eA} for A and ${eB} for B (float32
    rounding is around 1e-3).
  `,
    fr: `
    Sur le c_fc du bloc 0 avec des A et B aléatoires, tes gradients concordent avec la pente de
    la perte mesurée par différences finies : erreur relative ${eA} pour A et ${eB} pour B
    (l'arrondi float32 donne environ 1e-3).
  `,
  });
});

const yourCount = setupStep({
  en: "Exercise 11.3: what LoRA trains",
  fr: "Exercice 11.3 : ce que LoRA entraîne",
}, async (ctx, state, setup) => {
  ctx.say({
    en: `
    How much smaller is the job? Write loraParameterCount: the numbers LoRA trains on a model
    of width C with L blocks.
  `,
    fr: `
    De combien la tâche rétrécit-elle ? Écris loraParameterCount : le nombre de valeurs que LoRA
    entraîne sur un modèle de largeur C à L blocs.
  `,
  });
  const count = await ctx.exercise<typeof loraParameterCount>("11.3");
  const { model } = await pretrained(ctx, state);
  const C = model.config.nEmbd, L = model.config.nLayer;
  const ranks = [...new Set([2, setup.rank, 4 * setup.rank])].filter((r) => r <= C);
  const rows = [
    { method: tr(FULL), parameters: model.numParameters },
    ...ranks.map((r) => ({
      method: `LoRA r=${r}`,
      parameters: count(C, L, r, [...LORA_TARGETS]),
    })),
  ];
  await ctx.chart(
    "trainable_parameters",
    barChart({
      title: tr({
        en: "Parameters each method trains (each also gets two AdamW moments)",
        fr: "Paramètres entraînés par chaque méthode (chacun avec deux moments AdamW)",
      }),
      data: rows.map((d) => ({ ...d, label: formatCount(d.parameters) })),
      category: "method",
      value: "parameters",
      categoryTitle: tr({ en: "method", fr: "méthode" }),
      valueTitle: tr({ en: "trainable parameters", fr: "paramètres entraînables" }),
      log: true,
      label: "label",
    }),
  );
  const ours = count(C, L, setup.rank, [...LORA_TARGETS]);
  const [oursText, share, all] = [
    exact(ours),
    (100 * ours / model.numParameters).toFixed(1),
    exact(model.numParameters),
  ];
  ctx.say({
    en: `
    At rank ${setup.rank}, LoRA trains ${oursText} numbers, ${share}% of the model's ${all}. The
    share shrinks as models grow: the adapters grow with the width, the matrices with its
    square. For a GPT-3-sized model LoRA trains thousands of times fewer numbers, and a
    fine-tuned "model" is a file of a few megabytes beside a shared base.
  `,
    fr: `
    Au rang ${setup.rank}, LoRA entraîne ${oursText} valeurs, ${share} % des ${all} du modèle.
    Cette part rétrécit quand les modèles grandissent : les adaptateurs croissent comme la
    largeur, les matrices comme son carré. Pour un modèle de la taille de GPT-3, LoRA entraîne
    des milliers de fois moins de valeurs, et un « modèle » après fine-tuning tient dans un
    fichier de quelques mégaoctets posé à côté d'une base partagée.
  `,
  });
});

const loraFinetuning = setupStep({
  en: "LoRA fine-tuning",
  fr: "Le fine-tuning LoRA",
}, async (ctx, state, setup) => {
  ctx.say({
    en: `
    Now LoRA on another copy of the same pretrained model: the same batches, steps and
    schedule, a peak learning rate of ${setup.loraLr} (adapters that start at zero need larger
    steps to move as far), every pretrained weight frozen — embeddings and LayerNorms too.
  `,
    fr: `
    Maintenant LoRA, sur une autre copie du même modèle pré-entraîné : les mêmes batchs, pas et
    planning, un taux d'apprentissage de pointe de ${setup.loraLr} (des adaptateurs qui partent
    de zéro ont besoin de plus grands pas pour aller aussi loin), chaque poids pré-entraîné
    gelé — embeddings et LayerNorm compris.
  `,
  });
  const run = await methodRun(ctx, state, setup, "lora");
  const before = await lossesBefore(ctx, state, setup);
  ctx.table([HEADER, resultRow(`LoRA r=${setup.rank}`, before, run)]);
  const full = await methodRun(ctx, state, setup, "full");
  const [tLora, tFull] = [run.result.seconds.toFixed(1), full.result.seconds.toFixed(1)];
  const [nLora, nAll] = [exact(run.result.trainable), exact(run.model.numParameters)];
  ctx.say({
    en: `
    LoRA's ${tLora} s against full fine-tuning's ${tFull} s: no faster, because the backward
    pass here still computes every dW (LoRA's gradients come from it), and merging and the chain
    rule add a little. What LoRA saves is memory: the optimizer keeps moments for ${nLora}
    numbers instead of ${nAll}. Libraries that never form dW for frozen weights save time as
    well.
  `,
    fr: `
    ${tLora} s pour LoRA contre ${tFull} s pour le fine-tuning complet : pas plus rapide, car la
    passe arrière calcule ici encore chaque dW (les gradients de LoRA en découlent), et la
    fusion comme la règle de dérivation en chaîne ajoutent un peu. Ce que LoRA économise, c'est
    la mémoire : l'optimiseur garde des moments pour ${nLora} valeurs au lieu de ${nAll}. Les
    bibliothèques qui ne forment jamais dW pour les poids gelés gagnent aussi du temps.
  `,
  });
});

const remedies = setupStep({
  en: "Remedies for forgetting: freeze, slow down, mix",
  fr: "Contre l'oubli : geler, ralentir, mêler",
}, async (ctx, state, setup) => {
  const { lowerBlocks, lowerLrScale, generalShare } = setup.remedies;
  const L = (await pretrained(ctx, state)).model.config.nLayer;
  const share = Math.round(generalShare * 100);
  ctx.say({
    en: `
    LoRA is one answer to forgetting; three older ones keep full fine-tuning and limit what
    it may overwrite. Each runs here on a fresh copy of the same pretrained model, with full
    fine-tuning's steps, batches and peak learning rate:

    Freezing the lower layers. The first blocks compute general features of text (which
    character follows which); the upper ones combine them for the task. Here the embeddings
    and ${lowerBlocks} of the ${L} blocks get no update at all. Our head is tied to the token
    embeddings, so freezing them freezes the output layer too.

    A lower learning rate for the lower layers (discriminative fine-tuning, ULMFiT 2018): the
    same layers move, at ${lowerLrScale} times the rate of the others.

    Mixing general text into the new data (rehearsal): ${share}% of the training text is the
    original corpus, so each batch keeps reminding the model of it.
  `,
    fr: `
    LoRA est une réponse à l'oubli ; trois réponses plus anciennes gardent le fine-tuning
    complet et limitent ce qu'il peut écraser. Chacune tourne ici sur une copie neuve du même
    modèle pré-entraîné, avec les pas, les batchs et le taux d'apprentissage de pointe du
    fine-tuning complet :

    Geler les couches basses. Les premiers blocs calculent des caractéristiques générales du
    texte (quel caractère suit quel autre) ; les blocs du haut les combinent pour la tâche.
    Ici, les embeddings et ${lowerBlocks} des ${L} blocs ne reçoivent aucune mise à jour. Notre
    tête de sortie est liée aux embeddings de tokens : les geler gèle aussi la couche de sortie.

    Un taux d'apprentissage plus bas pour les couches basses (le fine-tuning discriminant,
    ULMFiT 2018) : les mêmes couches bougent, à ${lowerLrScale} fois le taux des autres.

    Mêler du texte général aux nouvelles données (la répétition) : ${share} % du texte
    d'entraînement vient du corpus d'origine, si bien que chaque batch le rappelle au modèle.
  `,
  });
  const before = await lossesBefore(ctx, state, setup);
  const full = await methodRun(ctx, state, setup, "full");
  const rows: (string | number | Text)[][] = [
    HEADER,
    resultRow(runTitle("full", setup), before, full),
  ];
  const verdicts: Text[] = [];
  let trades = 0;
  for (const kind of ["frozen", "slowed", "mixed"] as const) {
    const run = await methodRun(ctx, state, setup, kind);
    if (run.after.corpus < full.after.corpus && run.after.style > full.after.style) trades++;
    rows.push(resultRow(runTitle(kind, setup), before, run));
    const by = (a: number, b: number) => Math.abs(a - b).toFixed(3);
    const [corpus, style] = [run.after.corpus, run.after.style];
    const [fullCorpus, fullStyle] = [full.after.corpus, full.after.style];
    const title = runTitle(kind, setup);
    verdicts.push({
      en: `${title.en}: the corpus's loss ends ${by(corpus, fullCorpus)} ${
        corpus < fullCorpus ? "lower" : "higher"
      } than after full fine-tuning, the new style's ${by(style, fullStyle)} ${
        style < fullStyle ? "lower" : "higher"
      }.`,
      fr: `${title.fr} : la perte du corpus finit ${by(corpus, fullCorpus)} plus ${
        corpus < fullCorpus ? "bas" : "haut"
      } qu'après le fine-tuning complet, celle du nouveau style ${by(style, fullStyle)} plus ${
        style < fullStyle ? "bas" : "haut"
      }.`,
    });
  }
  ctx.table(rows);
  ctx.say({
    en: verdicts.map((v) => v.en).join("\n\n"),
    fr: verdicts.map((v) => v.fr).join("\n\n"),
  });
  ctx.say({
    en: `
    ${
      trades === 3
        ? "Each remedy"
        : `${trades} of the 3 remedies`
    } traded some of the new style for some of the old corpus here; which trade is worth it
    depends on whether the old skill still matters. Mixing costs data from the old task,
    freezing costs the capacity of the frozen layers, and all three are cheap to try. The next
    step sets them beside LoRA.
  `,
    fr: `
    ${
      trades === 3
        ? "Chaque remède a"
        : `${trades} remèdes sur 3 ont`
    } échangé ici un peu du nouveau style contre un peu de l'ancien corpus ; quel échange en
    vaut la peine dépend de l'importance que garde l'ancienne compétence. Mêler coûte des
    données de l'ancienne tâche, geler coûte la capacité des couches gelées, et les trois
    s'essaient à peu de frais. L'étape suivante les place à côté de LoRA.
  `,
  });
});

const sideBySide = setupStep({
  en: "Side by side: learned and forgotten",
  fr: "Côte à côte : appris et oublié",
}, async (ctx, state, setup) => {
  const runs: [Text, MethodRun][] = [];
  for (const kind of RUNS) {
    runs.push([runTitle(kind, setup), await methodRun(ctx, state, setup, kind)]);
  }
  const [full, lora] = [runs[0][1], runs[1][1]];
  const before = await lossesBefore(ctx, state, setup);
  ctx.table([HEADER, ...runs.map(([name, run]) => resultRow(name, before, run))]);
  const models: [string, Losses][] = [
    [tr({ en: "pretrained", fr: "pré-entraîné" }), before],
    ...runs.map(([name, run]): [string, Losses] => [tr(name), run.after]),
  ];
  await ctx.chart(
    "loss_before_after",
    barChart({
      title: tr({
        en: "Loss on both tasks, before and after fine-tuning",
        fr: "Perte sur les deux tâches, avant et après le fine-tuning",
      }),
      data: [tr(HEADER[3]), tr(HEADER[4])].flatMap((task, t) =>
        models.map(([model, l]) => ({ task, model, loss: t === 0 ? l.style : l.corpus }))
      ),
      category: "task",
      value: "loss",
      categoryTitle: tr({ en: "task", fr: "tâche" }),
      valueTitle: tr({ en: "cross-entropy per character", fr: "entropie croisée par caractère" }),
      group: "model",
      groupTitle: tr({ en: "model", fr: "modèle" }),
    }),
  );
  await ctx.chart(
    "finetuning_curves",
    lossCurves({
      title: {
        en: "Held-out loss on the new style during fine-tuning",
        fr: "Perte sur le nouveau style (mis de côté) pendant le fine-tuning",
      },
      curves: runs.map(([method, run]) => [method, run.result.heldOut]),
      lossTitle: { en: "held-out loss", fr: "perte (mis de côté)" },
      curveTitle: { en: "method", fr: "méthode" },
    }),
  );
  const learned = (run: typeof full) => before.style - run.after.style;
  const forgot = (run: typeof full) => run.after.corpus - before.corpus;
  const [lf, ll] = [learned(full).toFixed(3), learned(lora).toFixed(3)];
  const [ff, fl] = [forgot(full).toFixed(3), forgot(lora).toFixed(3)];
  const fullLearnsMore = learned(full) > learned(lora),
    loraForgetsLess = forgot(lora) < forgot(full);
  const quick = labPreset().name === "quick", steps = labPreset().settings.steps;
  ctx.say({
    en: `
    Learned (drop of the new style's loss): full ${lf}, LoRA ${ll}. Forgotten (rise of the
    corpus's loss): full ${ff}, LoRA ${fl}. ${
      fullLearnsMore
        ? `Full fine-tuning, free to move every number, learns the style further;`
        : `LoRA learns the style as far as full fine-tuning;`
    } ${
      loraForgetsLess
        ? `LoRA, whose update is confined to a few directions of each matrix, forgets less.`
        : `here LoRA forgets as much, or more.`
    } LoRA can only steer the features the base model already computes, through frozen
    embeddings: the less pretrained the base${
      quick ? ` (the quick preset's saw ${steps} steps)` : ""
    }, the less it has to steer. On large pretrained models, whose features suit most tasks,
    LoRA usually comes close to full fine-tuning.
  `,
    fr: `
    Appris (baisse de la perte du nouveau style) : complet ${lf}, LoRA ${ll}. Oublié (hausse de
    la perte du corpus) : complet ${ff}, LoRA ${fl}. ${
      fullLearnsMore
        ? `Le fine-tuning complet, libre de bouger chaque valeur, apprend le style plus loin ;`
        : `LoRA apprend le style aussi loin que le fine-tuning complet ;`
    } ${
      loraForgetsLess
        ? `LoRA, dont la mise à jour est confinée à quelques directions de chaque matrice, oublie
         moins.`
        : `ici LoRA oublie autant, voire plus.`
    } LoRA ne peut qu'orienter les caractéristiques que le modèle de base calcule déjà, à
    travers des embeddings gelés : moins la base est pré-entraînée${
      quick ? ` (celle du préréglage quick n'a vu que ${steps} pas)` : ""
    }, moins il y a à orienter. Sur de grands modèles pré-entraînés, dont les caractéristiques
    conviennent à la plupart des tâches, LoRA approche d'ordinaire le fine-tuning complet.
  `,
  });
  const least = runs.reduce((a, b) => (forgot(b[1]) < forgot(a[1]) ? b : a));
  const most = runs.reduce((a, b) => (learned(b[1]) > learned(a[1]) ? b : a));
  ctx.say({
    en: `
    Of the ${runs.length} runs, ${least[0].en} forgot least (${forgot(least[1]).toFixed(3)}) and
    ${most[0].en} learned most (${learned(most[1]).toFixed(3)}).
  `,
    fr: `
    Des ${runs.length} entraînements, « ${least[0].fr} » a le moins oublié
    (${forgot(least[1]).toFixed(3)}) et « ${most[0].fr} » a le plus appris
    (${learned(most[1]).toFixed(3)}).
  `,
  });
});

const samples = setupStep({
  en: "Samples before and after",
  fr: "Extraits avant et après",
}, async (ctx, state, setup) => {
  const { model } = await pretrained(ctx, state);
  const full = await methodRun(ctx, state, setup, "full"),
    lora = await methodRun(ctx, state, setup, "lora");
  const prompt = await corpusPrompt();
  const runs: [string, Text, GPT][] = [
    ["pretrained", { en: "the pretrained model", fr: "du modèle pré-entraîné" }, model],
    ["full", { en: "after full fine-tuning", fr: "après le fine-tuning complet" }, full.model],
    ["lora", {
      en: `after LoRA (r=${setup.rank})`,
      fr: `après LoRA (r=${setup.rank})`,
    }, lora.model],
  ];
  for (const [name, title, m] of runs) {
    const style = await sampleText(m, STYLE_PROMPT), corpus = await sampleText(m, prompt);
    if (name !== "pretrained") {
      await ctx.sample(`after_${name}`, {
        en: `A forecast ${title.en}`,
        fr: `Un bulletin ${title.fr}`,
      }, style);
    }
    await ctx.sample(`corpus_${name}`, {
      en: `The corpus's first line, continued ${title.en}`,
      fr: `La première ligne du corpus, continuée ${
        name === "pretrained" ? "par le modèle pré-entraîné" : title.fr
      }`,
    }, corpus);
    ctx.say({
      en: `${title.en[0].toUpperCase()}${title.en.slice(1)}, asked for a forecast:`,
      fr: name === "pretrained"
        ? "Le modèle pré-entraîné, à qui l'on demande un bulletin :"
        : `${title.fr[0].toUpperCase()}${title.fr.slice(1)}, à la demande d'un bulletin :`,
    });
    ctx.show(margin(style, 5));
  }
  ctx.say({
    en: `
    The same prompts and the same sampling seed for all three (the report holds each sample in
    full, and each model continuing the corpus's first line, where forgetting shows).
  `,
    fr: `
    Les mêmes prompts et la même graine d'échantillonnage pour les trois (le compte rendu garde
    chaque extrait en entier, ainsi que chaque modèle continuant la première ligne du corpus,
    là où l'oubli se voit).
  `,
  });
});

const saving = setupStep({
  en: "Saving: merged, or kept apart",
  fr: "Enregistrer : fusionné, ou à part",
}, async (ctx, state, setup) => {
  const { dir } = await pretrained(ctx, state);
  const lora = await methodRun(ctx, state, setup, "lora");
  const { tokenizer } = await labDataset();
  const merged = `${ctx.outDir}/lora_merged`, adapters = `${ctx.outDir}/lora/adapters.safetensors`;
  await saveCheckpoint(merged, {
    model: lora.model,
    tokenizer: saveTokenizer(tokenizer),
    optimizer: null,
    state: null,
  });
  await Deno.mkdir(`${ctx.outDir}/lora`, { recursive: true });
  await saveAdapters(adapters, lora.result.lora!, dir);
  const a = await loadCheckpoint(merged), b = await loadAdapted(adapters);
  const T = a.model.config.blockSize;
  const ids = Int32Array.from(tokenizer.encode(STYLE_PROMPT).slice(0, T));
  a.model.forward(ids, null, 1, ids.length);
  b.model.forward(ids, null, 1, ids.length);
  const identical = a.model.acts!.logits.every((x, i) => x === b.model.acts!.logits[i]);
  const size = async (path: string) => exact((await Deno.stat(path)).size);
  // $'…\n' in bash and zsh: the prompt ends with a real newline, as in the forecasts.
  const promptFlag = ["--prompt", STYLE_PROMPT];
  ctx.table([
    [
      { en: "saved as", fr: "enregistré comme" },
      { en: "file", fr: "fichier" },
      { en: "bytes", fr: "octets" },
    ],
    [
      { en: "merged checkpoint", fr: "checkpoint fusionné" },
      relative(`${merged}/model.safetensors`),
      await size(`${merged}/model.safetensors`),
    ],
    [{ en: "adapters apart", fr: "adaptateurs à part" }, relative(adapters), await size(adapters)],
  ]);
  ctx.say({
    en: `
    Two ways to keep a LoRA model. Merged: W0 + (α/r)·B·A written into the weights, a normal
    checkpoint that any tool reads, as fast as the base model — sample it with
  `,
    fr: `
    Deux façons de garder un modèle LoRA. Fusionné : W0 + (α/r)·B·A écrit dans les poids, un
    checkpoint ordinaire que tout outil sait lire, aussi rapide que le modèle de base —
    échantillonne-le avec
  `,
  });
  ctx.show(shellCommand(["deno", "task", "sample", "--ckpt", relative(merged), ...promptFlag]));
  ctx.say({
    en: `
    Kept apart: only A and B (PEFT's tensor names), with the rank, α, the model config and the
    path of the base checkpoint in the file's metadata; loading reads the base and merges the
    adapters in. One base can then carry many small adapters, one per task. Reloaded both
    ways, the model gives ${
      identical ? "identical logits, bit for bit" : "DIFFERENT logits"
    } on the forecast prompt; adapters for a model of another shape are refused in one
    sentence. Sample the adapted model straight from its adapters with
  `,
    fr: `
    À part : seulement A et B (avec les noms de tenseurs de PEFT), le rang, α, la configuration
    du modèle et le chemin du checkpoint de base dans les métadonnées du fichier ; le chargement
    lit la base et y fusionne les adaptateurs. Une même base peut alors porter beaucoup de
    petits adaptateurs, un par tâche. Rechargé des deux façons, le modèle donne ${
      identical ? "des logits identiques, au bit près" : "des logits DIFFÉRENTS"
    } sur le prompt du bulletin ; des adaptateurs prévus pour un modèle d'une autre forme sont
    refusés en une phrase. Échantillonne le modèle adapté directement depuis ses adaptateurs
    avec
  `,
  });
  ctx.show(
    shellCommand(["deno", "task", "sample", "--adapters", relative(adapters), ...promptFlag]),
  );
});

/**
 * Lab 11 with a given setup; the course runs {@link lab} (the setup of MINIGPT_PRESET), the
 * tests a shorter one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FINETUNE_SETUPS, makeLab } from "./11_finetuning.ts";
 * assert.equal(makeLab(FINETUNE_SETUPS.quick).id, "11");
 * ```
 */
export function makeLab(setup?: FinetuneSetup): Lab {
  const state: State = {};
  const chosen = () => setup ?? FINETUNE_SETUPS[labPreset().name];
  return {
    id: "11",
    slug: "11_finetuning",
    title: {
      en: "Fine-tuning: full and LoRA, side by side",
      fr: "Le fine-tuning : complet et LoRA, côte à côte",
    },
    exercises,
    steps: [
      thePretrainedModel,
      newStyle,
      fullFinetuning,
      yourMerge,
      yourBackward,
      yourCount,
      loraFinetuning,
      remedies,
      sideBySide,
      samples,
      saving,
    ].map((s) => step(s.title, (ctx) => s.run(ctx, state, chosen()))),
  };
}

/** Lab 11, as the runner sees it. */
export const lab: Lab = makeLab();
