import assert from "node:assert/strict";
import { SAMPLE_PATH } from "../lib/train/corpus.ts";
import { getEncoding } from "js-tiktoken";
import gpt2Ranks from "js-tiktoken/ranks/gpt2";
import cl100kRanks from "js-tiktoken/ranks/cl100k_base";
import { get_encoding } from "tiktoken";
import { Rng } from "../lib/random.ts";
import {
  fromTiktokenRanks,
  GPT2_SPLIT_PATTERN,
  gpt2Tokenizer,
  GPT4_SPLIT_PATTERN,
  trainBpe,
} from "../lib/tokenizer/mod.ts";

const SAMPLE = await Deno.readTextFile(SAMPLE_PATH);

/** Texts that stress the pre-split: every kind of character, odd whitespace, edges. */
function parityTexts(): string[] {
  const rng = new Rng(2024);
  const pieces = [
    "L'été",
    " à",
    " Montréal",
    " élèves",
    "  ",
    "   ",
    "\n",
    "\n\n\n",
    "\r\n",
    "\t",
    " ",
    "12",
    "3456789",
    " 2026",
    "3,14",
    "...",
    "!!",
    "?",
    " «",
    "» ",
    "'s",
    "'S",
    "'ll",
    "'LL",
    "'ve",
    "'Re",
    "'d",
    "DON'T",
    " we're",
    "😀",
    "👩‍💻",
    "🇫🇷",
    "👍🏽",
    "中文",
    "分词器",
    "日本語",
    " русский",
    " ελληνικά",
    " العربية",
    "∑∫",
    "€",
    "  \n ",
    " \t\n",
    "x",
    "Hello",
    " world",
    "<|endoftext|>",
    "`code`",
    "{}",
    "—",
    "–",
    "\u00a0",
    "\u2009",
    "\u3000",
    "é",
    "e\u0301",
  ];
  const random = Array.from({ length: 40 }, () => {
    let text = "";
    const n = 1 + rng.int(25);
    for (let i = 0; i < n; i++) text += pieces[rng.int(pieces.length)];
    return text;
  });
  // Chunks far longer than usual, which the encoder merges with a heap instead of rescanning.
  const long = [
    "分词器先把文字变成字节再把常见的字节对合并成新的词元".repeat(40),
    " ".repeat(3000) + "x",
    "\n".repeat(500),
    "abracadabra".repeat(300),
    Array.from({ length: 2000 }, () => "etaoinshrdlu"[rng.int(12)]).join(""),
    "!?".repeat(700),
  ];
  return [
    SAMPLE,
    ...long,
    SAMPLE.replaceAll("\\r\\n", "\r\n"),
    "",
    " ",
    "   trailing spaces   ",
    "\n\n\n",
    "a\n\n  b  \n",
    ...pieces,
    ...random,
  ];
}

/**
 * Every character of Unicode's White_Space property and of the line-break classes BK, CR, LF, NL,
 * SP, ZW, WJ, GL and ZWJ, plus the ones Python's str.isspace or JavaScript's \s add (U+001C–U+001F,
 * U+180E, U+FEFF), each in the places a split can differ: after a space, before a letter, between
 * spaces, next to punctuation, digits and newlines.
 */
function whitespaceText(): string {
  const ranges: [number, number][] = [
    [0x09, 0x0d],
    [0x1c, 0x20],
    [0x85, 0x85],
    [0xa0, 0xa0],
    [0x34f, 0x34f],
    [0x35c, 0x362],
    [0xf08, 0xf08],
    [0xf0c, 0xf0c],
    [0xf12, 0xf12],
    [0xfd9, 0xfda],
    [0x1680, 0x1680],
    [0x180e, 0x180e],
    [0x2000, 0x200d],
    [0x2011, 0x2011],
    [0x2028, 0x2029],
    [0x202f, 0x202f],
    [0x205f, 0x2060],
    [0x3000, 0x3000],
    [0xfeff, 0xfeff],
  ];
  const chars: string[] = [];
  for (const [from, to] of ranges) {
    for (let c = from; c <= to; c++) chars.push(String.fromCodePoint(c));
  }
  const shapes = [
    " #x",
    "#x",
    "x#",
    "x #",
    "  # x",
    "##",
    " ## ",
    "!#",
    "#!",
    " #!",
    "1#2",
    "#\n",
    "\n#",
    "#\r\n",
    "# ",
    "'s#",
    "#'s",
  ];
  return chars.flatMap((c) => shapes.map((s) => s.replaceAll("#", c))).join("|");
}

