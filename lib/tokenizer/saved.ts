/**
 * Tokenizers as checkpoints keep them: one interface over the character-level and the BPE
 * tokenizer (what training and sampling need: vocabulary size, encode, decode), and the
 * conversion to and from the text saved beside the weights.
 * @module
 */
import { UserError } from "../errors.ts";
import { type Text, tr } from "../i18n.ts";
import { BpeTokenizer } from "./bpe.ts";
import { CharTokenizer } from "./char.ts";
import { formatTokenizer, parseTokenizer } from "./io.ts";

/** A tokenizer as saved in a checkpoint: its kind and its own text format. */
export interface SavedTokenizer {
  kind: "char" | "bpe" | "chat";
  /**
   * For "char", the vocabulary as a JSON array of characters; for "bpe", its text file; for
   * "chat", a JSON object: the characters and the chat template's special tokens after them.
   */
  data: string;
}

/** Either tokenizer, as the trainer and the sampler see it. */
export type TextTokenizer = CharTokenizer | BpeTokenizer;

/**
 * The saved form of a tokenizer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CharTokenizer } from "./char.ts";
 * import { restoreTokenizer, saveTokenizer } from "./saved.ts";
 * const tok = restoreTokenizer(saveTokenizer(CharTokenizer.fromText("abc")));
 * assert.equal(tok.decode(tok.encode("cab")), "cab");
 * ```
 */
export function saveTokenizer(tok: TextTokenizer): SavedTokenizer {
  return tok instanceof CharTokenizer
    ? { kind: "char", data: JSON.stringify(tok.chars) + "\n" }
    : { kind: "bpe", data: formatTokenizer(tok) };
}

/**
 * The tokenizer a checkpoint saved; a damaged one is one sentence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { restoreTokenizer } from "./saved.ts";
 * const tok = restoreTokenizer({ kind: "char", data: '["a","b"]' });
 * assert.equal(tok.vocabSize, 2);
 * ```
 */
export function restoreTokenizer(
  saved: SavedTokenizer,
  source: string | Text = { en: "the checkpoint", fr: "le checkpoint" },
): TextTokenizer {
  // In French `source` follows « dans », so that a path and « le checkpoint » both read.
  const [en, fr] = [tr(source, "en"), tr(source, "fr")];
  if (saved.kind === "bpe") {
    return parseTokenizer(saved.data, {
      en: `The tokenizer of ${en}`,
      fr: `Le tokenizer enregistré dans ${fr}`,
    });
  }
  if (saved.kind === "chat") {
    throw new UserError(tr({
      en: `${en} is a chat model: talk to it with \`deno task chat --ckpt\` instead.`,
      fr: `Il y a un modèle de chat dans ${fr} : parle-lui plutôt avec \`deno task chat --ckpt\`.`,
    }));
  }
  let chars: unknown;
  try {
    chars = JSON.parse(saved.data);
  } catch {
    chars = undefined;
  }
  if (!Array.isArray(chars) || !chars.every((c) => typeof c === "string")) {
    throw new UserError(tr({
      en: `The tokenizer of ${en} is not a JSON list of characters: the checkpoint is damaged.`,
      fr: `Le tokenizer enregistré dans ${fr} n'est pas une liste JSON de caractères : le point ` +
        `de contrôle est endommagé.`,
    }));
  }
  return new CharTokenizer(chars);
}
