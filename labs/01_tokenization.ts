/**
 * Lab 01 · Tokenization: from characters and words to bytes to byte-pair encoding. Trains a byte-level BPE
 * with GPT-4's regex pre-split on tiny shakespeare (or, when it is absent, on the project's own
 * multilingual sample), encodes and decodes, adds special tokens, saves and loads, and shows that
 * the same encoder, given GPT-2's merges, reproduces GPT-2's tokens exactly; then one French
 * sentence cut by characters, words and BPE, and the wider landscape (WordPiece, SentencePiece,
 * special tokens, GPT-2's "Ġ", code). Five exercises
 * rebuild BPE's steps: counting pairs, one merge, the training loop, encode and decode.
 * @module
 */
import { getEncoding } from "js-tiktoken";
import { barChart, lineChart } from "../lib/charts.ts";
import { findCorpus, SAMPLE_PATH } from "../lib/train/corpus.ts";
import { UserError } from "../lib/errors.ts";
import { type Lab, step } from "../lib/course/lab.ts";
import { lang, type Text, tr, verbatim } from "../lib/i18n.ts";
import { formatCount } from "../lib/term.ts";
import {
  type BpeTokenizer,
  CharTokenizer,
  countPairs,
  decodeUtf8,
  formatTokenizer,
  GPT2_SPLIT_PATTERN,
  gpt2Tokenizer,
  gpt2TokenString,
  GPT4_SPLIT_PATTERN,
  mergePair,
  type Pair,
  readTokenizer,
  splitText,
  splitWordTokens,
  trainBpe,
  WordTokenizer,
  writeTokenizer,
} from "../lib/tokenizer/mod.ts";
import { exercises } from "./catalog/01_tokenization.ts";

/** The French sentence the lab encodes every way it knows. */
export const FRENCH = "L'été dernier, les élèves ont mangé 12 crêpes à Montréal !";

/** The text the lab trains on: tiny shakespeare when present, else the project's sample. */
interface Corpus {
  name: string;
  text: string;
  bytes: number;
  /** Vocabulary the lab trains to: large enough to matter, small enough for the text. */
  vocabSize: number;
}

let corpusCache: Corpus | undefined;
let trainedCache: BpeTokenizer | undefined;

async function corpus(): Promise<Corpus> {
  if (corpusCache) return corpusCache;
  const path = findCorpus("tinyshakespeare");
  const text = path
    ? decodeUtf8(await Deno.readFile(path), path)
    : await Deno.readTextFile(SAMPLE_PATH);
  corpusCache = {
    name: path ? "tiny shakespeare" : tr({
      en: "the project's multilingual sample (data/samples)",
      fr: "l'échantillon multilingue du projet (data/samples)",
    }),
    text,
    bytes: new TextEncoder().encode(text).length,
    vocabSize: path ? 5000 : 1000,
  };
  return corpusCache;
}

/** The tokenizer trained on the corpus (trained once; `--from` may start after its step). */
async function trained(): Promise<BpeTokenizer> {
  const c = await corpus();
  trainedCache ??= trainBpe(c.text, { vocabSize: c.vocabSize, special: ["<|endoftext|>"] });
  return trainedCache;
}

/** Ids shown as the tokens they stand for, separated by bars. */
function showTokens(tok: BpeTokenizer, ids: number[]): string {
  return ids.map((id) => tok.tokenText(id).slice(1, -1)).join("|");
}

const characters = step({
  en: "Characters as tokens",
  fr: "Les caractères comme tokens",
}, async (ctx) => {
  const c = await corpus();
  const chars = CharTokenizer.fromText(c.text);
  ctx.say({
    en: `
    A model reads numbers, not letters, so text must first become a list of ids. This lab works
    on ${c.name}: ${formatCount(c.bytes)} bytes. The simplest tokenizer gives every distinct
    character an id. Here there are ${chars.vocabSize} of them:
  `,
    fr: `
    Un modèle lit des nombres, pas des lettres : le texte doit d'abord devenir une liste
    d'identifiants. Ce lab travaille sur ${c.name} : ${formatCount(c.bytes)} octets. Le
    tokenizer le plus simple donne un identifiant à chaque caractère distinct. Il y en a ici
    ${chars.vocabSize} :
  `,
  });
  ctx.show(JSON.stringify(chars.chars.join("")));
  const line = c.text.split("\n").find((l) => l.length > 20) ?? c.text.slice(0, 40);
  ctx.say({
    en: `The line ${JSON.stringify(line)} becomes ${line.length} ids:`,
    fr: `La ligne ${JSON.stringify(line)} devient ${line.length} identifiants :`,
  });
  ctx.show(JSON.stringify(chars.encode(line)));
  const unseen = [...FRENCH].find((ch) => !chars.chars.includes(ch));
  if (unseen) {
    try {
      chars.encode(FRENCH);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      ctx.say({
        en: `
        Its weakness: a character it never saw has no id. Encoding "${FRENCH}" fails with
        "${err.message}"
      `,
        fr: `
        Sa faiblesse : un caractère jamais vu n'a pas d'identifiant. Encoder « ${FRENCH} »
        échoue avec « ${err.message} »
      `,
      });
    }
  }
  ctx.say({
    en: `
    And every character costs one position of the model's context, however common the word.
  `,
    fr: `
    Et chaque caractère coûte une position du contexte du modèle, si courant que soit le mot.
  `,
  });
});

/** The word-level vocabulary of the first 90% of the corpus, as large as the BPE's. */
async function wordLevel(): Promise<{ tok: WordTokenizer; train: string; rest: string }> {
  const c = await corpus();
  const cut = Math.floor(c.text.length * 0.9);
  const [train, rest] = [c.text.slice(0, cut), c.text.slice(cut)];
  return { tok: WordTokenizer.fromText(train, c.vocabSize), train, rest };
}

