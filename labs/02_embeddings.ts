/**
 * Lab 02 · Embeddings: one-hot vectors and why they are not enough; an embedding layer is a
 * table lookup; word2vec (skip-gram with negative sampling) trained on the corpus; cosine
 * similarity, nearest neighbours, analogies, a PCA picture and a similarity heatmap; then fixed
 * against contextual vectors, from a small word-level GPT, as the bridge to attention.
 *
 * Uses tiny Shakespeare when lib/train/corpus.ts finds it, otherwise a synthetic text the lab writes
 * (labs/texts.ts), whose word groups word2vec should recover.
 * @module
 */
import { heatmap, scatter } from "../lib/charts.ts";
import { findCorpus, supplyText } from "../lib/train/corpus.ts";
import type { encoderBackward, encoderForward } from "../lib/layers/encoder.ts";
import { formatCount } from "../lib/term.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { lang, tr, verbatim } from "../lib/i18n.ts";
import { matmul } from "../lib/layers/matmul.ts";
import { Rng } from "../lib/random.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { inContext, trainWordModel } from "../lib/course/contextual.ts";
import {
  analogy,
  centerRows,
  cosineSimilarity,
  nearestNeighbours,
  pca2,
} from "../lib/course/vectors.ts";
import {
  buildVocab,
  type SkipGramModel,
  splitWords,
  trainSkipGram,
  type WordVocab,
} from "../lib/course/word2vec.ts";
import { exercises } from "./catalog/02_embeddings.ts";
import { syntheticCorpus, WORD_GROUPS } from "./texts.ts";

const DIM = 32;
const SHAKESPEARE_PROBES = [
  "king",
  "queen",
  "lord",
  "love",
  "hate",
  "night",
  "day",
  "good",
  "death",
  "father",
  "blood",
  "heaven",
];

interface Trained {
  source: string;
  words: number;
  vocab: WordVocab;
  model: SkipGramModel;
  /** The embeddings (the input vectors) with their mean removed: what the lab compares. */
  vectors: Float32Array; // (V, DIM)
  /** Words to show, each with the group (or probe word) it belongs to. */
  probes: { word: string; group: string }[];
  ms: number;
  progress: { done: number; loss: number }[];
}

let cache: Trained | undefined;

/** word2vec on the corpus, trained once per run (steps after the training step reuse it). */
function trained(): Trained {
  if (cache) return cache;
  const path = findCorpus("tinyshakespeare");
  const text = path ? Deno.readTextFileSync(path) : syntheticCorpus(6000, 1);
  const words = splitWords(text);
  const vocab = buildVocab(words, 2000, 5);
  const ids = Int32Array.from(words, (w) => vocab.ids.get(w) ?? -1);
  const progress: { done: number; loss: number }[] = [];
  const t0 = performance.now();
  const model = trainSkipGram(ids, vocab.counts, {
    dim: DIM,
    epochs: path ? 2 : 3,
    lr: 0.025,
    seed: 1,
    reports: 5,
    onProgress: (done, loss) => progress.push({ done, loss }),
  });
  const probes = path
    ? SHAKESPEARE_PROBES.filter((w) => vocab.ids.has(w)).map((w) => ({ word: w, group: w }))
    : Object.entries(WORD_GROUPS).flatMap(([group, ws]) => ws.map((word) => ({ word, group })));
  cache = {
    source: path ? "tiny Shakespeare" : "the synthetic corpus of labs/texts.ts",
    words: words.length,
    vocab,
    model,
    vectors: centerRows(model.input, vocab.words.length, DIM),
    probes,
    ms: performance.now() - t0,
    progress,
  };
  return cache;
}

function vectorOf(t: Trained, word: string): Float32Array {
  const id = t.vocab.ids.get(word)!;
  return t.vectors.subarray(id * DIM, id * DIM + DIM);
}

