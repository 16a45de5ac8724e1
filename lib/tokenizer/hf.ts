/**
 * Our tokenizers in the files Hugging Face reads, and back.
 *
 * - Byte-level BPE becomes GPT-2's pair `vocab.json` + `merges.txt`. Both spell each token's bytes
 *   through GPT-2's byte-to-character table (every byte gets a printable character: the space is
 *   `Ġ`, the newline `Ċ`), and merge i is line i of merges.txt, the two parts it joins.
 * - The character tokenizer (and the chat one, which adds three special tokens) becomes a
 *   `tokenizer.json` for the `tokenizers` library: a WordLevel model over single characters, a
 *   pre-tokenizer that isolates every character, and a Fuse decoder that joins them back.
 *
 * Leaves out tokenizer.json for BPE on export (vocab.json + merges.txt is what GPT-2 ships), but
 * reads one on import.
 * @module
 */
import { UserError } from "../errors.ts";
import { type Text, tr } from "../i18n.ts";
import type { Pair } from "./basic.ts";
import { BpeTokenizer } from "./bpe.ts";
import { GPT2_SPLIT_PATTERN } from "./regex.ts";

/** GPT-2's byte → character table: printable Latin-1 bytes stand for themselves, the rest shift past 255. */
function byteToChar(): string[] {
  const table: string[] = new Array(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
    table[b] = String.fromCodePoint(printable ? b : 256 + shifted++);
  }
  return table;
}

const BYTE_TO_CHAR = byteToChar();

/** GPT-2's byte-level spelling of `bytes`. */
function spell(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}

/** GPT-2's vocab.json and merges.txt for `tok`, as text. */
export interface HfBpeFiles {
  vocab: string;
  merges: string;
}

/**
 * The two files of a byte-level BPE tokenizer in GPT-2's layout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BpeTokenizer } from "./bpe.ts";
 * import { bpeFromHf, bpeToHf } from "./hf.ts";
 * const tok = new BpeTokenizer({ pattern: "", merges: [[104, 105]] });
 * const files = bpeToHf(tok);
 * assert.ok(files.merges.endsWith("h i\n") && bpeFromHf(files).encode("hi").join() === "256");
 * ```
 */
export function bpeToHf(tok: BpeTokenizer): HfBpeFiles {
  const specialIds = new Map([...tok.special].map(([text, id]) => [id, text]));
  const vocab: Record<string, number> = {};
  for (let id = 0; id < tok.vocabSize; id++) {
    const special = specialIds.get(id);
    if (special !== undefined) vocab[special] = id;
    else if (id < 256 + tok.merges.length) vocab[spell(tok.tokenBytes(id))] = id;
  }
  const lines = tok.merges.map(([a, b]) =>
    `${spell(tok.tokenBytes(a))} ${spell(tok.tokenBytes(b))}`
  );
  return {
    vocab: JSON.stringify(vocab) + "\n",
    merges: ["#version: 0.2", ...lines].join("\n") + "\n",
  };
}

/**
 * Our tokenizer from GPT-2-layout files; `pattern` is the split (GPT-2's unless told, as Hugging
 * Face's GPT2Tokenizer always splits). Anything our BPE cannot hold is one sentence naming it.
 *
 * @example
 * ```ts ignore needs GPT-2's vocab.json and merges.txt
 * import { bpeFromHf } from "./hf.ts";
 * const files = { vocab: await Deno.readTextFile("gpt2/vocab.json"), merges: await Deno.readTextFile("gpt2/merges.txt") };
 * const tok = bpeFromHf(files);
 * ```
 */
export function bpeFromHf(
  files: HfBpeFiles | { vocab: Record<string, number>; merges: string[] },
  source: string | Text = { en: "the tokenizer", fr: "Le tokenizer" },
  pattern = GPT2_SPLIT_PATTERN,
): BpeTokenizer {
  const bad = (why: Text): never => {
    throw new UserError(tr({
      en: `${tr(source, "en")} is not a byte-level BPE tokenizer this project can read: ${why.en}.`,
      fr:
        `${tr(source, "fr")} n'est pas un tokenizer BPE au niveau des octets que ce projet sait ` +
        `lire : ${why.fr}.`,
    }));
  };
  let vocab: Record<string, number>;
  let mergeLines: string[];
  if (typeof files.vocab === "string") {
    try {
      vocab = JSON.parse(files.vocab);
    } catch {
      return bad({ en: "vocab.json is not valid JSON", fr: "vocab.json n'est pas du JSON valide" });
    }
    mergeLines = (files.merges as string).split("\n").filter((l) => l && !l.startsWith("#version"));
  } else {
    vocab = files.vocab;
    mergeLines = files.merges as string[];
  }
  if (typeof vocab !== "object" || vocab === null) {
    bad({ en: "vocab.json is not an object", fr: "vocab.json n'est pas un objet" });
  }
  const byteIds = Array.from({ length: 256 }, (_, b) => vocab[BYTE_TO_CHAR[b]]);
  const missing = byteIds.findIndex((id) => !(Number.isInteger(id) && id >= 0 && id < 256));
  if (missing >= 0) {
    bad({
      en: `byte ${missing} has no id below 256`,
      fr: `l'octet ${missing} n'a pas d'id sous 256`,
    });
  }
  const merges: Pair[] = [];
  for (const [i, line] of mergeLines.entries()) {
    const parts = line.split(" ");
    if (parts.length !== 2) {
      bad({
        en: `merge ${i + 1} ("${line}") is not two tokens`,
        fr: `la fusion ${i + 1} (« ${line} ») n'est pas faite de deux tokens`,
      });
    }
    const [a, b] = parts.map((p) => vocab[p]);
    if (a === undefined || b === undefined) {
      bad({
        en: `merge ${i + 1} ("${line}") joins unknown tokens`,
        fr: `la fusion ${i + 1} (« ${line} ») joint des tokens inconnus`,
      });
    }
    const made = vocab[parts[0] + parts[1]];
    if (made !== 256 + i) {
      bad({
        en: `merge ${i + 1} makes id ${made}, where merge i must make 256 + i`,
        fr: `la fusion ${i + 1} crée l'id ${made}, alors que la fusion i doit créer 256 + i`,
      });
    }
    merges.push([a, b]);
  }
  // Ids past the merges are special tokens (GPT-2's <|endoftext|>), matched as whole text.
  const special: Record<string, number> = {};
  for (const [text, id] of Object.entries(vocab)) {
    if (id >= 256 + merges.length) special[text] = id;
    else if (!Number.isInteger(id) || id < 0) {
      bad({
        en: `token ${JSON.stringify(text)} has id ${id}`,
        fr: `le token ${JSON.stringify(text)} a l'id ${id}`,
      });
    }
  }
  return new BpeTokenizer({ pattern, merges, byteIds, special });
}

