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
import { findCorpus } from "../lib/train/corpus.ts";
import { UserError } from "../lib/errors.ts";
import { type Lab, step, type StepContext } from "../lib/course/lab.ts";
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

const SAMPLE_URL = new URL("../data/samples/multilingual.txt", import.meta.url);
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
    : await Deno.readTextFile(SAMPLE_URL);
  corpusCache = {
    name: path ? "tiny shakespeare" : "the project's multilingual sample (data/samples)",
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

async function characters(ctx: StepContext) {
  const c = await corpus();
  const chars = CharTokenizer.fromText(c.text);
  ctx.say(`
    A model reads numbers, not letters, so text must first become a list of ids. This lab works
    on ${c.name}: ${formatCount(c.bytes)} bytes. The simplest tokenizer gives every distinct
    character an id. Here there are ${chars.vocabSize} of them:
  `);
  ctx.show(JSON.stringify(chars.chars.join("")));
  const line = c.text.split("\n").find((l) => l.length > 20) ?? c.text.slice(0, 40);
  ctx.say(`The line ${JSON.stringify(line)} becomes ${line.length} ids:`);
  ctx.show(JSON.stringify(chars.encode(line)));
  const unseen = [...FRENCH].find((ch) => !chars.chars.includes(ch));
  if (unseen) {
    try {
      chars.encode(FRENCH);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      ctx.say(`
        Its weakness: a character it never saw has no id. Encoding "${FRENCH}" fails with
        "${err.message}"
      `);
    }
  }
  ctx.say(`
    And every character costs one position of the model's context, however common the word.
  `);
}

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

async function words(ctx: StepContext) {
  const c = await corpus();
  const { tok, train, rest } = await wordLevel();
  const distinct = new Set(splitWordTokens(train)).size;
  const unknown = (text: string) => {
    const ids = tok.encode(text);
    return { n: ids.length, unk: ids.filter((id) => id === 0).length };
  };
  const seen = unknown(train), unseen = unknown(rest), french = unknown(FRENCH);
  const pct = (a: number, b: number) => `${(100 * a / b).toFixed(1)}%`;
  ctx.say(`
    The obvious unit of text is the word. A word-level tokenizer cuts at spaces and
    punctuation and gives each word of a fixed vocabulary an id. The first 90% of ${c.name}
    holds ${formatCount(distinct)} distinct words and marks. A vocabulary of at most
    ${formatCount(c.vocabSize)} ids (our BPE's size) keeps the ${
    formatCount(tok.vocabSize - 1)
  } most frequent, plus <unk> for all the others:
  `);
  ctx.table([
    ["text", "word tokens", "<unk>", "lost"],
    ["the 90% it was built on", formatCount(seen.n), formatCount(seen.unk), pct(seen.unk, seen.n)],
    [
      "the last 10%, unseen",
      formatCount(unseen.n),
      formatCount(unseen.unk),
      pct(unseen.unk, unseen.n),
    ],
    [JSON.stringify(FRENCH), french.n, french.unk, pct(french.unk, french.n)],
  ]);
  const forms = inflections(tok);
  ctx.say(`
    Every <unk> is a word the model cannot read or write, and new names, typos and rare words
    never stop coming. The second fault is inflection: each form of a word is its own id,
    learnt apart from the others, though they share a stem and most of their meaning:
  `);
  ctx.table([["form", "id"], ...forms.map((w) => [w, tok.id(w)])]);
  ctx.say(`
    ${forms.length} ids that share nothing. French, with its conjugations and agreements, has
    it worse. Characters have neither fault but make long sequences; bytes, then BPE, find
    the middle.
  `);
}

function bytes(ctx: StepContext) {
  const words = ["chat", "été", "crêpe", "Ωμέγα", "字", "😀"];
  const utf8 = new TextEncoder();
  ctx.say(`
    UTF-8 writes any text with 256 byte values: ASCII letters take one byte, accented letters
    two, most CJK characters three, emoji four. Bytes as tokens never meet an unknown symbol,
    but the sequences get longer:
  `);
  ctx.table([
    ["text", "characters", "bytes", "byte values"],
    ...words.map((w) => [w, [...w].length, utf8.encode(w).length, [...utf8.encode(w)].join(" ")]),
  ]);
  ctx.say(`
    Byte-pair encoding (BPE) keeps the byte alphabet, so nothing is unknown, and shortens the
    sequences by giving the most frequent pairs of ids a new id of their own, again and again.
  `);
}

function bpeByHand(ctx: StepContext) {
  const text = "le chat, la chatte et les chatons";
  let ids = [...new TextEncoder().encode(text)];
  const merges: Pair[] = [];
  const start = ids.length;
  const rows: (string | number)[][] = [["merge", "pair", "count", "new id", "length"]];
  rows.push(["start", "", "", "", start]);
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
  ctx.say(`
    BPE by hand on "${text}". Each round counts the adjacent pairs, takes the most frequent
    (ties go to the smaller ids), and replaces it everywhere by a new id:
  `);
  ctx.table(rows);
  ctx.say(`
    Five merges took the text from ${start} ids to ${ids.length}, and "chat" is becoming one
    token.
    The merges, in order, are the whole tokenizer: encoding replays them, decoding expands them.
  `);
}

function preSplit(ctx: StepContext) {
  const text = "Don't stop: 12345 words, they're 'BPE'd!\n\n  Indented.";
  ctx.say(`
    Left alone, BPE would merge across word boundaries ("e t" in "the tree") and grow tokens
    like "dog." and "dog!" separately. GPT-2 first cuts the text with a regex: words with their
    leading space, runs of digits, runs of punctuation, whitespace. Merges never cross the cuts.
    GPT-4's pattern also takes contractions in any case, keeps a newline apart, and cuts numbers
    into groups of at most three digits. On ${JSON.stringify(text)}:
  `);
  ctx.table([
    ["pattern", "chunks"],
    ["GPT-2", splitText(text, GPT2_SPLIT_PATTERN).map((s) => JSON.stringify(s)).join(" ")],
    ["GPT-4", splitText(text, GPT4_SPLIT_PATTERN).map((s) => JSON.stringify(s)).join(" ")],
  ]);
}

async function training(ctx: StepContext) {
  const c = await corpus();
  const t0 = performance.now();
  const tok = await trained();
  const seconds = (performance.now() - t0) / 1000;
  ctx.say(`
    Training on ${c.name} with GPT-4's pre-split, up to ${formatCount(c.vocabSize)} ids
    (${formatCount(tok.merges.length)} merges), took ${seconds.toFixed(2)} s. The trainer counts
    each distinct chunk once, updates the pair counts only where a merge changed something, and
    keeps the pairs in a priority queue. The first merges, and some of the last:
  `);
  const show = (id: number) => [id, tok.tokenText(id), tok.merges[id - 256].join(" + ")];
  const last = tok.merges.length + 256;
  ctx.table([
    ["id", "token", "merge of"],
    ...[256, 257, 258, 259, 260, 261, 262, 263].filter((id) => id < last).map(show),
    ...[last - 3, last - 2, last - 1].filter((id) => id > 263).map(show),
  ]);
  const longest = [...Array(tok.merges.length).keys()].map((i) => 256 + i)
    .sort((a, b) => tok.tokenBytes(b).length - tok.tokenBytes(a).length).slice(0, 8);
  ctx.say(`Its longest tokens: ${longest.map((id) => tok.tokenText(id)).join(", ")}.`);
}

async function encodeDecode(ctx: StepContext) {
  const tok = await trained();
  const sentences = ["First Citizen: we are accounted poor citizens.", FRENCH];
  ctx.say("Encoding replays the merges on each chunk; decoding joins the bytes of each id.");
  for (const s of sentences) {
    const ids = tok.encode(s);
    const back = tok.decode(ids);
    ctx.show(`${JSON.stringify(s)}
→ ${ids.length} ids: ${JSON.stringify(ids)}
→ tokens: ${showTokens(tok, ids)}
→ decoded back: ${back === s ? "identical" : JSON.stringify(back)}`);
  }
  ctx.say(`
    Text the tokenizer never saw still encodes: rare characters fall back to their bytes. Every
    id decodes to bytes; a lone id from the middle of a character decodes to "\uFFFD" until its
    neighbours join it.
  `);
}

async function compression(ctx: StepContext) {
  const c = await corpus();
  const tok = await trained();
  const sizes = [256, 300, 400, 600, 1000, 2000, 3000, 5000].filter((n) => n <= c.vocabSize);
  const data = sizes.map((n) => {
    const tokens = tok.withVocabSize(n).encodeOrdinary(c.text).length;
    return { vocab: n, tokens, bytesPerToken: Number((c.bytes / tokens).toFixed(3)) };
  });
  ctx.say(`
    The point of BPE: fewer, more meaningful ids. Encoding the whole corpus with the first n ids
    of the trained tokenizer (its first n − 256 merges are exactly what training to n gives):
  `);
  ctx.table([
    ["vocabulary", "tokens", "bytes per token"],
    ...data.map((d) => [d.vocab, formatCount(d.tokens), d.bytesPerToken]),
  ]);
  await ctx.chart(
    "compression",
    lineChart({
      title: `Compression on ${c.name}`,
      data,
      x: "vocab",
      y: "bytesPerToken",
      xTitle: "vocabulary size",
      yTitle: "bytes per token",
      logX: true,
    }),
  );
  ctx.say(`
    Gains come fast at first (common pairs, then common words) and slow down: each new token is
    rarer than the last. A bigger vocabulary means shorter sequences but a bigger embedding table
    and rarer tokens to learn; GPT-2 chose 50,257, our mini-GPT ${formatCount(c.vocabSize)}.
  `);
}

async function tokenLengths(ctx: StepContext) {
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
  ctx.say(`
    How long are the tokens of the encoded corpus? Each bar is the share of the
    ${formatCount(ids.length)} tokens with that many bytes:
  `);
  await ctx.chart(
    "token_lengths",
    barChart({
      title: "Token length in the encoded corpus",
      data,
      category: "length",
      value: "share",
      categoryTitle: "bytes per token",
      valueTitle: "share of tokens",
      format: ".0%",
    }),
  );
  const short = data.filter((d) => Number(d.length) <= 4).reduce((s, d) => s + d.share, 0);
  ctx.say(`${Math.round(short * 100)}% of the tokens have four bytes or fewer.`);
}

async function specialTokens(ctx: StepContext) {
  const tok = await trained();
  const eot = tok.special.get("<|endoftext|>")!;
  const text = "The end.<|endoftext|>A new story";
  ctx.say(`
    Special tokens mark structure rather than text: GPT-2 puts <|endoftext|> between documents,
    chat models mark each speaker. Ours has <|endoftext|> as id ${eot}, after the merges. By
    default, text that merely spells a special token is refused, so a user cannot inject one:
  `);
  try {
    tok.encode(text);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    ctx.show(err.message);
  }
  const allowed = tok.encode(text, { allowedSpecial: ["<|endoftext|>"] });
  const ordinary = tok.encodeOrdinary(text);
  ctx.table([
    ["how", "ids", "tokens"],
    ['allowedSpecial: ["<|endoftext|>"]', allowed.length, showTokens(tok, allowed)],
    ["encodeOrdinary (plain text)", ordinary.length, showTokens(tok, ordinary)],
  ]);
}

async function saveLoad(ctx: StepContext) {
  const tok = await trained();
  const path = `${ctx.outDir}/tokenizer.bpe`;
  await writeTokenizer(path, tok);
  const loaded = await readTokenizer(path);
  const c = await corpus();
  const same = formatTokenizer(loaded) === formatTokenizer(tok) &&
    JSON.stringify(loaded.encodeOrdinary(c.text)) === JSON.stringify(tok.encodeOrdinary(c.text));
  ctx.say(`
    A tokenizer is a few lines of settings and its merge list, so we save it as text you can
    read. The start of ${path.slice(path.indexOf("out/"))}:
  `);
  ctx.show(formatTokenizer(tok).split("\n").slice(0, 9).join("\n") + "\n…");
  const verdict = same
    ? "writes the same file and gives the same ids on the whole corpus"
    : "DIFFERS from the original";
  ctx.say(`
    Loaded back, it ${verdict}. Each merge line is "a + b = new id" followed by the token, for people; only the numbers are
    read.
  `);
}

async function gpt2(ctx: StepContext) {
  const ours = await gpt2Tokenizer();
  const reference = getEncoding("gpt2");
  ctx.say(`
    GPT-2's tokenizer is the same algorithm with 50,000 merges learnt on 40 GB of web text. The
    npm package js-tiktoken ships its ranks (the bytes of each token in the order they were
    learnt); we rebuild the merge list from them and load it into our own encoder. Same ids?
  `);
  const texts = [
    "Hello world! It's 2026, and we're tokenizing.",
    FRENCH,
    "    four spaces\n\n\nthree newlines, 😀 and 你好",
  ];
  const rows: (string | number)[][] = [["text", "ours", "js-tiktoken", "same"]];
  for (const t of texts) {
    const a = ours.encodeOrdinary(t), b = reference.encode(t, [], []);
    rows.push([
      JSON.stringify(t.length > 30 ? t.slice(0, 30) + "…" : t),
      a.length,
      b.length,
      JSON.stringify(a) === JSON.stringify(b) ? "yes" : "NO",
    ]);
  }
  ctx.table(rows);
  const ids = ours.encodeOrdinary(FRENCH);
  ctx.say(`GPT-2 reads the French sentence as ${ids.length} tokens:`);
  ctx.show(showTokens(ours, ids));
  ctx.say(`
    Its training text was mostly English, so French words break into more pieces than English
    ones. The project's tests check this agreement on many more texts, against both js-tiktoken
    and OpenAI's own tiktoken (compiled to WebAssembly).
  `);
}

async function sideBySide(ctx: StepContext) {
  const { tok: wordTok } = await wordLevel();
  const bpe = await trained();
  const gpt = await gpt2Tokenizer();
  const c = await corpus();
  const chars = [...FRENCH];
  const wordIds = wordTok.encode(FRENCH);
  const wordPieces = splitWordTokens(FRENCH).map((w, i) => (wordIds[i] === 0 ? "<unk>" : w));
  const ours = bpe.encodeOrdinary(FRENCH), theirs = gpt.encodeOrdinary(FRENCH);
  ctx.say(`The French sentence "${FRENCH}", cut four ways:`);
  ctx.table([
    ["tokenizer", "vocabulary", "tokens", "pieces"],
    ["characters", "every character", chars.length, chars.join("|")],
    [
      "words",
      formatCount(wordTok.vocabSize),
      wordIds.length,
      wordPieces.join("|"),
    ],
    [`BPE, ${c.name}`, formatCount(bpe.vocabSize), ours.length, showTokens(bpe, ours)],
    ["BPE, GPT-2", formatCount(gpt.vocabSize), theirs.length, showTokens(gpt, theirs)],
  ]);
  ctx.say(`
    Words are the shortest but lose ${wordIds.filter((id) => id === 0).length} of
    ${wordIds.length} pieces to <unk>, and the spaces with them; characters lose nothing but
    cost ${chars.length} positions; BPE loses nothing either, keeps frequent words whole and
    spells rare ones with pieces.
  `);
}

function landscape(ctx: StepContext) {
  ctx.say(`
    BPE is one of a family. WordPiece (BERT) builds its vocabulary the same way but picks
    the merge that most raises the likelihood of the training text, and marks a piece that
    continues a word with "##" ("token", "##ization"). SentencePiece (T5, LLaMA) treats the
    text as a raw stream, spaces included, written "▁", so it needs no pre-split and suits
    languages without spaces; it learns BPE or a unigram model that keeps the most probable
    pieces. Around the learnt vocabulary, models reserve special tokens:
  `);
  ctx.table([
    ["token", "means", "used by"],
    ["BOS", "beginning of a sequence", "LLaMA's <s>; GPT-2 reuses <|endoftext|>"],
    ["EOS", "end of a sequence: generation stops", "GPT-2's <|endoftext|>, LLaMA's </s>"],
    ["PAD", "filler to make a batch rectangular, masked out", "BERT's [PAD]"],
    ["UNK", "a piece outside the vocabulary", "BERT's [UNK]; byte-level BPE needs none"],
    ["MASK", "a hidden word the model must guess", "BERT's [MASK], in pretraining"],
  ]);
  const enc = new TextEncoder();
  const pieces = [" the", " cat", "\n", " été"];
  ctx.say(`
    GPT-2's vocabulary file cannot hold raw bytes, so it writes each byte as a printable
    character: printable ones stand for themselves, the others, the space among them, move
    to U+0100 and up. A leading space, byte 32, becomes "Ġ"; a newline "Ċ":
  `);
  ctx.table([
    ["bytes of", "as GPT-2 writes them"],
    ...pieces.map((p) => [JSON.stringify(p), gpt2TokenString(enc.encode(p))]),
  ]);
  ctx.say(`
    The same table is why é, two bytes in UTF-8, shows as "Ã©" in GPT-2's files.
  `);
  const code = "function add(a, b) {\n    return a + b;\n}\n";
  const gpt2 = getEncoding("gpt2"), gpt4 = getEncoding("cl100k_base");
  const show = (e: typeof gpt2) => e.encode(code).map((id) => JSON.stringify(e.decode([id])));
  ctx.say(`
    Code is text with its own habits: indentation, brackets, operators. These
    ${[...code].length} characters of JavaScript,
  `);
  ctx.show(code);
  ctx.say("cut by two tokenizers:");
  ctx.table([
    ["tokenizer", "tokens", "pieces"],
    ["GPT-2", show(gpt2).length, show(gpt2).join(" ")],
    ["GPT-4 (cl100k)", show(gpt4).length, show(gpt4).join(" ")],
  ]);
  ctx.say(`
    GPT-2 spends a token on each space of the indentation but the last, which joins the word;
    GPT-4's vocabulary, trained on much more code, holds runs of spaces and a brace with its
    newline as single tokens, so the same program takes fewer tokens and more of it fits in
    the context.
  `);
}

async function yourCountPairs(ctx: StepContext) {
  ctx.say(`
    Your turn: rebuild BPE from its parts in labs/exercises/01_tokenization.ts. First, count
    the adjacent pairs of a list of ids.
  `);
  const count = await ctx.exercise<(ids: number[]) => Map<string, number>>("01.1");
  const c = await corpus();
  const head = c.text.slice(0, 5000);
  const ids = [...new TextEncoder().encode(head)];
  const top = [...count(ids)].sort((x, y) => y[1] - x[1]).slice(0, 5);
  ctx.say(`
    The most frequent pairs of the corpus's first ${formatCount(head.length)} characters, by
    your countPairs:
  `);
  ctx.table([
    ["pair", "bytes", "count"],
    ...top.map(([key, n]) => [
      key,
      JSON.stringify(String.fromCharCode(...key.split(",").map(Number))),
      n,
    ]),
  ]);
}

async function yourMergePair(ctx: StepContext) {
  const merge = await ctx.exercise<(ids: number[], a: number, b: number, id: number) => number[]>(
    "01.2",
  );
  const ids = [...new TextEncoder().encode("the cat and the hat")];
  const merged = merge(ids, 116, 104, 256);
  ctx.say(`
    Your mergePair joins "t" + "h" (116, 104) into 256 in "the cat and the hat": ${ids.length}
    ids become ${merged.length}: ${JSON.stringify(merged)}.
  `);
}

async function yourTraining(ctx: StepContext) {
  const train = await ctx.exercise<(chunks: string[], vocabSize: number) => Pair[]>("01.3");
  const c = await corpus();
  const text = c.text.slice(0, 20_000);
  const t0 = performance.now();
  const merges = train(splitText(text, GPT4_SPLIT_PATTERN), 300);
  const seconds = ((performance.now() - t0) / 1000).toFixed(2);
  const library = trainBpe(text, { vocabSize: 300 }).merges;
  const verdict = JSON.stringify(merges) === JSON.stringify(library) ? "exactly" : "NOT";
  const chars = formatCount(text.length);
  ctx.say(`
    Your training loop learnt ${merges.length} merges on the first ${chars} characters in
    ${seconds} s; they are ${verdict} the library's. It recounts every pair after each merge,
    which is why the library's trainer keeps counts up to date instead: on all of tiny
    shakespeare (4,744 merges) that is the difference between about a quarter of an hour and
    under a second.
  `);
}

async function yourEncodeDecode(ctx: StepContext) {
  const encode = await ctx.exercise<(text: string, merges: Pair[]) => number[]>("01.4");
  const decode = await ctx.exercise<(ids: number[], merges: Pair[]) => string>("01.5");
  const c = await corpus();
  const tok = trainBpe(c.text.slice(0, 20_000), { vocabSize: 400, pattern: "" });
  const merges = tok.merges.map(([a, b]) => [a, b] as Pair);
  const text = "To be, or not to be: that is the question.";
  const ids = encode(text, merges);
  const bytes = new TextEncoder().encode(text).length;
  const back = decode(ids, merges) === text ? "the same text" : "a DIFFERENT text";
  ctx.say(`
    With ${merges.length} merges learnt on the corpus (no pre-split), your encode turns
    "${text}" into ${ids.length} ids (${bytes} bytes), and your decode gives back ${back}. You
    have written a tokenizer. Lab 02 turns these ids into vectors.
  `);
}

/** Lab 01, as the runner sees it. */
export const lab: Lab = {
  id: "01",
  slug: "01_tokenization",
  title: "Tokenization: characters, bytes and BPE",
  exercises,
  steps: [
    step("Characters as tokens", characters),
    step("Words as tokens, and their two faults", words),
    step("Bytes as tokens", bytes),
    step("Byte-pair encoding by hand", bpeByHand),
    step("The regex pre-split", preSplit),
    step("Training a byte-level BPE", training),
    step("Encode and decode", encodeDecode),
    step("Compression against vocabulary size", compression),
    step("How long tokens are", tokenLengths),
    step("Special tokens", specialTokens),
    step("Saving and loading", saveLoad),
    step("GPT-2's tokenizer, reproduced", gpt2),
    step("One sentence: characters, words and BPE side by side", sideBySide),
    step("The wider landscape: WordPiece, SentencePiece, special tokens, code", landscape),
    step("Exercise 01.1: counting pairs", yourCountPairs),
    step("Exercise 01.2: one merge", yourMergePair),
    step("Exercise 01.3: the training loop", yourTraining),
    step("Exercises 01.4 and 01.5: encode and decode", yourEncodeDecode),
  ],
};
