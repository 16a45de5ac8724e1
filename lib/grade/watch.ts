/**
 * The student loop (`deno task watch`): grade the current exercise in the sandbox, then again at
 * each save. Saves are noticed through Deno's file events where they work, and by polling
 * (modification time and size of every file, compared each interval) on file systems where
 * events are missing or unreliable, such as some network and container mounts.
 * @module
 */
import { tr } from "../i18n.ts";
import type { Exercise } from "../course/exercise.ts";
import { REPO_ROOT } from "../course/exercise.ts";
import { paint } from "../term.ts";
import { gradeExercise, type TestResult } from "./grade.ts";
import { firstUnpassed, loadProgress, recordProgress } from "./progress.ts";
import { checkSandbox, type Limits } from "./sandbox.ts";

/** Options of `watchChanges`. */
export interface WatchOptions {
  /** Poll instead of using file events (default: only when file events cannot start). */
  poll?: boolean;
  /** Polling interval in milliseconds (default 500). */
  intervalMs?: number;
  /** Stops the watching. */
  signal?: AbortSignal;
}

/**
 * Yields the paths that changed under `dir`, one batch per burst of saves.
 *
 * @example
 * ```ts
 * import { watchChanges } from "./watch.ts";
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 100);
 * for await (const paths of watchChanges(".", { signal: stop.signal })) console.log(paths);
 * ```
 */
export async function* watchChanges(
  dir: string,
  options: WatchOptions = {},
): AsyncGenerator<string[]> {
  let watcher: Deno.FsWatcher | undefined;
  if (!options.poll) {
    try {
      watcher = Deno.watchFs(dir, { recursive: true });
    } catch {
      // no file events here: poll instead
    }
  }
  if (watcher) yield* fileEvents(watcher, options.signal);
  else yield* pollChanges(dir, options.intervalMs ?? 500, options.signal);
}

async function* fileEvents(
  watcher: Deno.FsWatcher,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  signal?.addEventListener("abort", () => watcher.close(), { once: true });
  const events = watcher[Symbol.asyncIterator]();
  let pending = events.next();
  while (!signal?.aborted) {
    const first = await pending;
    if (first.done) return;
    pending = events.next();
    const paths = new Set(first.value.paths);
    let changed = first.value.kind !== "access";
    // An editor's save is often several events; wait for the burst to end.
    for (;;) {
      const more = await Promise.race([pending, delay(100).then(() => undefined)]);
      if (!more) break;
      if (more.done) return;
      pending = events.next();
      more.value.paths.forEach((p) => paths.add(p));
      changed ||= more.value.kind !== "access";
    }
    if (changed) yield [...paths];
  }
}

/**
 * Polls `dir` every `intervalMs` and yields the files whose modification time or size changed,
 * or that appeared or vanished.
 *
 * @example
 * ```ts
 * import { pollChanges } from "./watch.ts";
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 100);
 * for await (const paths of pollChanges(".", 50, stop.signal)) console.log(paths);
 * ```
 */
export async function* pollChanges(
  dir: string,
  intervalMs: number,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  let before = await snapshot(dir);
  while (!signal?.aborted) {
    await delay(intervalMs, signal);
    if (signal?.aborted) return;
    const now = await snapshot(dir);
    const changed = [...new Set([...before.keys(), ...now.keys()])]
      .filter((p) => before.get(p) !== now.get(p));
    before = now;
    if (changed.length > 0) yield changed.sort();
  }
}

async function snapshot(
  dir: string,
  into = new Map<string, string>(),
): Promise<Map<string, string>> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await snapshot(path, into);
    else if (entry.isFile) {
      const info = await Deno.stat(path).catch(() => undefined);
      if (info) into.set(path, `${info.mtime?.getTime()}:${info.size}`);
    }
  }
  return into;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Options of `runWatch`. */
export interface StudentLoopOptions extends WatchOptions {
  /** The student's repository (default: this one). */
  root?: string;
  limits?: Limits;
}