/** A character vocabulary, and the special tokens that follow it (the chat template's, or none). */
export interface CharVocabulary {
  chars: string[];
  special: string[];
}

/**
 * A `tokenizer.json` for a character vocabulary: `Tokenizer.from_file` of the `tokenizers`
 * library encodes with it to our ids and decodes back to the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { charsToTokenizerJson, readTokenizerJson } from "./hf.ts";
 * const read = readTokenizerJson(charsToTokenizerJson({ chars: ["\n", "a"], special: [] }));
 * assert.ok(read.kind === "chars" && read.vocabulary.chars.join() === "\n,a");
 * ```
 */
export function charsToTokenizerJson({ chars, special }: CharVocabulary): string {
  const vocab: Record<string, number> = {};
  chars.forEach((c, i) => vocab[c] = i);
  special.forEach((s, i) => vocab[s] = chars.length + i);
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special.map((content, i) => ({
      id: chars.length + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    // One piece per character: [\s\S] matches any code point, newlines included.
    pre_tokenizer: {
      type: "Split",
      pattern: { Regex: "[\\s\\S]" },
      behavior: "Isolated",
      invert: false,
    },
    post_processor: null,
    decoder: { type: "Fuse" },
    // No unknown token: a character outside the vocabulary is an error, as in ours.
    model: { type: "WordLevel", vocab, unk_token: "<unk>" },
  };
  return JSON.stringify(tokenizer, null, 1) + "\n";
}

/** What a tokenizer.json holds, as far as this project reads it. */
export type TokenizerJson =
  | { kind: "chars"; vocabulary: CharVocabulary }
  | { kind: "bpe"; tokenizer: BpeTokenizer };

/**
 * Reads a `tokenizer.json`: a WordLevel model over single characters (ours), or a byte-level BPE
 * model (GPT-2's); anything else is one sentence.
 *
 * @example
 * ```ts ignore needs GPT-2's tokenizer.json
 * import { readTokenizerJson } from "./hf.ts";
 * const t = readTokenizerJson(await Deno.readTextFile("gpt2/tokenizer.json"));
 * ```
 */
export function readTokenizerJson(text: string, source = "tokenizer.json"): TokenizerJson {
  const bad = (why: Text): never => {
    throw new UserError(tr({
      en: `${source} is not a tokenizer this project can read: ${why.en}.`,
      fr: `${source} n'est pas un tokenizer que ce projet sait lire : ${why.fr}.`,
    }));
  };
  let json: {
    model?: { type?: string; vocab?: Record<string, number>; merges?: (string | string[])[] };
    added_tokens?: { id: number; content: string }[];
  };
  try {
    json = JSON.parse(text);
  } catch {
    return bad({ en: "it is not valid JSON", fr: "ce n'est pas du JSON valide" });
  }
  const model = json?.model;
  if (model?.type === "BPE" && model.vocab && Array.isArray(model.merges)) {
    const merges = model.merges.map((m) => Array.isArray(m) ? m.join(" ") : m);
    return { kind: "bpe", tokenizer: bpeFromHf({ vocab: model.vocab, merges }, source) };
  }
  if (model?.type !== "WordLevel" || typeof model.vocab !== "object") {
    return bad({
      en: `its model is ${model?.type ?? "missing"}, not WordLevel over characters or BPE`,
      fr: `son modèle est ${model?.type ?? "absent"}, ni WordLevel sur des caractères ni BPE`,
    });
  }
  const added = new Map((json.added_tokens ?? []).map((t) => [t.content, t.id]));
  const entries = Object.entries(model.vocab).filter(([t]) => !added.has(t));
  const chars: string[] = new Array(entries.length);
  for (const [token, id] of entries) {
    if ([...token].length !== 1) {
      bad({
        en: `its token ${JSON.stringify(token)} is not one character`,
        fr: `son token ${JSON.stringify(token)} n'est pas un seul caractère`,
      });
    }
    if (!(Number.isInteger(id) && id >= 0 && id < entries.length) || chars[id] !== undefined) {
      bad({
        en: `its character ids are not 0 to ${entries.length - 1}, each once`,
        fr: `ses ids de caractères ne sont pas 0 à ${entries.length - 1}, chacun une fois`,
      });
    }
    chars[id] = token;
  }
  const special = [...added].sort((a, b) => a[1] - b[1]);
  special.forEach(([token, id], i) => {
    if (id !== chars.length + i) {
      bad({
        en: `its special token ${token} has id ${id}, not ${chars.length + i}`,
        fr: `son token spécial ${token} a l'id ${id}, pas ${chars.length + i}`,
      });
    }
  });
  return { kind: "chars", vocabulary: { chars, special: special.map(([t]) => t) } };
}
