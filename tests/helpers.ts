/**
 * Test helpers: running the CLI as a user would (a separate process), validating the files labs
 * write (well-formed SVG, Vega-Lite specs that match the official schema), and checking that a
 * kernel split across two threads gives what it gives on one.
 * @module
 */
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { XMLValidator } from "fast-xml-parser";
import type { Rng } from "../lib/random.ts";
import type { Kernels } from "../lib/wasm/instance.ts";

/** Absolute path of the repository root. */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno run -A main.ts ...args` in `cwd` (default: a new temp folder), colours off. */
export async function runCli(
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<CliRun> {
  const cwd = options.cwd ?? await Deno.makeTempDir({ prefix: "minigpt-cli-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}/main.ts`, ...args],
    cwd,
    env: { NO_COLOR: "1" },
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
