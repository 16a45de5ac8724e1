/**
 * Lab 08 · The dataset: from a text file to the batches a GPT trains on. Loads a corpus (tiny
 * shakespeare when this machine has it, else the project's multilingual sample), tokenizes it at
 * the character level and with BPE and compares the two, looks at how unevenly tokens are used,
 * splits train from validation, and draws seeded batches of (input, target) windows.
 *
 * Leaves out training the BPE itself (lab 01) and the training loop (lab 09).
 * @module
 */
import { heatmap, lineChart } from "../lib/charts.ts";
import { supplyText } from "../lib/train/corpus.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { tr, verbatim } from "../lib/i18n.ts";
import { Rng } from "../lib/random.ts";
import { formatCount } from "../lib/term.ts";
import { type BpeTokenizer, CharTokenizer, trainBpe } from "../lib/tokenizer/mod.ts";
import { exercises, type MakeBatch, type SplitTokens } from "./catalog/08_dataset.ts";
import { labCorpus } from "./setup.ts";

/** Batch shown in the lab: a few rows of a short context, so that it reads on one screen. */
const [B, T] = [4, 16];
const VAL_FRACTION = 0.1;

let bpeCache: { vocab: number; tok: BpeTokenizer } | undefined;

/** The BPE the lab compares with characters, trained once (`--from` may skip its step). */
async function bpe(): Promise<BpeTokenizer> {
  const c = await labCorpus();
  // Large enough to merge common words, small enough to train in about a second.
  const vocab = c.shakespeare ? 1000 : 400;
  if (bpeCache?.vocab !== vocab) bpeCache = { vocab, tok: trainBpe(c.text, { vocabSize: vocab }) };
  return bpeCache.tok;
}

async function charIds(): Promise<{ tok: CharTokenizer; ids: Int32Array }> {
  const { text } = await labCorpus();
  const tok = CharTokenizer.fromText(text);
  return { tok, ids: Int32Array.from(tok.encode(text)) };
}

/** A string with its newlines and tabs visible, so that a token or a window reads on one line. */
function visible(text: string): string {
  return text.replace(/\n/g, "⏎").replace(/\t/g, "⇥");
}

const theCorpus = step({ en: "The corpus", fr: "Le corpus" }, async (ctx) => {
  const c = await labCorpus();
  const bytes = new TextEncoder().encode(c.text).length;
  const name = c.name;
  const [size, lines] = [formatCount(bytes), formatCount(c.text.split("\n").length)];
  ctx.say({
    en: `
    A language model learns from one long text. This lab reads ${name}: ${size} bytes, ${lines}
    lines. Its first lines:
  `,
    fr: `
    Un modèle de langage apprend sur un seul long texte. Ce lab lit ${name} : ${size} octets,
    ${lines} lignes. Ses premières lignes :
  `,
  });
  ctx.show(c.text.split("\n").slice(0, 6).join("\n"));
  ctx.say(
    c.shakespeare
      ? {
        en: `
    It is Karpathy's tiny shakespeare, the corpus nanoGPT's baby GPT trains on: 40,000 lines of
    the plays, found on this machine and checked against the registry's size and sha256
    (data/registry.json). \`deno task train --corpus my.txt\` trains on any UTF-8 text instead.
  `,
        fr: `
    C'est le tiny shakespeare de Karpathy, le corpus sur lequel s'entraîne le baby GPT de
    nanoGPT : 40 000 lignes des pièces, trouvées sur cette machine et vérifiées d'après la
    taille et le sha256 du registre (data/registry.json). \`deno task train --corpus mon.txt\`
    entraîne sur n'importe quel texte UTF-8 à la place.
  `,
      }
      : {
        en: `
    Tiny shakespeare is not on this machine, so the lab falls back on the short sample the
    project ships; every step works the same, on less text. ${supplyText("tinyshakespeare").en}
  `,
        fr: `
    Tiny shakespeare n'est pas sur cette machine : le lab se rabat sur le court échantillon
    fourni avec le projet ; chaque étape fonctionne pareil, sur moins de texte.
    ${supplyText("tinyshakespeare").fr}
  `,
      },
  );
});

