/**
 * Test helpers: running the CLI as a user would (a separate process), validating the files labs
 * write (well-formed SVG, Vega-Lite specs that match the official schema), and checking that a
 * kernel split across two threads gives what it gives on one.
 * @module
 */
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { XMLValidator } from "fast-xml-parser";
import { writeChart } from "../lib/charts.ts";
import { contrastRatio } from "../lib/colours.ts";
import { type Lab, runLab, type StepContext } from "../lib/course/lab.ts";
import { setLang, tr } from "../lib/i18n.ts";
import type { Rng } from "../lib/random.ts";
import { checkStudent } from "../lib/course/exercise.ts";
import type { Kernels } from "../lib/wasm/instance.ts";
import type { TrainSettings } from "../lib/train/trainer.ts";
import { PRESET_ENV } from "../labs/setup.ts";
import { DATA_ENV } from "../lib/train/corpus.ts";

/** Absolute path of the repository root. */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Training settings for the tests' tiny models: 24 steps of 4, evaluated every 8, seeded. */
export const TINY_SETTINGS: TrainSettings = {
  batchSize: 4,
  steps: 24,
  warmupSteps: 4,
  maxLr: 1e-2,
  minLr: 1e-3,
  beta1: 0.9,
  beta2: 0.99,
  weightDecay: 0.1,
  gradClip: 1.0,
  evalEvery: 8,
  evalBatches: 2,
  seed: 5,
};

/**
 * Points the labs, for the rest of this test process, at the project's own sample text (an
 * empty data folder hides any corpus) and at their quick preset.
 */
export async function useSampleTextAndQuickPreset(): Promise<void> {
  Deno.env.set(DATA_ENV, await Deno.makeTempDir());
  Deno.env.delete(PRESET_ENV);
}

