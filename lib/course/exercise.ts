/**
 * Exercises: the types of the catalog, loading a student's function from its file, and running a
 * check that compares it with the library's reference on seeded inputs (its cases: cases.ts).
 *
 * A starter is a function whose body throws an error starting with "TODO"; such an exercise counts
 * as not started rather than failing. Sandboxing untrusted code is the grader's job, not this one's.
 * @module
 */
import { pathToFileURL } from "node:url";
import { type Localized, tr } from "../i18n.ts";
import { notLoading, ownCode } from "./own_code.ts";

// deno-lint-ignore no-explicit-any
export type AnyFunction = (...args: any[]) => any;

/** One comparison inside a check: what was tried, what should come back, what came back. */
export interface Case {
  /** What was checked, as a call a student can read: `softmax([2, 1, 0.1])`. */
  what: string;
  expected: string;
  got: string;
  passed: boolean;
}

/** An entry of the exercise catalog. */
export interface Exercise<F extends AnyFunction = AnyFunction> {
  /** Lab number, a dot, the exercise number: `03.2`. */
  id: string;
  title: Localized;
  /** The student's file, relative to the repository root. */
  file: string;
  /** Name of the function the student writes in `file`. */
  symbol: string;
  /** A question that points the way without giving the answer. */
  hint: Localized;
  /**
   * What to write, as the starter's comment above the function says it (without its
   * "Exercise NN.M:"); the lab prints it when it hands over, a French release writes its French.
   */
  prompt?: Localized;
  /** Points when every case passes; partial credit is proportional to passing cases. */
  points: number;
  /** The library's own implementation, used by `--reference`. */
  reference: F;
  /**
   * The earlier exercises a composition calls (the block calls LayerNorm and attention): the
   * check receives the student's versions of those the student has started, in `parts`.
   */
  uses?: Exercise[];
  /**
   * Runs `impl` on seeded inputs and compares each result with the reference. `parts` holds
   * the student's functions for `uses` (by symbol); a missing one means the library's.
   */
  check(impl: F, parts?: Parts): Case[] | Promise<Case[]>;
  /**
   * The module the grader's sandbox runs for this exercise instead of lib/grade/child.ts, when
   * its calls are not plain data: a composition's entry builds each run's table itself.
   */
  sandbox?: string;
}

/** A student's functions by symbol, for the exercises a composition uses. */
export type Parts = Record<string, AnyFunction>;

/**
 * What a run of a composition (an exercise that calls others through a table) produced, by name, in the order the data flows: numbers and arrays,
 * compared with the library's, and under `trace` what the run saw on the way (for `diagnose`).
 * Plain data, so that it can come back from the grader's sandbox.
 */
export type Outputs = Record<string, unknown>;

/** One run of a composition as plain data: its case (by `what`) and the parts that are the student's. */
export interface CompositionCall {
  composition: string;
  /** Symbols of the student's parts in the table, the library's for the rest. */
  yours: string[];
}

/**
 * Where a stand-in for the student's function (the grader's recorder and replay) takes each run
 * as a plain call; `here` runs a function on the case's table in this process.
 */
export const REMOTE: unique symbol = Symbol("a composition run elsewhere");
/** Where the sandbox's probe is offered each run, to compute the one it was asked for. */
export const PROBE: unique symbol = Symbol("a composition run computed here");

/** A stand-in's hook: the run's outputs, from wherever it computes them. */
export type RemoteRun = (
  call: CompositionCall,
  here: (fn: AnyFunction) => Promise<Outputs>,
) => Promise<Outputs>;

/** Outcome of checking one implementation. */
export interface CheckResult {
  /** pass: every case passed; fail: some did or the code threw; todo: still the starter. */
  status: "pass" | "fail" | "todo";
  cases: Case[];
  /** The first failing case, or a case that describes the error thrown. */
  failure?: Case;
}

/** Absolute path of the repository root (the folder holding `deno.json`). */
export const REPO_ROOT: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * Runs `exercise.check` on `impl` and turns every outcome, including a throw, into a result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCheck, type Exercise } from "./exercise.ts";
 * const ex: Exercise<(x: number) => number> = {
 *   id: "99.1", title: "double", file: "x.ts", symbol: "double", hint: "", points: 1,
 *   reference: (x) => 2 * x,
 *   check: (f) => [{ what: "double(2)", expected: "4", got: String(f(2)), passed: f(2) === 4 }],
 * };
 * assert.equal((await runCheck(ex, ex.reference)).status, "pass");
 * ```
 */
export async function runCheck<F extends AnyFunction>(
  exercise: Exercise<F>,
  impl: F,
  parts: Parts = {},
): Promise<CheckResult> {
  try {
    const cases = await exercise.check(impl, parts);
    const failure = cases.find((c) => !c.passed);
    return { status: failure ? "fail" : "pass", cases, failure };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const todo = /^TODO\b/.test(message);
    // The check stopped at the throw; its first case (run on the reference) names what was tried.
    const first = await firstReferenceCase(exercise);
    const failure: Case = {
      what: first?.what ?? `${exercise.symbol}(…)`,
      expected: first?.expected ?? tr({ en: "a result", fr: "un résultat" }),
      got: todo
        ? tr({ en: `not written yet (${message})`, fr: `pas encore écrit (${message})` })
        : tr({
          en: `it threw ${errorName(err)}: ${message}`,
          fr: `elle a levé ${errorName(err)} : ${message}`,
        }),
      passed: false,
    };
    return { status: todo ? "todo" : "fail", cases: [failure], failure };
  }
}

async function firstReferenceCase(exercise: Exercise): Promise<Case | undefined> {
  try {
    return (await exercise.check(exercise.reference))[0];
  } catch {
    return undefined;
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/**
 * Imports the student's implementation of `exercise` from its file under `root`.
 * Returns an error message instead of throwing when the file does not load or lacks the function.
 *
 * @example
 * ```ts ignore reads the student's files
 * import { loadStudentFunction } from "./exercise.ts";
 * const fn = await loadStudentFunction(CATALOG[0]);
 * ```
 */
export async function loadStudentFunction<F extends AnyFunction>(
  exercise: Exercise<F>,
  root: string = REPO_ROOT,
): Promise<F | { error: string }> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(`${root}/${exercise.file}`).href);
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { error: notLoading(exercise.file, message, root) };
  }
  const fn = mod[exercise.symbol];
  if (typeof fn !== "function") {
    return {
      error: tr({
        en: `${exercise.file} does not export a function named ${exercise.symbol}.`,
        fr: `${exercise.file} n'exporte pas de fonction nommée ${exercise.symbol}.`,
      }),
    };
  }
  return fn as F;
}

