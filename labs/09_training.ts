/**
 * Lab 09 · Training: the learning-rate schedule, gradient clipping and AdamW, written by the
 * student and run as a small training loop; then a real run of the library's trainer, with
 * evaluation on both splits and perplexity beside each loss, its metrics log drawn as loss,
 * perplexity, learning-rate and throughput curves, checkpoints that reload to the same validation
 * loss, and a resume that continues the loss curve bit for bit.
 *
 * The quick preset trains a small model in seconds; MINIGPT_PRESET=full trains nanoGPT's baby GPT.
 * @module
 */
import { lineChart, lossCurves } from "../lib/charts.ts";
import { type GPTConfig } from "../lib/model/config.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import { generate } from "../lib/model/generate.ts";
import { GPT } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { type Lab, step, type StepContext } from "../lib/course/lab.ts";
import { type Text, tr, verbatim } from "../lib/i18n.ts";
import { Rng } from "../lib/random.ts";
import { formatCount } from "../lib/term.ts";
import { saveTokenizer } from "../lib/tokenizer/saved.ts";
import { runExport } from "../lib/train/export.ts";
import { findTorch, INSTALL_TORCH, torchLogitsDiff } from "../lib/train/pytorch.ts";
import {
  estimateLoss,
  lossWithPerplexity,
  type Metric,
  perplexity,
  train,
  type TrainResult,
  type TrainSettings,
} from "../lib/train/trainer.ts";
import { decayGroups } from "../lib/train/step.ts";
import type { adamwStep, clipGradNorm } from "../lib/layers/adamw.ts";
import type { learningRate } from "../lib/train/schedule.ts";
import { exercises } from "./catalog/09_training.ts";
import { CATALOG } from "./catalog/mod.ts";
import { describeYourGPT, yourGPT } from "../lib/course/your_gpt.ts";
import type { trainLoop } from "../lib/train/loop.ts";
import {
  labCorpus,
  labDataset,
  labPreset,
  labProgress,
  PRESET_ENV,
  QUICK_PRESET,
  trainYourRun,
  YOUR_GPT_SETTINGS,
  yourRunConfig,
} from "./setup.ts";

const exact = (n: number) => formatCount(n);

/** The model this lab trains: the preset's shape with the corpus's characters. */
async function setup() {
  const preset = labPreset();
  const { tokenizer, data } = await labDataset();
  const config: GPTConfig = { ...preset.shape, vocabSize: tokenizer.vocabSize };
  return { preset, tokenizer, data, config, settings: preset.settings };
}

/** Where the main run writes. */
const runDir = (ctx: StepContext) => `${ctx.outDir}/run`;

async function readMetrics(dir: string): Promise<Metric[]> {
  const text = await Deno.readTextFile(`${dir}/metrics.jsonl`);
  return text.split("\n").filter((l) => l).map((l) => JSON.parse(l) as Metric);
}