/** Endings of English and French inflection (plurals, tenses, agreement, old "-eth"). */
const ENDINGS = ["s", "es", "d", "ed", "ing", "r", "rs", "er", "ers", "st", "est", "th", "eth"]
  .concat(["e", "é", "ée", "és", "ées", "ent", "ons", "ez", "ait", "aient"]);

/** The vocabulary word found with the most of its inflected forms: "love", "loves", "loved"… */
function inflections(tok: WordTokenizer): string[] {
  const known = new Set(tok.words);
  let best: string[] = [];
  for (const stem of tok.words.slice(1).filter((w) => /^\p{Ll}{3,}$/u.test(w))) {
    const forms = [stem, ...ENDINGS.map((e) => stem + e).filter((w) => known.has(w))];
    if (forms.length > best.length) best = forms;
  }
  return best;
}

const words = step({
  en: "Words as tokens, and their two faults",
  fr: "Les mots comme tokens, et leurs deux défauts",
}, async (ctx) => {
  const c = await corpus();
  const { tok, train, rest } = await wordLevel();
  const distinct = new Set(splitWordTokens(train)).size;
  const unknown = (text: string) => {
    const ids = tok.encode(text);
    return { n: ids.length, unk: ids.filter((id) => id === 0).length };
  };
  const seen = unknown(train), unseen = unknown(rest), french = unknown(FRENCH);
  const pct = (a: number, b: number) =>
    tr({
      en: `${(100 * a / b).toFixed(1)}%`,
      fr: `${(100 * a / b).toFixed(1).replace(".", ",")} %`,
    });
  const kept = formatCount(tok.vocabSize - 1);
  ctx.say({
    en: `
    The obvious unit of text is the word. A word-level tokenizer cuts at spaces and
    punctuation and gives each word of a fixed vocabulary an id. The first 90% of ${c.name}
    holds ${formatCount(distinct)} distinct words and marks. A vocabulary of at most
    ${formatCount(c.vocabSize)} ids (our BPE's size) keeps the ${kept} most frequent, plus
    <unk> for all the others:
  `,
    fr: `
    L'unité de texte la plus évidente, c'est le mot. Un tokenizer par mots coupe aux espaces
    et à la ponctuation, et donne un identifiant à chaque mot d'un vocabulaire fixé. Les
    premiers 90 % de ${c.name} comptent ${formatCount(distinct)} mots et signes distincts. Un
    vocabulaire d'au plus ${formatCount(c.vocabSize)} identifiants (la taille de notre BPE)
    garde les ${kept} plus fréquents, plus <unk> pour tous les autres :
  `,
  });
  ctx.table([
    [
      { en: "text", fr: "texte" },
      { en: "word tokens", fr: "tokens-mots" },
      verbatim("<unk>"),
      { en: "lost", fr: "perdus" },
    ],
    [
      { en: "the 90% it was built on", fr: "les 90 % sur lesquels il est construit" },
      formatCount(seen.n),
      formatCount(seen.unk),
      pct(seen.unk, seen.n),
    ],
    [
      { en: "the last 10%, unseen", fr: "les 10 % restants, jamais vus" },
      formatCount(unseen.n),
      formatCount(unseen.unk),
      pct(unseen.unk, unseen.n),
    ],
    [JSON.stringify(FRENCH), french.n, french.unk, pct(french.unk, french.n)],
  ]);
  const forms = inflections(tok);
  ctx.say({
    en: `
    Every <unk> is a word the model cannot read or write, and new names, typos and rare words
    never stop coming. The second fault is inflection: each form of a word is its own id,
    learnt apart from the others, though they share a stem and most of their meaning:
  `,
    fr: `
    Chaque <unk> est un mot que le modèle ne peut ni lire ni écrire, et les noms nouveaux, les
    fautes de frappe et les mots rares ne cessent d'arriver. Le second défaut, c'est la
    flexion : chaque forme d'un mot a son propre identifiant, appris à part des autres, alors
    qu'elles partagent un radical et l'essentiel de leur sens :
  `,
  });
  ctx.table([
    [{ en: "form", fr: "forme" }, { en: "id", fr: "identifiant" }],
    ...forms.map((w) => [w, tok.id(w)]),
  ]);
  ctx.say({
    en: `
    ${forms.length} ids that share nothing. French, with its conjugations and agreements, has
    it worse. Characters have neither fault but make long sequences; bytes, then BPE, find
    the middle.
  `,
    fr: `
    ${forms.length} identifiants qui n'ont rien en commun. Le français, avec ses conjugaisons
    et ses accords, est encore plus touché. Les caractères n'ont aucun de ces deux défauts mais
    font de longues séquences ; les octets, puis le BPE, trouvent le juste milieu.
  `,
  });
});

