/**
 * The regex pre-split of GPT-2 and GPT-4: text is cut into chunks (words with their leading
 * space, runs of digits, punctuation, whitespace) before BPE, so that merges never cross a chunk.
 *
 * Both patterns are written for JavaScript's Unicode mode (`u` flag, `\p{L}` letters, `\p{N}`
 * digits). Whitespace is `\p{White_Space}`, never `\s`: OpenAI's patterns run in Python's
 * `regex` and Rust's `regex` crate, where `\s` is Unicode's White_Space (U+0085 in, U+FEFF out),
 * while JavaScript's `\s` has U+FEFF and lacks U+0085, so " \u0085x" would split differently.
 * GPT-4's original pattern uses possessive quantifiers (`?+`, `++`) and a case-insensitive group
 * `(?i:…)`; see {@link GPT4_SPLIT_PATTERN} for why the translation
 * matches the same chunks. Leaves out the special-token split, which lives in bpe.ts.
 * @module
 */
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";

/**
 * GPT-2's split pattern: contractions, letters, digits, other, spaces. OpenAI published it as
 * `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, with `\s`
 * spelt out here as White_Space (see above).
 */
export const GPT2_SPLIT_PATTERN = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+` +
  String.raw`| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+`;

/**
 * GPT-4's (cl100k) split pattern, translated for JavaScript.
 *
 * The original is
 * `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`.
 * The case-insensitive group becomes explicit letter classes (`'DON'T` splits as `'T` too), and
 * `\s` becomes White_Space (see above).
 * The possessive `?+` and `++` become plain `?` and `+` without changing any match: after the
 * optional non-letter, `\p{L}+` cannot match a non-letter, so giving it back never helps; and
 * `[\r\n]*` after the punctuation run always succeeds, so nothing ever backtracks into the run.
 * Digits go by at most three, so numbers do not become one token each.
 */
export const GPT4_SPLIT_PATTERN = String.raw`'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])` +
  String.raw`|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\p{White_Space}\p{L}\p{N}]+[\r\n]*` +
  String.raw`|\p{White_Space}*[\r\n]|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+`;

/**
 * The global Unicode regex for a split pattern (an empty pattern gives undefined: no split);
 * an invalid pattern is a UserError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileSplit, GPT2_SPLIT_PATTERN } from "./regex.ts";
 * assert.equal(compileSplit(GPT2_SPLIT_PATTERN)!.flags, "gu");
 * ```
 */
export function compileSplit(pattern: string): RegExp | undefined {
  if (pattern === "") return undefined;
  try {
    return new RegExp(pattern, "gu");
  } catch (err) {
    const why = (err as Error).message;
    throw new UserError(tr({
      en: `The split pattern is not a valid regex: ${why}.`,
      fr: `Le motif de découpage n'est pas une regex valide : ${why}.`,
    }));
  }
}

/**
 * Cuts `text` into the chunks that BPE works on; they concatenate back to `text`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitText, GPT2_SPLIT_PATTERN } from "./regex.ts";
 * assert.equal(splitText("Hello world's end", GPT2_SPLIT_PATTERN).join("|"), "Hello| world|'s| end");
 * ```
 */
export function splitText(text: string, pattern: string): string[] {
  const regex = compileSplit(pattern);
  if (!regex) return text === "" ? [] : [text];
  return Array.from(text.matchAll(regex), (m) => m[0]);
}
