/**
 * A lab's report: what its steps showed (narration, tables, code, charts, samples, exercises),
 * kept in `out/<lab>/lesson.json` and written as the lesson page `out/<lab>/index.html`
 * (lesson.ts), and `out/index.html` linking every lab that has run, with its status.
 *
 * A run that starts at a later step (`--from N`) adds to the lesson instead of replacing it: the
 * steps it does not run are kept from the earlier runs, and marked as such. Pages are
 * self-contained (SVGs inlined, no script, nothing fetched), so they open offline in any browser.
 * @module
 */
import { type VegaLiteSpec, writeChart } from "../charts.ts";
import { type Lang, lang, type Localized, type Text, tr } from "../i18n.ts";
import { writeFileAtomic } from "../atomic.ts";
import {
  escapeHtml,
  htmlPage,
  type Lesson,
  type LessonItem,
  lessonPage,
  type LessonStep,
  statusLabel,
} from "./lesson.ts";

/** What `out/<lab>/report.json` records, for the top-level index. */
export interface ReportSummary {
  slug: string;
  title: Localized;
  /** ISO time the run finished. */
  finished: string;
  status: "complete" | "stopped at an exercise" | "failed";
  /** Charts and samples on the lesson page, earlier runs' included. */
  charts: number;
  samples: number;
  /** Steps on the page that ran, and the lab's steps in all. */
  stepsShown: number;
  steps: number;
}

/** Options of {@link LabReport}. */
export interface ReportOptions {
  /** Every step title of the lab (default: only the steps that run are known). */
  titles?: Localized[];
  /** The first step this run runs; above 1, earlier runs' steps are kept (default 1). */
  from?: number;
  /** The page's language (default: the process's). */
  lang?: Lang;
}

/**
 * Collects a lab's outputs under `<outRoot>/<slug>/` and writes its lesson page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LabReport } from "./report.ts";
 * import { barChart } from "../charts.ts";
 * const report = new LabReport(await Deno.makeTempDir(), "00_intro", "Introduction");
 * report.step(1, { en: "A chart", fr: "Un graphique" });
 * report.text({ en: "Look.", fr: "Regarde." });
 * await report.chart("demo", barChart({ data: [{ a: "x", b: 1 }], category: "a", value: "b" }));
 * const page = await report.finish("complete");
 * assert.match(await Deno.readTextFile(page), /Regarde|Look/);
 * ```
 */
export class LabReport {
  readonly dir: string;
  readonly steps: LessonStep[] = [];
  readonly #options: ReportOptions;
  readonly #started = new Date().toISOString();

  constructor(
    readonly outRoot: string,
    readonly slug: string,
    readonly title: Localized,
    options: ReportOptions = {},
  ) {
    this.dir = `${outRoot}/${slug}`;
    this.#options = options;
  }