const characters = step({
  en: "Characters as tokens",
  fr: "Les caractères comme tokens",
}, async (ctx) => {
  const c = await labCorpus();
  const { tok, ids } = await charIds();
  const line = c.text.split("\n").find((l) => l.trim().length > 20) ?? c.text.slice(0, 40);
  ctx.say({
    en: `
    The simplest tokenizer: one id per distinct character, in code-point order. The whole corpus
    uses ${tok.vocabSize} characters, so the model's vocabulary is V = ${tok.vocabSize} and every
    character of the text is one token: ${formatCount(ids.length)} tokens. One line, encoded:
  `,
    fr: `
    Le tokenizer le plus simple : un identifiant par caractère distinct, dans l'ordre des points
    de code. Le corpus entier utilise ${tok.vocabSize} caractères : le vocabulaire du modèle est
    donc V = ${tok.vocabSize} et chaque caractère du texte est un token, soit
    ${formatCount(ids.length)} tokens. Une ligne, encodée :
  `,
  });
  const sample = line.slice(0, 24);
  ctx.show(`${JSON.stringify(sample)}\n→ [${tok.encode(sample).join(", ")}]`);
  ctx.say({
    en: `The vocabulary, id by id (⏎ is the newline):`,
    fr: `Le vocabulaire, identifiant par identifiant (⏎ est le retour à la ligne) :`,
  });
  ctx.show(visible(tok.chars.join("")));
});

const charsVersusBpe = step({
  en: "Characters versus BPE",
  fr: "Caractères contre BPE",
}, async (ctx) => {
  const c = await labCorpus();
  const { tok: chars, ids } = await charIds();
  const t0 = performance.now();
  const tok = await bpe();
  const ms = performance.now() - t0;
  const bpeIds = tok.encode(c.text);
  const line = c.text.split("\n").find((l) => l.trim().length > 20) ?? c.text.slice(0, 40);
  const seconds = (ms / 1000).toFixed(1);
  ctx.say({
    en: `
    Byte-pair encoding (lab 01) merges frequent pairs into new tokens. A BPE of ${tok.vocabSize}
    tokens, trained on this corpus in ${seconds} s, against the characters:
  `,
    fr: `
    Le byte-pair encoding (lab 01) fusionne les paires fréquentes en nouveaux tokens. Un BPE de
    ${tok.vocabSize} tokens, entraîné sur ce corpus en ${seconds} s, face aux caractères :
  `,
  });
  ctx.table([
    [
      verbatim("tokenizer"),
      { en: "vocabulary V", fr: "vocabulaire V" },
      { en: "tokens in the corpus", fr: "tokens dans le corpus" },
      { en: "characters per token", fr: "caractères par token" },
    ],
    [
      { en: "characters", fr: "caractères" },
      chars.vocabSize,
      formatCount(ids.length),
      (c.text.length / ids.length).toFixed(2),
    ],
    [
      `BPE ${tok.vocabSize}`,
      tok.vocabSize,
      formatCount(bpeIds.length),
      (c.text.length / bpeIds.length).toFixed(2),
    ],
  ]);
  ctx.show(tok.encode(line).map((id) => tok.tokenText(id).slice(1, -1)).join("|"));
  const ratio = (ids.length / bpeIds.length).toFixed(1);
  ctx.say({
    en: `
    With BPE a context of T tokens covers ${ratio}× more text, at the price of a larger embedding
    table (V·C parameters) and of a harder prediction per token: ${tok.vocabSize} choices instead
    of ${chars.vocabSize}. nanoGPT's baby GPT, which lab 09 trains, uses characters; so do the
    labs from here on.
  `,
    fr: `
    Avec le BPE, un contexte de T tokens couvre ${ratio} fois plus de texte, au prix d'une table
    d'embeddings plus grande (V·C paramètres) et d'une prédiction plus difficile à chaque token :
    ${tok.vocabSize} choix au lieu de ${chars.vocabSize}. Le baby GPT de nanoGPT, que le lab 09
    entraîne, utilise des caractères ; les labs suivants aussi.
  `,
  });
});