/** `fn`'s result with this process speaking French, then English again (even when it throws). */
export async function inFrench<T>(fn: () => T | Promise<T>): Promise<T> {
  setLang("fr");
  try {
    return await fn();
  } finally {
    setLang("en");
  }
}

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -A main.ts ...args` in `cwd` (default: a new temp folder), colours off, in
 * English unless `env` says otherwise (whatever the machine's locale).
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const cwd = options.cwd ?? await Deno.makeTempDir({ prefix: "minigpt-cli-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}/main.ts`, ...args],
    cwd,
    env: { NO_COLOR: "1", MINIGPT_LANG: "", LC_ALL: "", LC_MESSAGES: "", LANG: "", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * A new temp folder laid out as a student's repository whose exercise files are `lab`'s
 * solutions: the student's path with every exercise of the lab done.
 */
export async function solvedStudentRoot(lab: Lab): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/labs/exercises`, { recursive: true });
  for (const file of new Set(lab.exercises.map((e) => e.file))) {
    await Deno.copyFile(`${ROOT}/${file.replace("exercises/", "solutions/")}`, `${root}/${file}`);
  }
  return root;
}

/**
 * Runs `lab` with this repository's starters as the student's code, into `outRoot` and printing
 * to `lines`, and asserts that it stops at the lab's first exercise and shows that one's hint.
 */
export async function assertStopsAtFirstExercise(
  lab: Lab,
  outRoot: string,
  lines: string[] = [],
): Promise<void> {
  const result = await runLab(lab, { outRoot, print: (l) => lines.push(l) });
  assert.equal(result.status, "stopped at an exercise");
  assert.equal(result.stoppedAt?.exercise.id, lab.exercises[0].id);
  assert.ok(lines.join("\n").includes(tr(lab.exercises[0].hint).slice(0, 30)));
}

/** True when `text` contains what a JavaScript stack trace looks like. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text) || /Uncaught|Stack backtrace/.test(text);
}

let validateVegaLite: ((spec: unknown) => boolean) & { errors?: unknown } | undefined;

/** Validates a spec against the Vega-Lite JSON schema shipped in the vega-lite package. */
export async function vegaLiteErrors(spec: unknown): Promise<string> {
  if (!validateVegaLite) {
    const schemaUrl = new URL("../build/vega-lite-schema.json", import.meta.resolve("vega-lite"));
    const schema = JSON.parse(await Deno.readTextFile(schemaUrl));
    const ajv = new Ajv({ strict: false, allErrors: false });
    validateVegaLite = ajv.compile(schema);
  }
  return validateVegaLite(spec) ? "" : JSON.stringify(validateVegaLite.errors).slice(0, 500);
}

/** Empty string when `svg` is well-formed XML whose root is an <svg> element, else why not. */
export function svgErrors(svg: string): string {
  const result = XMLValidator.validate(svg);
  if (result !== true) return JSON.stringify(result.err);
  return /^<svg[\s>]/.test(svg.trimStart()) ? "" : "the root element is not <svg>";
}

/**
 * Runs `run` on one thread, then on two until the worker has taken part (the worker joins when
 * its core is free; up to 2 s), and checks every two-thread result equals the one-thread one.
 */
export function assertSameOnTwoThreads(k: Kernels, run: () => unknown): void {
  const saved = k.threads;
  try {
    k.threads = 1;
    const one = run();
    k.threads = 2;
    const start = performance.now(), before = k.workerTasks;
    do assert.deepEqual(run(), one); while (
      k.workerTasks === before && performance.now() - start < 2000
    );
    assert.ok(k.workerTasks > before, "the worker thread never took a task in 2 s");
  } finally {
    k.threads = saved;
  }
}

/** Width of a character of sans-serif text, as a share of the font size (digits are 0.556). */
const CHAR_EM = 0.55;

/**
 * What makes a rendered chart hard to read, one line each (empty when nothing does): a label on
 * a heatmap cell with a WCAG contrast below 4.5 against the cell, any text cut short with "…",
 * and axis labels that run into each other.
 */
export function chartProblems(svg: string): string[] {
  const problems: string[] = [];
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
  const groups = (role: string) =>
    [...svg.matchAll(new RegExp(`<g class="[^"]*${role}[^"]*"[^>]*>(.*?)</g>`, "gs"))].map((m) =>
      m[1]
    );
  const texts = (group: string) =>
    [...group.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map(([, tag, content]) => {
      const [x, y] = (/translate\(([-\d.e]+),([-\d.e]+)\)/.exec(tag) ?? [0, 0, 0]).slice(1).map(
        Number,
      );
      const size = Number(attr(tag, "font-size")?.replace("px", "") ?? 10);
      return {
        x,
        y,
        size,
        fill: attr(tag, "fill") ?? "#000",
        anchor: attr(tag, "text-anchor"),
        content,
        shown: attr(tag, "opacity") !== "0",
      };
    });
  const cells = groups("mark-rect role-mark").flatMap((g) =>
    [...g.matchAll(/<path([^>]*)\/>/g)].flatMap(([, tag]) => {
      const d = /^M([-\d.]+),([-\d.]+)h([\d.]+)v([\d.]+)/.exec(attr(tag, "d") ?? "");
      const fill = attr(tag, "fill");
      return d && fill ? [{ x: +d[1], y: +d[2], w: +d[3], h: +d[4], fill }] : [];
    })
  );
  for (const t of groups("mark-text role-mark").flatMap(texts).filter((t) => t.shown)) {
    const cy = t.y - t.size / 3; // the baseline is below the middle of the digits
    const cell = cells.find((c) => t.x >= c.x && t.x <= c.x + c.w && cy >= c.y && cy <= c.y + c.h);
    if (!cell) continue;
    const ratio = contrastRatio(t.fill, cell.fill);
    if (ratio < 4.5) {
      problems.push(`"${t.content}" in ${t.fill} on ${cell.fill}: contrast ${ratio.toFixed(2)}`);
    }
  }
  for (const [, content] of svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) {
    if (content.includes("…")) problems.push(`cut short: "${content}"`);
  }
  for (const group of groups("role-axis-label")) {
    // Vega hides the labels it finds crowded with opacity 0: only the shown ones count.
    const row = texts(group).filter((t) => t.anchor === "middle" && t.shown)
      .sort((a, b) => a.x - b.x);
    for (let i = 1; i < row.length; i++) {
      const [a, b] = [row[i - 1], row[i]];
      const room = (a.content.length * a.size + b.content.length * b.size) * CHAR_EM / 2;
      if (a.y === b.y && b.x - a.x < room) {
        problems.push(`axis labels "${a.content}" and "${b.content}" overlap`);
        break;
      }
    }
  }
  return problems;
}

/** {@link chartProblems} of every SVG a lab wrote into `dir`, each line naming its file. */
export async function labChartProblems(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".svg")) continue;
    const svg = await Deno.readTextFile(`${dir}/${entry.name}`);
    problems.push(...chartProblems(svg).map((p) => `${entry.name}: ${p}`));
  }
  return problems;
}

/** Asserts that each chart of `names` is in `dir`: its SVG well-formed, its spec valid Vega-Lite. */
export async function assertChartsValid(dir: string, names: string[]): Promise<void> {
  for (const name of names) {
    assert.equal(svgErrors(await Deno.readTextFile(`${dir}/${name}.svg`)), "", name);
    const spec = JSON.parse(await Deno.readTextFile(`${dir}/${name}.vl.json`));
    assert.equal(await vegaLiteErrors(spec), "", name);
  }
}

/**
 * What one step of a lab prints (paragraphs, tables, shown text), run on its own with the
 * library's implementations; its charts and samples go to a temporary folder.
 */
export async function stepOutput(lab: Lab, title: string): Promise<string> {
  const s = lab.steps.find((x) => tr(x.title) === title);
  if (!s) throw new Error(`Lab ${lab.id} has no step "${title}".`);
  const lines: string[] = [];
  const outDir = await Deno.makeTempDir();
  const ctx: StepContext = {
    reference: true,
    outDir,
    check: checkStudent,
    say: (text) => lines.push(tr(text).replace(/\s+/g, " ").trim()),
    show: (text) => lines.push(tr(text)),
    table: (rows) =>
      lines.push(
        rows.map((r) => r.map((c) => typeof c === "object" ? tr(c) : c).join(" | ")).join("\n"),
      ),
    chart: async (name, spec) => void await writeChart(outDir, name, spec),
    sample: (name, _title, text) => Deno.writeTextFile(`${outDir}/${name}.txt`, text),
    exercise: <F>(id: string) => {
      const ex = lab.exercises.find((e) => e.id === id);
      if (!ex) throw new Error(`Lab ${lab.id} has no exercise ${id}.`);
      return Promise.resolve(ex.reference as F);
    },
  };
  await s.run(ctx);
  return lines.join("\n");
}

export function assertClose(
  fast: Float32Array,
  twin: Float32Array,
  tol: number,
  what: string,
): void {
  assert.equal(fast.length, twin.length);
  for (let i = 0; i < twin.length; i++) {
    const err = Math.abs(fast[i] - twin[i]);
    assert.ok(err <= tol * (1 + Math.abs(twin[i])), `${what}[${i}]: ${fast[i]} vs ${twin[i]}`);
  }
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

export function largest(x: Float32Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

export function tokens(rng: Rng, n: number, V: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(V));
}