const oneHot = step({ en: "One-hot vectors", fr: "Les vecteurs one-hot" }, (ctx) => {
  // The same example in each language: its words are the reader's.
  const words = lang() === "fr"
    ? ["roi", "reine", "chat", "fromage"]
    : ["king", "queen", "cat", "cheese"];
  ctx.say({
    en: `
    A network computes with numbers, so each word (or token) needs a vector. The simplest is
    one-hot: with a vocabulary of V words, word i is a vector of V zeros with a 1 at place i.
  `,
    fr: `
    Un réseau calcule avec des nombres : chaque mot (ou token) a donc besoin d'un vecteur. Le
    plus simple est le one-hot : avec un vocabulaire de V mots, le mot i est un vecteur de V
    zéros avec un 1 à la place i.
  `,
  });
  const vec = (i: number) => Array.from({ length: words.length }, (_, j) => (j === i ? 1 : 0));
  ctx.table([
    [{ en: "word", fr: "mot" }, { en: "one-hot vector", fr: "vecteur one-hot" }],
    ...words.map((w, i) => [w, `[${vec(i).join(", ")}]`]),
  ]);
  const same = cosineSimilarity(vec(0), vec(1));
  ctx.say({
    en: `
    Two problems. Size: with GPT-2's 50,257 tokens, each vector has 50,257 numbers, all but one
    zero. Meaning: any two different words are at the same distance, with cosine similarity
    ${same} for "king" and "queen" as for "king" and "cheese". Nothing says that a king is more
    like a queen than like cheese.
  `,
    fr: `
    Deux problèmes. La taille : avec les 50 257 tokens de GPT-2, chaque vecteur compte 50 257
    nombres, tous nuls sauf un. Le sens : deux mots différents sont toujours à la même distance,
    avec une similarité cosinus de ${same} pour « roi » et « reine » comme pour « roi » et
    « fromage ». Rien ne dit qu'un roi ressemble plus à une reine qu'à du fromage.
  `,
  });
});

const lookup = step({
  en: "Exercise 02.1: an embedding layer is a lookup",
  fr: "Exercice 02.1 : une couche d'embedding est une recherche dans une table",
}, async (ctx) => {
  ctx.say({
    en: `
    An embedding is a dense vector of C numbers (C = 128 to 384 in our presets, 12,288 in
    GPT-3), one row of a (V, C) table that is learned. Multiplying a one-hot vector by the
    table selects one row, so the layer never multiplies: it looks the row up. A GPT also adds
    a row of a position table wpe (lab 05). Write encoderForward in
    labs/exercises/02_embeddings.ts.
  `,
    fr: `
    Un embedding est un vecteur dense de C nombres (C = 128 à 384 dans nos préréglages, 12 288
    dans GPT-3), une ligne d'une table (V, C) qui s'apprend. Multiplier un vecteur one-hot par la
    table sélectionne une ligne : la couche ne multiplie donc jamais, elle va chercher la ligne.
    Un GPT ajoute aussi une ligne d'une table de positions wpe (lab 05). Écris encoderForward
    dans labs/exercises/02_embeddings.ts.
  `,
  });
  const encode = await ctx.exercise<typeof encoderForward>("02.1");
  const [V, C, T] = [50, 8, 4];
  const rng = new Rng(1);
  const wte = rng.normalArray(V * C);
  const ids = new Int32Array([7, 3, 7, 42]);
  const looked = new Float32Array(T * C);
  encode(looked, ids, wte, null, 1, T, C);
  const oneHots = new Float32Array(T * V); // (T, V)
  ids.forEach((id, t) => (oneHots[t * V + id] = 1));
  const multiplied = new Float32Array(T * C);
  matmul(multiplied, oneHots, wte, T, V, C);
  const diff = Math.max(...Array.from(looked, (x, i) => Math.abs(x - multiplied[i])));
  ctx.say({
    en: `
    Tokens [${ids.join(", ")}] through your lookup and through one-hot × table (V = ${V},
    C = ${C}): largest difference ${diff}. The product costs V·C = ${V * C} multiply-adds per
    token, the lookup ${C} copies. Token 7 appears twice and gets the same row both times: the
    embedding says what a token is, not where it stands.
  `,
    fr: `
    Les tokens [${ids.join(", ")}] passés par ta recherche et par one-hot × table (V = ${V},
    C = ${C}) : plus grand écart ${diff}. Le produit coûte V·C = ${V * C}
    multiplications-additions par token, la recherche ${C} copies. Le token 7 apparaît deux fois
    et reçoit les deux fois la même ligne : l'embedding dit ce qu'est un token, pas où il se
    trouve.
  `,
  });
});

