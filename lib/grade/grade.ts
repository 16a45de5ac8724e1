/**
 * Grading a submission: every exercise of the catalog (or those of one lab) is checked against
 * the student's code in its own sandboxed process, two at a time, and each gets a status, a
 * message, points and the first 500 characters of what it printed.
 *
 * Status: pass (every case passed), fail (ran, but some case failed, threw or was not started; or
 * the file imports the library's implementations instead of being the student's own code),
 * error (the code did not load or its process did not finish: time, memory, crash, early exit).
 * A defect of the grader or the catalog throws GraderError instead: no result can be trusted then.
 * @module
 */
import type { Case, Exercise } from "../course/exercise.ts";
import { ownCodeFailure, REPO_ROOT } from "../course/exercise.ts";
import { GraderError, NotReplayable, recordCalls, replayCheck, type Verdict } from "./replay.ts";
import { checkSandbox, DEFAULT_LIMITS, type Limits, runSandboxed } from "./sandbox.ts";

/** The result of one exercise. */
export interface TestResult {
  id: string;
  /** `03.2 Title`. */
  name: string;
  status: "pass" | "fail" | "error";
  message: string;
  /** What the student's code printed, cut at 500 characters. */
  output: string;
  points: number;
  maxPoints: number;
  passedCases: number;
  totalCases: number;
  /** Every case that failed (none when the code did not run). */
  failures: Case[];
  ms: number;
}

/** The result of a whole submission. */
export interface GradeReport {
  submission: string;
  /** When grading started, ISO 8601 in UTC. */
  startedAt: string;
  tests: TestResult[];
  points: number;
  maxPoints: number;
  ms: number;
}

/** Options of `gradeSubmission`. */
export interface GradeOptions {
  /** Folder holding the submission's labs/exercises (default: this repository). */
  dir?: string;
  /** A lab number ("03") or an exercise id ("03.2"); default: every exercise. */
  only?: string;
  limits?: Limits;
  /** Exercises graded at once, each in its own process (default 2). */
  jobs?: number;
  /** Called as each exercise finishes, for progress. */
  onResult?: (result: TestResult) => void;
}

/** How much of what a student's code printed goes into the results, in characters. */
export const OUTPUT_LIMIT = 500;
const CATALOG_URL = new URL("../../labs/catalog/mod.ts", import.meta.url).href;

/**
 * Whether `exercise` is selected by `only` (a lab number such as "3" or "03", or an exercise id).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selects } from "./grade.ts";
 * assert.ok(selects("3", "03.2") && selects("03.2", "03.2") && !selects("03.1", "03.2"));
 * ```
 */
export function selects(only: string | undefined, id: string): boolean {
  if (only === undefined) return true;
  const key = /^\d$/.test(only) ? `0${only}` : only;
  return id === key || id.startsWith(`${key}.`);
}

/**
 * Grades `exercises` against the submission in `options.dir`.
 *
 * @example
 * ```ts
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { gradeSubmission } from "./grade.ts";
 * const report = await gradeSubmission(CATALOG, { only: "00" });
 * console.log(`${report.points} / ${report.maxPoints}`);
 * ```
 */
export async function gradeSubmission(
  exercises: Exercise[],
  options: GradeOptions = {},
): Promise<GradeReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const dir = options.dir ?? REPO_ROOT;
  const chosen = exercises.filter((e) => selects(options.only, e.id));
  await checkSandbox(options.limits);
  const tests: TestResult[] = new Array(chosen.length);
  let next = 0;
  const worker = async () => {
    while (next < chosen.length) {
      const at = next++;
      tests[at] = await gradeExercise(chosen[at], dir, options.limits);
      options.onResult?.(tests[at]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? 2) }, worker));
  return {
    submission: dir,
    startedAt,
    tests,
    points: round2(tests.reduce((s, t) => s + t.points, 0)),
    maxPoints: tests.reduce((s, t) => s + t.maxPoints, 0),
    ms: performance.now() - started,
  };
}

/**
 * Grades one exercise of the submission in `dir`. `catalog` is the file URL of the module whose
 * CATALOG defines the exercise, for checks that must run inside the sandbox.
 *
 * @example
 * ```ts
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { gradeExercise } from "./grade.ts";
 * console.log((await gradeExercise(CATALOG[0], ".")).status);
 * ```
 */
export async function gradeExercise(
  exercise: Exercise,
  dir: string,
  limits: Limits = DEFAULT_LIMITS,
  catalog: string = CATALOG_URL,
): Promise<TestResult> {
  const base = {
    id: exercise.id,
    name: `${exercise.id} ${exercise.title}`,
    maxPoints: exercise.points,
  };
  const path = `${dir}/${exercise.file}`;
  try {
    await Deno.stat(path);
  } catch {
    return {
      ...base,
      status: "error",
      message: `${exercise.file} is missing from the submission.`,
      output: "",
      points: 0,
      passedCases: 0,
      failures: [],
      totalCases: 0,
      ms: 0,
    };
  }
  const borrowing = (await ownCodeFailure(exercise, dir))?.failure;
  if (borrowing) {
    return {
      ...base,
      status: "fail",
      message: `${borrowing.what}: expected ${borrowing.expected}, got ${borrowing.got}.`,
      output: "",
      points: 0,
      passedCases: 0,
      failures: [borrowing],
      totalCases: 1,
      ms: 0,
    };
  }
  const module = new URL(`file://${path}`).href;
  const inSandbox = () =>
    runSandboxed(
      { module, symbol: exercise.symbol, mode: "check", exerciseId: exercise.id, catalog },
      dir,
      limits,
    );
  const recording = await recordCalls(exercise);
  let run = typeof recording === "string" ? await inSandbox() : await runSandboxed(
    { module, symbol: exercise.symbol, mode: "replay", calls: recording.calls },
    dir,
    limits,
  );
  let verdict: Verdict | undefined;
  if (typeof recording !== "string" && run.report?.kind === "outcomes") {
    if (run.report.outcomes.length !== recording.calls.length) {
      run = { ...run, report: undefined, problem: "it did not report one result per call" };
    } else {
      try {
        verdict = await replayCheck(exercise, recording, run.report.outcomes);
      } catch (err) {
        if (!(err instanceof NotReplayable)) throw err;
        run = await inSandbox();
      }
    }
  }
  const common = { ...base, output: run.output.slice(0, OUTPUT_LIMIT), ms: run.ms };
  const errorResult = (message: string): TestResult => ({
    ...common,
    status: "error",
    message,
    points: 0,
    passedCases: 0,
    failures: [],
    totalCases: 0,
  });
  const report = run.report;
  if (!report) return errorResult(`No result: ${run.problem}.`);
  if (report.kind === "load-error") {
    return errorResult(`${exercise.file} does not load: ${report.message}`);
  }
  const { cases, todo } = report.kind === "cases"
    ? { cases: report.result.cases, todo: report.result.status === "todo" }
    : verdict!;
  if (cases.length === 0) {
    throw new GraderError(`The check of exercise ${exercise.id} has no cases.`);
  }
  const passed = cases.filter((c) => c.passed).length;
  const failure = cases.find((c) => !c.passed);
  return {
    ...common,
    status: failure ? "fail" : "pass",
    message: todo
      ? `Not started: ${exercise.symbol} still throws its TODO.`
      : failure
      ? `${passed}/${cases.length} cases pass. ${failure.what}: expected ${failure.expected}, got ${failure.got}`
      : `${passed}/${cases.length} cases pass.`,
    points: todo ? 0 : round2(exercise.points * passed / cases.length),
    passedCases: passed,
    totalCases: cases.length,
    failures: cases.filter((c) => !c.passed),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