const bytes = step({ en: "Bytes as tokens", fr: "Les octets comme tokens" }, (ctx) => {
  const words = ["chat", "été", "crêpe", "Ωμέγα", "字", "😀"];
  const utf8 = new TextEncoder();
  ctx.say({
    en: `
    UTF-8 writes any text with 256 byte values: ASCII letters take one byte, accented letters
    two, most CJK characters three, emoji four. Bytes as tokens never meet an unknown symbol,
    but the sequences get longer:
  `,
    fr: `
    UTF-8 écrit n'importe quel texte avec 256 valeurs d'octet : les lettres ASCII prennent un
    octet, les lettres accentuées deux, la plupart des caractères chinois, japonais ou coréens
    trois, les emoji quatre. Des octets comme tokens ne rencontrent jamais de symbole inconnu,
    mais les séquences s'allongent :
  `,
  });
  ctx.table([
    [
      { en: "text", fr: "texte" },
      { en: "characters", fr: "caractères" },
      { en: "bytes", fr: "octets" },
      { en: "byte values", fr: "valeurs des octets" },
    ],
    ...words.map((w) => [w, [...w].length, utf8.encode(w).length, [...utf8.encode(w)].join(" ")]),
  ]);
  ctx.say({
    en: `
    Byte-pair encoding (BPE) keeps the byte alphabet, so nothing is unknown, and shortens the
    sequences by giving the most frequent pairs of ids a new id of their own, again and again.
  `,
    fr: `
    Le byte-pair encoding (BPE) garde l'alphabet des octets, si bien que rien n'est inconnu, et
    raccourcit les séquences en donnant aux paires d'identifiants les plus fréquentes un nouvel
    identifiant, encore et encore.
  `,
  });
});

const bpeByHand = step({
  en: "Byte-pair encoding by hand",
  fr: "Le byte-pair encoding à la main",
}, (ctx) => {
  const text = "le chat, la chatte et les chatons";
  let ids = [...new TextEncoder().encode(text)];
  const merges: Pair[] = [];
  const start = ids.length;
  const rows: (string | number | Text)[][] = [[
    { en: "merge", fr: "fusion" },
    { en: "pair", fr: "paire" },
    { en: "count", fr: "nombre" },
    { en: "new id", fr: "nouvel id" },
    { en: "length", fr: "longueur" },
  ]];
  rows.push([{ en: "start", fr: "départ" }, "", "", "", start]);
  for (let i = 0; i < 5; i++) {
    const counts = [...countPairs(ids)].map(([key, n]) => [n, ...key.split(",").map(Number)]);
    counts.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
    const [n, a, b] = counts[0];
    const id = 256 + i;
    const bytesOf = (x: number): string =>
      x < 256 ? String.fromCharCode(x) : bytesOf(merges[x - 256][0]) + bytesOf(merges[x - 256][1]);
    rows.push([i + 1, `${JSON.stringify(bytesOf(a))} + ${JSON.stringify(bytesOf(b))}`, n, id, 0]);
    merges.push([a, b]);
    ids = mergePair(ids, a, b, id);
    rows[rows.length - 1][4] = ids.length;
  }
  ctx.say({
    en: `
    BPE by hand on "${text}". Each round counts the adjacent pairs, takes the most frequent
    (ties go to the smaller ids), and replaces it everywhere by a new id:
  `,
    fr: `
    Le BPE à la main sur « ${text} ». Chaque tour compte les paires voisines, prend la plus
    fréquente (en cas d'égalité, celle aux plus petits identifiants) et la remplace partout par
    un nouvel identifiant :
  `,
  });
  ctx.table(rows);
  ctx.say({
    en: `
    Five merges took the text from ${start} ids to ${ids.length}, and "chat" is becoming one
    token.
    The merges, in order, are the whole tokenizer: encoding replays them, decoding expands them.
  `,
    fr: `
    Cinq fusions ont fait passer le texte de ${start} identifiants à ${ids.length}, et « chat »
    est en train de devenir un seul token. Les fusions, dans l'ordre, sont tout le tokenizer :
    encoder les rejoue, décoder les déplie.
  `,
  });
});

const preSplit = step({
  en: "The regex pre-split",
  fr: "Le découpage préalable par regex",
}, (ctx) => {
  const text = "Don't stop: 12345 words, they're 'BPE'd!\n\n  Indented.";
  ctx.say({
    en: `
    Left alone, BPE would merge across word boundaries ("e t" in "the tree") and grow tokens
    like "dog." and "dog!" separately. GPT-2 first cuts the text with a regex: words with their
    leading space, runs of digits, runs of punctuation, whitespace. Merges never cross the cuts.
    GPT-4's pattern also takes contractions in any case, keeps a newline apart, and cuts numbers
    into groups of at most three digits. On ${JSON.stringify(text)}:
  `,
    fr: `
    Livré à lui-même, le BPE fusionnerait par-dessus les frontières des mots (« e a » dans « le
    arbre », « s d » dans « les deux ») et ferait pousser séparément des tokens comme « chien. »
    et « chien! ». GPT-2 découpe donc d'abord le texte avec une regex : les mots avec leur espace
    de tête, les suites de chiffres, les suites de ponctuation, les blancs. Les fusions ne
    franchissent jamais ces coupures. Le motif de GPT-4 prend aussi les contractions anglaises
    quelle que soit la casse, isole les retours à la ligne et coupe les nombres en groupes de
    trois chiffres au plus. Sur ${JSON.stringify(text)} :
  `,
  });
  ctx.table([
    [{ en: "pattern", fr: "motif" }, { en: "chunks", fr: "morceaux" }],
    ["GPT-2", splitText(text, GPT2_SPLIT_PATTERN).map((s) => JSON.stringify(s)).join(" ")],
    ["GPT-4", splitText(text, GPT4_SPLIT_PATTERN).map((s) => JSON.stringify(s)).join(" ")],
  ]);
});

