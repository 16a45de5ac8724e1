/**
 * A lesson page: a lab as a student re-reads it, every step in order with its title, narration,
 * tables, code, the charts and samples it drew and its exercises' status (passed, or the failure
 * and the hint), in the run's language. The page is one self-contained HTML file: SVGs inlined,
 * styles inline, no script, nothing fetched, so it opens offline and prints cleanly.
 *
 * Texts are kept in both languages (`lesson.json`), so steps kept from an earlier run read in the
 * language of the latest one. Leaves out interactivity: the lab itself is the notebook.
 * @module
 */
import { cellText, type Lang, type Localized, type Text, tr, typeset } from "../i18n.ts";

/** One thing a step showed. */
export type LessonItem =
  | { kind: "text"; text: Localized }
  | { kind: "code"; text: Localized }
  | { kind: "table"; rows: (string | number | Text)[][] }
  | { kind: "chart"; name: string; title: string }
  | { kind: "sample"; name: string; title: Localized; text: string }
  | {
    kind: "exercise";
    id: string;
    title: Localized;
    status: "pass" | "fail" | "todo";
    what?: string;
    expected?: string;
    got?: string;
    hint?: Localized;
  };

/** A step as it last ran. */
export interface LessonStep {
  /** Counting from 1. */
  index: number;
  title: Localized;
  /** ISO time of the run that showed it. */
  run: string;
  items: LessonItem[];
}

/** What `out/<lab>/lesson.json` holds. */
export interface Lesson {
  slug: string;
  title: Localized;
  /** Every step title of the lab, run or not. */
  titles: Localized[];
  steps: LessonStep[];
}

/** What a page needs besides the lesson: its language, how the run ended, when, and the SVGs. */
export interface PageContext {
  lang: Lang;
  status: string;
  finished: string;
  /** The inline SVG of a chart, or undefined when its file is gone. */
  svg(name: string): string | undefined;
}

/** Escapes text for HTML. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The lesson's page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lessonPage } from "./lesson.ts";
 * const html = lessonPage(
 *   { slug: "98_demo", title: "Demo", titles: ["Hi"], steps: [{ index: 1, title: "Hi", run: "", items: [{ kind: "text", text: "Hello." }] }] },
 *   { lang: "en", status: "complete", finished: "", svg: () => undefined },
 * );
 * assert.ok(html.includes("<p>Hello.</p>"));
 * ```
 */
export function lessonPage(lesson: Lesson, ctx: PageContext): string {
  const t = (text: Localized) => tr(text, ctx.lang);
  const latest = lesson.steps.reduce((m, s) => (s.run > m ? s.run : m), "");
  const sections = lesson.titles.map((title, i) => {
    const s = lesson.steps.find((x) => x.index === i + 1);
    const head = `<h2>${t({ en: "Step", fr: "Étape" })} ${i + 1} · ${escapeHtml(t(title))}</h2>`;
    if (!s) {
      return `<section class="step notrun" id="step-${i + 1}">${head}<p class="note">${
        t({ en: "Not run yet.", fr: "Pas encore lancée." })
      }</p></section>`;
    }
    const earlier = s.run !== latest
      ? `<p class="note">${t({ en: "From an earlier run", fr: "D'une exécution précédente" })} (${
        escapeHtml(s.run)
      }).</p>`
      : "";
    return `<section class="step${earlier ? " earlier" : ""}" id="step-${
      i + 1
    }">${head}${earlier}\n${s.items.map((item) => renderItem(item, ctx)).join("\n")}\n</section>`;
  });
  const nav = `<nav><a href="../index.html">${t({ en: "All labs", fr: "Tous les labs" })}</a> · ${
    escapeHtml(statusLabel(ctx.status, ctx.lang))
  } · ${escapeHtml(ctx.finished)}</nav>`;
  return htmlPage(`Lab ${t(lesson.title)}`, ctx.lang, `${nav}\n${sections.join("\n")}`);
}

