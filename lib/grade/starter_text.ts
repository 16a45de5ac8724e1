/**
 * The instructions of a starter file in the student's language: a release for French-speaking
 * students (`deno task release --lang fr`) rewrites each starter's opening comment and the
 * comment above each exercise's function with the French of the catalog's `prompt`. The code,
 * the `TODO` lines and every identifier stay as they are.
 *
 * The English prompt of the catalog is the starter's own comment (a test holds them together),
 * so the two languages are edited side by side.
 * @module
 */
import type { Exercise } from "../course/exercise.ts";
import { type Lang, tr } from "../i18n.ts";

/**
 * The doc comment right above `export function <symbol>` in `source`, as [start, end] offsets
 * of the whole `/** … *\/` block, or undefined.
 */
export function promptComment(source: string, symbol: string): [number, number] | undefined {
  const fn = source.search(new RegExp(`^export (async )?function\\*? ?${symbol}\\b`, "m"));
  if (fn < 0) return undefined;
  const end = source.lastIndexOf("*/", fn);
  const start = source.lastIndexOf("/**", end);
  if (start < 0 || end < 0 || source.slice(end + 2, fn).trim() !== "") return undefined;
  return [start, end + 2];
}

/**
 * The text of a doc comment, its `*` gutters removed and its lines joined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commentText } from "./starter_text.ts";
 * assert.ok(commentText("/**\n * Exercise 1.1: add\n * two numbers.\n *\/") === "Exercise 1.1: add two numbers.");
 * ```
 */
export function commentText(comment: string): string {
  return comment.replace(/^\/\*\*|\*\/$/g, "").split("\n").map((l) => l.replace(/^\s*\* ?/, ""))
    .join(" ").replace(/\s+/g, " ").trim();
}

/** `text` as a doc comment wrapped at `width` columns. */
function docComment(text: string, width = 100): string {
  const lines: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    if (lines.length) lines.push(" *");
    let line = " *";
    // Code in backticks stays on one line: its spaces do not break.
    const words = paragraph.replace(/`[^`]*`/g, (code) => code.replace(/ /g, "\u00a0"))
      .split(/\s+/).filter(Boolean).map((w) => w.replace(/\u00a0/g, " "));
    for (const word of words) {
      if (line.length + 1 + word.length > width && line !== " *") {
        lines.push(line);
        line = " *";
      }
      line += " " + word;
    }
    lines.push(line);
  }
  return `/**\n${lines.join("\n")}\n */`;
}

/** The opening comment of a lab's starter file, in `lang`. */
function header(labId: string, lang: Lang): string {
  return tr({
    en: `Lab ${labId} exercises. Replace each \`throw new Error("TODO …")\` with your code, then ` +
      `run \`deno task lab ${labId}\` again. Hints: \`deno task hint ${labId}.1\`.`,
    fr: `Exercices du lab ${labId}. Remplace chaque \`throw new Error("TODO …")\` par ton code, ` +
      `puis relance \`deno task lab ${labId}\`. Indices : \`deno task hint ${labId}.1\`.`,
  }, lang);
}

/**
 * `source`, a starter file, with its instructions in `lang`: the first sentence of its opening
 * comment and the comment of every exercise of `exercises` that has a prompt. English leaves the
 * file as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localizeStarter } from "./starter_text.ts";
 * const ex = { id: "99.1", symbol: "add", prompt: { en: "Add.", fr: "Additionne." } };
 * const src = "/**\n * Lab 99 exercises. Replace each `throw new Error(\"TODO …\")` with your code, then run\n * `deno task lab 99` again. Hints: `deno task hint 99.1`.\n *\/\n\n/**\n * Add.\n *\/\nexport function add() {}\n";
 * // deno-lint-ignore no-explicit-any
 * assert.ok(localizeStarter(src, [ex as any], "fr").includes(" * Exercice 99.1 : Additionne."));
 * ```
 */
export function localizeStarter(source: string, exercises: Exercise[], lang: Lang): string {
  if (lang === "en") return source;
  let text = source;
  for (const ex of exercises) {
    if (!ex.prompt) continue;
    const at = promptComment(text, ex.symbol);
    if (!at) continue;
    const body = tr({ en: `Exercise ${ex.id}:`, fr: `Exercice ${ex.id} :` }, lang) + " " +
      tr(ex.prompt, lang);
    text = text.slice(0, at[0]) + docComment(body) + text.slice(at[1]);
  }
  const labId = exercises[0]?.id.split(".")[0];
  const opening = new RegExp(
    `Lab ${labId} exercises[^.]*\\. Replace each[\\s\\S]*?Hints: \`deno task hint ${labId}\\.1\`\\.`,
  );
  // The sentence spans lines of the comment: its French takes as many as it needs.
  const inner = docComment(header(labId, lang)).split("\n").slice(1, -1).join("\n")
    .replace(/^ \* /, "");
  return labId ? text.replace(opening, inner) : text;
}