const theRun = step({
  en: "The run and its preset",
  fr: "L'entraînement et son préréglage",
}, async (ctx) => {
  const { preset, tokenizer, data, config, settings: s } = await setup();
  const c = await labCorpus();
  const model = new GPT(config, s.seed);
  const quick = preset.name === "quick";
  const [train, val] = [exact(data.train.length), exact(data.val.length)];
  ctx.say({
    en: `
    Training turns the loss of lab 07 into a loop over fresh batches (lab 08) with a better
    optimizer. This lab runs the ${preset.name} preset: ${preset.about.en}. ${
      quick
        ? `For the real thing, run \`${PRESET_ENV}=full deno task lab 09\`.`
        : `Run without ${PRESET_ENV} for the quick preset.`
    } It trains on ${c.name} at the character level: ${train} training and ${val} validation
    tokens, V = ${tokenizer.vocabSize}.
  `,
    fr: `
    L'entraînement fait de la perte du lab 07 une boucle sur des batchs toujours nouveaux
    (lab 08), avec un meilleur optimiseur. Ce lab utilise le préréglage ${preset.name} :
    ${preset.about.fr}. ${
      quick
        ? `Pour le vrai entraînement, lance \`${PRESET_ENV}=full deno task lab 09\`.`
        : `Lance sans ${PRESET_ENV} pour le préréglage quick.`
    } Il s'entraîne sur ${c.name} au niveau des caractères : ${train} tokens d'entraînement et
    ${val} de validation, V = ${tokenizer.vocabSize}.
  `,
  });
  ctx.table([
    [
      { en: "model", fr: "modèle" },
      { en: "parameters", fr: "paramètres" },
      verbatim("batch B×T"),
      { en: "steps", fr: "pas" },
      verbatim("warmup"),
      "lr",
      "β1, β2",
      { en: "decay", fr: "décroissance" },
      { en: "clip", fr: "écrêtage" },
    ],
    [
      tr({
        en:
          `${config.nLayer} layers × ${config.nHead} heads, C ${config.nEmbd}, T ${config.blockSize}`,
        fr:
          `${config.nLayer} couches × ${config.nHead} têtes, C ${config.nEmbd}, T ${config.blockSize}`,
      }),
      exact(model.numParameters),
      `${s.batchSize}×${config.blockSize}`,
      s.steps,
      s.warmupSteps,
      `${s.maxLr} → ${s.minLr}`,
      `${s.beta1}, ${s.beta2}`,
      s.weightDecay,
      s.gradClip,
    ],
  ]);
});

const yourSchedule = step({
  en: "Exercise 09.1: warmup and cosine decay",
  fr: "Exercice 09.1 : montée progressive et décroissance en cosinus",
}, async (ctx) => {
  const { settings: s } = await setup();
  ctx.say({
    en: `
    The learning rate is not constant. At first AdamW's running averages of the gradients are
    mostly noise, so the step grows linearly over ${s.warmupSteps} warmup steps; then it
    decays along half a cosine to a tenth of its peak, so that the end of training settles into
    a minimum instead of bouncing around it. Write learningRate.
  `,
    fr: `
    Le taux d'apprentissage n'est pas constant. Au début, les moyennes glissantes des gradients
    d'AdamW sont surtout du bruit : le pas croît donc linéairement pendant ${s.warmupSteps} pas
    de montée (warmup) ; puis il décroît le long d'une demi-période de cosinus jusqu'au dixième
    de son pic, pour que la fin de l'entraînement se pose dans un minimum au lieu de rebondir
    autour. Écris learningRate.
  `,
  });
  const lr = await ctx.exercise<typeof learningRate>("09.1");
  const o = { maxLr: s.maxLr, minLr: s.minLr, warmupSteps: s.warmupSteps, decaySteps: s.steps };
  const at = [
    0,
    Math.floor(s.warmupSteps / 2),
    s.warmupSteps,
    Math.floor(s.steps / 2),
    s.steps - 1,
  ];
  ctx.table([
    [{ en: "step", fr: "pas" }, ...at],
    [
      { en: "learning rate", fr: "taux d'apprentissage" },
      ...at.map((t) => lr(t, o).toExponential(2)),
    ],
  ]);
});

const yourClipping = step({
  en: "Exercise 09.2: gradient clipping",
  fr: "Exercice 09.2 : l'écrêtage du gradient",
}, async (ctx) => {
  const { data, config, settings: s } = await setup();
  ctx.say({
    en: `
    A single unlucky batch can produce a huge gradient and throw the weights far away. Clipping
    measures the norm of the whole gradient, all parameters as one vector, and when it exceeds
    ${s.gradClip} scales every entry down by the same factor: the direction is kept, only the
    length is capped. Write clipGradNorm.
  `,
    fr: `
    Un seul batch malchanceux peut produire un gradient énorme et projeter les poids très loin.
    L'écrêtage mesure la norme du gradient entier, tous les paramètres vus comme un seul vecteur,
    et quand elle dépasse ${s.gradClip}, réduit chaque entrée du même facteur : la direction est
    gardée, seule la longueur est plafonnée. Écris clipGradNorm.
  `,
  });
  const clip = await ctx.exercise<typeof clipGradNorm>("09.2");
  const model = new GPT(config, s.seed);
  const { inputs, targets } = data.batch("train", s.batchSize, config.blockSize, new Rng(1));
  model.forward(inputs, targets, s.batchSize, config.blockSize);
  model.zeroGrad();
  model.backward();
  const before = clip(model.grads, s.gradClip);
  const after = Math.sqrt(model.grads.reduce((sum, g) => sum + g * g, 0));
  ctx.say({
    en: `
    On the model's first batch your clipGradNorm measures a gradient norm of
    ${before.toFixed(3)}, and leaves it at ${after.toFixed(3)}. The trainer logs this norm at
    every step (before clipping), a good early warning of instabilities.
  `,
    fr: `
    Sur le premier batch du modèle, ton clipGradNorm mesure une norme de gradient de
    ${before.toFixed(3)}, et la laisse à ${after.toFixed(3)}. L'entraîneur note cette norme à
    chaque pas (avant écrêtage) : un bon signal d'alerte précoce des instabilités.
  `,
  });
});

const yourAdamW = step({
  en: "Exercise 09.3: AdamW, and your training loop",
  fr: "Exercice 09.3 : AdamW, et ta boucle d'entraînement",
}, async (ctx) => {
  const { data, config, settings: s } = await setup();
  const groups = decayGroups(config, s.weightDecay);
  const decayed = groups.filter((g) => g.weightDecay > 0).reduce((n, g) => n + g.end - g.start, 0);
  const total = groups[groups.length - 1].end;
  const [decayedText, totalText] = [exact(decayed), exact(total)];
  ctx.say({
    en: `
    AdamW gives every parameter its own step size. It keeps two running averages per
    parameter, m of the gradient (β1 = ${s.beta1}) and v of its square (β2 = ${s.beta2}), and
    moves by lr · m̂ / (√v̂ + ε): where the gradient is consistent the step is about lr, where it
    is noise the step shrinks. m̂ and v̂ correct the bias of averages that start at zero. The W:
    weight decay pulls each weight towards zero by lr · ${s.weightDecay} · weight, applied
    straight to the weight rather than through the gradient, and only to the matrices
    (${decayedText} of the ${totalText} parameters); biases and LayerNorm gains are left alone.
    Write adamwStep.
  `,
    fr: `
    AdamW donne à chaque paramètre son propre pas. Il tient deux moyennes glissantes par
    paramètre, m du gradient (β1 = ${s.beta1}) et v de son carré (β2 = ${s.beta2}), et avance de
    lr · m̂ / (√v̂ + ε) : là où le gradient est constant, le pas vaut à peu près lr ; là où c'est
    du bruit, le pas rétrécit. m̂ et v̂ corrigent le biais de moyennes qui partent de zéro. Le
    W : la décroissance des poids (weight decay) tire chaque poids vers zéro de
    lr · ${s.weightDecay} · poids, appliquée directement au poids plutôt qu'à travers le
    gradient, et seulement aux matrices (${decayedText} des ${totalText} paramètres) ; les biais
    et les gains des LayerNorm n'y sont pas soumis. Écris adamwStep.
  `,
  });
  const adamw = await ctx.exercise<typeof adamwStep>("09.3");
  const lr = await ctx.exercise<typeof learningRate>("09.1");
  const clip = await ctx.exercise<typeof clipGradNorm>("09.2");
  const steps = 30, B = s.batchSize, T = config.blockSize;
  const model = new GPT(config, s.seed);
  const m = new Float32Array(model.params.length), v = new Float32Array(model.params.length);
  const rng = new Rng(s.seed);
  const losses: number[] = [];
  const o = { maxLr: s.maxLr, minLr: s.minLr, warmupSteps: s.warmupSteps, decaySteps: s.steps };
  for (let t = 0; t < steps; t++) {
    const { inputs, targets } = data.batch("train", B, T, rng);
    losses.push(model.forward(inputs, targets, B, T)!);
    model.zeroGrad();
    model.backward();
    clip(model.grads, s.gradClip);
    adamw(
      model.params,
      model.grads,
      m,
      v,
      t + 1,
      { lr: lr(t, o), beta1: s.beta1, beta2: s.beta2 },
      groups,
    );
  }
  const lnV = Math.log(config.vocabSize).toFixed(2);
  ctx.say({
    en: `
    Your three functions make a training loop: batch, forward, backward, clip, step. Its first
    ${formatCount(steps)} steps, on fresh batches each time (ln V = ${lnV}):
  `,
    fr: `
    Tes trois fonctions forment une boucle d'entraînement : batch, passe avant, passe arrière,
    écrêtage, pas. Ses ${formatCount(steps)} premiers pas, sur un nouveau batch à chaque fois
    (ln V = ${lnV}) :
  `,
  });
  ctx.table([
    [{ en: "step", fr: "pas" }, ...[0, 5, 10, 20, steps - 1]],
    [{ en: "loss", fr: "perte" }, ...[0, 5, 10, 20, steps - 1].map((t) => losses[t].toFixed(3))],
    [
      { en: "perplexity e^loss", fr: "perplexité e^perte" },
      ...[0, 5, 10, 20, steps - 1].map((t) => perplexity(losses[t]).toFixed(1)),
    ],
  ]);
});

/** Trains the main run into the lab's folder, afresh. */
async function mainRun(ctx: StepContext): Promise<TrainResult> {
  const { tokenizer, data, config, settings } = await setup();
  return await train({
    // On the SIMD kernels, as `deno task train` runs; the exercises above use the TypeScript twins.
    model: new GPT(config, settings.seed, await loadBackend()),
    data,
    tokenizer: saveTokenizer(tokenizer),
    settings,
    outDir: runDir(ctx),
    progress: labProgress(ctx),
  });
}

/**
 * Makes sure the main run is on disk, finished, with this preset's settings: the steps after
 * training read it, and `--from` may start at one of them.
 */
async function ensureRun(ctx: StepContext): Promise<void> {
  const { settings } = await setup();
  try {
    const state = JSON.parse(await Deno.readTextFile(`${runDir(ctx)}/latest/state.json`));
    if (
      state.step === settings.steps && JSON.stringify(state.settings) === JSON.stringify(settings)
    ) {
      return;
    }
  } catch { /* no finished run yet */ }
  ctx.say({
    en: `(The run of step 5 is not in ${runDir(ctx)} yet: training it first.)`,
    fr: `(L'entraînement de l'étape 5 n'est pas encore dans ${runDir(ctx)} : on le lance d'abord.)`,
  });
  await mainRun(ctx);
}

const training = step({
  en: "Training with evaluation and a metrics log",
  fr: "Entraîner avec évaluation et journal des métriques",
}, async (ctx) => {
  const { settings: s } = await setup();
  ctx.say({
    en: `
    The library's train() (lib/train/trainer.ts) is the same loop plus what a real run needs: every
    ${s.evalEvery} steps it measures the mean loss of ${s.evalBatches} batches from each split,
    writes the latest checkpoint, and the best one when validation improves; it logs every step
    to metrics.jsonl; Ctrl-C saves and stops. The run:
  `,
    fr: `
    Le train() de la bibliothèque (lib/train/trainer.ts) est la même boucle, plus ce qu'il faut à
    un vrai entraînement : tous les ${s.evalEvery} pas, il mesure la perte moyenne de
    ${s.evalBatches} batchs de chaque partie, écrit le dernier checkpoint, et le meilleur quand la
    validation s'améliore ; il note chaque pas dans metrics.jsonl ; Ctrl-C enregistre et
    s'arrête. L'entraînement :
  `,
  });
  const result = await mainRun(ctx);
  const metrics = await readMetrics(runDir(ctx));
  const trainSteps = metrics.filter((m) => m.kind === "train");
  const evals = metrics.filter((m) => m.kind === "eval");
  await ctx.chart(
    "loss_curves",
    lossCurves({
      title: {
        en: "Loss during training (read from metrics.jsonl)",
        fr: "Perte pendant l'entraînement (lue dans metrics.jsonl)",
      },
      curves: [
        [{ en: "batch (train)", fr: "batch (entraînement)" }, trainSteps],
        [
          { en: "eval: train", fr: "éval : entraînement" },
          evals.map((m) => ({ step: m.step, loss: m.trainLoss })),
        ],
        [
          { en: "eval: val", fr: "éval : validation" },
          evals.map((m) => ({ step: m.step, loss: m.valLoss })),
        ],
      ],
    }),
  );
  await ctx.chart(
    "learning_rate",
    lineChart({
      title: tr({
        en: "Learning rate: warmup, then cosine decay",
        fr: "Taux d'apprentissage : montée, puis décroissance en cosinus",
      }),
      data: trainSteps.map((m) => ({ step: m.step, lr: m.lr })),
      x: "step",
      y: "lr",
      xTitle: tr({ en: "step", fr: "pas" }),
      yTitle: tr({ en: "learning rate", fr: "taux d'apprentissage" }),
      points: false,
    }),
  );
  const bestEval = evals.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  const last = evals[evals.length - 1];
  // Each loss with its perplexity beside it, as the lab reads losses from here on.
  const [finalVal, bestVal] = [
    lossWithPerplexity(result.finalValLoss),
    lossWithPerplexity(result.bestValLoss),
  ];
  const lastTrain = lossWithPerplexity(last.trainLoss);
  const gap = last.valLoss - last.trainLoss > 0.3;
  ctx.say({
    en: `
    The loss of single batches is noisy; the evaluations average it out. Validation ends at
    ${finalVal} (best ${bestVal} at step ${bestEval.step}) for ${lastTrain} on training text. ${
      gap
        ? `The gap between the two says the model is memorising its training text more than it
         learns the language: more data, or fewer steps, would help. That is why the best
         checkpoint is chosen by validation loss.`
        : `The two stay close: the model is learning the language, not memorising the text.`
    }
  `,
    fr: `
    La perte d'un seul batch est bruitée ; les évaluations la moyennent. La validation finit à
    ${finalVal} (au mieux ${bestVal} au pas ${bestEval.step}) pour ${lastTrain} sur le texte
    d'entraînement. ${
      gap
        ? `L'écart entre les deux dit que le modèle apprend par cœur son texte d'entraînement plus
         qu'il n'apprend la langue : plus de données, ou moins de pas, aideraient. C'est pour
         cela que le meilleur checkpoint est choisi d'après la perte de validation.`
        : `Les deux restent proches : le modèle apprend la langue, il ne récite pas le texte.`
    }
  `,
  });
});

const perplexities = step({
  en: "Perplexity: the loss as a number of choices",
  fr: "La perplexité : la perte comme un nombre de choix",
}, async (ctx) => {
  await ensureRun(ctx);
  const { tokenizer } = await setup();
  const V = tokenizer.vocabSize;
  const evals = (await readMetrics(runDir(ctx))).filter((m) => m.kind === "eval");
  const lastLoss = evals[evals.length - 1].valLoss.toFixed(2), lnV = Math.log(V).toFixed(3);
  ctx.say({
    en: `
    A loss of ${lastLoss} nats says little by itself. Its exponential, the perplexity e^loss,
    reads as a count: the model is as unsure of the next character as if it picked uniformly
    among that many. A model that knows nothing guesses uniformly over all V = ${V} characters:
    loss ln ${V} = ${lnV}, perplexity ${V}. A model that is always sure and right scores 1. The
    run's evaluations, with both:
  `,
    fr: `
    Une perte de ${lastLoss} nats ne dit pas grand-chose en elle-même. Son exponentielle, la
    perplexité e^perte, se lit comme un nombre : le modèle hésite sur le caractère suivant
    autant que s'il choisissait au hasard, uniformément, parmi autant de caractères. Un modèle
    qui ne sait rien tire uniformément parmi les V = ${V} caractères : perte ln ${V} = ${lnV},
    perplexité ${V}. Un modèle toujours sûr de lui et toujours juste obtient 1. Les évaluations
    de l'entraînement, avec les deux :
  `,
  });
  const shown = evals.filter((_, i) =>
    i % Math.ceil(evals.length / 6) === 0 || i === evals.length - 1
  );
  ctx.table([
    [
      { en: "step", fr: "pas" },
      { en: "train loss", fr: "perte d'entraînement" },
      { en: "train perplexity", fr: "perplexité d'entraînement" },
      { en: "val loss", fr: "perte de validation" },
      { en: "val perplexity", fr: "perplexité de validation" },
    ],
    ...shown.map((m) => [
      m.step,
      m.trainLoss.toFixed(4),
      perplexity(m.trainLoss).toFixed(1),
      m.valLoss.toFixed(4),
      perplexity(m.valLoss).toFixed(1),
    ]),
  ]);
  await ctx.chart(
    "perplexity",
    lineChart({
      title: tr({
        en: `Validation perplexity (a uniform guess scores ${V})`,
        fr: `Perplexité de validation (un tirage uniforme obtient ${V})`,
      }),
      data: evals.map((m) => ({ step: m.step, perplexity: perplexity(m.valLoss) })),
      x: "step",
      y: "perplexity",
      xTitle: tr({ en: "step", fr: "pas" }),
      yTitle: tr({ en: "perplexity", fr: "perplexité" }),
      logY: true,
    }),
  );
  const end = perplexity(evals[evals.length - 1].valLoss);
  const start = perplexity(evals[0].valLoss), fold = (start / end).toFixed(1);
  ctx.say({
    en: `
    From ${start.toFixed(1)} choices at step 0 to ${end.toFixed(1)} at the end: training has
    cut the model's uncertainty ${fold}-fold. Perplexities compare only on the same tokens: a
    BPE model's perplexity per token is higher than a character model's per character even
    when both predict the text equally well, because each of its tokens carries several
    characters. The trainer prints each evaluation's perplexity (ppl) beside its loss, as in
    the run above.
  `,
    fr: `
    De ${start.toFixed(1)} choix au pas 0 à ${end.toFixed(1)} à la fin : l'entraînement a divisé
    l'incertitude du modèle par ${fold}. Des perplexités ne se comparent que sur les mêmes
    tokens : la perplexité par token d'un modèle BPE est plus haute que celle, par caractère,
    d'un modèle de caractères, même quand les deux prédisent aussi bien le texte, car chacun de
    ses tokens porte plusieurs caractères. L'entraîneur affiche la perplexité (ppl) de chaque
    évaluation à côté de sa perte, comme dans l'entraînement ci-dessus.
  `,
  });
});

const checkpoints = step({ en: "Checkpoints", fr: "Les checkpoints" }, async (ctx) => {
  await ensureRun(ctx);
  const { data, settings: s } = await setup();
  const dir = runDir(ctx);
  const files: (string | number | Text)[][] = [[
    verbatim("checkpoint"),
    { en: "file", fr: "fichier" },
    { en: "bytes", fr: "octets" },
  ]];
  for (const name of ["best", "latest"]) {
    const entries = [...Deno.readDirSync(`${dir}/${name}`)].map((e) => e.name).sort();
    for (const file of entries) {
      files.push([name, file, exact((await Deno.stat(`${dir}/${name}/${file}`)).size)]);
    }
  }
  ctx.say({
    en: `
    A checkpoint is a folder: the weights as safetensors (a format any framework reads) with
    their config, the tokenizer, AdamW's two moments, and state.json (step, the batch
    generator's state, best validation loss, the settings). It is written beside its target and
    swapped in with renames, so a crash mid-write leaves the previous one whole.
  `,
    fr: `
    Un checkpoint est un dossier : les poids en safetensors (un format que tout framework sait
    lire) avec leur configuration, le tokenizer, les deux moments d'AdamW, et state.json (le pas,
    l'état du générateur de batchs, la meilleure perte de validation, les réglages). Il est
    écrit à côté de sa cible puis mis en place par des renommages : un plantage en pleine
    écriture laisse le précédent intact.
  `,
  });
  ctx.table(files);
  // Loaded onto the backend that trained it, so the evaluation repeats the same arithmetic.
  const best = await loadCheckpoint(`${dir}/best`, await loadBackend());
  const step = best.state!.step;
  const val = estimateLoss(
    best.model,
    data,
    "val",
    s.batchSize,
    s.evalBatches,
    s.seed + 2 * step + 2,
  );
  const [score, recorded] = [val.toFixed(4), best.state!.bestValLoss!.toFixed(4)];
  const exactly = val === best.state!.bestValLoss;
  const ppl = perplexity(val).toFixed(1);
  ctx.say({
    en: `
    Reloaded, the best checkpoint (step ${step}) scores ${score} on the validation batches of
    its evaluation, ${exactly ? "exactly" : "NOT"} the ${recorded} the run recorded
    (perplexity ${ppl}).
  `,
    fr: `
    Rechargé, le meilleur checkpoint (pas ${step}) obtient ${score} sur les batchs de validation
    de son évaluation, ${exactly ? "exactement" : "PAS"} les ${recorded} notés par
    l'entraînement (perplexité ${ppl}).
  `,
  });
});

const resume = step({ en: "Resume, bit for bit", fr: "Reprendre, au bit près" }, async (ctx) => {
  const { data, tokenizer, settings: base } = await setup();
  const config: GPTConfig = { ...QUICK_PRESET.shape, vocabSize: tokenizer.vocabSize };
  const settings: TrainSettings = { ...QUICK_PRESET.settings, steps: 40, evalEvery: 10 };
  const stopAt = 17;
  const anyPreset = base !== QUICK_PRESET.settings;
  ctx.say({
    en: `
    A run can be stopped (Ctrl-C) and resumed with \`deno task train --resume\`. Resuming
    exactly needs more than the weights: AdamW's moments, the step (for the schedule and the
    bias correction), and the state of the generator that draws the batches, so that the
    resumed run sees the very batches it would have seen. To prove it, two short runs of the
    quick model${anyPreset ? " (whatever the preset)" : ""}, ${settings.steps} steps each: one
    straight through, one stopped after step ${stopAt} and resumed from its checkpoint by a new
    model object.
  `,
    fr: `
    Un entraînement peut être arrêté (Ctrl-C) puis repris avec \`deno task train --resume\`.
    Reprendre exactement demande plus que les poids : les moments d'AdamW, le pas (pour le
    planning et la correction de biais) et l'état du générateur qui tire les batchs, pour que
    l'entraînement repris voie exactement les batchs qu'il aurait vus. Pour le prouver, deux
    courts entraînements du modèle quick${anyPreset ? " (quel que soit le préréglage)" : ""},
    de ${settings.steps} pas chacun : l'un d'une traite, l'autre arrêté après le pas ${stopAt}
    puis repris depuis son checkpoint par un nouvel objet modèle.
  `,
  });
  const quiet = () => {};
  const job = (outDir: string) => ({
    data,
    tokenizer: saveTokenizer(tokenizer),
    settings,
    outDir,
    progress: quiet,
  });
  const straight = `${ctx.outDir}/resume/straight`, stopped = `${ctx.outDir}/resume/stopped`;
  await train({ ...job(straight), model: new GPT(config, settings.seed) });
  let calls = 0;
  const first = await train({
    ...job(stopped),
    model: new GPT(config, settings.seed),
    stopRequested: () => ++calls >= stopAt,
  });
  // A different init seed: every weight must come from the checkpoint.
  await train({ ...job(stopped), model: new GPT(config, 999), resume: true });
  const a = await readMetrics(straight), b = await readMetrics(stopped);
  const lossOf = (m: Metric) => m.kind === "train" ? m.loss : m.valLoss;
  const same = a.length === b.length &&
    a.every((m, i) => m.kind === b[i].kind && m.step === b[i].step && lossOf(m) === lossOf(b[i]));
  const near = a.filter((m) => m.kind === "train" && Math.abs(m.step - stopAt) <= 2);
  ctx.table([
    [
      { en: "step", fr: "pas" },
      { en: "straight through", fr: "d'une traite" },
      { en: "stopped and resumed", fr: "arrêté puis repris" },
      { en: "identical", fr: "identique" },
    ],
    ...near.map((m) => {
      const other = b.find((x) => x.kind === "train" && x.step === m.step)!;
      const yes = lossOf(m) === lossOf(other);
      return [
        m.step,
        lossOf(m),
        lossOf(other),
        yes ? tr({ en: "yes", fr: "oui" }) : tr({ en: "NO", fr: "NON" }),
      ];
    }),
  ]);
  ctx.say({
    en: `
    The first run stopped after ${formatCount(first.step)} steps. Over all ${
      formatCount(a.length)
    } logged values (every
    training loss and every evaluation), the two curves are ${
      same ? "identical to the last bit" : "DIFFERENT"
    }.
  `,
    fr: `
    Le premier entraînement s'est arrêté après ${formatCount(first.step)} pas. Sur les ${
      formatCount(a.length)
    } valeurs
    notées (chaque perte d'entraînement et chaque évaluation), les deux courbes sont ${
      same ? "identiques au bit près" : "DIFFÉRENTES"
    }.
  `,
  });
});