/**
 * Checks the student's code for `exercise`, turning a file that does not load, or that imports
 * the project's implementations (see {@link ownCodeFailure}), into a failure.
 * The result carries the student's function, so a passing one can be used right away.
 *
 * @example
 * ```ts ignore reads the student's files
 * import { checkStudent } from "./exercise.ts";
 * const result = await checkStudent(CATALOG[0]);
 * ```
 */
export async function checkStudent<F extends AnyFunction>(
  exercise: Exercise<F>,
  root?: string,
): Promise<CheckResult & { impl?: F }> {
  const borrowing = await ownCodeFailure(exercise, root);
  if (borrowing) return borrowing;
  const fn = await loadStudentFunction(exercise, root);
  if (typeof fn !== "function") {
    const failure: Case = {
      what: `import { ${exercise.symbol} } from "${exercise.file}"`,
      expected: tr({ en: "the module to load", fr: "que le module se charge" }),
      got: fn.error,
      passed: false,
    };
    return { status: "fail", cases: [failure], failure };
  }
  return { ...await runCheck(exercise, fn, await studentParts(exercise, root)), impl: fn };
}

/**
 * The student's functions for the exercises `exercise` uses, by symbol: each one that loads and
 * is started (its own check runs, on the library's parts, and does not report TODO), passing or
 * not, so that the composition's check can name a wrong one. `load` is how a function is loaded
 * (in the grader's child, the same import inside the sandbox).
 *
 * @example
 * ```ts
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { studentParts } from "./exercise.ts";
 * console.log(Object.keys(await studentParts(CATALOG.find((e) => e.id === "06.3")!)));
 * ```
 */
export async function studentParts(
  exercise: Exercise,
  root: string = REPO_ROOT,
  load: typeof loadStudentFunction = loadStudentFunction,
): Promise<Parts> {
  const parts: Parts = {};
  for (const part of exercise.uses ?? []) {
    const fn = await load(part, root);
    if (typeof fn !== "function") continue;
    if ((await runCheck(part, fn)).status !== "todo") parts[part.symbol] = fn;
  }
  return parts;
}

/**
 * A failed check when the student's file for `exercise` (under `root`) imports the project's
 * code at run time (the library's implementations, the solutions), does not parse, or cannot be
 * verified to be the student's own code; undefined when it is. See own_code.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Exercise, ownCodeFailure, REPO_ROOT } from "./exercise.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/labs/exercises`, { recursive: true });
 * const ex = { id: "99.1", file: "labs/exercises/99_softmax.ts" } as Exercise;
 * await Deno.writeTextFile(`${root}/${ex.file}`, "export const softmax = (x: number[]) => x;\n");
 * assert.equal(await ownCodeFailure(ex, root), undefined);
 * const library = `${REPO_ROOT}/lib/layers/softmax.ts`;
 * await Deno.writeTextFile(`${root}/${ex.file}`, `export { softmax } from "${library}";\n`);
 * assert.match((await ownCodeFailure(ex, root))!.failure!.got, /lib\/layers\/softmax\.ts/);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function ownCodeFailure(
  exercise: Exercise,
  root: string = REPO_ROOT,
): Promise<CheckResult | undefined> {
  const found = await ownCode(exercise.file, root);
  if (found.kind === "own") return undefined;
  const failure: Case = found.kind === "borrowed"
    ? {
      what: tr({
        en: `what ${exercise.file} imports at run time`,
        fr: `ce que ${exercise.file} importe à l'exécution`,
      }),
      expected: tr({
        en: "your own code: import only types from the library (import type { … })",
        fr: "ton propre code : de la bibliothèque, importe seulement des types (import type { … })",
      }),
      got: found.modules.join(", "),
      passed: false,
    }
    : found.kind === "syntax"
    ? {
      what: `import { ${exercise.symbol} } from "${exercise.file}"`,
      expected: tr({ en: "the module to load", fr: "que le module se charge" }),
      got: found.message,
      passed: false,
    }
    : {
      what: tr({
        en: `whether ${exercise.file} is your own code`,
        fr: `si ${exercise.file} est bien ton propre code`,
      }),
      expected: tr({
        en: "a module graph from deno info",
        fr: "un graphe de modules de deno info",
      }),
      got: tr({
        en: `could not verify that this is your own code (${found.why})`,
        fr: `impossible de vérifier que c'est ton propre code (${found.why})`,
      }),
      passed: false,
    };
  return { status: "fail", cases: [failure], failure };
}
