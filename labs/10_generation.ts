/**
 * Lab 10 · Generation: from a trained model's logits to text. The next-token distribution and
 * how temperature, top-k and top-p reshape it (the student writes all three), greedy decoding,
 * samples under each setting, many samples per setting measured (distinct, repeated, real words),
 * the KV cache (the same tokens, faster, and how much faster as the context grows) and streaming
 * with a stop string.
 *
 * Uses lab 09's best checkpoint when it is there for the same preset and corpus, else trains the
 * preset's model first (once: later runs of this lab reuse it).
 * @module
 */
import { barChart, heatmap, lineChart } from "../lib/charts.ts";
import { generate, KVCache } from "../lib/model/generate.ts";
import { GPT } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { type Lab, step, type StepContext } from "../lib/course/lab.ts";
import { type Text, tr } from "../lib/i18n.ts";
import { nextTokenDistribution, type SamplingOptions } from "../lib/model/sampling.ts";
import { sampleStats } from "../lib/course/sample_stats.ts";
import { splitWords } from "../lib/course/word2vec.ts";
import { formatCount, margin } from "../lib/term.ts";
import type { CharTokenizer } from "../lib/tokenizer/char.ts";
import {
  exercises,
  type SoftmaxWithTemperature,
  type TopKFilter,
  type TopPFilter,
} from "./catalog/10_generation.ts";
import {
  labCorpus,
  labDataset,
  labPreset,
  labPretrained,
  PRESET_ENV,
  trainYourRun,
  YOUR_GPT_SETTINGS,
  yourRunConfig,
} from "./setup.ts";
import { CATALOG } from "./catalog/mod.ts";
import { describeYourGPT, yourGPT } from "../lib/course/your_gpt.ts";
import type { generateTokens } from "../lib/model/generation_loop.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import { Rng } from "../lib/random.ts";

/** Tokens in each generated sample. */
const SAMPLE_TOKENS = 200;
/** How many of the most likely tokens the distribution charts show. */
const TOP = 12;

/** A prompt from the start of the corpus: a few lines of real text to continue. */
async function prompt(): Promise<string> {
  const { text } = await labCorpus();
  const lines = text.split("\n");
  let p = "";
  for (const line of lines) {
    if (p.length + line.length > 60) break;
    p += line + "\n";
  }
  return p || [...text].slice(0, 40).join("");
}

/** The model's logits for the token after `ids` (the last `blockSize` of them). */
function nextLogits(model: GPT, ids: number[]): Float32Array {
  const context = ids.slice(-model.config.blockSize);
  const T = context.length, V = model.config.vocabSize;
  model.forward(Int32Array.from(context), null, 1, T);
  return model.acts!.logits.slice((T - 1) * V, T * V);
}

/** A token shown readably: a newline as ⏎, a space as ␠. */
function label(tokenizer: CharTokenizer, id: number): string {
  return tokenizer.decode([id]).replace("\n", "⏎").replace(" ", "␠");
}

const theModel = step({
  en: "The next-token distribution",
  fr: "La distribution du token suivant",
}, async (ctx) => {
  const { model, origin } = await labPretrained(ctx);
  const { tokenizer } = await labDataset();
  const p = await prompt();
  const logits = nextLogits(model, tokenizer.encode(p));
  const probs = nextTokenDistribution(logits);
  const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a]).slice(0, TOP);
  const params = formatCount(model.numParameters);
  const { blockSize, vocabSize } = model.config;
  const corpus = (await labCorpus()).name, preset = labPreset().name;
  const other = `${PRESET_ENV}=${preset === "quick" ? "full" : "quick"}`;
  ctx.say({
    en: `
    Generation is the model used as it was trained: read a context, output one distribution over
    the next token. This lab samples from ${origin}: ${params} parameters, context ${blockSize},
    V = ${vocabSize}, trained on ${corpus} (the ${preset} preset; \`${other}\` switches). The
    prompt:
  `,
    fr: `
    La génération, c'est le modèle utilisé comme à l'entraînement : lire un contexte, sortir une
    distribution sur le token suivant. Ce lab échantillonne ${origin} : ${params} paramètres,
    contexte ${blockSize}, V = ${vocabSize}, entraîné sur ${corpus} (le préréglage ${preset} ;
    \`${other}\` change de préréglage). Le prompt :
  `,
  });
  ctx.show(p);
  await ctx.chart(
    "next_token",
    barChart({
      title: tr({
        en: `The ${TOP} most likely next characters after the prompt`,
        fr: `Les ${TOP} caractères suivants les plus probables après le prompt`,
      }),
      data: order.map((id) => ({
        token: label(tokenizer, id),
        p: probs[id],
        text: probs[id].toFixed(3),
      })),
      category: "token",
      value: "p",
      categoryTitle: tr({ en: "token", fr: "token" }),
      valueTitle: tr({ en: "probability", fr: "probabilité" }),
      label: "text",
    }),
  );
  const entropy = -probs.reduce((s, q) => s + (q > 0 ? q * Math.log(q) : 0), 0);
  const [best, pBest] = [label(tokenizer, order[0]), probs[order[0]].toFixed(3)];
  const [h, uniform] = [entropy.toFixed(2), Math.log(model.config.vocabSize).toFixed(2)];
  ctx.say({
    en: `
    The most likely next character is "${best}" at ${pBest}; the distribution's entropy is ${h}
    nats (a uniform guess over V would be ${uniform}). Generating text means choosing from it,
    appending the choice and asking again; how to choose is the rest of this lab.
  `,
    fr: `
    Le caractère suivant le plus probable est « ${best} », à ${pBest} ; l'entropie de la
    distribution vaut ${h} nats (un choix uniforme sur V donnerait ${uniform}). Générer du texte,
    c'est choisir dans cette distribution, ajouter le choix et redemander ; comment choisir,
    c'est tout le reste de ce lab.
  `,
  });
});

