/**
 * An exercise is the student's own code: its file may import types from the library, but not the
 * library's implementations, which are the answers. This module asks Deno for the file's module
 * graph (`deno info --json`, with the course's own configuration, under a time and memory limit)
 * and lists what the student's modules import at run time from outside `labs/exercises/`: only
 * `import type` may reach the library. Only
 * regular files inside that folder are the student's: a link there is not, wherever it points.
 *
 * The check fails closed: when Deno cannot say what the file imports (it fails, hangs, prints
 * what is not a graph), the answer is "could not verify", never "nothing borrowed".
 * @module
 */
import { fileURLToPath } from "node:url";
import { tr } from "../i18n.ts";

const EXERCISES_DIR = "labs/exercises/";
/** How long `deno info` may take, in milliseconds, and how much it may print. */
const INFO_TIMEOUT_MS = 20_000;
const INFO_MAX_BYTES = 8 << 20;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** What the check found. */
export type OwnCode =
  | { kind: "own" }
  /** Run-time imports from outside labs/exercises, as paths relative to the root or as written. */
  | { kind: "borrowed"; modules: string[] }
  /** A module of the student's does not parse: where and why (see `placed`). */
  | { kind: "syntax"; message: string }
  | { kind: "unverified"; why: string };

/**
 * Deno lists a dependency under `code` when it loads at run time: `import type` is not, while
 * `import { type A }` is (the module is still loaded), so no reading of the text by position is
 * needed, and no Unicode in the file can shift what is read.
 */
interface GraphDependency {
  specifier: string;
  code?: { specifier: string };
}
interface GraphModule {
  specifier: string;
  error?: string;
  dependencies?: GraphDependency[];
}

/**
 * What `file` (relative to `root`, the student's project) and the exercise files it imports load
 * at run time from outside `labs/exercises/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownCode } from "./own_code.ts";
 * assert.deepEqual(await ownCode("labs/exercises/03_attention.ts", "."), { kind: "own" });
 * ```
 */
export async function ownCode(file: string, root: string): Promise<OwnCode> {
  let base: string;
  try {
    base = Deno.realPathSync(root);
  } catch {
    return { kind: "unverified", why: `${root} cannot be read` };
  }
  const exercises = `${base}/${EXERCISES_DIR}`;
  if (!isOwnFile(`${base}/${file}`, exercises)) {
    return { kind: "borrowed", modules: [`${file} (not a regular file of ${EXERCISES_DIR})`] };
  }
  const graph = await moduleGraph(`${base}/${file}`, base);
  if (typeof graph === "string") return { kind: "unverified", why: graph };
  const shown = (path: string, written: string) =>
    path.startsWith(`${base}/`) ? path.slice(base.length + 1) : written;
  const borrowed = new Set<string>();
  for (const module of graph) {
    if (!module.specifier.startsWith("file:")) continue;
    const modulePath = fileURLToPath(module.specifier);
    if (!isOwnFile(modulePath, exercises)) continue;
    if (module.error) {
      if (/^Module not found/.test(module.error)) continue; // the load says so, with its name
      return { kind: "syntax", message: placed(module.error, base) };
    }
    for (const { specifier, code } of module.dependencies ?? []) {
      if (!code) continue; // a type-only import
      // Node's built-ins are no one's answers; any other scheme (npm:, data:, https:) hides
      // what it loads from this reading, so it is not the student's own code either.
      if (code.specifier.startsWith("node:")) continue;
      if (!code.specifier.startsWith("file:")) {
        borrowed.add(specifier);
        continue;
      }
      const path = fileURLToPath(code.specifier);
      if (isOwnFile(path, exercises)) continue;
      // Inside the folder but missing: the load reports it. Anything else is not the student's.
      if (path.startsWith(exercises) && !exists(path)) continue;
      borrowed.add(shown(path, specifier));
    }
  }
  return borrowed.size === 0
    ? { kind: "own" }
    : { kind: "borrowed", modules: [...borrowed].sort() };
}