const throughput = step({
  en: "Throughput, and a first sample",
  fr: "Le débit, et un premier échantillon",
}, async (ctx) => {
  await ensureRun(ctx);
  const { config, settings: s } = await setup();
  const metrics = (await readMetrics(runDir(ctx))).filter((m) => m.kind === "train");
  const rates = metrics.map((m) => m.tokPerSec).sort((x, y) => x - y);
  const median = rates[Math.floor(rates.length / 2)];
  const params = new GPT(config, 0).numParameters;
  await ctx.chart(
    "tokens_per_second",
    lineChart({
      title: tr({
        en: "Training throughput (read from metrics.jsonl)",
        fr: "Débit d'entraînement (lu dans metrics.jsonl)",
      }),
      data: metrics.map((m) => ({ step: m.step, tokPerSec: Math.round(m.tokPerSec) })),
      x: "step",
      y: "tokPerSec",
      xTitle: tr({ en: "step", fr: "pas" }),
      yTitle: tr({ en: "tokens per second", fr: "tokens par seconde" }),
      points: false,
    }),
  );
  const gflops = (6 * params * median) / 1e9;
  const perStep = `${s.batchSize} × ${config.blockSize} = ${s.batchSize * config.blockSize}`;
  const [rate, nParams, g] = [formatCount(Math.round(median)), exact(params), gflops.toFixed(2)];
  ctx.say({
    en: `
    Each step trains on ${perStep} tokens; the median step here ran at ${rate} tokens per second.
    A forward and backward pass costs about 6 floating-point operations per parameter and token
    (2 forward, 4 backward), plus attention: with ${nParams} parameters that is about ${g}
    GFLOP/s on the SIMD kernels (the TypeScript twins run many times slower). Each point times
    one step alone (evaluations and checkpoints are not counted); its ups and downs are the
    compiler warming up, garbage collection and other programs sharing the CPU, which is why the
    median is the figure to quote. \`deno task bench train\` measures the same step beside
    PyTorch.
  `,
    fr: `
    Chaque pas s'entraîne sur ${perStep} tokens ; le pas médian a tourné ici à ${rate} tokens
    par seconde. Une passe avant et arrière coûte environ 6 opérations en virgule flottante par
    paramètre et par token (2 en avant, 4 en arrière), plus l'attention : avec ${nParams}
    paramètres, cela fait environ ${g} GFLOP/s sur les noyaux SIMD (les jumeaux TypeScript
    tournent bien plus lentement). Chaque point chronomètre un pas seul (évaluations et
    checkpoints non comptés) ; ses hauts et ses bas viennent du compilateur qui chauffe, du
    ramasse-miettes et des autres programmes qui partagent le CPU : c'est pourquoi la médiane est
    le chiffre à retenir. \`deno task bench train\` mesure le même pas à côté de PyTorch.
  `,
  });
  const model = (await loadCheckpoint(`${runDir(ctx)}/best`)).model;
  const { tokenizer } = await setup();
  const first = [...(await labCorpus()).text][0];
  const text = first +
    tokenizer.decode(
      generate(model, tokenizer.encode(first), { maxTokens: 300, temperature: 0.8, seed: 1 }),
    );
  await ctx.sample("sample", {
    en: "300 characters from the best checkpoint, temperature 0.8",
    fr: "300 caractères du meilleur checkpoint, température 0,8",
  }, text);
  ctx.say({
    en: `What the best checkpoint writes (lab 10 is about how to sample well):`,
    fr: `Ce qu'écrit le meilleur checkpoint (le lab 10 traite de l'art de bien échantillonner) :`,
  });
  ctx.show(text.split("\n").slice(0, 8).join("\n"));
});