const yourTemperature = step({
  en: "Exercise 10.1: temperature",
  fr: "Exercice 10.1 : la température",
}, async (ctx) => {
  ctx.say({
    en: `
    The temperature τ divides the logits before the softmax. τ < 1 widens the gaps, so the
    likely get likelier: safer, duller text. τ > 1 narrows them towards uniform: more varied,
    more mistakes. τ → 0 is greedy decoding, always the single most likely token. Write
    softmaxWithTemperature.
  `,
    fr: `
    La température τ divise les logits avant le softmax. τ < 1 creuse les écarts : le probable
    devient plus probable, un texte plus sûr et plus plat. τ > 1 les resserre vers l'uniforme :
    plus de variété, plus d'erreurs. τ → 0, c'est le décodage glouton, toujours le token le plus
    probable. Écris softmaxWithTemperature.
  `,
  });
  const soft = await ctx.exercise<SoftmaxWithTemperature>("10.1");
  const { model } = await labPretrained(ctx);
  const { tokenizer } = await labDataset();
  const logits = nextLogits(model, tokenizer.encode(await prompt()));
  const rows = [0.5, 1, 2].map((t) => {
    const p = soft(logits, t);
    const top = Math.max(...p);
    const entropy = -p.reduce((s, q) => s + (q > 0 ? q * Math.log(q) : 0), 0);
    return [t, top.toFixed(3), entropy.toFixed(2)];
  });
  ctx.table([
    [
      { en: "temperature", fr: "température" },
      { en: "largest probability", fr: "plus grande probabilité" },
      { en: "entropy (nats)", fr: "entropie (nats)" },
    ],
    ...rows,
  ]);
});

const greedy = step({ en: "Greedy decoding", fr: "Le décodage glouton" }, async (ctx) => {
  const { model } = await labPretrained(ctx);
  const { tokenizer } = await labDataset();
  const p = await prompt();
  const ids = generate(model, tokenizer.encode(p), { maxTokens: SAMPLE_TOKENS, temperature: 0 });
  const text = tokenizer.decode(ids);
  ctx.say({
    en: `
    Greedy decoding (temperature 0) takes the most likely token every time. It is deterministic,
    and for a small model it soon falls into a loop, since the same context keeps giving the
    same most likely continuation:
  `,
    fr: `
    Le décodage glouton (température 0) prend à chaque fois le token le plus probable. Il est
    déterministe et, pour un petit modèle, tombe vite dans une boucle, puisque le même contexte
    redonne sans cesse la même suite la plus probable :
  `,
  });
  ctx.show(margin(text, 6));
  const distinct = new Set(text.match(/.{1,8}/gs) ?? []).size;
  ctx.say({
    en: `
    (${formatCount(distinct)} distinct 8-character pieces in ${formatCount(text.length)}
    characters.) Sampling instead
    draws from the distribution, with a seed for reproducibility; top-k and top-p then cut off
    its unreliable tail.
  `,
    fr: `
    (${formatCount(distinct)} morceaux distincts de 8 caractères sur ${
      formatCount(text.length)
    } caractères.)
    L'échantillonnage, lui, tire dans la distribution, avec une graine pour la reproductibilité ;
    top-k et top-p en coupent ensuite la traîne peu fiable.
  `,
  });
});