const word2vec = step({
  en: "word2vec: vectors from context",
  fr: "word2vec : des vecteurs tirés du contexte",
}, (ctx) => {
  ctx.say({
    en: `
    Where do good vectors come from? "You shall know a word by the company it keeps" (Firth,
    1957). word2vec's skip-gram model gives each word an input vector and an output vector, and
    learns them from one task: for a word and a word near it (within 3 positions), make
    σ(in·out) close to 1; for 5 random words drawn from the corpus, close to 0 (negative
    sampling). Words seen in the same company are pushed towards the same vectors.
  `,
    fr: `
    D'où viennent de bons vecteurs ? « On reconnaît un mot à ses fréquentations » (Firth, 1957).
    Le modèle skip-gram de word2vec donne à chaque mot un vecteur d'entrée et un vecteur de
    sortie, et les apprend sur une seule tâche : pour un mot et un mot voisin (à 3 positions au
    plus), rendre σ(in·out) proche de 1 ; pour 5 mots tirés au hasard dans le corpus, proche de 0
    (l'échantillonnage négatif). Les mots vus en même compagnie sont poussés vers les mêmes
    vecteurs.
  `,
  });
  const path = findCorpus("tinyshakespeare");
  if (!path) {
    const supply = supplyText("tinyshakespeare");
    ctx.say({
      en: `${supply.en} Until then, the lab uses a synthetic text.`,
      fr: `${supply.fr} En attendant, le lab utilise un texte synthétique.`,
    });
  }
  const t = trained();
  ctx.table([
    [
      verbatim("corpus"),
      { en: "words", fr: "mots" },
      { en: "vocabulary (≥ 5 uses)", fr: "vocabulaire (≥ 5 emplois)" },
      verbatim("dimensions"),
      { en: "pairs trained", fr: "paires entraînées" },
      { en: "seconds", fr: "secondes" },
    ],
    [
      t.source,
      formatCount(t.words),
      t.vocab.words.length,
      DIM,
      formatCount(t.model.pairs),
      (t.ms / 1000).toFixed(1),
    ],
  ]);
  ctx.table([
    [
      { en: "progress", fr: "avancement" },
      {
        en: "mean loss per pair (positive + negatives)",
        fr: "perte moyenne par paire (positive + négatives)",
      },
    ],
    ...t.progress.map((p) => [`${Math.round(p.done * 100)}%`, p.loss.toFixed(3)]),
  ]);
});

const cosine = step({
  en: "Exercise 02.2: cosine similarity",
  fr: "Exercice 02.2 : la similarité cosinus",
}, async (ctx) => {
  ctx.say({
    en: `
    To compare two embeddings, the angle between them matters more than their lengths (frequent
    words get longer vectors). Cosine similarity is the cosine of that angle: 1 same direction,
    0 unrelated, −1 opposite. Word2vec vectors all lean in one common direction (mostly word
    frequency), so the lab subtracts their mean first; then write cosineSimilarity.
  `,
    fr: `
    Pour comparer deux embeddings, l'angle entre eux compte plus que leur longueur (les mots
    fréquents reçoivent des vecteurs plus longs). La similarité cosinus est le cosinus de cet
    angle : 1 même direction, 0 sans rapport, −1 opposés. Les vecteurs de word2vec penchent tous
    dans une direction commune (surtout la fréquence des mots) : le lab soustrait donc d'abord
    leur moyenne ; écris ensuite cosineSimilarity.
  `,
  });
  const cos = await ctx.exercise<typeof cosineSimilarity>("02.2");
  const t = trained();
  const p = t.probes.map((x) => x.word);
  const pairs: [string, string][] = t.source.startsWith("tiny")
    ? [["king", "queen"], ["king", "lord"], ["love", "hate"], ["night", "day"], ["king", "night"]]
    : [["king", "queen"], ["cat", "dog"], ["bread", "cheese"], ["king", "cheese"], [
      "red",
      "castle",
    ]];
  ctx.table([
    [{ en: "word", fr: "mot" }, { en: "word", fr: "mot" }, {
      en: "cosine (your function)",
      fr: "cosinus (ta fonction)",
    }],
    ...pairs.filter(([a, b]) => p.includes(a) && p.includes(b))
      .map(([a, b]) => [a, b, cos(vectorOf(t, a), vectorOf(t, b)).toFixed(3)]),
  ]);
});

