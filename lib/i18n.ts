/**
 * The two languages a student reads: English and French, side by side wherever a text is written
 * (`{ en, fr }`), so whoever edits one sees the other. The language of a process is chosen once:
 * `--lang fr|en`, else `MINIGPT_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: `fr…` is
 * French), else English.
 *
 * A plain string is English only. It is accepted where a text is expected only while its lab or
 * exercise is on the still-to-translate lists of tests/i18n_test.ts, which fails on any other, and
 * on a listed one that is translated already: the lists only shrink. Leaves out plural rules and other languages: two languages, whole sentences.
 * @module
 */
import { UserError } from "./errors.ts";

/** The languages of the course. */
export const LANGS = ["en", "fr"] as const;
export type Lang = typeof LANGS[number];

/** A text in both languages. */
export interface Text {
  en: string;
  fr: string;
}

/** A text, or a plain English string still to translate. */
export type Localized = Text | string;

let current: Lang = "en";

/** The language this process speaks. */
export function lang(): Lang {
  return current;
}

/** Sets the language this process speaks (the CLI does, once, before any command runs). */
export function setLang(l: Lang): void {
  current = l;
}

/**
 * The text in the current language (a plain string is English and stays as it is).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setLang, tr } from "./i18n.ts";
 * setLang("fr");
 * assert.ok(tr({ en: "passed", fr: "réussi" }) === "réussi");
 * setLang("en");
 * ```
 */
export function tr(text: Localized, l: Lang = current): string {
  return typeof text === "string" ? text : text[l];
}

/**
 * A text that reads the same in both languages: a name, an example word, a formula.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verbatim } from "./i18n.ts";
 * assert.ok(verbatim("souris").fr === "souris");
 * ```
 */
export function verbatim(text: string): Text {
  return { en: text, fr: text };
}

/**
 * Text set by the typography of `l`: in French, decimal commas (0,5), and a no-break space before
 * : ; ? ! and », after «, and between the digit groups of 2 000, so that no line breaks there.
 * English is unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { typeset } from "./i18n.ts";
 * assert.ok(typeset("« oui » ?", "fr") === "«\u00a0oui\u00a0»\u00a0?");
 * assert.ok(typeset("0.25 après l'exercice 03.2, [0.5, 1.5]", "fr") === "0,25 après l'exercice 03.2, [0.5, 1.5]");
 * ```
 */
export function typeset(text: string, l: Lang = current): string {
  if (l !== "fr") return text;
  return decimalCommas(text).replace(/ ([:;?!»])/g, "\u00a0$1").replace(/« /g, "«\u00a0")
    .replace(/(\d) (\d{3})(?!\d)/g, "$1\u00a0$2");
}

/**
 * A table cell in language `l`: a text in both languages translated, and in French a decimal
 * with its comma (0.659 → 0,659), as in the prose around it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellText } from "./i18n.ts";
 * assert.equal(cellText("0.659", "fr"), "0,659");
 * assert.equal(cellText(0.5, "en"), "0.5");
 * assert.equal(cellText({ en: "loss", fr: "perte" }, "fr"), "perte");
 * ```
 */
export function cellText(cell: string | number | Text, l: Lang = current): string {
  const text = typeof cell === "object" ? tr(cell, l) : String(cell);
  return l === "fr" ? decimalCommas(text) : text;
}

/**
 * French decimals in prose: 0.22 → 0,22. Left as they are: code in backticks, lists in
 * brackets (where a comma already separates the items), exercise numbers (03.2) and the values
 * of commands and flags (/temp 0.7, --lr 0.5).
 */
function decimalCommas(text: string): string {
  return text.split(/(`[^`]*`|\[[^\]]*\])/).map((part, i) =>
    i % 2 === 1 ? part : part.replace(
      /(^|[\s(=≈~±])([−-]?)(\d+)\.(\d+)(?!\w|\.\d)/g,
      (match, before: string, sign: string, whole: string, fraction: string, at: number) => {
        if (/^[01]\d$/.test(whole) && fraction.length === 1) return match;
        const word = part.slice(0, at + before.length).trimEnd().split(/\s/).pop() ?? "";
        if (word.startsWith("/") || word.startsWith("--")) return match;
        return `${before}${sign}${whole},${fraction}`;
      },
    )
  ).join("");
}

/** True when `text` is a plain string: English only. */
export function isEnglishOnly(text: Localized): text is string {
  return typeof text === "string";
}

/**
 * The language asked for: the `--lang` flag, else `MINIGPT_LANG`, else the first of `LC_ALL`,
 * `LC_MESSAGES`, `LANG` that is set (`fr…` → French, anything else → English), else English.
 * A flag or `MINIGPT_LANG` naming another language is one sentence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveLang } from "./i18n.ts";
 * assert.ok(resolveLang(undefined, { LANG: "fr_FR.UTF-8" }) === "fr");
 * assert.ok(resolveLang("en", { MINIGPT_LANG: "fr" }) === "en");
 * assert.ok(resolveLang(undefined, { LC_ALL: "C", LANG: "fr_FR" }) === "en");
 * ```
 */
export function resolveLang(
  flag: string | undefined,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Lang {
  for (const [source, value] of [["--lang", flag], ["MINIGPT_LANG", env.MINIGPT_LANG]]) {
    if (value === undefined || value === "") continue;
    if ((LANGS as readonly string[]).includes(value)) return value as Lang;
    throw new UserError(tr({
      en: `${source} takes ${LANGS.join(" or ")}, not "${value}".`,
      fr: `${source} prend ${LANGS.join(" ou ")}, pas « ${value} ».`,
    }));
  }
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== "");
  return locale?.toLowerCase().startsWith("fr") ? "fr" : "en";
}

/** The sentence `--help` gives about the language. */
export const LANG_HELP: Text = {
  en:
    "--lang fr|en   the language of the texts (default: MINIGPT_LANG, else LC_ALL, LC_MESSAGES or\n" +
    "               LANG: fr… is French; else English)",
  fr:
    "--lang fr|en   la langue des textes (par défaut : MINIGPT_LANG, sinon LC_ALL, LC_MESSAGES\n" +
    "               ou LANG : fr… donne le français ; sinon l'anglais)",
};