const yourTopK = step({ en: "Exercise 10.2: top-k", fr: "Exercice 10.2 : top-k" }, async (ctx) => {
  ctx.say({
    en: `
    Sampling from the full distribution now and then picks a token from its long tail of
    individually unlikely but collectively frequent choices, and one bad character derails the
    rest. Top-k keeps only the k most likely tokens and renormalises. Write topKFilter.
  `,
    fr: `
    Échantillonner dans toute la distribution tombe de temps en temps sur un token de sa longue
    traîne, des choix improbables un par un mais fréquents ensemble, et un seul mauvais caractère
    fait dérailler la suite. Top-k ne garde que les k tokens les plus probables et renormalise.
    Écris topKFilter.
  `,
  });
  const topK = await ctx.exercise<TopKFilter>("10.2");
  await compareWithSampler(ctx, (p) => topK(p, 5), { topK: 5 }, "top-k 5");
});

const yourTopP = step({ en: "Exercise 10.3: top-p", fr: "Exercice 10.3 : top-p" }, async (ctx) => {
  ctx.say({
    en: `
    A fixed k is too many when the model is sure and too few when it hesitates. Top-p, the
    nucleus, keeps the smallest set of most likely tokens whose total probability reaches p:
    one token when the model is certain, dozens when it is not. Write topPFilter.
  `,
    fr: `
    Un k fixe, c'est trop quand le modèle est sûr de lui et trop peu quand il hésite. Top-p, le
    nucleus, garde le plus petit ensemble de tokens les plus probables dont la probabilité
    totale atteint p : un seul token quand le modèle est certain, des dizaines quand il ne l'est
    pas. Écris topPFilter.
  `,
  });
  const topP = await ctx.exercise<TopPFilter>("10.3");
  await compareWithSampler(ctx, (p) => topP(p, 0.9), { topP: 0.9 }, "top-p 0.9");
});

/** Runs the student's filter on the model's distribution and compares with the sampler's. */
async function compareWithSampler(
  ctx: StepContext,
  filter: (probs: Float32Array) => Float32Array,
  options: SamplingOptions,
  name: string,
) {
  const { model } = await labPretrained(ctx);
  const { tokenizer } = await labDataset();
  const logits = nextLogits(model, tokenizer.encode(await prompt()));
  const mine = filter(nextTokenDistribution(logits));
  const lib = nextTokenDistribution(logits, options);
  let diff = 0, kept = 0;
  for (let i = 0; i < lib.length; i++) {
    diff = Math.max(diff, Math.abs(mine[i] - lib[i]));
    if (mine[i] > 0) kept++;
  }
  ctx.say({
    en: `
    On the prompt's next-token distribution, your ${name} keeps ${kept} of the
    ${lib.length} characters; the largest difference from the library's sampler
    (lib/model/sampling.ts) is ${diff.toExponential(1)}.
  `,
    fr: `
    Sur la distribution du token qui suit le prompt, ton ${name} garde ${kept} des
    ${lib.length} caractères ; le plus grand écart avec l'échantillonneur de la bibliothèque
    (lib/model/sampling.ts) est de ${diff.toExponential(1)}.
  `,
  });
}