const neighbours = step({ en: "Nearest neighbours", fr: "Les plus proches voisins" }, (ctx) => {
  const t = trained();
  const V = t.vocab.words.length;
  const shown = t.source.startsWith("tiny") ? t.probes : t.probes.filter((_, i) => i % 3 === 0);
  ctx.say({
    en: "The nearest neighbours of a few words, by cosine similarity over the whole vocabulary:",
    fr:
      "Les plus proches voisins de quelques mots, par similarité cosinus sur tout le vocabulaire :",
  });
  ctx.table([
    [{ en: "word", fr: "mot" }, {
      en: "nearest neighbours (cosine)",
      fr: "plus proches voisins (cosinus)",
    }],
    ...shown.map(({ word }) => [
      word,
      nearestNeighbours(t.vectors, V, DIM, t.vocab.ids.get(word)!, 5)
        .map((n) => `${t.vocab.words[n.id]} ${n.similarity.toFixed(2)}`).join(", "),
    ]),
  ]);
  ctx.say(
    t.source.startsWith("tiny")
      ? {
        en: `
    On one megabyte of text and a few seconds of CPU the neighbours are rough: look for the pairs
    that make sense (family words, titles, names from the same play) among the noise. word2vec's
    famous results used billions of words.
  `,
        fr: `
    Sur un mégaoctet de texte et quelques secondes de CPU, les voisins sont approximatifs :
    cherche, parmi le bruit, les paires qui ont du sens (mots de la famille, titres, noms de la
    même pièce). Les résultats célèbres de word2vec ont demandé des milliards de mots.
  `,
      }
      : {
        en:
          "The synthetic text's groups come back: each word's neighbours are mostly its own group.",
        fr:
          "Les groupes du texte synthétique réapparaissent : les voisins de chaque mot sont surtout de son groupe.",
      },
  );
});

const pcaPicture = step({
  en: "A 2-D picture: PCA",
  fr: "Une image en 2D : l'ACP",
}, async (ctx) => {
  const t = trained();
  const V = t.vocab.words.length;
  const points = t.source.startsWith("tiny")
    ? t.probes.flatMap(({ word }) => [
      { word, group: word },
      ...nearestNeighbours(t.vectors, V, DIM, t.vocab.ids.get(word)!, 3)
        .map((n) => ({ word: t.vocab.words[n.id], group: word })),
    ]).filter((p, i, all) => all.findIndex((q) => q.word === p.word) === i)
    : t.probes;
  const vectors = new Float32Array(points.length * DIM);
  points.forEach((p, i) => vectors.set(vectorOf(t, p.word), i * DIM));
  const xy = pca2(vectors, points.length, DIM);
  ctx.say({
    en: `
    ${DIM} dimensions do not fit on paper. Principal component analysis finds the two directions
    along which these ${points.length} vectors vary most and projects onto them. Much is lost,
    but groups that are tight in ${DIM} dimensions often stay together.
  `,
    fr: `
    ${DIM} dimensions ne tiennent pas sur une feuille. L'analyse en composantes principales
    trouve les deux directions selon lesquelles ces ${points.length} vecteurs varient le plus et
    les projette dessus. On perd beaucoup, mais les groupes serrés en ${DIM} dimensions restent
    souvent ensemble.
  `,
  });
  await ctx.chart(
    "word_vectors_pca",
    scatter({
      title: tr({
        en: `Word vectors projected on their two principal components (${t.source})`,
        fr: `Vecteurs de mots projetés sur leurs deux composantes principales (${t.source})`,
      }),
      data: points.map((p, i) => ({
        x: xy[i * 2],
        y: xy[i * 2 + 1],
        word: p.word,
        group: p.group,
      })),
      x: "x",
      y: "y",
      label: "word",
      color: "group",
      xTitle: tr({ en: "first principal component", fr: "première composante principale" }),
      yTitle: tr({ en: "second principal component", fr: "deuxième composante principale" }),
    }),
  );
});