const training = step({
  en: "Training a byte-level BPE",
  fr: "Entraîner un BPE au niveau des octets",
}, async (ctx) => {
  const c = await corpus();
  const t0 = performance.now();
  const tok = await trained();
  const seconds = (performance.now() - t0) / 1000;
  ctx.say({
    en: `
    Training on ${c.name} with GPT-4's pre-split, up to ${formatCount(c.vocabSize)} ids
    (${formatCount(tok.merges.length)} merges), took ${seconds.toFixed(2)} s. The trainer counts
    each distinct chunk once, updates the pair counts only where a merge changed something, and
    keeps the pairs in a priority queue. The first merges, and some of the last:
  `,
    fr: `
    L'entraînement sur ${c.name} avec le découpage de GPT-4, jusqu'à ${formatCount(c.vocabSize)}
    identifiants (${formatCount(tok.merges.length)} fusions), a pris ${seconds.toFixed(2)} s.
    L'entraîneur compte une seule fois chaque morceau distinct, ne met à jour les comptes de
    paires que là où une fusion a changé quelque chose, et range les paires dans une file de
    priorité. Les premières fusions, et quelques-unes des dernières :
  `,
  });
  const show = (id: number) => [id, tok.tokenText(id), tok.merges[id - 256].join(" + ")];
  const last = tok.merges.length + 256;
  ctx.table([
    ["id", verbatim("token"), { en: "merge of", fr: "fusion de" }],
    ...[256, 257, 258, 259, 260, 261, 262, 263].filter((id) => id < last).map(show),
    ...[last - 3, last - 2, last - 1].filter((id) => id > 263).map(show),
  ]);
  const longest = [...Array(tok.merges.length).keys()].map((i) => 256 + i)
    .sort((a, b) => tok.tokenBytes(b).length - tok.tokenBytes(a).length).slice(0, 8);
  const longestText = longest.map((id) => tok.tokenText(id)).join(", ");
  ctx.say({
    en: `Its longest tokens: ${longestText}.`,
    fr: `Ses tokens les plus longs : ${longestText}.`,
  });
});

const encodeDecode = step({ en: "Encode and decode", fr: "Encoder et décoder" }, async (ctx) => {
  const tok = await trained();
  const sentences = ["The citizens of the town are accounted poor.", FRENCH];
  ctx.say({
    en: "Encoding replays the merges on each chunk; decoding joins the bytes of each id.",
    fr:
      "Encoder rejoue les fusions sur chaque morceau ; décoder met bout à bout les octets de chaque identifiant.",
  });
  for (const s of sentences) {
    const ids = tok.encode(s);
    const back = tok.decode(ids);
    ctx.show({
      en: `${JSON.stringify(s)}
→ ${ids.length} ids: ${JSON.stringify(ids)}
→ tokens: ${showTokens(tok, ids)}
→ decoded back: ${back === s ? "identical" : JSON.stringify(back)}`,
      fr: `${JSON.stringify(s)}
→ ${ids.length} identifiants : ${JSON.stringify(ids)}
→ tokens : ${showTokens(tok, ids)}
→ redécodé : ${back === s ? "identique" : JSON.stringify(back)}`,
    });
  }
  ctx.say({
    en: `
    Text the tokenizer never saw still encodes: rare characters fall back to their bytes. Every
    id decodes to bytes; a lone id from the middle of a character decodes to "\uFFFD" until its
    neighbours join it.
  `,
    fr: `
    Un texte que le tokenizer n'a jamais vu s'encode quand même : les caractères rares retombent
    sur leurs octets. Chaque identifiant se décode en octets ; un identifiant isolé pris au
    milieu d'un caractère se décode en « \uFFFD » tant que ses voisins ne l'ont pas rejoint.
  `,
  });
});

const compression = step({
  en: "Compression against vocabulary size",
  fr: "La compression selon la taille du vocabulaire",
}, async (ctx) => {
  const c = await corpus();
  const tok = await trained();
  const sizes = [256, 300, 400, 600, 1000, 2000, 3000, 5000].filter((n) => n <= c.vocabSize);
  const data = sizes.map((n) => {
    const tokens = tok.withVocabSize(n).encodeOrdinary(c.text).length;
    return { vocab: n, tokens, bytesPerToken: Number((c.bytes / tokens).toFixed(3)) };
  });
  ctx.say({
    en: `
    The point of BPE: fewer, more meaningful ids. Encoding the whole corpus with the first n ids
    of the trained tokenizer (its first n − 256 merges are exactly what training to n gives):
  `,
    fr: `
    Tout l'intérêt du BPE : moins d'identifiants, et plus parlants. Le corpus entier encodé avec
    les n premiers identifiants du tokenizer entraîné (ses n − 256 premières fusions sont
    exactement ce que donnerait un entraînement jusqu'à n) :
  `,
  });
  ctx.table([
    [
      { en: "vocabulary", fr: "vocabulaire" },
      verbatim("tokens"),
      { en: "bytes per token", fr: "octets par token" },
    ],
    ...data.map((d) => [d.vocab, formatCount(d.tokens), d.bytesPerToken]),
  ]);
  await ctx.chart(
    "compression",
    lineChart({
      title: tr({ en: `Compression on ${c.name}`, fr: `La compression sur ${c.name}` }),
      data,
      x: "vocab",
      y: "bytesPerToken",
      xTitle: tr({ en: "vocabulary size", fr: "taille du vocabulaire" }),
      yTitle: tr({ en: "bytes per token", fr: "octets par token" }),
      logX: true,
    }),
  );
  ctx.say({
    en: `
    Gains come fast at first (common pairs, then common words) and slow down: each new token is
    rarer than the last. A bigger vocabulary means shorter sequences but a bigger embedding table
    and rarer tokens to learn; GPT-2 chose 50,257, our mini-GPT ${formatCount(c.vocabSize)}.
  `,
    fr: `
    Les gains viennent vite au début (les paires courantes, puis les mots courants) puis
    ralentissent : chaque nouveau token est plus rare que le précédent. Un vocabulaire plus grand
    donne des séquences plus courtes, mais une table d'embeddings plus grande et des tokens plus
    rares à apprendre ; GPT-2 a choisi 50 257, notre mini-GPT ${formatCount(c.vocabSize)}.
  `,
  });
});