/** The seed's phase 4: the model leaves for PyTorch, and both compute the same logits. */
const toPyTorch = step({
  en: "Phase 4: off to PyTorch",
  fr: "Phase 4 : cap sur PyTorch",
}, async (ctx) => {
  await ensureRun(ctx);
  const { tokenizer, config } = await setup();
  const out = `${ctx.outDir}/hf`;
  await runExport({ ckpt: `${runDir(ctx)}/best`, to: "hf", out, force: true, print: () => {} });
  ctx.say({
    en: `
    Past this course, a model grows on GPUs, in PyTorch. \`deno task export --to hf\` wrote the
    best checkpoint as the folder Hugging Face's GPT2LMHeadModel loads: config.json (GPT-2's
    names: n_layer, n_head, n_embd, gelu_new), model.safetensors with GPT-2's tensor names — its
    four Conv1D matrices stored (in, out), the transpose of our (out, in) — and the tokenizer.
  `,
    fr: `
    Au-delà de ce cours, un modèle grandit sur des GPU, en PyTorch. \`deno task export --to hf\`
    a écrit le meilleur checkpoint sous la forme du dossier que charge le GPT2LMHeadModel de
    Hugging Face : config.json (les noms de GPT-2 : n_layer, n_head, n_embd, gelu_new),
    model.safetensors avec les noms de tenseurs de GPT-2 — ses quatre matrices Conv1D rangées
    (in, out), la transposée de nos (out, in) — et le tokenizer.
  `,
  });
  ctx.table([
    [{ en: "file", fr: "fichier" }, { en: "bytes", fr: "octets" }],
    ...[...Deno.readDirSync(out)].map((e) => e.name).sort().map((name) => [
      name,
      exact(Deno.statSync(`${out}/${name}`).size),
    ]),
  ]);
  const python = await findTorch();
  if (!python) {
    ctx.say({
      en:
        `PyTorch is not installed here, so there is nothing to compare with; install it with \`${INSTALL_TORCH}\`.`,
      fr:
        `PyTorch n'est pas installé ici : rien à comparer. Installe-le avec \`${INSTALL_TORCH}\`.`,
    });
    return;
  }
  const model = (await loadCheckpoint(`${runDir(ctx)}/best`)).model;
  const text = [...(await labCorpus()).text].slice(0, config.blockSize).join("");
  const tokens = tokenizer.encode(text);
  model.forward(Int32Array.from(tokens), null, 1, tokens.length);
  const logits = model.acts!.logits.subarray(0, tokens.length * config.vocabSize);
  const diff = await torchLogitsDiff(python, out, tokens, logits);
  ctx.say({
    en: `
    PyTorch, reading that folder with a GPT-2 forward pass of its own (pytorch/hf_forward.py), on
    the first ${tokens.length} characters of the corpus: the largest difference between its
    ${exact(logits.length)} logits and ours is ${diff.toExponential(2)} — rounding, nothing
    more. pytorch/train_gpt2.py continues the training there, on a GPU or under torchrun.
  `,
    fr: `
    PyTorch lit ce dossier avec sa propre passe avant de GPT-2 (pytorch/hf_forward.py), sur les
    ${tokens.length} premiers caractères du corpus : le plus grand écart entre ses
    ${exact(logits.length)} logits et les nôtres est de ${diff.toExponential(2)} — de l'arrondi,
    rien de plus. pytorch/train_gpt2.py poursuit l'entraînement là-bas, sur un GPU ou sous
    torchrun.
  `,
  });
});

