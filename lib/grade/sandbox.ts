/**
 * Runs the grader's child (child.ts) in its own Deno process with the least it needs: read access
 * to the grader's repository (less its answers) and to the submission, write access to one fresh
 * temporary folder, no network, environment, subprocess, FFI or system information, a wall-clock
 * limit (the process is killed) and a V8 heap limit. Returns the child's report only when it
 * carries this run's nonce.
 *
 * Judging the report is not done here (see replay.ts).
 * @module
 */
import { pathToFileURL } from "node:url";
import { deserialize, serialize } from "node:v8";
import { REPO_ROOT } from "../course/exercise.ts";
import type { CallOutcome, ChildReport, ChildRequest } from "./protocol.ts";
import { GraderError } from "./replay.ts";

/** Resource limits of one sandboxed run. */
export interface Limits {
  /** Wall-clock limit in milliseconds, including Deno's start-up (default 10,000). */
  timeoutMs: number;
  /** V8 old-space limit in MiB (default 256). */
  heapMb: number;
}

/** Default limits: generous for any lab exercise on a slow CI machine. */
export const DEFAULT_LIMITS: Limits = { timeoutMs: 10_000, heapMb: 256 };

/** How a sandboxed run ended. `report` is present only when the child finished its protocol. */
export interface SandboxRun {
  report?: ChildReport;
  /** Why there is no report, in one sentence for the student. */
  problem?: string;
  /** What the child printed (stdout, then stderr), at most OUTPUT_KEEP characters. */
  output: string;
  ms: number;
}

const OUTPUT_KEEP = 16_384;
const REPORT_MAX_BYTES = 64 * 1024 * 1024;
const CHILD = new URL("./child.ts", import.meta.url).pathname;

/**
 * Runs one request in a fresh child process under `limits`, with read access to the folder
 * `submission` too. A submission without its own lib/ (just labs/exercises) gets the grader's:
 * its `../../lib/…` imports are mapped there.
 *
 * @example
 * ```ts
 * import { runSandboxed } from "./sandbox.ts";
 * const run = await runSandboxed(
 *   { module: "file:///x/labs/exercises/00_intro.ts", symbol: "softmax", mode: "replay", calls: [] },
 *   "/x",
 * );
 * console.log(run.report?.kind ?? run.problem);
 * ```
 */
export async function runSandboxed(
  request: Omit<ChildRequest, "nonce" | "resultPath">,
  submission?: string,
  limits: Limits = DEFAULT_LIMITS,
): Promise<SandboxRun> {
  const started = performance.now();
  const workDir = await Deno.makeTempDir({ prefix: "minigpt-grade-" });
  const nonce = crypto.randomUUID().replaceAll("-", "");
  const resultPath = `${workDir}/report.bin`;
  try {
    const importMap = submission && !(await exists(`${submission}/lib`))
      ? [`--import-map=${await libImportMap(submission, workDir)}`]
      : [];
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        "--cached-only",
        "--no-lock",
        `--config=${REPO_ROOT}/deno.json`,
        ...importMap,
        `--allow-read=${[REPO_ROOT, ...(submission ? [submission] : [])].join(",")}`,
        `--deny-read=${hidden(submission).join(",")}`,
        `--allow-write=${workDir}`,
        `--v8-flags=--max-old-space-size=${limits.heapMb}`,
        CHILD,
      ],
      cwd: workDir,
      clearEnv: true,
      env: childEnv(),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, limits.timeoutMs);
    const stdout = keepHead(child.stdout);
    const stderr = keepHead(child.stderr);
    const writer = child.stdin.getWriter();
    // A child that dies early closes its stdin; that is reported below, not thrown here.
    await writer.write(serialize({ ...request, nonce, resultPath })).catch(() => {});
    await writer.close().catch(() => {});
    const status = await child.status;
    clearTimeout(timer);
    const [out, err] = await Promise.all([stdout, stderr]);
    const output = (out + (out && err ? "\n" : "") + err).slice(0, OUTPUT_KEEP);
    const ms = performance.now() - started;
    if (timedOut) {
      return { output, ms, problem: `it ran past the time limit of ${limits.timeoutMs / 1000} s` };
    }
    if (/out of memory|heap limit/i.test(err) || status.signal === "SIGTRAP") {
      return { output, ms, problem: `it ran out of memory (heap limit ${limits.heapMb} MiB)` };
    }
    const report = await readReport(resultPath, nonce);
    if (typeof report === "object") return { report, output, ms };
    const how = report === "too large"
      ? `its results exceed ${REPORT_MAX_BYTES >> 20} MiB`
      : status.success
      ? "the process ended before reporting (did the code call Deno.exit?)"
      : `the process crashed (exit code ${status.code}${
        status.signal ? `, ${status.signal}` : ""
      })`;
    return { output, ms, problem: how };
  } finally {
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}