const similarityHeatmap = step({
  en: "Similarity heatmap",
  fr: "Carte de chaleur des similarités",
}, async (ctx) => {
  const t = trained();
  const words = t.source.startsWith("tiny")
    ? t.probes.map((p) => p.word)
    : t.probes.filter((_, i) => i % 2 === 0).map((p) => p.word);
  const values = words.map((a) =>
    words.map((b) => cosineSimilarity(vectorOf(t, a), vectorOf(t, b)))
  );
  await ctx.chart(
    "similarity_heatmap",
    heatmap({
      title: tr({
        en: "Cosine similarity between word vectors",
        fr: "Similarité cosinus entre vecteurs de mots",
      }),
      values,
      rowLabels: words,
      columnLabels: words,
      scheme: "redblue",
      domain: [-1, 1],
      cellFormat: ".1f",
      cellSize: 28,
    }),
  );
  ctx.say({
    en: `
    A GPT learns its token embeddings the same way, as a side effect of predicting the next
    token, with the same lookup at the bottom of the model (lab 07). Lab 03 lets those vectors
    look at each other: attention.
  `,
    fr: `
    Un GPT apprend ses embeddings de tokens de la même façon, comme un effet secondaire de la
    prédiction du token suivant, avec la même recherche au bas du modèle (lab 07). Le lab 03
    permet à ces vecteurs de se regarder les uns les autres : l'attention.
  `,
  });
});

/** a − b + c ≈ expected: tiny Shakespeare's family and titles, and the course's French pair. */
const SHAKESPEARE_ANALOGIES: [string, string, string, string][] = [
  ["king", "man", "woman", "queen"],
  ["lord", "man", "woman", "lady"],
  ["husband", "man", "woman", "wife"],
  ["father", "man", "woman", "mother"],
  ["son", "man", "woman", "daughter"],
  ["brother", "he", "she", "sister"],
  ["his", "he", "she", "her"],
  ["roi", "homme", "femme", "reine"],
];

/** On the synthetic text an analogy can only move between groups: queen − king + cat ≈ an animal. */
const SYNTHETIC_ANALOGIES: [string, string, string, string][] = [
  ["queen", "king", "cat", "animals"],
  ["cheese", "bread", "red", "colours"],
  ["forest", "castle", "wolf", "animals"],
  ["blue", "red", "prince", "royalty"],
];

