/**
 * A lab's report: the charts and text samples its steps wrote, gathered into
 * `out/<lab>/index.html`, and `out/index.html` linking every lab that has run. Pages are
 * self-contained (SVGs inlined, no script, nothing fetched), so they open offline in any browser.
 * @module
 */
import { type VegaLiteSpec, writeChart } from "../charts.ts";

/** One item of a report, in the order the steps produced it. */
export type ReportItem =
  | { kind: "chart"; step: string; name: string; title: string; svg: string }
  | { kind: "sample"; step: string; name: string; title: string; text: string };

/** What `out/<lab>/report.json` records, for the top-level index. */
export interface ReportSummary {
  slug: string;
  title: string;
  /** ISO time the run finished. */
  finished: string;
  status: "complete" | "stopped at an exercise" | "failed";
  charts: number;
  samples: number;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Collects a lab's outputs under `<outRoot>/<slug>/` and writes its index page.
 *
 * @example
 * ```ts
 * import { LabReport } from "./report.ts";
 * import { barChart } from "../charts.ts";
 * const report = new LabReport(await Deno.makeTempDir(), "00_intro", "Introduction");
 * await report.chart("Step 1", "demo", barChart({ data: [{ a: "x", b: 1 }], category: "a", value: "b" }));
 * import assert from "node:assert/strict";
 * const page = await report.finish("complete");
 * assert.match(await Deno.readTextFile(page), /Introduction/);
 * ```
 */
export class LabReport {
  readonly dir: string;
  readonly items: ReportItem[] = [];

  constructor(readonly outRoot: string, readonly slug: string, readonly title: string) {
    this.dir = `${outRoot}/${slug}`;
  }

  /** Writes `<name>.vl.json` and `<name>.svg` and adds the chart to the page. */
  async chart(step: string, name: string, spec: VegaLiteSpec): Promise<string> {
    checkName(name);
    const files = await writeChart(this.dir, name, spec);
    const svg = await Deno.readTextFile(files.svg);
    const title = typeof spec.title === "string" ? spec.title : name;
    this.items.push({ kind: "chart", step, name, title, svg });
    return files.svg;
  }

  /** Writes `<name>.txt` and adds the text to the page. */
  async sample(step: string, name: string, title: string, text: string): Promise<string> {
    checkName(name);
    await Deno.mkdir(this.dir, { recursive: true });
    const path = `${this.dir}/${name}.txt`;
    await Deno.writeTextFile(path, text);
    this.items.push({ kind: "sample", step, name, title, text });
    return path;
  }

  /** Writes `index.html` and `report.json` for this lab, then refreshes `out/index.html`. */
  async finish(status: ReportSummary["status"]): Promise<string> {
    await Deno.mkdir(this.dir, { recursive: true });
    const summary: ReportSummary = {
      slug: this.slug,
      title: this.title,
      finished: new Date().toISOString(),
      status,
      charts: this.items.filter((i) => i.kind === "chart").length,
      samples: this.items.filter((i) => i.kind === "sample").length,
    };
    const sections: string[] = [];
    let lastStep = "";
    for (const item of this.items) {
      if (item.step !== lastStep) {
        sections.push(`<h2>${escapeHtml(item.step)}</h2>`);
        lastStep = item.step;
      }
      if (item.kind === "chart") {
        sections.push(
          `<figure id="${item.name}">${item.svg}<figcaption>${escapeHtml(item.title)} · ` +
            `<a href="${item.name}.svg">${item.name}.svg</a> · ` +
            `<a href="${item.name}.vl.json">${item.name}.vl.json</a></figcaption></figure>`,
        );
      } else {
        sections.push(
          `<figure id="${item.name}"><pre>${escapeHtml(item.text)}</pre><figcaption>` +
            `${escapeHtml(item.title)} · <a href="${item.name}.txt">${item.name}.txt</a>` +
            `</figcaption></figure>`,
        );
      }
    }
    const body = sections.length
      ? sections.join("\n")
      : "<p>This run wrote no charts or samples.</p>";
    const html = page(
      `Lab ${this.title}`,
      `<p><a href="../index.html">All labs</a> · ${escapeHtml(summary.status)} · ` +
        `${escapeHtml(summary.finished)}</p>\n${body}`,
    );
    await Deno.writeTextFile(`${this.dir}/index.html`, html);
    await Deno.writeTextFile(`${this.dir}/report.json`, JSON.stringify(summary, null, 2) + "\n");
    await writeRootIndex(this.outRoot);
    return `${this.dir}/index.html`;
  }
}

function checkName(name: string): void {
  if (!/^[a-z0-9_-]+$/.test(name)) {
    throw new Error(`Output name "${name}" must use only a-z, 0-9, "_" and "-".`);
  }
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · minigpt-lab</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
figure { margin: 1em 0; } figcaption { color: #666; font-size: 0.85em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; white-space: pre-wrap; }
table { border-collapse: collapse; } td, th { padding: 0.3em 0.8em; border-bottom: 1px solid #eee; text-align: left; }
svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
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
export async function writeRootIndex(outRoot: string): Promise<void> {
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
    `<tr><td><a href="${l.slug}/index.html">${escapeHtml(l.title)}</a></td>` +
    `<td>${escapeHtml(l.status)}</td><td>${l.charts}</td><td>${l.samples}</td>` +
    `<td>${escapeHtml(l.finished)}</td></tr>`
  );
  const body = labs.length
    ? `<table><tr><th>lab</th><th>last run</th><th>charts</th><th>samples</th><th>finished</th></tr>\n${
      rows.join("\n")
    }\n</table>`
    : "<p>No lab has run yet: try <code>deno task lab 00</code>.</p>";
  await Deno.writeTextFile(`${outRoot}/index.html`, page("minigpt-lab: lab reports", body));
}