const yourLoop = step({
  en: "Exercise 09.4: the training loop",
  fr: "Exercice 09.4 : la boucle d'entraînement",
}, async (ctx) => {
  ctx.say({
    en: `
    The trainer's loop is a function too, lib/train/loop.ts's trainLoop, and the next exercise
    is yours: trainLoop(model, parts, run) in labs/exercises/09_training.ts. For each step a
    batch, the forward pass, zeroed gradients (backward adds), the backward pass, clipping, the
    step's learning rate from the schedule, the AdamW step, with an evaluation every
    run.evalEvery steps. It calls your learningRate, clipGradNorm and adamwStep through parts;
    run holds what the trainer keeps around it (batches, evaluation, the metrics log,
    checkpoints), so train() runs your loop the way it runs its own.
  `,
    fr: `
    La boucle de l'entraîneur est elle aussi une fonction, le trainLoop de lib/train/loop.ts, et
    l'exercice suivant est à toi : trainLoop(model, parts, run) dans
    labs/exercises/09_training.ts. À chaque étape, un batch, la passe avant, les gradients remis
    à zéro (la passe arrière ajoute), la passe arrière, l'écrêtage, le taux d'apprentissage de
    l'étape selon le planning, l'étape d'AdamW, avec une évaluation toutes les run.evalEvery
    étapes. Elle appelle tes learningRate, clipGradNorm et adamwStep à travers parts ; run
    contient ce que l'entraîneur garde autour d'elle (les batchs, l'évaluation, le journal des
    métriques, les checkpoints), si bien que train() fait tourner ta boucle comme la sienne.
  `,
  });
  await ctx.exercise<typeof trainLoop>("09.4");
  ctx.say({
    en: "Your loop trains the check's models step for step as lib/'s loop does.",
    fr:
      "Ta boucle entraîne les modèles de la vérification étape par étape, exactement comme celle de lib/.",
  });
});