const tokenLengths = step({
  en: "How long tokens are",
  fr: "La longueur des tokens",
}, async (ctx) => {
  const c = await corpus();
  const tok = await trained();
  const ids = tok.encodeOrdinary(c.text);
  const byLength = new Map<number, number>();
  for (const id of ids) {
    const n = tok.tokenBytes(id).length;
    byLength.set(n, (byLength.get(n) ?? 0) + 1);
  }
  const data = [...byLength].sort(([a], [b]) => a - b).map(([length, count]) => ({
    length: String(length),
    share: count / ids.length,
  }));
  ctx.say({
    en: `
    How long are the tokens of the encoded corpus? Each bar is the share of the
    ${formatCount(ids.length)} tokens with that many bytes:
  `,
    fr: `
    Quelle est la longueur des tokens du corpus encodé ? Chaque barre est la part des
    ${formatCount(ids.length)} tokens qui ont ce nombre d'octets :
  `,
  });
  await ctx.chart(
    "token_lengths",
    barChart({
      title: tr({
        en: "Token length in the encoded corpus",
        fr: "Longueur des tokens dans le corpus encodé",
      }),
      data,
      category: "length",
      value: "share",
      categoryTitle: tr({ en: "bytes per token", fr: "octets par token" }),
      valueTitle: tr({ en: "share of tokens", fr: "part des tokens" }),
      format: ".0%",
    }),
  );
  const short = data.filter((d) => Number(d.length) <= 4).reduce((s, d) => s + d.share, 0);
  ctx.say({
    en: `${Math.round(short * 100)}% of the tokens have four bytes or fewer.`,
    fr: `${Math.round(short * 100)} % des tokens ont quatre octets ou moins.`,
  });
});

const specialTokens = step({ en: "Special tokens", fr: "Les tokens spéciaux" }, async (ctx) => {
  const tok = await trained();
  const eot = tok.special.get("<|endoftext|>")!;
  const text = "The end.<|endoftext|>A new story";
  ctx.say({
    en: `
    Special tokens mark structure rather than text: GPT-2 puts <|endoftext|> between documents,
    chat models mark each speaker. Ours has <|endoftext|> as id ${eot}, after the merges. By
    default, text that merely spells a special token is refused, so a user cannot inject one:
  `,
    fr: `
    Les tokens spéciaux marquent la structure plutôt que le texte : GPT-2 place <|endoftext|>
    entre les documents, les modèles de conversation marquent chaque interlocuteur. Le nôtre a
    <|endoftext|> pour identifiant ${eot}, après les fusions. Par défaut, un texte qui se contente
    d'écrire un token spécial est refusé, pour qu'un utilisateur ne puisse pas en injecter un :
  `,
  });
  try {
    tok.encode(text);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    ctx.show(err.message);
  }
  const allowed = tok.encode(text, { allowedSpecial: ["<|endoftext|>"] });
  const ordinary = tok.encodeOrdinary(text);
  ctx.table([
    [{ en: "how", fr: "comment" }, { en: "ids", fr: "identifiants" }, verbatim("tokens")],
    ['allowedSpecial: ["<|endoftext|>"]', allowed.length, showTokens(tok, allowed)],
    [
      { en: "encodeOrdinary (plain text)", fr: "encodeOrdinary (texte simple)" },
      ordinary.length,
      showTokens(tok, ordinary),
    ],
  ]);
});

const saveLoad = step({ en: "Saving and loading", fr: "Enregistrer et recharger" }, async (ctx) => {
  const tok = await trained();
  const path = `${ctx.outDir}/tokenizer.bpe`;
  await writeTokenizer(path, tok);
  const loaded = await readTokenizer(path);
  const c = await corpus();
  const same = formatTokenizer(loaded) === formatTokenizer(tok) &&
    JSON.stringify(loaded.encodeOrdinary(c.text)) === JSON.stringify(tok.encodeOrdinary(c.text));
  ctx.say({
    en: `
    A tokenizer is a few lines of settings and its merge list, so we save it as text you can
    read. The start of ${path.slice(path.indexOf("out/"))}:
  `,
    fr: `
    Un tokenizer, ce sont quelques lignes de réglages et sa liste de fusions : on l'enregistre
    donc en texte lisible. Le début de ${path.slice(path.indexOf("out/"))} :
  `,
  });
  ctx.show(formatTokenizer(tok).split("\n").slice(0, 9).join("\n") + "\n…");
  ctx.say({
    en: `
    Loaded back, it ${
      same
        ? "writes the same file and gives the same ids on the whole corpus"
        : "DIFFERS from the original"
    }. Each merge line is "a + b = new id" followed by the token, for people; only the numbers
    are read.
  `,
    fr: `
    Rechargé, il ${
      same
        ? "écrit le même fichier et donne les mêmes identifiants sur tout le corpus"
        : "DIFFÈRE de l'original"
    }. Chaque ligne de fusion est « a + b = nouvel id » suivie du token, pour les humains ; seuls
    les nombres sont lus.
  `,
  });
});

