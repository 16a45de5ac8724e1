import assert from "node:assert/strict";
import { SAMPLE_PATH } from "../lib/train/corpus.ts";
import { UserError } from "../lib/errors.ts";
import { Rng } from "../lib/random.ts";
import { inFrench } from "./helpers.ts";
import {
  BpeTokenizer,
  CharTokenizer,
  decodeUtf8,
  decodeWithMerges,
  encodeWithMerges,
  formatTokenizer,
  GPT2_SPLIT_PATTERN,
  gpt2Tokenizer,
  GPT4_SPLIT_PATTERN,
  parseTokenizer,
  readTokenizer,
  splitText,
  trainBpe,
  trainMerges,
  writeTokenizer,
} from "../lib/tokenizer/mod.ts";

const SAMPLE = await Deno.readTextFile(SAMPLE_PATH);

/** Seeded text from a small alphabet, so that pairs repeat and ties happen. */
function seededText(seed: number, length: number): string {
  const rng = new Rng(seed);
  const alphabet = ["a", "b", "c", " ", "é", "\n", "ab", " the", "1", "2", "😀", "'s", "  "];
  let text = "";
  while (text.length < length) text += alphabet[rng.int(alphabet.length)];
  return text;
}

/** Asserts that `fn` throws a UserError whose message matches `pattern`, and is one sentence. */
function assertUserError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${err}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes("\n"), "one line");
    return true;
  });
}

Deno.test("the pre-split: GPT-2 keeps digit runs, GPT-4 cuts them by three and ignores case", () => {
  const text = "He's 12345 DON'T you'LL\n\n  go!!\n";
  assert.deepEqual(splitText(text, GPT2_SPLIT_PATTERN), [
    "He",
    "'s",
    " 12345",
    " DON",
    "'",
    "T",
    " you",
    "'",
    "LL",
    "\n\n ",
    " go",
    "!!",
    "\n",
  ]);
  assert.deepEqual(splitText(text, GPT4_SPLIT_PATTERN), [
    "He",
    "'s",
    " ",
    "123",
    "45",
    " DON",
    "'T",
    " you",
    "'LL",
    "\n\n",
    " ",
    " go",
    "!!\n",
  ]);
  assert.equal(splitText(text, "").join(""), text);
  assert.equal(splitText(SAMPLE, GPT4_SPLIT_PATTERN).join(""), SAMPLE);
});

Deno.test("the fast trainer learns exactly the plain trainer's merges on seeded texts", () => {
  for (
    const [seed, pattern, vocabSize] of [
      [1, GPT4_SPLIT_PATTERN, 300],
      [2, GPT2_SPLIT_PATTERN, 330],
      [3, "", 290],
      [4, GPT4_SPLIT_PATTERN, 257],
    ] as const
  ) {
    const text = seededText(seed, 3000);
    const fast = trainBpe(text, { vocabSize, pattern });
    assert.deepEqual(fast.merges, trainMerges(splitText(text, pattern), vocabSize), `seed ${seed}`);
  }
  const sampleMerges = trainBpe(SAMPLE, { vocabSize: 400 }).merges;
  assert.deepEqual(sampleMerges, trainMerges(splitText(SAMPLE, GPT4_SPLIT_PATTERN), 400));
});

Deno.test("training is deterministic: two runs write the same tokenizer file", () => {
  const a = formatTokenizer(trainBpe(SAMPLE, { vocabSize: 500, special: ["<|endoftext|>"] }));
  const b = formatTokenizer(trainBpe(SAMPLE, { vocabSize: 500, special: ["<|endoftext|>"] }));
  assert.equal(a, b);
});

Deno.test("training stops when no pair is left, and the vocabulary says so", () => {
  const tok = trainBpe("abab", { vocabSize: 1000, pattern: "" });
  assert.deepEqual(tok.merges, [[97, 98], [256, 256]]);
  assert.equal(tok.vocabSize, 258);
});

Deno.test("encode then decode gives back the text (trained on the sample, seeded texts)", () => {
  const tok = trainBpe(SAMPLE, { vocabSize: 600 });
  for (const text of [SAMPLE, "", "x", "\u00a0\u3000", seededText(7, 500), "unseen: ∮ 𝔘 ✈️"]) {
    assert.equal(tok.decode(tok.encode(text)), text);
  }
  // Six scripts in 3.6 kB leave few repeats, yet 344 merges still shorten it by nearly half.
  assert.ok(tok.encode(SAMPLE).length < new TextEncoder().encode(SAMPLE).length / 1.8);
});