function renderItem(item: LessonItem, ctx: PageContext): string {
  const t = (text: Localized) => tr(text, ctx.lang);
  switch (item.kind) {
    case "text":
      return t(item.text).trim().split(/\n\s*\n/).map((p) =>
        `<p>${inlineCode(escapeHtml(typeset(p.replace(/\s*\n\s*/g, " "), ctx.lang)))}</p>`
      ).join("\n");
    case "code":
      return `<pre>${escapeHtml(t(item.text).replace(/^\n+|\s+$/g, ""))}</pre>`;
    case "table": {
      const [head, ...body] = item.rows;
      const cell = (c: string | number | Text, tag: string) =>
        `<${tag}>${escapeHtml(cellText(c, ctx.lang))}</${tag}>`;
      return `<table><thead><tr>${(head ?? []).map((c) => cell(c, "th")).join("")}</tr></thead>` +
        `<tbody>${body.map((r) => `<tr>${r.map((c) => cell(c, "td")).join("")}</tr>`).join("")}` +
        `</tbody></table>`;
    }
    case "chart": {
      const svg = ctx.svg(item.name) ??
        `<p class="note">${escapeHtml(item.name)}.svg ${
          t({ en: "is missing", fr: "est introuvable" })
        }</p>`;
      return `<figure id="${item.name}">${svg}<figcaption>${escapeHtml(item.title)} · ` +
        `<a href="${item.name}.svg">${item.name}.svg</a> · ` +
        `<a href="${item.name}.vl.json">${item.name}.vl.json</a></figcaption></figure>`;
    }
    case "sample":
      return `<figure id="${item.name}"><pre>${escapeHtml(item.text)}</pre><figcaption>` +
        `${escapeHtml(t(item.title))} · <a href="${item.name}.txt">${item.name}.txt</a>` +
        `</figcaption></figure>`;
    case "exercise": {
      const title = `${t({ en: "Exercise", fr: "Exercice" })} ${item.id} · ${
        escapeHtml(t(item.title))
      }`;
      if (item.status === "pass") {
        return `<div class="exercise pass"><strong>✓ ${title}</strong> · ${
          t({ en: "passed", fr: "réussi" })
        }</div>`;
      }
      const rows = [
        [t({ en: "checked", fr: "vérifié" }), item.what],
        [t({ en: "expected", fr: "attendu" }), item.expected],
        [t({ en: "got", fr: "obtenu" }), item.got],
      ].map(([k, v]) => `<dt>${k}</dt><dd><code>${escapeHtml(v ?? "")}</code></dd>`).join("");
      const state = item.status === "todo"
        ? t({ en: "not started", fr: "pas commencé" })
        : t({ en: "does not pass yet", fr: "ne passe pas encore" });
      return `<div class="exercise fail"><strong>✗ ${title}</strong> · ${state}<dl>${rows}</dl>` +
        (item.hint
          ? `<p><strong>${t({ en: "Hint:", fr: "Indice :" })}</strong> ${
            escapeHtml(t(item.hint))
          }</p>`
          : "") +
        `</div>`;
    }
  }
}

/** `code` in narration becomes <code>; the text is already escaped. */
function inlineCode(html: string): string {
  return html.replace(/`([^`]+)`/g, "<code>$1</code>");
}

/** A run's status in words. */
export function statusLabel(status: string, lang: Lang): string {
  const labels: Record<string, Text> = {
    "complete": { en: "complete", fr: "terminé" },
    "stopped at an exercise": { en: "stopped at an exercise", fr: "arrêté à un exercice" },
    "failed": { en: "failed", fr: "en erreur" },
  };
  return labels[status] ? tr(labels[status], lang) : status;
}

/** A whole HTML page with the project's styles: readable on screen, clean on paper. */
export function htmlPage(title: string, lang: Lang, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · minigpt-lab</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { font-size: 1.6em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.85em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; white-space: pre-wrap; }
code { background: #f3f3f3; padding: 0 0.2em; }
table { border-collapse: collapse; margin: 1em 0; } td, th { padding: 0.3em 0.8em; border-bottom: 1px solid #e4e4e4; text-align: left; }
svg { max-width: 100%; height: auto; }
.note { color: #555; font-style: italic; }
.earlier { border-left: 3px solid #bbb; padding-left: 0.8em; }
.exercise { border: 1px solid #ccc; padding: 0.6em 0.9em; margin: 1em 0; }
.exercise.pass { border-left: 6px solid #0072b2; } .exercise.fail { border-left: 6px solid #d55e00; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; } dd { margin: 0; }
@media print {
  nav, figcaption a { display: none; }
  body { max-width: none; margin: 0; }
  figure, table, pre, .exercise { break-inside: avoid; }
  h2 { break-after: avoid; }
}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}