Deno.test("a space then U+0085 or U+FEFF splits as in GPT-2, not as JavaScript's \\s would", async () => {
  const gpt2 = await gpt2Tokenizer();
  assert.deepEqual(gpt2.encodeOrdinary(" \u0085x"), [220, 126, 227, 87]);
  assert.deepEqual(gpt2.encodeOrdinary(" \ufeffx"), [27332, 119, 123, 87]);
  // js-tiktoken ships the pattern with JavaScript's \s, which is where the difference came from.
  assert.notEqual(gpt2Ranks.pat_str, GPT2_SPLIT_PATTERN);
});

Deno.test("GPT-2, cl100k and our trainer's split give tiktoken's ids on every whitespace", async () => {
  const text = whitespaceText();
  const trained = trainBpe(SAMPLE, { vocabSize: 300 });
  assert.equal(trained.pattern, GPT4_SPLIT_PATTERN);
  const cases = [
    { ours: await gpt2Tokenizer(), wasm: get_encoding("gpt2") },
    { ours: fromTiktokenRanks(cl100kRanks, trained.pattern), wasm: get_encoding("cl100k_base") },
  ];
  try {
    for (const { ours, wasm } of cases) {
      assert.deepEqual(ours.encodeOrdinary(text), Array.from(wasm.encode_ordinary(text)));
      // Piece by piece too, so that a failure names the character.
      for (const piece of text.split("|")) {
        const want = Array.from(wasm.encode_ordinary(piece));
        assert.deepEqual(ours.encodeOrdinary(piece), want, JSON.stringify(piece));
      }
    }
  } finally {
    for (const { wasm } of cases) wasm.free();
  }
});

Deno.test("GPT-2 from js-tiktoken's ranks gives js-tiktoken's ids on multilingual text", async () => {
  const ours = await gpt2Tokenizer();
  const reference = getEncoding("gpt2");
  assert.equal(ours.vocabSize, 50257);
  for (const text of parityTexts()) {
    const ids = ours.encodeOrdinary(text);
    assert.deepEqual(ids, reference.encode(text, [], []), JSON.stringify(text));
    assert.equal(ours.decode(ids), text, JSON.stringify(text));
  }
  assert.deepEqual(
    ours.encode("a<|endoftext|>b", { allowedSpecial: "all" }),
    reference.encode("a<|endoftext|>b", "all"),
  );
});

Deno.test("GPT-2 from js-tiktoken's ranks gives the WASM tiktoken's ids too", async () => {
  const ours = await gpt2Tokenizer();
  const wasm = get_encoding("gpt2");
  try {
    for (const text of parityTexts()) {
      assert.deepEqual(ours.encodeOrdinary(text), Array.from(wasm.encode_ordinary(text)));
    }
  } finally {
    wasm.free();
  }
});

Deno.test("our GPT-4 split pattern, with cl100k's ranks, gives the WASM tiktoken's ids", () => {
  // The WASM build runs OpenAI's original regex (possessive quantifiers, (?i:…)) in Rust, so
  // agreeing with it on these texts checks our JavaScript translation of the pattern.
  const ours = fromTiktokenRanks(cl100kRanks, GPT4_SPLIT_PATTERN);
  const wasm = get_encoding("cl100k_base");
  try {
    for (const text of parityTexts()) {
      const ids = ours.encodeOrdinary(text);
      assert.deepEqual(ids, Array.from(wasm.encode_ordinary(text)), JSON.stringify(text));
      assert.equal(ours.decode(ids), text);
    }
  } finally {
    wasm.free();
  }
});