const variants = step({
  en: "One distribution, six ways to sample",
  fr: "Une distribution, six façons d'échantillonner",
}, async (ctx) => {
  const { model } = await labPretrained(ctx);
  const { tokenizer } = await labDataset();
  const p = await prompt();
  const logits = nextLogits(model, tokenizer.encode(p));
  const settings: [string, SamplingOptions][] = [
    ["τ 0.5", { temperature: 0.5 }],
    ["τ 1", { temperature: 1 }],
    ["τ 2", { temperature: 2 }],
    ["top-k 5", { topK: 5 }],
    ["top-p 0.9", { topP: 0.9 }],
    ["τ 0.8 · top-p 0.9", { temperature: 0.8, topP: 0.9 }],
  ];
  const base = nextTokenDistribution(logits);
  const order = [...base.keys()].sort((a, b) => base[b] - base[a]).slice(0, TOP);
  await ctx.chart(
    "next_token_distribution",
    heatmap({
      title: tr({
        en: `Next-token probabilities of the ${TOP} likeliest characters, by sampling setting`,
        fr: `Probabilités des ${TOP} caractères suivants les plus probables, selon le réglage`,
      }),
      values: settings.map(([, o]) => {
        const d = nextTokenDistribution(logits, o);
        return order.map((id) => d[id]);
      }),
      rowLabels: settings.map(([name]) => name),
      columnLabels: order.map((id) => label(tokenizer, id)),
      columnTitle: tr({ en: "next character", fr: "caractère suivant" }),
      cellFormat: ".2f",
      cellSize: 36,
      domain: [0, 1],
    }),
  );
  const samples = settings.map(([name, o]) => {
    const ids = generate(model, tokenizer.encode(p), { ...o, maxTokens: SAMPLE_TOKENS, seed: 7 });
    return { name, text: tokenizer.decode(ids) };
  });
  await ctx.sample(
    "samples",
    {
      en: `${SAMPLE_TOKENS} characters after the prompt per setting, seed 7`,
      fr: `${SAMPLE_TOKENS} caractères après le prompt pour chaque réglage, graine 7`,
    },
    samples.map((s) => `── ${s.name}\n${p}${s.text}`).join("\n\n"),
  );
  ctx.say({
    en: `
    The same distribution under each setting: the temperature reshapes it, top-k and top-p cut
    its tail to zero. The first lines after the prompt, per setting (all in samples.txt):
  `,
    fr: `
    La même distribution sous chaque réglage : la température la remodèle, top-k et top-p
    ramènent sa traîne à zéro. Les premières lignes après le prompt, réglage par réglage (tout
    est dans samples.txt) :
  `,
  });
  ctx.show(samples.map((s) => `── ${s.name}\n${margin(s.text, 3)}`).join("\n"));
});

/** Samples per setting and characters per sample in the sampling experiment. */
const EXPERIMENT = { samples: 30, tokens: 120 };

