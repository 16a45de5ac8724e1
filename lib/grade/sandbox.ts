/**
 * Runs the grader's child (child.ts) on a staged copy of a submission (stage.ts) in its own Deno
 * process with the least it needs: read access to the copy alone (the child's own modules load
 * without it), no write access, no network, environment, subprocess, FFI or system information,
 * and OS limits set by util-linux's `prlimit`: writable memory (RLIMIT_DATA, which Linux charges
 * for the V8 heap and ArrayBuffers alike), file size and CPU time, besides V8's heap limit and a
 * wall-clock limit (the process is killed). The child answers on its stdout in one frame
 * (protocol.ts); this module finds that frame in what the child printed, under a size cap, and
 * reads it strictly. Judging the report is not done here (see replay.ts).
 * @module
 */
import { lang, tr } from "../i18n.ts";
import { frameHead, parseOutcome, parseReport } from "./protocol.ts";
import type { ChildReport, ChildRequest } from "./protocol.ts";
import { GraderError } from "./replay.ts";
import { encode } from "./wire.ts";
import { type Stage, stageFiles } from "./stage.ts";

/** Resource limits of one sandboxed run. */
export interface Limits {
  /** Wall-clock limit in milliseconds, including Deno's start-up (default 10,000). */
  timeoutMs: number;
  /** V8 old-space limit in MiB (default 256). */
  heapMb: number;
}

/** Default limits: generous for any lab exercise on a slow CI machine. */
export const DEFAULT_LIMITS: Limits = { timeoutMs: 10_000, heapMb: 256 };

/**
 * Writable memory beyond the heap, in MiB: Deno reserves about 600 MiB of it at start-up (its
 * code range and caged heaps), which leaves the student's ArrayBuffers about 400 MiB.
 */
export const DATA_EXTRA_MB = 1024;
/** Largest file the child's process may write (only Deno's own cache writes at all). */
export const FILE_SIZE_MB = 64;
/** The report may be this large; a bigger one fails its exercise. */
export const REPORT_MAX_BYTES = 64 * 1024 * 1024;

/** How a sandboxed run ended. `report` is present only when the child's frame could be read. */
export interface SandboxRun {
  report?: ChildReport;
  /** Why there is no report, in one sentence for the student. */
  problem?: string;
  /** The child sent a frame that is not a report: the student's code is to blame. */
  malformed?: boolean;
  /** What the child printed (stdout outside the frame, then stderr), at most OUTPUT_KEEP. */
  output: string;
  ms: number;
}

const OUTPUT_KEEP = 16_384;
const CHILD = new URL("./child.ts", import.meta.url).pathname;

/**
 * The OS limits of one run as `prlimit` options: writable memory, file size, CPU time. CPU time
 * counts every thread, so it is twice the wall-clock limit: it is the backstop should the
 * grader die before it kills the child.
 */
export function osLimits(limits: Limits): string[] {
  return [
    `--data=${(limits.heapMb + DATA_EXTRA_MB) * 1024 * 1024}`,
    `--fsize=${FILE_SIZE_MB * 1024 * 1024}`,
    `--cpu=${2 * Math.ceil(limits.timeoutMs / 1000) + 1}`,
  ];
}

/**
 * Runs the student's `symbol` from `file` (relative to the stage) on each wire-encoded argument
 * list in `calls`, in a fresh child process under `limits`. `entry` is the child's module:
 * child.ts, or a catalog's own entry built on it (an exercise's `sandbox`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSandboxed } from "./sandbox.ts";
 * import { stageSubmission } from "./stage.ts";
 * const stage = await stageSubmission(".");
 * const run = await runSandboxed(stage, "labs/exercises/00_intro.ts", "softmax", []);
 * assert.ok(run.report !== undefined || run.problem !== undefined);
 * await stage.remove();
 * ```
 */