const gpt2 = step({
  en: "GPT-2's tokenizer, reproduced",
  fr: "Le tokenizer de GPT-2, reproduit",
}, async (ctx) => {
  const ours = await gpt2Tokenizer();
  const reference = getEncoding("gpt2");
  ctx.say({
    en: `
    GPT-2's tokenizer is the same algorithm with 50,000 merges learnt on 40 GB of web text. The
    npm package js-tiktoken ships its ranks (the bytes of each token in the order they were
    learnt); we rebuild the merge list from them and load it into our own encoder. Same ids?
  `,
    fr: `
    Le tokenizer de GPT-2, c'est le même algorithme avec 50 000 fusions apprises sur 40 Go de
    texte du web. Le paquet npm js-tiktoken fournit ses rangs (les octets de chaque token dans
    l'ordre où ils ont été appris) ; on en reconstruit la liste des fusions et on la charge dans
    notre propre encodeur. Mêmes identifiants ?
  `,
  });
  const texts = [
    "Hello world! It's 2026, and we're tokenizing.",
    FRENCH,
    "    four spaces\n\n\nthree newlines, 😀 and 你好",
  ];
  const rows: (string | number | Text)[][] = [[
    { en: "text", fr: "texte" },
    { en: "ours", fr: "le nôtre" },
    verbatim("js-tiktoken"),
    { en: "same", fr: "identiques" },
  ]];
  for (const t of texts) {
    const a = ours.encodeOrdinary(t), b = reference.encode(t, [], []);
    rows.push([
      JSON.stringify(t.length > 30 ? t.slice(0, 30) + "…" : t),
      a.length,
      b.length,
      JSON.stringify(a) === JSON.stringify(b) ? tr({ en: "yes", fr: "oui" }) : tr({
        en: "NO",
        fr: "NON",
      }),
    ]);
  }
  ctx.table(rows);
  const ids = ours.encodeOrdinary(FRENCH);
  ctx.say({
    en: `GPT-2 reads the French sentence as ${ids.length} tokens:`,
    fr: `GPT-2 lit la phrase française en ${ids.length} tokens :`,
  });
  ctx.show(showTokens(ours, ids));
  ctx.say({
    en: `
    Its training text was mostly English, so French words break into more pieces than English
    ones. The project's tests check this agreement on many more texts, against both js-tiktoken
    and OpenAI's own tiktoken (compiled to WebAssembly).
  `,
    fr: `
    Son texte d'entraînement était surtout anglais : les mots français se cassent donc en plus
    de morceaux que les mots anglais. Les tests du projet vérifient cet accord sur bien d'autres
    textes, face à js-tiktoken et au tiktoken d'OpenAI lui-même (compilé en WebAssembly).
  `,
  });
});

const sideBySide = step({
  en: "One sentence: characters, words and BPE side by side",
  fr: "Une phrase : caractères, mots et BPE côte à côte",
}, async (ctx) => {
  const { tok: wordTok } = await wordLevel();
  const bpe = await trained();
  const gpt = await gpt2Tokenizer();
  const c = await corpus();
  const chars = [...FRENCH];
  const wordIds = wordTok.encode(FRENCH);
  const wordPieces = splitWordTokens(FRENCH).map((w, i) => (wordIds[i] === 0 ? "<unk>" : w));
  const ours = bpe.encodeOrdinary(FRENCH), theirs = gpt.encodeOrdinary(FRENCH);
  ctx.say({
    en: `The French sentence "${FRENCH}", cut four ways:`,
    fr: `La phrase française « ${FRENCH} », découpée de quatre façons :`,
  });
  ctx.table([
    [
      verbatim("tokenizer"),
      { en: "vocabulary", fr: "vocabulaire" },
      verbatim("tokens"),
      { en: "pieces", fr: "morceaux" },
    ],
    [
      { en: "characters", fr: "caractères" },
      { en: "every character", fr: "tous les caractères" },
      chars.length,
      chars.join("|"),
    ],
    [
      { en: "words", fr: "mots" },
      formatCount(wordTok.vocabSize),
      wordIds.length,
      wordPieces.join("|"),
    ],
    [`BPE, ${c.name}`, formatCount(bpe.vocabSize), ours.length, showTokens(bpe, ours)],
    ["BPE, GPT-2", formatCount(gpt.vocabSize), theirs.length, showTokens(gpt, theirs)],
  ]);
  const lost = wordIds.filter((id) => id === 0).length;
  ctx.say({
    en: `
    Words are the shortest but lose ${lost} of ${wordIds.length} pieces to <unk>, and the
    spaces with them; characters lose nothing but cost ${chars.length} positions; BPE loses
    nothing either, keeps frequent words whole and spells rare ones with pieces.
  `,
    fr: `
    Les mots donnent la séquence la plus courte, mais perdent ${lost} morceaux sur
    ${wordIds.length} dans <unk>, et les espaces avec ; les caractères ne perdent rien mais
    coûtent ${chars.length} positions ; le BPE ne perd rien non plus, garde entiers les mots
    fréquents et épelle les mots rares en morceaux.
  `,
  });
});