const experiment = step({
  en: "Sampling as an experiment: many samples per setting",
  fr: "L'échantillonnage comme expérience : beaucoup d'extraits par réglage",
}, async (ctx) => {
  const { model } = await labPretrained(ctx);
  const { tokenizer } = await labDataset();
  const corpus = (await labCorpus()).text;
  const known = new Set(splitWords(corpus));
  const p = await prompt();
  const settings: [string, SamplingOptions][] = [
    [tr({ en: "greedy (τ 0)", fr: "glouton (τ 0)" }), { temperature: 0 }],
    ["τ 0.5", { temperature: 0.5 }],
    ["τ 0.8 · top-p 0.9", { temperature: 0.8, topP: 0.9 }],
    ["τ 1", { temperature: 1 }],
    ["top-k 5", { topK: 5 }],
    ["τ 1.5", { temperature: 1.5 }],
  ];
  const { samples: N, tokens } = EXPERIMENT;
  ctx.say({
    en: `
    One sample says little about a setting; many do. For each setting the lab draws ${N}
    continuations of the prompt, ${tokens} characters each, seeds 1 to ${N}, and measures three
    things: how many are different (diversity; the rest are repeats of an earlier one), how
    much of each repeats itself (the share of its 8-character pieces seen earlier in the same
    sample: loops), and how many of its words are words of the corpus (invented words are a
    sign of noise).
  `,
    fr: `
    Un seul extrait en dit peu sur un réglage ; beaucoup en disent davantage. Pour chaque
    réglage, le lab tire ${N} suites du prompt, de ${tokens} caractères chacune, graines 1 à
    ${N}, et mesure trois choses : combien sont différentes (la diversité ; les autres répètent
    une suite déjà tirée), combien chacune se répète elle-même (la part de ses morceaux de
    8 caractères déjà vus plus tôt dans le même extrait : les boucles), et combien de ses mots
    sont des mots du corpus (les mots inventés sont un signe de bruit).
  `,
  });
  const rows = settings.map(([name, o]) => {
    const texts = Array.from({ length: N }, (_, i) =>
      tokenizer.decode(
        generate(model, tokenizer.encode(p), { ...o, maxTokens: tokens, seed: i + 1 }),
      ));
    return { name, ...sampleStats(texts, known) };
  });
  const pct = (x: number) =>
    tr({ en: `${(100 * x).toFixed(0)}%`, fr: `${(100 * x).toFixed(0)} %` });
  const measures = {
    repeated: tr({ en: "repeated 8-grams", fr: "8-grammes répétés" }),
    known: tr({ en: "words of the corpus", fr: "mots du corpus" }),
  };
  ctx.table([
    [
      { en: "setting", fr: "réglage" },
      { en: "distinct", fr: "distinctes" },
      { en: "repeats", fr: "répétitions" },
      { en: "repeated 8-grams", fr: "8-grammes répétés" },
      { en: "words of the corpus", fr: "mots du corpus" },
    ],
    ...rows.map((
      r,
    ) => [r.name, `${r.distinct}/${r.samples}`, r.repeats, pct(r.repeated), pct(r.knownWords)]),
  ]);
  await ctx.chart(
    "sampling_experiment",
    barChart({
      title: tr({
        en: `${N} samples per setting: self-repetition and words of the corpus`,
        fr: `${N} extraits par réglage : autorépétition et mots du corpus`,
      }),
      data: rows.flatMap((r) => [
        { setting: r.name, measure: measures.repeated, share: r.repeated },
        { setting: r.name, measure: measures.known, share: r.knownWords },
      ]),
      category: "setting",
      value: "share",
      group: "measure",
      format: ".0%",
      domain: [0, 1],
      categoryTitle: "",
      valueTitle: tr({ en: "share", fr: "part" }),
      width: 560,
    }),
  );
  const [greedy, ...sampled] = rows;
  const hot = rows[rows.length - 1], cool = rows[1];
  const range = (f: (r: typeof greedy) => number) => {
    const xs = sampled.map(f);
    return [Math.min(...xs), Math.max(...xs)];
  };
  const [fewest, most] = range((r) => r.distinct);
  const [, loopiest] = range((r) => r.repeated);
  const plural = greedy.distinct === 1 ? "" : "s";
  const hotter = hot.knownWords < cool.knownWords;
  ctx.say({
    en: `
    Greedy decoding has no randomness: ${greedy.distinct} distinct continuation${plural} of
    ${N} (${greedy.repeats} repeats), and ${pct(greedy.repeated)} of it repeats itself.
    The sampled settings give ${fewest === most ? fewest : `${fewest} to ${most}`} distinct
    continuations of ${N}, and at most ${pct(loopiest)} self-repetition. Words of the corpus:
    ${pct(cool.knownWords)} at τ 0.5, ${pct(hot.knownWords)} at τ 1.5${
      hotter ? ": the hotter, the more invented words" : ""
    }.

    Which suits what: greedy or a low temperature where there is one right answer (a sum, a
    translation, code) and repetition is not a risk for short replies; τ 0.7 to 1 with top-p 0.9
    for open writing, varied but mostly real words; a high temperature only to brainstorm, where
    variety matters more than sense. Top-k and top-p cut the tail that produces the invented
    words, which is why they are usually paired with the temperature.
  `,
    fr: `
    Le décodage glouton n'a aucun hasard : ${greedy.distinct} suite${plural}
    distincte${plural} sur ${N} (${greedy.repeats} répétitions), et ${pct(greedy.repeated)} de
    son texte se répète. Les réglages échantillonnés donnent
    ${fewest === most ? fewest : `de ${fewest} à ${most}`} suites distinctes sur ${N}, et au
    plus ${pct(loopiest)} d'autorépétition. Mots du corpus : ${pct(cool.knownWords)} à τ 0.5,
    ${pct(hot.knownWords)} à τ 1.5${
      hotter ? " : plus c'est chaud, plus il y a de mots inventés" : ""
    }.

    À chaque usage son réglage : le glouton ou une basse température quand il n'y a qu'une
    bonne réponse (une somme, une traduction, du code) et que la répétition ne menace pas des
    réponses courtes ; τ 0.7 à 1 avec top-p 0.9 pour l'écriture libre, variée mais faite
    surtout de vrais mots ; une haute température seulement pour trouver des idées, quand la
    variété compte plus que le sens. Top-k et top-p coupent la traîne qui produit les mots
    inventés : c'est pourquoi on les associe d'habitude à la température.
  `,
  });
});

