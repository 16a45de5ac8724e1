import assert from "node:assert/strict";
import { getEncoding } from "js-tiktoken";
import {
  gpt2ByteCharacters,
  gpt2TokenString,
  splitWordTokens,
  WordTokenizer,
} from "../lib/tokenizer/mod.ts";

Deno.test("word-level tokens: words keep inner apostrophes, numbers and marks stand alone", () => {
  assert.deepEqual(splitWordTokens("Don't stop: 12 crêpes, l'été!"), [
    "Don't",
    "stop",
    ":",
    "12",
    "crêpes",
    ",",
    "l'été",
    "!",
  ]);
});

Deno.test("the word tokenizer keeps the most frequent words and sends the others to <unk>", () => {
  const tok = WordTokenizer.fromText("the cat saw the dog and the cat ran", 4);
  assert.deepEqual(tok.words, ["<unk>", "the", "cat", "saw"]);
  assert.deepEqual(tok.encode("the dog saw the cat"), [1, 0, 3, 1, 2]);
  assert.equal(tok.decode(tok.encode("the cats ran")), "the <unk> <unk>");
  // Each inflected form is its own word: "cat" is known, "cats" is not.
  assert.equal(tok.id("cat"), 2);
  assert.equal(tok.id("cats"), 0);
});

Deno.test("GPT-2's byte table is a bijection that matches GPT-2's vocabulary file", () => {
  const table = gpt2ByteCharacters();
  assert.equal(new Set(table).size, 256);
  assert.equal(table[65], "A");
  // encoder.json spells token 220 "Ġ", 198 "Ċ" and 262 "Ġthe"; " é" is written "ĠÃ©".
  const gpt2 = getEncoding("gpt2");
  const bytes = (id: number) => new TextEncoder().encode(gpt2.decode([id]));
  assert.equal(gpt2TokenString(bytes(220)), "Ġ");
  assert.equal(gpt2TokenString(bytes(198)), "Ċ");
  assert.equal(gpt2TokenString(bytes(262)), "Ġthe");
  assert.equal(gpt2TokenString(new TextEncoder().encode(" é")), "ĠÃ©");
});