const analogies = step({
  en: "Analogies: king − man + woman",
  fr: "Les analogies : roi − homme + femme",
}, (ctx) => {
  const t = trained();
  const V = t.vocab.words.length;
  const tiny = t.source.startsWith("tiny");
  const has = (w: string) => t.vocab.ids.has(w);
  const sets = (tiny ? SHAKESPEARE_ANALOGIES : SYNTHETIC_ANALOGIES)
    .filter(([a, b, c, d]) => has(a) && has(b) && has(c) && (!tiny || has(d)));
  const skipped = (tiny ? SHAKESPEARE_ANALOGIES : SYNTHETIC_ANALOGIES).length - sets.length;
  const skippedEn = skipped
    ? ` (${skipped} skipped: ${skipped === 1 ? "a word is" : "words are"} missing)`
    : "";
  const skippedFr = skipped
    ? ` (${skipped} ${skipped === 1 ? "écartée : un mot manque" : "écartées : des mots manquent"})`
    : "";
  ctx.say({
    en: `
    word2vec made vector arithmetic famous: on billions of words, king − man + woman lands
    nearest to queen, because the step from man to woman is roughly the same direction as the
    step from king to queen. Do our small vectors learn such directions? The nearest word to
    a − b + c (leaving a, b and c out), on words the corpus has${skippedEn}:
  `,
    fr: `
    word2vec a rendu célèbre l'arithmétique des vecteurs : sur des milliards de mots,
    roi − homme + femme tombe au plus près de reine, parce que le pas de homme à femme va à peu
    près dans la même direction que celui de roi à reine. Nos petits vecteurs apprennent-ils
    de telles directions ? Le mot le plus proche de a − b + c (sans compter a, b et c), sur les
    mots que contient le corpus${skippedFr} :
  `,
  });
  let first = 0, top5 = 0;
  const rows = sets.map(([a, b, c, d]) => {
    const id = (w: string) => t.vocab.ids.get(w)!;
    const found = analogy(t.vectors, V, DIM, id(a), id(b), id(c), V);
    const right = (i: number) =>
      tiny ? t.vocab.words[i] === d : WORD_GROUPS[d].includes(t.vocab.words[i]);
    const rank = found.findIndex((f) => right(f.id)) + 1;
    if (rank === 1) first++;
    if (rank >= 1 && rank <= 5) top5++;
    return [
      `${a} − ${b} + ${c}`,
      tiny ? d : tr({ en: `one of ${d}`, fr: `un des ${d}` }),
      found.slice(0, 3).map((f) => `${t.vocab.words[f.id]} ${f.similarity.toFixed(2)}`).join(", "),
      rank || tr({ en: "not found", fr: "introuvable" }),
    ];
  });
  ctx.table([
    [
      { en: "analogy", fr: "analogie" },
      { en: "expected", fr: "attendu" },
      { en: "nearest three (cosine)", fr: "les trois plus proches (cosinus)" },
      { en: "rank of expected", fr: "rang de l'attendu" },
    ],
    ...rows,
  ]);
  ctx.say({
    en: `
    ${first} of ${rows.length} land on the expected word first, ${top5} in the top five, out of
    ${formatCount(V)} words. ${
      tiny
        ? "A megabyte of plays is far too little for the man/woman direction to come out clean: the famous results took a hundred billion words and 300 dimensions."
        : "The synthetic text has groups but no directions inside them, so an analogy can at best move between groups."
    }

    Skip-gram, trained here, predicts each nearby word from the word. Its twin, CBOW
    (continuous bag of words), predicts the word from the average of its neighbours' vectors:
    faster to train, a little better on frequent words, while skip-gram does better on rare
    ones. Both give each word one vector.
  `,
    fr: `
    ${first} sur ${rows.length} tombent d'abord sur le mot attendu, ${top5} dans les cinq
    premiers, parmi ${formatCount(V)} mots. ${
      tiny
        ? "Un mégaoctet de pièces de théâtre, c'est bien trop peu pour que la direction homme/femme ressorte nettement : les résultats célèbres ont demandé cent milliards de mots et 300 dimensions."
        : "Le texte synthétique a des groupes, mais aucune direction à l'intérieur : une analogie peut au mieux passer d'un groupe à l'autre."
    }

    Le skip-gram, entraîné ici, prédit chaque mot voisin à partir du mot. Son jumeau, CBOW
    (continuous bag of words), prédit le mot à partir de la moyenne des vecteurs de ses
    voisins : plus rapide à entraîner, un peu meilleur sur les mots fréquents, quand le
    skip-gram fait mieux sur les mots rares. Tous deux donnent à chaque mot un seul vecteur.
  `,
  });
});

/** The word the contextual-vector step follows, and four contexts that end on it. */
const CONTEXTS = {
  word: "red",
  animal: ["a red", "the duke rides a red"],
  food: ["we bought red", "my dog likes soup and we bought red"],
};