const kvCache = step({
  en: "The KV cache: same tokens, less work",
  fr: "Le cache KV : les mêmes tokens, moins de travail",
}, async (ctx) => {
  const { model } = await labPretrained(ctx);
  const { tokenizer } = await labDataset();
  const prompted = tokenizer.encode(await prompt());
  const n = 2 * model.config.blockSize + 10;
  const options = { maxTokens: n, temperature: 0.8, seed: 3 };
  const cached = generate(model, prompted, { ...options, kvCache: true });
  const plain = generate(model, prompted, { ...options, kvCache: false });
  const same = cached.length === plain.length && cached.every((t, i) => t === plain[i]);
  ctx.say({
    en: `
    Without a cache, every new token runs the whole context through the model again, though
    the keys and values of the earlier positions have not changed: causal attention never lets
    a position see later ones. The KV cache keeps each layer's keys and values, feeds only the
    newest token, and reads the rest: O(T) work per token instead of O(T²). Its arithmetic is
    the same, operation for operation, so it must give the same tokens. ${n} tokens sampled at
    temperature 0.8, seed 3, past the context of ${model.config.blockSize} (where the window
    slides): ${same ? "the same tokens with and without the cache" : "DIFFERENT tokens"}.
  `,
    fr: `
    Sans cache, chaque nouveau token refait passer tout le contexte dans le modèle, alors que les
    clés et les valeurs des positions précédentes n'ont pas changé : l'attention causale ne
    laisse jamais une position voir les suivantes. Le cache KV garde les clés et les valeurs de
    chaque couche, ne fait passer que le dernier token et relit le reste : un travail en O(T) par
    token au lieu de O(T²). Son arithmétique est la même, opération par opération : il doit donc
    donner les mêmes tokens. ${n} tokens tirés à la température 0,8, graine 3, au-delà du
    contexte de ${model.config.blockSize} (là où la fenêtre glisse) : ${
      same ? "les mêmes tokens avec et sans le cache" : "des tokens DIFFÉRENTS"
    }.
  `,
  });
  // Speed does not depend on the weights, so a fresh model with a longer context shows the trend.
  const wide = new GPT({ ...model.config, blockSize: 256 }, 0);
  const rows: { context: number; "tokens/s": number; cache: string }[] = [];
  const table: (string | number | Text)[][] = [[
    { en: "context", fr: "contexte" },
    { en: "with cache", fr: "avec cache" },
    { en: "without", fr: "sans" },
    { en: "speed-up", fr: "accélération" },
  ]];
  const [withName, withoutName] = [
    tr({ en: "with KV cache", fr: "avec cache KV" }),
    tr({ en: "without", fr: "sans" }),
  ];
  for (const T of [16, 32, 64, 128, 256]) {
    const { withCache, without } = speedAt(wide, T);
    rows.push({ context: T, "tokens/s": Math.round(withCache), cache: withName });
    rows.push({ context: T, "tokens/s": Math.round(without), cache: withoutName });
    table.push([
      T,
      formatCount(Math.round(withCache)),
      formatCount(Math.round(without)),
      `${(withCache / without).toFixed(1)}×`,
    ]);
  }
  await ctx.chart(
    "kv_cache_speed",
    lineChart({
      title: tr({
        en: "Generation speed at context length T, with and without the KV cache",
        fr: "Vitesse de génération pour un contexte de longueur T, avec et sans cache KV",
      }),
      data: rows,
      x: "context",
      y: "tokens/s",
      series: "cache",
      seriesTitle: "cache",
      logX: true,
      logY: true,
      xTitle: tr({ en: "context length T (tokens)", fr: "longueur du contexte T (tokens)" }),
    }),
  );
  ctx.say({
    en: `
    Tokens per second for the last ${SPEED_TOKENS} tokens of a context of T, for this model's
    shape stretched to a context of 256 (untrained: speed does not depend on the weights):
  `,
    fr: `
    Tokens par seconde pour les ${SPEED_TOKENS} derniers tokens d'un contexte de T, pour la
    forme de ce modèle étirée à un contexte de 256 (non entraîné : la vitesse ne dépend pas des
    poids) :
  `,
  });
  ctx.table(table);
  ctx.say({
    en: `
    The gap grows with the context: without the cache the cost of a token grows with T, with it
    the cost stays nearly flat until attention over the cached positions starts to count.
  `,
    fr: `
    L'écart grandit avec le contexte : sans le cache, le coût d'un token croît avec T ; avec
    lui, le coût reste presque constant jusqu'à ce que l'attention sur les positions en cache
    commence à compter.
  `,
  });
});

/** Tokens timed at each context length. */
const SPEED_TOKENS = 8;

/**
 * Tokens per second producing the last SPEED_TOKENS tokens of a context of T, with the KV cache
 * (filled with the first ones beforehand) and without it (a forward pass over the whole context
 * for each token), after one untimed round to warm up the compiler.
 */
function speedAt(model: GPT, T: number): { withCache: number; without: number } {
  const V = model.config.vocabSize;
  const tokens = Array.from({ length: T }, (_, i) => (i * 7) % V);
  const timed = (f: (i: number) => void) => {
    const t0 = performance.now();
    for (let i = T - SPEED_TOKENS + 1; i <= T; i++) f(i);
    return SPEED_TOKENS / ((performance.now() - t0) / 1000);
  };
  const cached = () => {
    const cache = new KVCache(model);
    cache.logitsAfter(tokens.slice(0, T - SPEED_TOKENS), 0);
    return timed((i) => cache.logitsAfter(tokens.slice(0, i), 0));
  };
  const plain = () => timed((i) => nextLogits(model, tokens.slice(0, i)));
  cached(), plain();
  return { withCache: cached(), without: plain() };
}