Deno.test("the fast encoder matches the plain one on text without a pre-split", () => {
  const text = seededText(11, 800);
  const tok = trainBpe(text, { vocabSize: 320, pattern: "" });
  const merges = tok.merges.map(([a, b]) => [a, b] as [number, number]);
  for (const probe of [text, seededText(12, 300), "abc the 12 😀"]) {
    const ids = tok.encode(probe);
    assert.deepEqual(ids, encodeWithMerges(probe, merges));
    assert.equal(decodeWithMerges(ids, merges), probe);
  }
});

Deno.test("withVocabSize(n) is the tokenizer trained to n", () => {
  const big = trainBpe(SAMPLE, { vocabSize: 700, special: ["<|endoftext|>"] });
  const small = trainBpe(SAMPLE, { vocabSize: 400, special: ["<|endoftext|>"] });
  assert.equal(formatTokenizer(big.withVocabSize(400)), formatTokenizer(small));
});

Deno.test("save then load gives the same file and the same ids (trained and GPT-2)", async () => {
  const trained = trainBpe(SAMPLE, { vocabSize: 450, special: ["<|endoftext|>", "<|im_start|>"] });
  const gpt2 = await gpt2Tokenizer();
  for (const tok of [trained, gpt2]) {
    const text = formatTokenizer(tok);
    const back = parseTokenizer(text);
    assert.equal(formatTokenizer(back), text);
    assert.deepEqual(back.encode(SAMPLE), tok.encode(SAMPLE));
    assert.deepEqual([...back.special], [...tok.special]);
  }
  const path = `${await Deno.makeTempDir()}/sample.bpe`;
  await writeTokenizer(path, trained);
  assert.equal(formatTokenizer(await readTokenizer(path)), formatTokenizer(trained));
  assert.match(formatTokenizer(trained), /^minigpt-lab bpe tokenizer v1\npattern "/);
});

Deno.test("special tokens: refused by default, one id when allowed, plain text when ordinary", () => {
  const tok = trainBpe(SAMPLE, { vocabSize: 300, special: ["<|endoftext|>", "<|sep|>"] });
  const eot = tok.special.get("<|endoftext|>")!, sep = tok.special.get("<|sep|>")!;
  assert.deepEqual([eot, sep], [300, 301]);
  const text = "le chat<|endoftext|>la souris<|sep|>";
  assertUserError(() => tok.encode(text), /special token <\|endoftext\|>.*not allowed/);
  assertUserError(() => tok.encode(text, { allowedSpecial: ["<|endoftext|>"] }), /<\|sep\|>/);
  const ids = tok.encode(text, { allowedSpecial: "all" });
  assert.equal(ids.filter((id) => id === eot).length, 1);
  assert.equal(ids.at(-1), sep);
  assert.equal(tok.decode(ids), text);
  const ordinary = tok.encodeOrdinary(text);
  assert.ok(!ordinary.includes(eot) && !ordinary.includes(sep));
  assert.equal(tok.decode(ordinary), text);
});

Deno.test("bad input gets one clear sentence", () => {
  const tok = trainBpe(SAMPLE, { vocabSize: 300 });
  assertUserError(() => tok.decode([5, 300]), /Token id 300 is not in .* \(ids 0 to 299\)/);
  assertUserError(() => tok.decode([-1]), /Token id -1/);
  assertUserError(() => trainBpe(SAMPLE, { vocabSize: 100 }), /at least 256 .* vocabSize is 100/);
  assertUserError(() => trainBpe(SAMPLE, { vocabSize: 256.5 }), /at least 256/);
  assertUserError(() => trainBpe("", { vocabSize: 300 }), /training text is empty/);
  assertUserError(() => trainBpe(SAMPLE, { vocabSize: 300, pattern: "[a-" }), /not a valid regex/);
  assertUserError(
    () => decodeUtf8(Uint8Array.of(104, 105, 0xff, 0x41), "corpus.txt"),
    /corpus.txt is not UTF-8 text \(the first invalid byte is at offset 2\)/,
  );
  assertUserError(() => CharTokenizer.fromText("abc").encode("abd"), /"d" \(U\+0064\) is not in/);
  assertUserError(() => CharTokenizer.fromText("abc").decode([3]), /Token id 3/);
  assertUserError(() => CharTokenizer.fromText(""), /empty/);
});

Deno.test("a corrupt tokenizer file gets one sentence naming the file and the line", async () => {
  const good = formatTokenizer(trainBpe(SAMPLE, { vocabSize: 270, special: ["<|endoftext|>"] }));
  const lines = good.split("\n");
  const corrupt: [string, RegExp][] = [
    ["", /line 1: expected the header/],
    ["hello\n", /line 1/],
    [good.replace("pattern ", "patern "), /line 2: expected "pattern …"/],
    [good.replace(/pattern .*/, "pattern not-json"), /expected a quoted string/],
    [good.replace("bytes identity", "bytes 1 2 3"), /line 3: expected 256 byte ids/],
    [lines.slice(0, -3).join("\n"), /ends after 12 of 14 merges/],
    [good.replace(/\n(\d+) \+ (\d+) = 256/, "\n$1 - $2 = 256"), /line 6: not a merge/],
    [good.replace("= 260", "= 999"), /merge 4 must create id 260, not 999/],
    [good.replace(/\n(\d+) \+ (\d+) = 257/, "\n9999 + $2 = 257"), /Merge 1 joins ids 9999/],
    [good + "extra\n", /unexpected text after the last merge/],
    [good.replace(/special .*/, "special <|endoftext|> 270"), /expected special/],
    [good.replace(/special (.*) 270/, "special $1 12"), /special ids must be new ids from 270/],
    [good.replace(/pattern .*/, 'pattern "(unclosed"'), /not a valid regex/],
  ];
  for (const [text, pattern] of corrupt) {
    assertUserError(() => parseTokenizer(text, "t.bpe"), pattern);
    assertUserError(() => parseTokenizer(text, "t.bpe"), /^t\.bpe is not a valid tokenizer file/);
  }
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/binary.bpe`, Uint8Array.of(0xff, 0xfe, 0x00));
  await assert.rejects(() => readTokenizer(`${dir}/binary.bpe`), /not even UTF-8/);
  await assert.rejects(() => readTokenizer(`${dir}/missing.bpe`), /There is no tokenizer file/);
});

Deno.test("in French, a corrupt tokenizer file or bad input is one French sentence", async () => {
  const good = formatTokenizer(trainBpe(SAMPLE, { vocabSize: 270 }));
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/t.bpe`, good.replace("= 260", "= 999"));
  await Deno.writeFile(`${dir}/binary.bpe`, Uint8Array.of(0xff, 0xfe, 0x00));
  await inFrench(async () => {
    await assert.rejects(
      () => readTokenizer(`${dir}/t.bpe`),
      new RegExp(
        `^UserError: ${dir}/t\\.bpe n'est pas un fichier de tokenizer valide \\(ligne \\d+ : la ` +
          "fusion 4 doit créer l'id 260, pas 999\\) : enregistre-le à nouveau avec le tokenizer " +
          "qui l'a créé\\.$",
      ),
    );
    assertUserError(
      () => parseTokenizer("", "t.bpe"),
      /^t\.bpe n'est pas un fichier de tokenizer valide \(ligne 1 : attendu l'en-tête « minigpt-lab/,
    );
    assertUserError(
      () => parseTokenizer(""),
      /^Le texte du tokenizer n'est pas un fichier de tokenizer valide/,
    );
    await assert.rejects(() => readTokenizer(`${dir}/binary.bpe`), /n'est même pas du texte UTF-8/);
    await assert.rejects(
      () => readTokenizer(`${dir}/missing.bpe`),
      /^UserError: Il n'y a pas de fichier de tokenizer à .*missing\.bpe : vérifie le chemin\.$/,
    );
    assertUserError(
      () => trainBpe(SAMPLE, { vocabSize: 100 }),
      /^Un vocabulaire BPE au niveau des octets a besoin d'au moins 256 ids.*vaut 100 : choisis 256/,
    );
    assertUserError(() => CharTokenizer.fromText(""), /^Le texte d'entraînement est vide/);
    assertUserError(
      () => decodeUtf8(Uint8Array.of(104, 0xff), "corpus.txt"),
      /^corpus\.txt n'est pas du texte UTF-8 \(le premier octet invalide est à la position 1\)/,
    );
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the character tokenizer: sorted vocabulary, exact round trip", () => {
  const tok = CharTokenizer.fromText("hello, wörld 😀");
  assert.deepEqual(tok.chars, [" ", ",", "d", "e", "h", "l", "o", "r", "w", "ö", "😀"]);
  const ids = tok.encode("world 😀");
  assert.deepEqual(ids, [8, 6, 7, 5, 2, 0, 10]);
  assert.equal(tok.decode(ids), "world 😀");
});

Deno.test("tokens are shown readably, bytes that are not UTF-8 included", () => {
  const tok = new BpeTokenizer({ pattern: "", merges: [[0xc3, 0xa9], [32, 256]] });
  assert.equal(tok.tokenText(257), '" é"');
  assert.equal(tok.tokenText(0xc3), '"\\xc3"');
  assert.equal(tok.tokenText(10), '"\\n"');
});