/**
 * A load error of Deno's with its place made readable: `file:line:column: message`, the line
 * itself and a caret, paths relative to `root`. Returns the first line alone when the error
 * names no place in a file under `root`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { placed } from "./own_code.ts";
 * const error = "SyntaxError: Expected ';'\n    at file:///x/labs/exercises/a.ts:2:11";
 * assert.equal(placed(error, "/x"), "labs/exercises/a.ts:2:11: SyntaxError: Expected ';'");
 * ```
 */
export function placed(error: string, root: string): string {
  const first = error.split("\n")[0];
  const at = /file:\/\/(\/[^\s:]+):(\d+):(\d+)/.exec(error);
  if (!at) return first;
  const path = decodeURIComponent(at[1]);
  if (!path.startsWith(`${root}/`)) return first;
  const [line, column] = [Number(at[2]), Number(at[3])];
  let text: string | undefined;
  try {
    text = Deno.readTextFileSync(path).split("\n")[line - 1];
  } catch {
    // the place alone then
  }
  const where = `${path.slice(root.length + 1)}:${line}:${column}`;
  if (text === undefined) return `${where}: ${first}`;
  const shown = text.replace(/\t/g, " ").replace(/\r$/, "");
  return `${where}: ${first}\n    ${shown}\n    ${" ".repeat(Math.max(0, column - 1))}^`;
}

/**
 * The sentence for `file` (relative to `root`) failing to load with Deno's `error`, placed:
 * `labs/exercises/00_intro.ts:8:18 does not load: SyntaxError: …` and the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notLoading } from "./own_code.ts";
 * assert.equal(
 *   notLoading("labs/exercises/a.ts", "TypeError: SyntaxError: Expected ';'", "/x"),
 *   "labs/exercises/a.ts does not load: SyntaxError: Expected ';'",
 * );
 * ```
 */
export function notLoading(file: string, error: string, root: string): string {
  // Deno wraps a dynamic import's syntax error in a TypeError. Paths are shown from the root.
  const text = placed(error.replace(/^TypeError: (?=SyntaxError:)/, ""), root)
    .replaceAll(`file://${root}/`, "").replaceAll(`${root}/`, "");
  const loads = tr({ en: "does not load:", fr: "ne se charge pas :" });
  return text.startsWith(`${file}:`)
    ? text.replace(/^(\S+?): /, (_, at: string) => `${at} ${loads} `)
    : `${file} ${loads} ${text}`;
}

/** A regular file inside `exercises`, reached without a link on the way. */
function isOwnFile(path: string, exercises: string): boolean {
  if (!path.startsWith(exercises)) return false;
  try {
    return Deno.lstatSync(path).isFile && Deno.realPathSync(path) === path;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The modules of `file`'s graph, or why Deno could not give them. */
async function moduleGraph(file: string, cwd: string): Promise<GraphModule[] | string> {
  const deno = [
    Deno.execPath(),
    "info",
    "--json",
    "--no-remote",
    "--no-npm",
    "--no-lock",
    `--config=${CONFIG}`,
    file,
  ];
  let child: Deno.ChildProcess;
  try {
    // A limit on writable memory too: an import of /dev/zero must not fill the machine.
    child = new Deno.Command("prlimit", {
      args: [`--data=${2 << 30}`, `--cpu=${INFO_TIMEOUT_MS / 1000}`, "--", ...deno],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
  } catch {
    return "prlimit (util-linux) could not start deno info";
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), INFO_TIMEOUT_MS);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of child.stdout) {
    size += chunk.length;
    if (size <= INFO_MAX_BYTES) chunks.push(chunk);
  }
  const status = await child.status;
  clearTimeout(timer);
  if (!status.success) {
    return status.signal === "SIGKILL"
      ? `deno info took longer than ${INFO_TIMEOUT_MS / 1000} s`
      : "deno info failed on it";
  }
  if (size > INFO_MAX_BYTES) return "deno info printed more than a module graph";
  try {
    const graph = JSON.parse(new TextDecoder().decode(concat(chunks, size)));
    if (!Array.isArray(graph?.modules)) throw new Error("no modules");
    for (const m of graph.modules) {
      if (typeof m?.specifier !== "string") throw new Error("a module without a specifier");
    }
    return graph.modules as GraphModule[];
  } catch {
    return "deno info did not print a module graph";
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) all.set(c, at), at += c.length;
  return all;
}
