/**
 * The character-level tokenizer of the char-level presets: one id per distinct character of the
 * training text, in code-point order. Simple and lossless on its own text, but it cannot encode a
 * character it has never seen, which is what byte-level BPE fixes. Leaves out saving (the
 * vocabulary is just the string of its characters).
 * @module
 */
import { tr } from "../i18n.ts";
import { UserError } from "../errors.ts";

/**
 * A tokenizer with one id per character (per Unicode code point).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CharTokenizer } from "./char.ts";
 * const tok = CharTokenizer.fromText("hello");
 * assert.ok(tok.vocabSize === 4 && tok.decode(tok.encode("hell")) === "hell");
 * ```
 */
export class CharTokenizer {
  /** The characters, id order. */
  readonly chars: readonly string[];
  readonly #ids: Map<string, number>;

  constructor(chars: string[]) {
    this.chars = [...chars];
    this.#ids = new Map(chars.map((c, i) => [c, i]));
    if (this.#ids.size !== chars.length) {
      throw new UserError(tr({
        en: "A character vocabulary must not list a character twice.",
        fr: "Un vocabulaire de caractères ne doit pas lister deux fois le même caractère.",
      }));
    }
  }

  /** The tokenizer whose vocabulary is every distinct character of `text`, sorted. */
  static fromText(text: string): CharTokenizer {
    if (text.length === 0) {
      throw new UserError(tr({
        en: "The training text is empty: give the tokenizer some text to learn from.",
        fr: "Le texte d'entraînement est vide : donne au tokenizer du texte sur lequel apprendre.",
      }));
    }
    return new CharTokenizer([...new Set(text)].sort(byCodePoint));
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  /** The id of the character `c`, or undefined when it is not in the vocabulary. */
  idOf(c: string): number | undefined {
    return this.#ids.get(c);
  }

  /** The ids of `text`; a character outside the vocabulary is a UserError. */
  encode(text: string): number[] {
    return Array.from(text, (c) => {
      const id = this.#ids.get(c);
      if (id === undefined) {
        const code = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
        throw new UserError(tr({
          en: `The character ${JSON.stringify(c)} (U+${code}) is not in this tokenizer's ` +
            `${this.vocabSize} characters: train it on text that contains it, or use byte-level BPE.`,
          fr: `Le caractère ${JSON.stringify(c)} (U+${code}) ne fait pas partie des ` +
            `${this.vocabSize} caractères de ce tokenizer : entraîne-le sur un texte qui le ` +
            `contient, ou utilise un BPE au niveau des octets.`,
        }));
      }
      return id;
    });
  }

  /** The text of `ids`; an id outside the vocabulary is a UserError. */
  decode(ids: ArrayLike<number>): string {
    let text = "";
    for (let i = 0; i < ids.length; i++) {
      const c = this.chars[ids[i]];
      if (c === undefined) {
        const last = this.vocabSize - 1;
        throw new UserError(tr({
          en: `Token id ${ids[i]} is not in this tokenizer's vocabulary (ids 0 to ${last}): ` +
            `decode ids with the tokenizer that produced them.`,
          fr: `L'id de token ${ids[i]} n'est pas dans le vocabulaire de ce tokenizer (ids 0 à ` +
            `${last}) : décode les ids avec le tokenizer qui les a produits.`,
        }));
      }
      text += c;
    }
    return text;
  }
}

function byCodePoint(a: string, b: string): number {
  return a.codePointAt(0)! - b.codePointAt(0)!;
}