const streaming = step({
  en: "Streaming and stop strings",
  fr: "Génération en flux et chaînes d'arrêt",
}, async (ctx) => {
  const { model } = await labPretrained(ctx);
  const { tokenizer } = await labDataset();
  const p = await prompt();
  const stop = "\n\n";
  let text = "", line = "", firstMs = 0, count = 0;
  const t0 = performance.now();
  const lines: string[] = [];
  generate(model, tokenizer.encode(p), {
    maxTokens: 400,
    temperature: 0.8,
    topP: 0.95,
    seed: 11,
    onToken(id) {
      if (count++ === 0) firstMs = performance.now() - t0;
      const piece = tokenizer.decode([id]);
      text += piece;
      line += piece;
      if (piece === "\n") {
        // A line is shown as soon as it is complete, not when the whole text is.
        ctx.show(`${((performance.now() - t0) / 1000).toFixed(2)} s │ ${line.trimEnd()}`);
        lines.push(line);
        line = "";
      }
      return !text.endsWith(stop);
    },
  });
  if (line) ctx.show(`${((performance.now() - t0) / 1000).toFixed(2)} s │ ${line}`);
  const first = firstMs.toFixed(1), stopText = JSON.stringify(stop);
  const reached = text.endsWith(stop);
  ctx.say({
    en: `
    Above, generation streamed: generate() calls onToken with each new token, and the lab
    printed each line the moment it was complete, with the time it appeared. The first token
    came after ${first} ms. Returning false from onToken stops early: here at the stop string
    ${stopText} (a blank line, the end of a speech), ${
      reached ? `reached after ${count} tokens` : `not reached within ${count} tokens`
    }. \`deno task sample --ckpt DIR --stop …\` streams to the terminal the same way, character
    by character.
  `,
    fr: `
    Ci-dessus, la génération s'est faite en flux : generate() appelle onToken à chaque nouveau
    token, et le lab a affiché chaque ligne dès qu'elle était complète, avec l'instant où elle
    est apparue. Le premier token est arrivé après ${first} ms. Renvoyer false depuis onToken
    arrête plus tôt : ici à la chaîne d'arrêt ${stopText} (une ligne vide, la fin d'une
    réplique), ${
      reached ? `atteinte après ${count} tokens` : `non atteinte en ${count} tokens`
    }. \`deno task sample --ckpt DIR --stop …\` diffuse de la même façon dans le terminal,
    caractère par caractère.
  `,
  });
});

const yourLoop = step({
  en: "Exercise 10.4: the generation loop",
  fr: "Exercice 10.4 : la boucle de génération",
}, async (ctx) => {
  ctx.say({
    en: `
    generate() above is lib/'s loop, with a KV cache. The last exercise is the loop in its
    plainest form, yours: generateTokens(model, parts, prompt, options, rng) in
    labs/exercises/10_generation.ts. Until it has maxTokens new tokens: crop the context to the
    model's blockSize (the model reads no more), run the model, take the last position's
    logits, your temperature, top-k and top-p (through parts), draw a token with rng.uniform(),
    append it, and stop early at a stop string. The draw uses the generator it is given, so one
    seed gives one text, every time.
  `,
    fr: `
    Le generate() vu plus haut est la boucle de lib/, avec un cache KV. Le dernier exercice est
    cette boucle sous sa forme la plus simple, la tienne : generateTokens(model, parts, prompt,
    options, rng) dans labs/exercises/10_generation.ts. Tant qu'elle n'a pas maxTokens nouveaux
    tokens : recadrer le contexte à la blockSize du modèle (le modèle n'en lit pas plus), faire
    tourner le modèle, prendre les logits de la dernière position, ta température, ton top-k et
    ton top-p (à travers parts), tirer un token avec rng.uniform(), l'ajouter, et s'arrêter plus
    tôt sur une chaîne d'arrêt. Le tirage utilise le générateur qu'on lui donne : une graine donne
    un texte, toujours le même.
  `,
  });
  await ctx.exercise<typeof generateTokens>("10.4");
  ctx.say({
    en: "Your loop draws the same tokens as lib/'s on the check's model and seeds.",
    fr:
      "Ta boucle tire les mêmes tokens que celle de lib/ sur le modèle et les graines de la vérification.",
  });
});