const landscape = step({
  en: "The wider landscape: WordPiece, SentencePiece, special tokens, code",
  fr: "Le paysage plus large : WordPiece, SentencePiece, tokens spéciaux, code",
}, (ctx) => {
  ctx.say({
    en: `
    BPE is one of a family. WordPiece (BERT) builds its vocabulary the same way but picks
    the merge that most raises the likelihood of the training text, and marks a piece that
    continues a word with "##" ("token", "##ization"). SentencePiece (T5, LLaMA) treats the
    text as a raw stream, spaces included, written "▁", so it needs no pre-split and suits
    languages without spaces; it learns BPE or a unigram model that keeps the most probable
    pieces. Around the learnt vocabulary, models reserve special tokens:
  `,
    fr: `
    Le BPE n'est qu'un membre d'une famille. WordPiece (BERT) construit son vocabulaire de la
    même façon, mais choisit la fusion qui augmente le plus la vraisemblance du texte
    d'entraînement, et marque d'un « ## » le morceau qui continue un mot (« token »,
    « ##ization »). SentencePiece (T5, LLaMA) traite le texte comme un flux brut, espaces
    compris, écrits « ▁ » : pas besoin de découpage préalable, ce qui convient aux langues sans
    espaces ; il apprend un BPE ou un modèle unigramme qui garde les morceaux les plus
    probables. Autour du vocabulaire appris, les modèles réservent des tokens spéciaux :
  `,
  });
  ctx.table([
    [verbatim("token"), { en: "means", fr: "signifie" }, { en: "used by", fr: "utilisé par" }],
    ["BOS", { en: "beginning of a sequence", fr: "début de séquence" }, {
      en: "LLaMA's <s>; GPT-2 reuses <|endoftext|>",
      fr: "le <s> de LLaMA ; GPT-2 réutilise <|endoftext|>",
    }],
    ["EOS", {
      en: "end of a sequence: generation stops",
      fr: "fin de séquence : la génération s'arrête",
    }, {
      en: "GPT-2's <|endoftext|>, LLaMA's </s>",
      fr: "le <|endoftext|> de GPT-2, le </s> de LLaMA",
    }],
    ["PAD", {
      en: "filler to make a batch rectangular, masked out",
      fr: "remplissage pour rendre un batch rectangulaire, masqué",
    }, { en: "BERT's [PAD]", fr: "le [PAD] de BERT" }],
    ["UNK", { en: "a piece outside the vocabulary", fr: "un morceau hors du vocabulaire" }, {
      en: "BERT's [UNK]; byte-level BPE needs none",
      fr: "le [UNK] de BERT ; un BPE sur les octets n'en a pas besoin",
    }],
    ["MASK", {
      en: "a hidden word the model must guess",
      fr: "un mot caché que le modèle doit deviner",
    }, {
      en: "BERT's [MASK], in pretraining",
      fr: "le [MASK] de BERT, au pré-entraînement",
    }],
  ]);
  const enc = new TextEncoder();
  const pieces = [" the", " cat", "\n", " été"];
  ctx.say({
    en: `
    GPT-2's vocabulary file cannot hold raw bytes, so it writes each byte as a printable
    character: printable ones stand for themselves, the others, the space among them, move
    to U+0100 and up. A leading space, byte 32, becomes "Ġ"; a newline "Ċ":
  `,
    fr: `
    Le fichier de vocabulaire de GPT-2 ne peut pas contenir d'octets bruts : il écrit donc
    chaque octet comme un caractère imprimable. Les octets imprimables se représentent
    eux-mêmes ; les autres, dont l'espace, sont déplacés à partir de U+0100. Une espace en
    tête, l'octet 32, devient « Ġ » ; un saut de ligne, « Ċ » :
  `,
  });
  ctx.table([
    [{ en: "bytes of", fr: "octets de" }, {
      en: "as GPT-2 writes them",
      fr: "tels que GPT-2 les écrit",
    }],
    ...pieces.map((p) => [JSON.stringify(p), gpt2TokenString(enc.encode(p))]),
  ]);
  ctx.say({
    en: `
    The same table is why é, two bytes in UTF-8, shows as "Ã©" in GPT-2's files.
  `,
    fr: `
    C'est à cause de cette même table que é, deux octets en UTF-8, apparaît comme « Ã© » dans
    les fichiers de GPT-2.
  `,
  });
  const code = "function add(a, b) {\n    return a + b;\n}\n";
  const gpt2 = getEncoding("gpt2"), gpt4 = getEncoding("cl100k_base");
  const show = (e: typeof gpt2) => e.encode(code).map((id) => JSON.stringify(e.decode([id])));
  ctx.say({
    en: `
    Code is text with its own habits: indentation, brackets, operators. These
    ${[...code].length} characters of JavaScript,
  `,
    fr: `
    Le code est du texte avec ses propres habitudes : indentation, accolades, opérateurs. Ces
    ${[...code].length} caractères de JavaScript,
  `,
  });
  ctx.show(code);
  ctx.say({ en: "cut by two tokenizers:", fr: "découpés par deux tokenizers :" });
  ctx.table([
    [verbatim("tokenizer"), verbatim("tokens"), { en: "pieces", fr: "morceaux" }],
    ["GPT-2", show(gpt2).length, show(gpt2).join(" ")],
    ["GPT-4 (cl100k)", show(gpt4).length, show(gpt4).join(" ")],
  ]);
  ctx.say({
    en: `
    GPT-2 spends a token on each space of the indentation but the last, which joins the word;
    GPT-4's vocabulary, trained on much more code, holds runs of spaces and a brace with its
    newline as single tokens, so the same program takes fewer tokens and more of it fits in
    the context.
  `,
    fr: `
    GPT-2 dépense un token pour chaque espace de l'indentation sauf la dernière, qui se joint
    au mot ; le vocabulaire de GPT-4, entraîné sur bien plus de code, contient des suites
    d'espaces, et une accolade suivie de son saut de ligne, comme tokens uniques : le même
    programme prend moins de tokens, et le contexte en contient davantage.
  `,
  });
});

const yourCountPairs = step({
  en: "Exercise 01.1: counting pairs",
  fr: "Exercice 01.1 : compter les paires",
}, async (ctx) => {
  ctx.say({
    en: `
    Your turn: rebuild BPE from its parts in labs/exercises/01_tokenization.ts. First, count
    the adjacent pairs of a list of ids.
  `,
    fr: `
    À toi : reconstruis le BPE pièce par pièce dans labs/exercises/01_tokenization.ts. D'abord,
    compte les paires voisines d'une liste d'identifiants.
  `,
  });
  const count = await ctx.exercise<(ids: number[]) => Map<string, number>>("01.1");
  const c = await corpus();
  const head = c.text.slice(0, 5000);
  const ids = [...new TextEncoder().encode(head)];
  const top = [...count(ids)].sort((x, y) => y[1] - x[1]).slice(0, 5);
  ctx.say({
    en: `
    The most frequent pairs of the corpus's first ${formatCount(head.length)} characters, by
    your countPairs:
  `,
    fr: `
    Les paires les plus fréquentes des ${formatCount(head.length)} premiers caractères du
    corpus, d'après ton countPairs :
  `,
  });
  ctx.table([
    [{ en: "pair", fr: "paire" }, { en: "bytes", fr: "octets" }, { en: "count", fr: "nombre" }],
    ...top.map(([key, n]) => [
      key,
      JSON.stringify(String.fromCharCode(...key.split(",").map(Number))),
      n,
    ]),
  ]);
});