const contextual = step({
  en: "Fixed vectors, contextual vectors: the bridge to attention",
  fr: "Vecteurs fixes, vecteurs contextuels : le pont vers l'attention",
}, async (ctx) => {
  ctx.say({
    en: `
    A word2vec vector, like a GPT's embedding row, is fixed: "${CONTEXTS.word}" has one row
    whatever surrounds it, so "bank" of a river and "bank" of money would share one. A
    transformer's blocks change that: attention mixes each position with the words before
    it, so after a block the same word carries its context. To see it, the lab trains a
    small word-level GPT (one block, lib/course/contextual.ts, on the SIMD kernels) on the
    synthetic text of labs/texts.ts, where "${CONTEXTS.word}" comes before an animal
    ("a red horse") or a food ("we bought red bread").
  `,
    fr: `
    Un vecteur word2vec, comme une ligne de la table d'embeddings d'un GPT, est fixe :
    « ${CONTEXTS.word} » a une seule ligne, quel que soit son entourage, si bien que
    l'« avocat » du tribunal et l'« avocat » du marché partageraient la même. Les blocs d'un
    transformer changent cela : l'attention mêle chaque position aux mots qui la précèdent, et
    après un bloc le même mot porte son contexte. Pour le voir, le lab entraîne un petit GPT
    sur les mots (un bloc, lib/course/contextual.ts, sur les noyaux SIMD) avec le texte
    synthétique de labs/texts.ts, où « ${CONTEXTS.word} » précède un animal (« a red horse »)
    ou un aliment (« we bought red bread »).
  `,
  });
  const t0 = performance.now();
  const m = trainWordModel(syntheticCorpus(3000, 2), { steps: 600, backend: await loadBackend() });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const contexts = [...CONTEXTS.animal, ...CONTEXTS.food];
  const seen = contexts.map((c) => ({ context: c, ...inContext(m, c) }));
  const params = formatCount(m.model.numParameters);
  ctx.say({
    en: `
    ${params} parameters, ${m.vocab.words.length} words, trained in ${seconds} s to a loss of
    ${m.loss.toFixed(2)} (a uniform guess: ${m.uniformLoss.toFixed(2)}). The vector of the
    last "${CONTEXTS.word}" of each context, and its cosine with the table row after the block:
  `,
    fr: `
    ${params} paramètres, ${m.vocab.words.length} mots, entraîné en ${seconds} s jusqu'à une
    perte de ${m.loss.toFixed(2)} (un tirage uniforme : ${m.uniformLoss.toFixed(2)}). Le
    vecteur du dernier « ${CONTEXTS.word} » de chaque contexte, et son cosinus avec la ligne de
    la table après le bloc :
  `,
  });
  const fixedSame = seen.every((x) => x.fixed.every((v, i) => v === seen[0].fixed[i]));
  ctx.table([
    [
      { en: "context", fr: "contexte" },
      { en: "table row", fr: "ligne de la table" },
      { en: "after the block vs row", fr: "après le bloc vs ligne" },
      { en: "likeliest next words", fr: "mots suivants les plus probables" },
    ],
    ...seen.map((x) => [
      `"${x.context} …"`,
      fixedSame ? tr({ en: "the same", fr: "la même" }) : tr({ en: "DIFFERENT", fr: "DIFFÉRENTE" }),
      cosineSimilarity(x.fixed, x.contextual).toFixed(2),
      x.next.map((n) => `${n.word} ${n.p.toFixed(2)}`).join(", "),
    ]),
  ]);
  const values = seen.map((a) => seen.map((b) => cosineSimilarity(a.contextual, b.contextual)));
  await ctx.chart(
    "contextual_vectors",
    heatmap({
      title: tr({
        en: `Cosine between the vectors of "${CONTEXTS.word}" after the block, by context`,
        fr: `Cosinus entre les vecteurs de « ${CONTEXTS.word} » après le bloc, par contexte`,
      }),
      values,
      rowLabels: contexts,
      columnLabels: contexts.map((_, i) => `${i + 1}`),
      columnTitle: tr({ en: "context (same order)", fr: "contexte (même ordre)" }),
      scheme: "redblue",
      domain: [-1, 1],
      cellFormat: ".2f",
      cellSize: 44,
    }),
  );
  const [a1, a2, f1, f2] = [0, 1, 2, 3];
  const within = (values[a1][a2] + values[f1][f2]) / 2;
  const across = (values[a1][f1] + values[a1][f2] + values[a2][f1] + values[a2][f2]) / 4;
  ctx.say({
    en: `
    One table row, ${contexts.length} vectors after the block. Those of the two animal contexts
    and of the two food contexts have a mean cosine of ${within.toFixed(2)} with each other,
    against ${across.toFixed(2)} across the two kinds: the block has written into
    "${CONTEXTS.word}" what comes next, which its table row cannot know. How a position reads
    the others is attention, the subject of lab 03.
  `,
    fr: `
    Une seule ligne de table, ${contexts.length} vecteurs après le bloc. Ceux des deux contextes
    « animal » et des deux contextes « aliment » ont entre eux un cosinus moyen de
    ${within.toFixed(2)}, contre ${across.toFixed(2)} d'un genre à l'autre : le bloc a inscrit
    dans « ${CONTEXTS.word} » ce qui vient ensuite, ce que sa ligne de table ne peut pas savoir.
    La façon dont une position lit les autres, c'est l'attention, le sujet du lab 03.
  `,
  });
});