const tokenFrequency = step({
  en: "Token frequency",
  fr: "La fréquence des tokens",
}, async (ctx) => {
  const c = await labCorpus();
  const { ids } = await charIds();
  const tok = await bpe();
  const rankFrequency = (tokens: ArrayLike<number>, name: string) => {
    const counts = new Map<number, number>();
    for (let i = 0; i < tokens.length; i++) counts.set(tokens[i], (counts.get(tokens[i]) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    return {
      sorted,
      data: sorted.map(([, n], r) => ({
        tokenizer: name,
        rank: r + 1,
        frequency: n / tokens.length,
      })),
    };
  };
  const char = rankFrequency(ids, tr({ en: "characters", fr: "caractères" }));
  const pairs = rankFrequency(tok.encode(c.text), `BPE ${tok.vocabSize}`);
  await ctx.chart(
    "token_frequency",
    lineChart({
      title: tr({
        en: "Token frequency by rank (log-log)",
        fr: "Fréquence des tokens selon leur rang (log-log)",
      }),
      data: [...char.data, ...pairs.data],
      x: "rank",
      y: "frequency",
      series: "tokenizer",
      logX: true,
      logY: true,
      points: false,
      xTitle: tr({ en: "rank", fr: "rang" }),
      yTitle: tr({ en: "share of the tokens", fr: "part des tokens" }),
    }),
  );
  const top = (s: [number, number][], text: (id: number) => string, n: number) =>
    s.slice(0, 8).map(([id, count]) => `${text(id)} ${(100 * count / n).toFixed(1)}%`).join("  ");
  const total = (s: [number, number][]) => s.reduce((a, [, n]) => a + n, 0);
  ctx.say({
    en: `
    Tokens are used very unevenly. Sorted from the most to the least frequent, characters fall
    off a cliff after a few dozen: a handful of letters and the space carry most of the text.
    BPE spreads its mass over hundreds of tokens, its share falling roughly as a power of the
    rank, a straight line on log-log axes (Zipf's law, as for the words of any language), down to
    a tail of rare merged pieces. The most frequent:
  `,
    fr: `
    Les tokens sont utilisés de façon très inégale. Triés du plus fréquent au plus rare, les
    caractères tombent d'une falaise après quelques dizaines : une poignée de lettres et
    l'espace portent l'essentiel du texte. Le BPE répartit sa masse sur des centaines de tokens,
    dont la part décroît à peu près comme une puissance du rang, une droite en axes log-log (la
    loi de Zipf, comme pour les mots de n'importe quelle langue), jusqu'à une traîne de
    morceaux fusionnés rares. Les plus fréquents :
  `,
  });
  const { tok: chars } = await charIds();
  ctx.show(
    `${tr({ en: "characters", fr: "caractères" })}  ${
      top(char.sorted, (id) => JSON.stringify(visible(chars.chars[id])), total(char.sorted))
    }\n` +
      `BPE         ${top(pairs.sorted, (id) => visible(tok.tokenText(id)), total(pairs.sorted))}`,
  );
  const rare = pairs.sorted.filter(([, n]) => n <= 2).length;
  ctx.say({
    en: `
    ${rare} of the ${pairs.sorted.length} BPE tokens in use occur at most twice: the model will
    see too few examples of them to learn much. Rare tokens are one reason small corpora favour
    small vocabularies.
  `,
    fr: `
    ${rare} des ${pairs.sorted.length} tokens BPE utilisés n'apparaissent que deux fois au plus :
    le modèle en verra trop peu d'exemples pour en apprendre grand-chose. Ces tokens rares sont
    l'une des raisons pour lesquelles les petits corpus préfèrent les petits vocabulaires.
  `,
  });
});

const yourSplit = step({
  en: "Exercise 08.1: train and validation",
  fr: "Exercice 08.1 : entraînement et validation",
}, async (ctx) => {
  ctx.say({
    en: `
    To know whether the model learns the language or memorises the text, part of the text is
    held out: the model never trains on it, and its loss there, the validation loss, is the
    honest score. As nanoGPT does, the last ${VAL_FRACTION * 100}% of the text validates:
    a contiguous block, since random tokens would leave every validation token's neighbours in
    the training set. Write splitTokens.
  `,
    fr: `
    Pour savoir si le modèle apprend la langue ou mémorise le texte, on met de côté une partie
    du texte : le modèle ne s'entraîne jamais dessus, et sa perte sur cette partie, la perte de
    validation, est la note honnête. Comme nanoGPT, on valide sur les derniers
    ${VAL_FRACTION * 100} % du texte : un bloc d'un seul tenant, car des tokens tirés au hasard
    laisseraient les voisins de chaque token de validation dans l'ensemble d'entraînement.
    Écris splitTokens.
  `,
  });
  const split = await ctx.exercise<SplitTokens>("08.1");
  const { tok, ids } = await charIds();
  const { train, val } = split(ids, VAL_FRACTION);
  ctx.table([
    [{ en: "split", fr: "partie" }, verbatim("tokens"), { en: "starts with", fr: "commence par" }],
    ["train", formatCount(train.length), JSON.stringify(visible(tok.decode(train.slice(0, 30))))],
    ["val", formatCount(val.length), JSON.stringify(visible(tok.decode(val.slice(0, 30))))],
  ]);
});

const yourBatch = step({
  en: "Exercise 08.2: batches of inputs and targets",
  fr: "Exercice 08.2 : des batchs d'entrées et de cibles",
}, async (ctx) => {
  ctx.say({
    en: `
    A GPT learns to predict each next token. A training example is a window of T tokens, the
    inputs, and the same window shifted by one, the targets: the target at position t is the
    token after input t. One window thus holds T predictions at once, each seeing only what came
    before it (the causal mask of lab 03). A batch stacks B windows taken at random places.
    Write makeBatch.
  `,
    fr: `
    Un GPT apprend à prédire chaque token suivant. Un exemple d'entraînement est une fenêtre de
    T tokens, les entrées, et la même fenêtre décalée d'un cran, les cibles : la cible en
    position t est le token qui suit l'entrée t. Une fenêtre contient ainsi T prédictions à la
    fois, chacune ne voyant que ce qui la précède (le masque causal du lab 03). Un batch empile
    B fenêtres prises à des endroits tirés au hasard. Écris makeBatch.
  `,
  });
  const batch = await ctx.exercise<MakeBatch>("08.2");
  const { tok, ids } = await charIds();
  const data = new TokenDataset(ids, VAL_FRACTION);
  const { inputs, targets } = batch(data.train, B, T, new Rng(1337));
  const row = (a: Int32Array, b: number) => [...a.subarray(b * T, (b + 1) * T)];
  ctx.say({
    en: `A batch of B = ${B} windows of T = ${T} characters, seed 1337:`,
    fr: `Un batch de B = ${B} fenêtres de T = ${T} caractères, graine 1337 :`,
  });
  ctx.table([
    [{ en: "row", fr: "ligne" }, { en: "inputs", fr: "entrées" }, { en: "targets", fr: "cibles" }],
    ...Array.from({ length: B }, (_, b) => [
      b,
      JSON.stringify(visible(tok.decode(row(inputs, b)))),
      JSON.stringify(visible(tok.decode(row(targets, b)))),
    ]),
  ]);
  ctx.say({
    en:
      `Row 0 as the model sees it: at each position, the context so far and the token to predict.`,
    fr:
      `La ligne 0 telle que le modèle la voit : à chaque position, le contexte jusque-là et le token à prédire.`,
  });
  ctx.table([
    ["t", { en: "context (inputs 0..t)", fr: "contexte (entrées 0..t)" }, {
      en: "target",
      fr: "cible",
    }],
    ...[0, 1, 2, T - 1].map((t) => [
      t,
      JSON.stringify(visible(tok.decode(row(inputs, 0).slice(0, t + 1)))),
      JSON.stringify(visible(tok.decode([targets[t]]))),
    ]),
  ]);
  const labels: string[] = [];
  const values: number[][] = [];
  for (let b = 0; b < B; b++) {
    labels.push(
      tr({ en: `inputs ${b}`, fr: `entrées ${b}` }),
      tr({ en: `targets ${b}`, fr: `cibles ${b}` }),
    );
    values.push(row(inputs, b), row(targets, b));
  }
  await ctx.chart(
    "batch",
    heatmap({
      title: tr({
        en: "One batch: token ids of inputs and targets (targets = inputs shifted left by one)",
        fr:
          "Un batch : identifiants des entrées et des cibles (cibles = entrées décalées d'un cran)",
      }),
      values,
      rowLabels: labels,
      columnLabels: Array.from({ length: T }, (_, t) => String(t)),
      columnTitle: tr({ en: "position t", fr: "position t" }),
      scheme: "viridis",
      cellFormat: "d",
      cellSize: 26,
    }),
  );
  const again = batch(data.train, B, T, new Rng(1337));
  const other = batch(data.train, B, T, new Rng(1338));
  const same = (a: Int32Array, b: Int32Array) => a.every((x, i) => x === b[i]);
  const [sameAgain, sameOther] = [same(again.inputs, inputs), same(other.inputs, inputs)];
  ctx.say({
    en: `
    The windows depend only on the generator's seed: seed 1337 again gives ${
      sameAgain ? "the very same batch" : "a DIFFERENT batch"
    }, seed 1338 ${sameOther ? "the same one (unexpected)" : "another one"}. That is what lets
    lab 09 stop a run and resume it with the exact batches it would have seen. The trainer
    draws its batches this way (TokenDataset in lib/train/dataset.ts), ${B * T} tokens here,
    12 × 64 = 768 per step for the baby GPT.
  `,
    fr: `
    Les fenêtres ne dépendent que de la graine du générateur : la graine 1337 redonne ${
      sameAgain ? "exactement le même batch" : "un batch DIFFÉRENT"
    }, la graine 1338 ${sameOther ? "le même (inattendu)" : "un autre"}. C'est ce qui permet au
    lab 09 d'arrêter un entraînement et de le reprendre avec exactement les batchs qu'il aurait
    vus. L'entraîneur tire ses batchs ainsi (TokenDataset dans lib/train/dataset.ts) : ${B * T}
    tokens ici, 12 × 64 = 768 par pas pour le baby GPT.
  `,
  });
});

/** Lab 08, as the runner sees it. */
export const lab: Lab = {
  id: "08",
  slug: "08_dataset",
  title: {
    en: "The dataset: tokens, splits and batches",
    fr: "Le jeu de données : tokens, découpage et batchs",
  },
  exercises,
  steps: [theCorpus, characters, charsVersusBpe, tokenFrequency, yourSplit, yourBatch],
};