/**
 * The student loop: grades the current exercise (the first not yet passing), then again each
 * time a file under labs/exercises changes, moving on as exercises pass. Runs until aborted.
 *
 * @example
 * ```ts ignore runs until Ctrl-C
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { runWatch } from "./watch.ts";
 * await runWatch(CATALOG); // until Ctrl-C
 * ```
 */
export async function runWatch(
  exercises: Exercise[],
  options: StudentLoopOptions = {},
): Promise<void> {
  const root = options.root ?? REPO_ROOT;
  // A broken sandbox (no prlimit, say) is said once, not blamed on each exercise.
  await checkSandbox(options.limits);
  const ids = exercises.map((e) => e.id);
  const step = async () => {
    let progress = await loadProgress(root);
    for (;;) {
      const id = firstUnpassed(ids, progress);
      if (id === undefined) {
        console.log(paint(
          "green",
          tr({
            en: `\n  All ${ids.length} exercises pass. Well done.`,
            fr: `\n  Les ${ids.length} exercices passent tous. Bravo !`,
          }),
        ));
        return;
      }
      const exercise = exercises.find((e) => e.id === id)!;
      const result = await gradeExercise(exercise, root, options.limits);
      progress = await recordProgress([result], root);
      console.log(describeResult(exercise, result));
      if (result.status !== "pass") return;
    }
  };
  await step();
  const where = `${root}/labs/exercises`;
  console.log(paint(
    "dim",
    tr({
      en: `\n  Watching ${where} (Ctrl-C to stop)…`,
      fr: `\n  Je surveille ${where} (Ctrl-C pour arrêter)…`,
    }),
  ));
  for await (const _ of watchChanges(where, options)) await step();
}

/**
 * A graded exercise as the student loop shows it: what failed, what was expected, the hint.
 *
 * @example
 * ```ts
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { gradeExercise } from "./grade.ts";
 * import { describeResult } from "./watch.ts";
 * console.log(describeResult(CATALOG[0], await gradeExercise(CATALOG[0], ".")));
 * ```
 */
export function describeResult(exercise: Exercise, result: TestResult): string {
  const head = `\n  ${paint("bold", `${exercise.id} · ${tr(exercise.title)}`)}  ` +
    paint(
      "dim",
      `(${exercise.file}, ${tr({ en: "function", fr: "fonction" })} ${exercise.symbol})`,
    );
  if (result.status === "pass") {
    return `${head}\n  ${paint("green", tr({ en: "passes", fr: "réussi" }))}${
      tr({ en: ":", fr: " :" })
    } ${result.message}`;
  }
  const lines = [head];
  const f = result.failures[0];
  const started = !result.message.startsWith(tr({ en: "Not started", fr: "Pas commencé" }));
  if (f && started) {
    const cases = `${result.passedCases}/${result.totalCases}`;
    lines.push(
      tr({
        en: `  ${paint("red", "fails")}: ${cases} cases pass.`,
        fr: `  ${paint("red", "échec")} : ${cases} cas passent.`,
      }),
      tr({ en: `    check     ${f.what}`, fr: `    vérifié   ${f.what}` }),
      tr({ en: `    expected  ${f.expected}`, fr: `    attendu   ${f.expected}` }),
      tr({ en: `    got       ${f.got}`, fr: `    obtenu    ${f.got}` }),
    );
  } else {
    lines.push(
      `  ${paint(result.status === "error" ? ["red", "bold"] : "yellow", result.message)}`,
    );
  }
  if (result.output) {
    const first = result.output.split("\n")[0];
    lines.push(
      paint("dim", tr({ en: `    it printed: ${first}`, fr: `    elle a affiché : ${first}` })),
    );
  }
  lines.push(paint(
    "dim",
    tr({
      en: `  Stuck? deno task hint ${exercise.id}`,
      fr: `  Bloqué ? deno task hint ${exercise.id}`,
    }),
  ));
  return lines.join("\n");
}