  /** Opens step `index` (from 1): what follows belongs to it. */
  step(index: number, title: Localized): void {
    this.steps.push({ index, title, run: this.#started, items: [] });
  }

  /** Narration, as the step said it. */
  text(text: Localized): void {
    this.#add({ kind: "text", text });
  }

  /** Preformatted text: a diagram, code. */
  code(text: Localized): void {
    this.#add({ kind: "code", text });
  }

  /** A table; the first row is the header. */
  table(rows: (string | number | Text)[][]): void {
    this.#add({ kind: "table", rows });
  }

  /** An exercise's outcome in this run. */
  exercise(item: Omit<Extract<LessonItem, { kind: "exercise" }>, "kind">): void {
    this.#add({ kind: "exercise", ...item });
  }

  /** Writes `<name>.vl.json` and `<name>.svg` and adds the chart to the page. */
  async chart(name: string, spec: VegaLiteSpec): Promise<string> {
    checkName(name);
    const files = await writeChart(this.dir, name, spec);
    this.#add({ kind: "chart", name, title: typeof spec.title === "string" ? spec.title : name });
    return files.svg;
  }

  /** Writes `<name>.txt` and adds the text to the page. */
  async sample(name: string, title: Localized, text: string): Promise<string> {
    checkName(name);
    await Deno.mkdir(this.dir, { recursive: true });
    const path = `${this.dir}/${name}.txt`;
    await Deno.writeTextFile(path, text);
    this.#add({ kind: "sample", name, title, text });
    return path;
  }

  /**
   * Writes `lesson.json`, `index.html` and `report.json` for this lab (with the earlier runs'
   * steps when this run started later), then refreshes `out/index.html`.
   */
  async finish(status: ReportSummary["status"]): Promise<string> {
    await Deno.mkdir(this.dir, { recursive: true });
    const from = this.#options.from ?? 1;
    const earlier = from > 1 ? await readLesson(this.dir, this.slug) : undefined;
    const ran = new Set(this.steps.map((s) => s.index));
    const steps = [...(earlier?.steps.filter((s) => !ran.has(s.index)) ?? []), ...this.steps]
      .sort((a, b) => a.index - b.index);
    const titles = this.#options.titles ?? earlier?.titles ?? steps.map((s) => s.title);
    const lesson: Lesson = { slug: this.slug, title: this.title, titles, steps };
    const items = steps.flatMap((s) => s.items);
    const summary: ReportSummary = {
      slug: this.slug,
      title: this.title,
      finished: new Date().toISOString(),
      status,
      charts: items.filter((i) => i.kind === "chart").length,
      samples: items.filter((i) => i.kind === "sample").length,
      stepsShown: steps.length,
      steps: titles.length,
    };
    const svgs = new Map<string, string>();
    for (const item of items) {
      if (item.kind !== "chart") continue;
      const svg = await Deno.readTextFile(`${this.dir}/${item.name}.svg`).catch(() => undefined);
      if (svg !== undefined) svgs.set(item.name, svg);
    }
    const html = lessonPage(lesson, {
      lang: this.#options.lang ?? lang(),
      status,
      finished: summary.finished,
      svg: (name) => svgs.get(name),
    });
    await writeFileAtomic(`${this.dir}/lesson.json`, JSON.stringify(lesson) + "\n");
    await writeFileAtomic(`${this.dir}/index.html`, html);
    await writeFileAtomic(`${this.dir}/report.json`, JSON.stringify(summary, null, 2) + "\n");
    await writeRootIndex(this.outRoot, this.#options.lang);
    return `${this.dir}/index.html`;
  }

  #add(item: LessonItem): void {
    // Outputs before any step (a lab's preamble) go to a step 0 that the page does not list.
    if (this.steps.length === 0) this.step(0, "");
    this.steps[this.steps.length - 1].items.push(item);
  }
}

/** The lesson an earlier run left in `dir`, or undefined (none, another lab's, or unreadable). */
async function readLesson(dir: string, slug: string): Promise<Lesson | undefined> {
  try {
    const lesson = JSON.parse(await Deno.readTextFile(`${dir}/lesson.json`)) as Lesson;
    return lesson.slug === slug && Array.isArray(lesson.steps) ? lesson : undefined;
  } catch {
    return undefined;
  }
}

function checkName(name: string): void {
  if (!/^[a-z0-9_-]+$/.test(name)) {
    throw new Error(`Output name "${name}" must use only a-z, 0-9, "_" and "-".`);
  }
}

/**
 * Rewrites `<outRoot>/index.html` with a row for every lab folder holding a `report.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeRootIndex } from "./report.ts";
 * const out = await Deno.makeTempDir();
 * await writeRootIndex(out);
 * assert.ok((await Deno.stat(`${out}/index.html`)).isFile);
 * ```
 */
export async function writeRootIndex(outRoot: string, language: Lang = lang()): Promise<void> {
  const t = (text: Localized) => tr(text, language);
  const labs: ReportSummary[] = [];
  for await (const entry of Deno.readDir(outRoot)) {
    if (!entry.isDirectory) continue;
    try {
      labs.push(JSON.parse(await Deno.readTextFile(`${outRoot}/${entry.name}/report.json`)));
    } catch {
      // not a lab folder (bench results, checkpoints, …)
    }
  }
  labs.sort((a, b) => a.slug.localeCompare(b.slug));
  const rows = labs.map((l) =>
    `<tr><td><a href="${l.slug}/index.html">${escapeHtml(t(l.title))}</a></td>` +
    `<td>${escapeHtml(statusLabel(l.status, language))}</td>` +
    `<td>${l.stepsShown ?? "?"}/${l.steps ?? "?"}</td><td>${l.charts}</td><td>${l.samples}</td>` +
    `<td>${escapeHtml(l.finished)}</td></tr>`
  );
  const head = [
    t({ en: "lab", fr: "lab" }),
    t({ en: "last run", fr: "dernière exécution" }),
    t({ en: "steps", fr: "étapes" }),
    t({ en: "charts", fr: "graphiques" }),
    t({ en: "samples", fr: "extraits" }),
    t({ en: "finished", fr: "fin" }),
  ].map((h) => `<th>${h}</th>`).join("");
  const body = labs.length
    ? `<table><tr>${head}</tr>\n${rows.join("\n")}\n</table>`
    : `<p>${
      t({ en: "No lab has run yet: try", fr: "Aucun lab n'a encore tourné : essaie" })
    } <code>deno task lab 00</code>.</p>`;
  await writeFileAtomic(
    `${outRoot}/index.html`,
    htmlPage(t({ en: "minigpt-lab: the lessons", fr: "minigpt-lab : les leçons" }), language, body),
  );
}