/**
 * Runs a known-good function through the sandbox and throws GraderError if that fails: when the
 * sandbox itself is broken (no Deno cache, flags this Deno does not know), every submission
 * would otherwise look guilty.
 *
 * @example
 * ```ts
 * import { checkSandbox } from "./sandbox.ts";
 * await checkSandbox();
 * ```
 */
export async function checkSandbox(limits: Limits = DEFAULT_LIMITS): Promise<void> {
  // Once per process and limits: what can break (Deno, its cache, the flags) does not change.
  const key = `${limits.timeoutMs}/${limits.heapMb}`;
  if (workingLimits.has(key)) return;
  const run = await runSandboxed(
    {
      module: new URL("../layers/softmax.ts", import.meta.url).href,
      symbol: "softmax",
      mode: "replay",
      calls: [serialize([[0, 0]])],
    },
    undefined,
    limits,
  );
  const outcome = run.report?.kind === "outcomes" && run.report.outcomes.length === 1
    ? deserialize(run.report.outcomes[0]) as CallOutcome
    : undefined;
  if (!outcome?.ok || JSON.stringify(outcome.value) !== "[0.5,0.5]") {
    const why = run.problem ?? (run.report?.kind === "load-error" ? run.report.message : "");
    const printed = run.output.split("\n").find((line) => line.trim() !== "")?.slice(0, 200);
    throw new GraderError(
      `The sandbox does not work on this machine (${why || "wrong answer from the library"}); ` +
        `it printed ${printed ? `"${printed}"` : "nothing"}.`,
    );
  }
  workingLimits.add(key);
}

const workingLimits = new Set<string>();

/**
 * The repository is readable for the library; its answers are not: the solutions, the hostile
 * fixtures (some nearly right) and git's objects (which hold both). A submission inside one of
 * those folders (the hostile fixtures are) keeps its own subfolder and loses its neighbours.
 */
function hidden(submission?: string): string[] {
  const inside = (dir: string) =>
    submission !== undefined && `${submission}/`.startsWith(`${dir}/`);
  return [".git", "labs/solutions", "tests/hostile"].flatMap((p) => {
    const dir = `${REPO_ROOT}/${p}`;
    if (!inside(dir)) return [dir];
    return [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`).filter((d) => !inside(d));
  });
}

/** Writes an import map sending `submission`/lib/ to the grader's lib/; returns its path. */
async function libImportMap(submission: string, workDir: string): Promise<string> {
  // An import map replaces the config's imports, so those are carried over.
  const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  const imports = {
    ...config.imports,
    [pathToFileURL(`${submission}/lib/`).href]: pathToFileURL(`${REPO_ROOT}/lib/`).href,
  };
  const path = `${workDir}/import_map.json`;
  await Deno.writeTextFile(path, JSON.stringify({ imports }));
  return path;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Only what Deno needs to find its module cache; the child cannot read it anyway. */
function childEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME", "PATH"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Reads a stream to its end, keeping the first OUTPUT_KEEP characters, so a flood cannot pile up. */
async function keepHead(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    if (text.length < OUTPUT_KEEP) text += decoder.decode(chunk, { stream: true });
  }
  return text.slice(0, OUTPUT_KEEP);
}

/** The child's report when it carries `nonce`; a report too large to read is said so. */
async function readReport(
  path: string,
  nonce: string,
): Promise<ChildReport | "too large" | undefined> {
  try {
    if ((await Deno.stat(path)).size > REPORT_MAX_BYTES) return "too large";
    const bytes = await Deno.readFile(path);
    const head = new TextEncoder().encode(`${nonce}\n`);
    if (bytes.length < head.length || head.some((b, i) => bytes[i] !== b)) return undefined;
    return deserialize(bytes.subarray(head.length)) as ChildReport;
  } catch {
    return undefined;
  }
}