const yourGPTWrites = step({ en: "Your GPT writes", fr: "Ton GPT écrit" }, async (ctx) => {
  const mine = await yourGPT(CATALOG, ["model", "training", "generation"], {
    root: ctx.studentRoot,
    reference: ctx.reference,
    check: ctx.check,
  });
  ctx.say(describeYourGPT(mine));
  // Your GPT as lab 09 trained it; trained here the same way when lab 09 has not run.
  const trained = `${ctx.outDir}/../09_training/your_gpt/latest`;
  const config = await yourRunConfig();
  const saved = await Deno.stat(`${trained}/model.safetensors`).then(() => true, () => false);
  let model = saved
    ? (await loadCheckpoint(trained, await loadBackend("ts", { own: mine.ops }))).model
    : null;
  if (model && model.config.vocabSize === config.vocabSize) {
    ctx.say({
      en: "Your GPT, as lab 09 trained it, now writes with your generation loop:",
      fr:
        "Ton GPT, tel que le lab 09 l'a entraîné, écrit maintenant avec ta boucle de génération :",
    });
  } else {
    ctx.say({
      en: `
      Lab 09 has not left your GPT's checkpoint here, so it trains first, with your loop, as
      lab 09 does (${YOUR_GPT_SETTINGS.steps} steps):
    `,
      fr: `
      Le lab 09 n'a pas laissé ici le checkpoint de ton GPT : il s'entraîne donc d'abord, avec ta
      boucle, comme dans le lab 09 (${YOUR_GPT_SETTINGS.steps} étapes) :
    `,
    });
    model = new GPT(config, YOUR_GPT_SETTINGS.seed, await loadBackend("ts", { own: mine.ops }));
    await trainYourRun(ctx, model, `${ctx.outDir}/your_gpt`, {
      loop: mine.trainLoop,
      parts: mine.loopParts,
    });
  }
  const { tokenizer } = await labDataset();
  const start = [...(await labCorpus()).text][0];
  const ids = mine.generateTokens(model, mine.sampleParts, tokenizer.encode(start), {
    maxTokens: 300,
    temperature: 0.8,
    topK: 20,
  }, new Rng(1));
  const text = start + tokenizer.decode(ids);
  await ctx.sample(
    "your_gpt_sample",
    {
      en: "Your GPT, your loop: 300 characters, temperature 0.8, top-k 20",
      fr: "Ton GPT, ta boucle : 300 caractères, température 0,8, top-k 20",
    },
    text,
  );
  ctx.show(text.split("\n").slice(0, 10).join("\n"));
  ctx.say(
    mine.library.length === 0
      ? {
        en: `
    That text came entirely from code you wrote: the tokens' embeddings, attention, LayerNorm,
    the blocks, the forward and backward passes, the loss, the schedule, clipping, AdamW and
    the training loop that taught the model, and the temperature, top-k, top-p and the loop
    that wrote it. lib/ supplied the data, the files and a few small layers with no exercise
    (linear forward, GELU, the residual add, softmax). This is your GPT, from scratch.
  `,
        fr: `
    Ce texte vient entièrement de code que tu as écrit : les embeddings des tokens,
    l'attention, LayerNorm, les blocs, les passes avant et arrière, la perte, le planning,
    l'écrêtage, AdamW et la boucle d'entraînement qui a instruit le modèle, puis la
    température, le top-k, le top-p et la boucle qui l'a écrit. lib/ a fourni les données, les
    fichiers et quelques petites couches sans exercice (la passe avant linéaire, GELU,
    l'addition résiduelle, le softmax). C'est ton GPT, construit de zéro.
  `,
      }
      : {
        en: `
    The parts still lib/'s are listed above; each exercise you pass moves one of them into
    your GPT, and this text will come from more of your code.
  `,
        fr: `
    Les parties qui sont encore celles de lib/ sont listées plus haut ; chaque exercice que tu
    réussis en fait passer une dans ton GPT, et ce texte viendra d'une plus grande part de ton
    code.
  `,
      },
  );
});

/** Lab 10, as the runner sees it. */
export const lab: Lab = {
  id: "10",
  slug: "10_generation",
  title: {
    en: "Generation: sampling and the KV cache",
    fr: "La génération : l'échantillonnage et le cache KV",
  },
  exercises,
  steps: [
    theModel,
    yourTemperature,
    greedy,
    yourTopK,
    yourTopP,
    variants,
    experiment,
    kvCache,
    streaming,
    yourLoop,
    yourGPTWrites,
  ],
};
