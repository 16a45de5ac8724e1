/**
 * Word-level tokenization, the approach BPE replaced: one id per word of a fixed vocabulary (the
 * most frequent words of a training text), every other word mapped to `<unk>`. Kept small, for
 * the lab that shows its two faults: words it never saw are lost, and each inflected form
 * ("love", "loves", "loved") is a separate id that shares nothing with the others. Also GPT-2's
 * byte-to-character table, which is why its tokens print with "Ġ" for a leading space.
 *
 * Leaves out lowercasing and stemming (real word-level systems often did both, losing more).
 * @module
 */

/** Words (letters with inner apostrophes), runs of digits, and single punctuation marks. */
const WORD_PIECE = /\p{L}+(?:['’]\p{L}+)*|\p{N}+|[^\s\p{L}\p{N}]/gu;

/**
 * A text cut into words, numbers and punctuation marks; whitespace is dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitWordTokens } from "./words.ts";
 * assert.equal(splitWordTokens("L'été, 12 crêpes !").join("|"), "L'été|,|12|crêpes|!");
 * ```
 */
export function splitWordTokens(text: string): string[] {
  return text.match(WORD_PIECE) ?? [];
}

/**
 * A word-level tokenizer: id 0 is `<unk>`, then the vocabulary's words, most frequent first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WordTokenizer } from "./words.ts";
 * const tok = WordTokenizer.fromText("le chat et le chien", 4);
 * assert.equal(tok.words.join(), "<unk>,le,chat,et");
 * assert.equal(tok.encode("le chien").join(), "1,0");
 * ```
 */
export class WordTokenizer {
  static readonly UNK = "<unk>";
  /** The vocabulary, id order: `<unk>` first. */
  readonly words: readonly string[];
  readonly #ids: Map<string, number>;

  constructor(words: string[]) {
    this.words = [WordTokenizer.UNK, ...words.filter((w) => w !== WordTokenizer.UNK)];
    this.#ids = new Map(this.words.map((w, i) => [w, i]));
  }

  /** The `size` − 1 most frequent words of `text` (ties by first use), plus `<unk>`. */
  static fromText(text: string, size: number): WordTokenizer {
    const counts = new Map<string, number>();
    for (const w of splitWordTokens(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    return new WordTokenizer(ranked.slice(0, Math.max(0, size - 1)));
  }

  get vocabSize(): number {
    return this.words.length;
  }

  /** The id of `word`, 0 (`<unk>`) when the vocabulary lacks it. */
  id(word: string): number {
    return this.#ids.get(word) ?? 0;
  }

  encode(text: string): number[] {
    return splitWordTokens(text).map((w) => this.id(w));
  }

  /** Words joined by spaces: the original spacing, and every unknown word, are gone. */
  decode(ids: number[]): string {
    return ids.map((id) => this.words[id] ?? WordTokenizer.UNK).join(" ");
  }
}

/**
 * GPT-2's table from bytes to printable characters (its `bytes_to_unicode`): printable Latin-1
 * bytes stand for themselves, the others (controls, space, …) for the characters from U+0100 on,
 * in byte order. So a space, byte 32, prints as "Ġ" (U+0120) and a newline as "Ċ" (U+010A).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpt2ByteCharacters } from "./words.ts";
 * const table = gpt2ByteCharacters();
 * assert.ok(table[32] === "Ġ" && table[10] === "Ċ" && table[65] === "A");
 * ```
 */
export function gpt2ByteCharacters(): string[] {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable(b) ? b : next++));
}

/**
 * A token's bytes as GPT-2's vocabulary file writes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpt2TokenString } from "./words.ts";
 * assert.equal(gpt2TokenString(new TextEncoder().encode(" world")), "Ġworld");
 * ```
 */
export function gpt2TokenString(bytes: Uint8Array): string {
  const table = gpt2ByteCharacters();
  return [...bytes].map((b) => table[b]).join("");
}