export async function runSandboxed(
  stage: Stage,
  file: string,
  symbol: string,
  calls: Uint8Array[],
  limits: Limits = DEFAULT_LIMITS,
  entry: string = CHILD,
): Promise<SandboxRun> {
  const started = performance.now();
  const nonce = crypto.randomUUID().replaceAll("-", "");
  const cache = await Deno.makeTempDir({ dir: stage.root, prefix: "cache-" });
  try {
    const request: ChildRequest = {
      nonce,
      module: new URL(`file://${stage.root}/${file}`).href,
      symbol,
      calls,
      lang: lang(),
    };
    const child = new Deno.Command("prlimit", {
      args: [
        ...osLimits(limits),
        "--",
        Deno.execPath(),
        "run",
        "--quiet",
        "--no-prompt",
        "--no-config",
        "--no-lock",
        "--no-remote",
        "--no-npm",
        // One path, checked by stage.ts to hold no comma: the list cannot be split.
        `--allow-read=${stage.readable}`,
        `--v8-flags=--max-old-space-size=${limits.heapMb}`,
        entry,
      ],
      cwd: stage.readable,
      clearEnv: true,
      // Deno's own compile cache goes to a folder of this run, not the user's.
      env: { NO_COLOR: "1", DENO_DIR: cache },
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
    const frame = readFrame(child.stdout, nonce);
    const stderr = keepHead(child.stderr);
    const writer = child.stdin.getWriter();
    // A child that dies early closes its stdin; that is reported below, not thrown here.
    await writer.write(encode(request)).catch(() => {});
    await writer.close().catch(() => {});
    const status = await child.status;
    clearTimeout(timer);
    const [{ printed, body }, err] = await Promise.all([frame, stderr]);
    const output = (printed + (printed && err ? "\n" : "") + err).slice(0, OUTPUT_KEEP);
    const ms = performance.now() - started;
    if (timedOut || status.signal === "SIGXCPU") {
      return {
        output,
        ms,
        problem: tr({
          en: `it ran past the time limit of ${limits.timeoutMs / 1000} s`,
          fr: `il a dépassé la limite de temps de ${limits.timeoutMs / 1000} s`,
        }),
      };
    }
    if (/out of memory|heap limit/i.test(err) || status.signal === "SIGTRAP") {
      return {
        output,
        ms,
        problem: tr({
          en: `it ran out of memory (heap limit ${limits.heapMb} MiB)`,
          fr: `il a manqué de mémoire (limite du tas : ${limits.heapMb} Mio)`,
        }),
      };
    }
    if (body === "too large") {
      return {
        output,
        ms,
        problem: tr({
          en: `its results exceed ${REPORT_MAX_BYTES >> 20} MiB`,
          fr: `ses résultats dépassent ${REPORT_MAX_BYTES >> 20} Mio`,
        }),
      };
    }
    if (body === undefined) {
      const signal = status.signal ? `, ${status.signal}` : "";
      const how = status.signal === "SIGXFSZ"
        ? tr({
          en: `it wrote a file larger than ${FILE_SIZE_MB} MiB`,
          fr: `il a écrit un fichier de plus de ${FILE_SIZE_MB} Mio`,
        })
        : status.success
        ? tr({
          en: "the process ended before reporting (did the code call Deno.exit?)",
          fr:
            "le processus s'est terminé avant de rendre son rapport (le code appelle-t-il Deno.exit ?)",
        })
        : tr({
          en: `the process crashed (exit code ${status.code}${signal})`,
          fr: `le processus a planté (code de sortie ${status.code}${signal})`,
        });
      return { output, ms, problem: how };
    }
    try {
      return { report: parseReport(body), output, ms };
    } catch (err) {
      const why = (err as Error).message;
      return {
        output,
        ms,
        malformed: true,
        problem: tr({
          en: `its report could not be read (${why})`,
          fr: `son rapport est illisible (${why})`,
        }),
      };
    }
  } finally {
    await Deno.remove(cache, { recursive: true }).catch(() => {});
  }
}

/**
 * Runs a known-good function through the sandbox and throws GraderError if that fails: when the
 * sandbox itself is broken (no prlimit, flags this Deno does not know), every submission would
 * otherwise look guilty.
 *
 * @example
 * ```ts
 * import { checkSandbox } from "./sandbox.ts";
 * await checkSandbox();
 * ```
 */
export async function checkSandbox(limits: Limits = DEFAULT_LIMITS): Promise<void> {
  // Once per process and limits: what can break (Deno, prlimit, the flags) does not change.
  const key = `${limits.timeoutMs}/${limits.heapMb}`;
  if (workingLimits.has(key)) return;
  const prlimit = await new Deno.Command("prlimit", { args: ["--version"], stdout: "null" })
    .output().then((o) => o.success, () => false);
  if (!prlimit) {
    throw new GraderError(tr({
      en: "The sandbox needs prlimit (util-linux) to limit memory and time; install util-linux.",
      fr: "Le bac à sable a besoin de prlimit (util-linux) pour limiter la mémoire et le temps : " +
        "installe util-linux.",
    }));
  }
  const stage = await stageFiles({
    "labs/exercises/probe.ts": "export const double = (x: number[]) => x.map((v) => 2 * v);\n",
  });
  let run: SandboxRun;
  try {
    run = await runSandboxed(
      stage,
      "labs/exercises/probe.ts",
      "double",
      [encode([[1, 2]])],
      limits,
    );
  } finally {
    await stage.remove();
  }
  const outcome = run.report?.kind === "outcomes" && run.report.outcomes.length === 1
    ? parseOutcome(run.report.outcomes[0], 1)
    : undefined;
  if (!outcome?.ok || JSON.stringify(outcome.value) !== "[2,4]") {
    const why = run.problem ?? (run.report?.kind === "load-error" ? run.report.message : "");
    const printed = run.output.split("\n").find((line) => line.trim() !== "")?.slice(0, 200);
    const shown = printed ? JSON.stringify(printed) : undefined;
    throw new GraderError(tr({
      en:
        `The sandbox does not work on this machine (${why || "a wrong answer from the probe"}); ` +
        `it printed ${shown ?? "nothing"}.`,
      fr: `Le bac à sable ne marche pas sur cette machine (${
        why || "une mauvaise réponse de la sonde"
      }) : il a affiché ${shown ?? "rien"}.`,
    }));
  }
  workingLimits.add(key);
}

const workingLimits = new Set<string>();

/** Reads a stream to its end, keeping the first OUTPUT_KEEP characters, so a flood cannot pile up. */
async function keepHead(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    if (text.length < OUTPUT_KEEP) text += decoder.decode(chunk, { stream: true });
  }
  return text.slice(0, OUTPUT_KEEP);
}

/**
 * Reads the child's stdout to its end: the first OUTPUT_KEEP characters printed outside the
 * report frame, and the frame's body (at most REPORT_MAX_BYTES). Bytes after the frame (an
 * unload handler's, say) are neither.
 */
async function readFrame(
  stream: ReadableStream<Uint8Array>,
  nonce: string,
): Promise<{ printed: string; body?: Uint8Array | "too large" }> {
  const head = new TextEncoder().encode(frameHead(nonce));
  const decoder = new TextDecoder();
  let printed = "";
  const print = (bytes: Uint8Array) => {
    if (printed.length < OUTPUT_KEEP) printed += decoder.decode(bytes, { stream: true });
  };
  // Before the frame: `pending` holds a tail that may be the start of the frame's head.
  let pending = new Uint8Array(0);
  let lengthText = "";
  let body: Uint8Array | undefined;
  let filled = 0;
  let state: "before" | "length" | "body" | "done" | "too large" = "before";
  for await (const chunk of stream) {
    let bytes = chunk;
    if (state === "before") {
      const all = concat(pending, bytes);
      const at = indexOf(all, head);
      if (at < 0) {
        const keep = Math.min(all.length, head.length - 1);
        print(all.subarray(0, all.length - keep));
        pending = all.slice(all.length - keep);
        continue;
      }
      print(all.subarray(0, at));
      bytes = all.subarray(at + head.length);
      state = "length";
    }
    if (state === "length") {
      const newline = bytes.indexOf(10);
      lengthText += new TextDecoder().decode(newline < 0 ? bytes : bytes.subarray(0, newline));
      if (newline < 0) {
        if (lengthText.length > 12) state = "done";
        continue;
      }
      const length = /^\d{1,12}$/.test(lengthText) ? Number(lengthText) : NaN;
      if (!Number.isFinite(length)) {
        state = "done";
        continue;
      }
      if (length > REPORT_MAX_BYTES) {
        state = "too large";
        continue;
      }
      body = new Uint8Array(length);
      bytes = bytes.subarray(newline + 1);
      state = "body";
    }
    if (state === "body" && body) {
      const take = Math.min(bytes.length, body.length - filled);
      body.set(bytes.subarray(0, take), filled);
      filled += take;
      if (filled === body.length) state = "done";
    }
  }
  if (state === "before") print(pending);
  printed += decoder.decode();
  if (state === "too large") return { printed, body: "too large" };
  return { printed, body: body && filled === body.length ? body : undefined };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  for (let i = haystack.indexOf(first); i >= 0; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