const yourMergePair = step({
  en: "Exercise 01.2: one merge",
  fr: "Exercice 01.2 : une fusion",
}, async (ctx) => {
  const merge = await ctx.exercise<(ids: number[], a: number, b: number, id: number) => number[]>(
    "01.2",
  );
  // The example in the reader's language: a pair frequent in each.
  const [text, a, b, pair] = lang() === "fr"
    ? ["le chat et le chien", 99, 104, "c + h"]
    : ["the cat and the hat", 116, 104, "t + h"];
  const ids = [...new TextEncoder().encode(text)];
  const merged = merge(ids, a, b, 256);
  ctx.say({
    en: `
    Your mergePair joins ${pair} (${a}, ${b}) into 256 in "${text}": ${ids.length} ids become
    ${merged.length}: ${JSON.stringify(merged)}.
  `,
    fr: `
    Ton mergePair fusionne ${pair} (${a}, ${b}) en 256 dans « ${text} » : ${ids.length}
    identifiants deviennent ${merged.length} : ${JSON.stringify(merged)}.
  `,
  });
});

const yourTraining = step({
  en: "Exercise 01.3: the training loop",
  fr: "Exercice 01.3 : la boucle d'entraînement",
}, async (ctx) => {
  const train = await ctx.exercise<(chunks: string[], vocabSize: number) => Pair[]>("01.3");
  const c = await corpus();
  const text = c.text.slice(0, 20_000);
  const t0 = performance.now();
  const merges = train(splitText(text, GPT4_SPLIT_PATTERN), 300);
  const seconds = ((performance.now() - t0) / 1000).toFixed(2);
  const library = trainBpe(text, { vocabSize: 300 }).merges;
  const verdict = JSON.stringify(merges) === JSON.stringify(library) ? "exactly" : "NOT";
  const chars = formatCount(text.length);
  ctx.say({
    en: `
    Your training loop learnt ${merges.length} merges on the first ${chars} characters in
    ${seconds} s; they are ${verdict} the library's. It recounts every pair after each merge,
    which is why the library's trainer keeps counts up to date instead: on all of tiny
    shakespeare (4,744 merges) that is the difference between about a quarter of an hour and
    under a second.
  `,
    fr: `
    Ta boucle d'entraînement a appris ${merges.length} fusions sur les ${chars} premiers
    caractères en ${seconds} s ; ce sont ${
      verdict === "exactly" ? "exactement" : "PAS"
    } celles de la bibliothèque. Elle recompte toutes les paires après chaque fusion, c'est
    pourquoi l'entraîneur de la bibliothèque tient plutôt ses comptes à jour : sur tout tiny
    shakespeare (4 744 fusions), c'est la différence entre environ un quart d'heure et moins
    d'une seconde.
  `,
  });
});

const yourEncodeDecode = step({
  en: "Exercises 01.4 and 01.5: encode and decode",
  fr: "Exercices 01.4 et 01.5 : encoder et décoder",
}, async (ctx) => {
  const encode = await ctx.exercise<(text: string, merges: Pair[]) => number[]>("01.4");
  const decode = await ctx.exercise<(ids: number[], merges: Pair[]) => string>("01.5");
  const c = await corpus();
  const tok = trainBpe(c.text.slice(0, 20_000), { vocabSize: 400, pattern: "" });
  const merges = tok.merges.map(([a, b]) => [a, b] as Pair);
  const text = "To be, or not to be: that is the question.";
  const ids = encode(text, merges);
  const bytes = new TextEncoder().encode(text).length;
  const same = decode(ids, merges) === text;
  ctx.say({
    en: `
    With ${merges.length} merges learnt on the corpus (no pre-split), your encode turns
    "${text}" into ${ids.length} ids (${bytes} bytes), and your decode gives back ${
      same ? "the same text" : "a DIFFERENT text"
    }. You have written a tokenizer. Lab 02 turns these ids into vectors.
  `,
    fr: `
    Avec ${merges.length} fusions apprises sur le corpus (sans découpage préalable), ton encode
    change « ${text} » en ${ids.length} identifiants (${bytes} octets), et ton decode redonne ${
      same ? "le même texte" : "un texte DIFFÉRENT"
    }. Tu as écrit un tokenizer. Le lab 02 change ces identifiants en vecteurs.
  `,
  });
});

/** Lab 01, as the runner sees it. */
export const lab: Lab = {
  id: "01",
  slug: "01_tokenization",
  title: {
    en: "Tokenization: characters, bytes and BPE",
    fr: "La tokenization : caractères, octets et BPE",
  },
  exercises,
  steps: [
    characters,
    words,
    bytes,
    bpeByHand,
    preSplit,
    training,
    encodeDecode,
    compression,
    tokenLengths,
    specialTokens,
    saveLoad,
    gpt2,
    sideBySide,
    landscape,
    yourCountPairs,
    yourMergePair,
    yourTraining,
    yourEncodeDecode,
  ],
};