const lookupBackward = step({
  en: "Exercise 02.3: the lookup's backward pass",
  fr: "Exercice 02.3 : la passe arrière de la recherche dans la table",
}, async (ctx) => {
  ctx.say({
    en: `
    The table is learned, so the lookup needs a backward pass. Position (b, t) read one row of
    wte and row t of wpe; the gradient of its output, dout[b, t], goes back to those two rows
    and nowhere else: a scatter-add. A token read twice gets both gradients, summed. Write
    encoderBackward in labs/exercises/02_embeddings.ts; lab 07's GPT calls it.
  `,
    fr: `
    La table est apprise : la recherche a donc besoin d'une passe arrière. La position (b, t) a
    lu une ligne de wte et la ligne t de wpe ; le gradient de sa sortie, dout[b, t], revient à
    ces deux lignes et nulle part ailleurs : une addition dispersée (scatter-add). Un token lu
    deux fois reçoit les deux gradients, additionnés. Écris encoderBackward dans
    labs/exercises/02_embeddings.ts ; le GPT du lab 07 l'appelle.
  `,
  });
  const backward = await ctx.exercise<typeof encoderBackward>("02.3");
  const [V, C, T] = [50, 4, 4];
  const ids = new Int32Array([7, 3, 7, 42]);
  const dout = Float32Array.from({ length: T * C }, (_, i) => Math.floor(i / C) + 1); // row t: t+1
  const dwte = new Float32Array(V * C), dwpe = new Float32Array(T * C);
  backward(dwte, dwpe, dout, ids, 1, T, C);
  const row = (table: Float32Array, r: number) => Array.from(table.subarray(r * C, r * C + 1));
  ctx.table([
    [
      { en: "row of wte", fr: "ligne de wte" },
      { en: "gradient (first channel)", fr: "gradient (premier canal)" },
      { en: "from positions", fr: "venu des positions" },
    ],
    ["7", row(dwte, 7).join(), { en: "0 and 2: 1 + 3", fr: "0 et 2 : 1 + 3" }],
    ["3", row(dwte, 3).join(), "1"],
    ["42", row(dwte, 42).join(), "3"],
    [{ en: "any other", fr: "toute autre" }, row(dwte, 0).join(), { en: "none", fr: "aucune" }],
  ]);
});

/** Lab 02, as the runner sees it. */
export const lab: Lab = {
  id: "02",
  slug: "02_embeddings",
  title: { en: "Embeddings: words as vectors", fr: "Les embeddings : les mots comme vecteurs" },
  exercises,
  steps: [
    oneHot,
    lookup,
    word2vec,
    cosine,
    neighbours,
    analogies,
    pcaPicture,
    similarityHeatmap,
    contextual,
    lookupBackward,
  ],
};