/** The run of your GPT: where it writes, and lib/'s run beside it. */
const yourDir = (ctx: StepContext) => `${ctx.outDir}/your_gpt`;

const yourGPTTrains = step({ en: "Your GPT trains", fr: "Ton GPT s'entraîne" }, async (ctx) => {
  const mine = await yourGPT(CATALOG, ["model", "training"], {
    root: ctx.studentRoot,
    reference: ctx.reference,
    check: ctx.check,
  });
  const config = await yourRunConfig(), s = YOUR_GPT_SETTINGS;
  ctx.say({
    en: `
    Your GPT now trains: your model (lab 07) with your loop, on the TypeScript path, beside
    lib/'s model from the same seed on the same batches: the quick preset's model
    (${config.nLayer} layers, C ${config.nEmbd}, context ${config.blockSize}), ${s.steps} steps of
    ${s.batchSize} sequences.
  `,
    fr: `
    Ton GPT s'entraîne maintenant : ton modèle (lab 07) avec ta boucle, par la voie TypeScript,
    à côté du modèle de lib/ issu de la même graine, sur les mêmes batchs : le modèle du
    préréglage quick (${config.nLayer} couches, C ${config.nEmbd}, contexte ${config.blockSize}),
    ${s.steps} étapes de ${s.batchSize} séquences.
  `,
  });
  ctx.say(describeYourGPT(mine));
  const yours = new GPT(config, s.seed, await loadBackend("ts", { own: mine.ops }));
  const seconds = await trainYourRun(ctx, yours, yourDir(ctx), {
    loop: mine.trainLoop,
    parts: mine.loopParts,
  });
  const libSeconds = await trainYourRun(ctx, new GPT(config, s.seed), `${ctx.outDir}/library_gpt`);
  const a = (await readMetrics(yourDir(ctx))).filter((m) => m.kind === "train");
  const b = (await readMetrics(`${ctx.outDir}/library_gpt`)).filter((m) => m.kind === "train");
  const gap = a.length === b.length
    ? Math.max(...a.map((m, i) => Math.abs(m.loss - b[i].loss)))
    : Infinity;
  await ctx.chart(
    "your_gpt_loss",
    lossCurves({
      title: {
        en: "Your GPT and lib/'s, same seed, same batches",
        fr: "Ton GPT et celui de lib/, même graine, mêmes batchs",
      },
      curves: [[{ en: "lib/'s GPT", fr: "le GPT de lib/" }, b], [
        { en: "your GPT", fr: "ton GPT" },
        a,
      ]],
      lossTitle: { en: "training loss", fr: "perte d'entraînement" },
      curveTitle: { en: "model", fr: "modèle" },
    }),
  );
  ctx.table([
    ["", { en: "your GPT", fr: "ton GPT" }, { en: "lib/'s GPT", fr: "le GPT de lib/" }],
    [{ en: "time", fr: "durée" }, `${seconds.toFixed(1)} s`, `${libSeconds.toFixed(1)} s`],
    [
      { en: "last training loss", fr: "dernière perte d'entraînement" },
      a[a.length - 1].loss.toFixed(4),
      b[b.length - 1].loss.toFixed(4),
    ],
  ]);
  const agree = gap <= 1e-4;
  const shown = yourDir(ctx).replace(`${Deno.cwd()}/`, "");
  ctx.say({
    en: `
    Largest gap between the two loss curves over all ${a.length} logged steps:
    ${gap.toExponential(1)}: ${
      agree
        ? "they agree within 1e-4 at every step."
        : `they drift apart by more than 1e-4. Every part of yours passed its check, so this
        is float32 rounding: a sum taken in another order than lib/'s differs in its last
        bit, and AdamW, which divides each gradient by its own running size, lets such bits
        grow step after step. The curves keep the same shape.`
    } Your GPT is saved as a checkpoint like any other, in ${shown}/latest (and best/):
    \`deno task sample --ckpt ${shown}\` reads it.
  `,
    fr: `
    Plus grand écart entre les deux courbes de perte sur les ${a.length} étapes enregistrées :
    ${gap.toExponential(1)} : ${
      agree
        ? "elles concordent à 1e-4 près à chaque étape."
        : `elles s'écartent de plus de 1e-4. Chacune de tes parties a passé sa vérification :
        c'est donc l'arrondi en float32. Une somme faite dans un autre ordre que celle de lib/
        diffère sur son dernier bit, et AdamW, qui divise chaque gradient par sa propre taille
        moyenne, laisse ces bits grandir d'étape en étape. Les courbes gardent la même forme.`
    } Ton GPT est enregistré comme n'importe quel checkpoint, dans ${shown}/latest (et best/) :
    \`deno task sample --ckpt ${shown}\` le lit.
  `,
  });
  if (mine.library.length > 0) {
    ctx.say({
      en: `
      The parts still lib/'s are listed above; each exercise you pass moves one of them into
      your GPT, and the next run trains more of your code.
    `,
      fr: `
      Les parties qui sont encore celles de lib/ sont listées plus haut ; chaque exercice que tu
      réussis en fait passer une dans ton GPT, et le prochain entraînement fera tourner davantage
      de ton code.
    `,
    });
  } else {
    ctx.say({
      en: `
      Every line of the model that just trained is yours: the embeddings and their gradient,
      attention, LayerNorm, the block, the whole forward and backward pass, the loss's gradient,
      the learning-rate schedule, clipping, AdamW and the loop that calls them. lib/ gave it
      the small layers with no exercise (linear forward, GELU, the residual add, softmax and
      the cross-entropy forward), the batches and the checkpoint files.
    `,
      fr: `
      Chaque ligne du modèle qui vient de s'entraîner est de toi : les embeddings et leur
      gradient, l'attention, LayerNorm, le bloc, toute la passe avant et arrière, le gradient de
      la perte, le planning du taux d'apprentissage, l'écrêtage, AdamW et la boucle qui les
      appelle. lib/ lui a fourni les petites couches sans exercice (la passe avant linéaire,
      GELU, l'addition résiduelle, le softmax et la passe avant de l'entropie croisée), les
      batchs et les fichiers de checkpoint.
    `,
    });
  }
});

/** Lab 09, as the runner sees it. */
export const lab: Lab = {
  id: "09",
  slug: "09_training",
  title: {
    en: "Training: AdamW, schedule, checkpoints",
    fr: "L'entraînement : AdamW, planning du taux d'apprentissage, checkpoints",
  },
  exercises,
  steps: [
    theRun,
    yourSchedule,
    yourClipping,
    yourAdamW,
    training,
    perplexities,
    checkpoints,
    resume,
    throughput,
    yourLoop,
    yourGPTTrains,
    toPyTorch,
  ],
};
