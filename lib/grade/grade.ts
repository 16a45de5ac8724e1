/**
 * Grading a submission: every exercise of the catalog (or those of one lab) is checked against
 * the student's code in its own sandboxed process, two at a time, and each gets a status, a
 * message, points and the first 500 characters of what it printed.
 *
 * Status: pass (every case passed), fail (ran, but some case failed, threw or was not started; its
 * report could not be read; or the file imports the library's implementations instead of being
 * the student's own code, or could not be verified to be), error (the file is missing or not a
 * regular file, the code did not load or its process did not finish: time, memory, crash, early
 * exit). A defect of the grader or the catalog throws GraderError instead: no result can be
 * trusted then. The submission is staged once (stage.ts) and every exercise runs on that copy.
 * Every text that comes from the student's code is capped (MESSAGE_CAP, CASE_CAP, OUTPUT_LIMIT).
 * @module
 */
import { tr } from "../i18n.ts";
import type { Case, Exercise } from "../course/exercise.ts";
import { ownCodeFailure, REPO_ROOT } from "../course/exercise.ts";
import { notLoading } from "../course/own_code.ts";
import { GraderError, recordCalls, replayCheck } from "./replay.ts";
import { checkSandbox, DEFAULT_LIMITS, type Limits, runSandboxed } from "./sandbox.ts";
import { type Stage, stageSubmission } from "./stage.ts";

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
/** Longest message, and longest `what`, `expected` or `got` of a failing case, in characters. */
export const MESSAGE_CAP = 600;
export const CASE_CAP = 300;
/** Failing cases kept per exercise. */
export const FAILURES_KEPT = 5;
/** Most exercises graded at once. */
export const MAX_JOBS = 16;

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
  const jobs = options.jobs ?? 2;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) {
    throw new GraderError(tr({
      en: `jobs must be an integer from 1 to ${MAX_JOBS}, not ${jobs}.`,
      fr: `jobs doit être un entier de 1 à ${MAX_JOBS}, pas ${jobs}.`,
    }));
  }
  const { timeoutMs, heapMb } = options.limits ?? DEFAULT_LIMITS;
  // A timer beyond 2^31 ms fires at once; a heap below 64 MiB does not start Deno.
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw new GraderError(tr({
      en: `The time limit must be 1 ms to 600 s, not ${timeoutMs} ms.`,
      fr: `La limite de temps doit aller de 1 ms à 600 s, pas ${timeoutMs} ms.`,
    }));
  }
  if (!Number.isInteger(heapMb) || heapMb < 64 || heapMb > 8192) {
    throw new GraderError(tr({
      en: `The heap limit must be 64 to 8192 MiB, not ${heapMb} MiB.`,
      fr: `La limite de tas doit aller de 64 à 8192 Mio, pas ${heapMb} Mio.`,
    }));
  }
  await checkSandbox(options.limits);
  const stage = await stageSubmission(dir);
  const tests: TestResult[] = new Array(chosen.length);
  try {
    let next = 0;
    const worker = async () => {
      while (next < chosen.length) {
        const at = next++;
        tests[at] = await gradeExercise(chosen[at], dir, options.limits, stage);
        options.onResult?.(tests[at]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, chosen.length) }, worker));
  } finally {
    await stage.remove();
  }
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
 * Grades one exercise of the submission in `dir`, on `stage` (a staged copy of `dir`, made here
 * and removed after when not given).
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
  stage?: Stage,
): Promise<TestResult> {
  if (stage) return await gradeStaged(exercise, stage, limits);
  const own = await stageSubmission(dir);
  try {
    return await gradeStaged(exercise, own, limits);
  } finally {
    await own.remove();
  }
}

async function gradeStaged(exercise: Exercise, stage: Stage, limits: Limits): Promise<TestResult> {
  const base = {
    id: exercise.id,
    name: `${exercise.id} ${tr(exercise.title)}`,
    maxPoints: exercise.points,
    output: "",
    points: 0,
    passedCases: 0,
    ms: 0,
  };
  const errorResult = (message: string, more: Partial<TestResult> = {}): TestResult => ({
    ...base,
    status: "error",
    message: cap(message, MESSAGE_CAP),
    failures: [],
    totalCases: 0,
    ...more,
  });
  const refused = stage.refused.get(exercise.file);
  if (refused) return errorResult(refused);
  if (!(await Deno.lstat(`${stage.root}/${exercise.file}`).then(() => true, () => false))) {
    return errorResult(tr({
      en: `${exercise.file} is missing from the submission.`,
      fr: `${exercise.file} manque dans le rendu.`,
    }));
  }
  // Recorded first: a defect of the catalog stops the run before any student code is judged.
  const recording = await recordCalls(exercise);
  const borrowing = (await ownCodeFailure(exercise, stage.root))?.failure;
  if (borrowing) {
    const failure = capCase(borrowing);
    return {
      ...base,
      status: "fail",
      message: cap(
        tr({
          en: `${failure.what}: expected ${failure.expected}, got ${failure.got}.`,
          fr: `${failure.what} : attendu ${failure.expected}, obtenu ${failure.got}.`,
        }),
        MESSAGE_CAP,
      ),
      failures: [failure],
      totalCases: 1,
    };
  }
  const run = await runSandboxed(
    stage,
    exercise.file,
    exercise.symbol,
    recording.calls,
    limits,
    exercise.sandbox,
  );
  const common = { output: cap(run.output, OUTPUT_LIMIT), ms: run.ms };
  const report = run.report;
  if (!report) {
    return errorResult(
      tr({ en: `No result: ${run.problem}.`, fr: `Aucun résultat : ${run.problem}.` }),
      {
        ...common,
        ...(run.malformed ? { status: "fail" } : {}),
      },
    );
  }
  if (report.kind === "load-error") {
    return errorResult(
      notLoading(exercise.file, report.message, stage.root) + notCopied(stage),
      common,
    );
  }
  if (report.outcomes.length !== recording.calls.length) {
    return {
      ...base,
      ...common,
      status: "fail",
      message: tr({
        en:
          `Its report holds ${report.outcomes.length} results for ${recording.calls.length} calls.`,
        fr:
          `Son rapport contient ${report.outcomes.length} résultats pour ${recording.calls.length} appels.`,
      }),
      failures: [],
      totalCases: 0,
    };
  }
  const { cases, todo } = await replayCheck(exercise, recording, report.outcomes);
  if (cases.length === 0) {
    throw new GraderError(tr({
      en: `The check of exercise ${exercise.id} has no cases.`,
      fr: `La vérification de l'exercice ${exercise.id} n'a aucun cas.`,
    }));
  }
  const passed = cases.filter((c) => c.passed).length;
  const failures = cases.filter((c) => !c.passed).map(capCase);
  const failure = failures[0];
  return {
    ...base,
    ...common,
    status: failure ? "fail" : "pass",
    message: cap(
      todo
        ? tr({
          en: `Not started: ${exercise.symbol} still throws its TODO.`,
          fr: `Pas commencé : ${exercise.symbol} lève encore son TODO.`,
        })
        : failure
        ? tr({
          en:
            `${passed}/${cases.length} cases pass. ${failure.what}: expected ${failure.expected}, got ${failure.got}`,
          fr:
            `${passed}/${cases.length} cas passent. ${failure.what} : attendu ${failure.expected}, obtenu ${failure.got}`,
        })
        : tr({
          en: `${passed}/${cases.length} cases pass.`,
          fr: `${passed}/${cases.length} cas passent.`,
        }),
      MESSAGE_CAP,
    ),
    points: todo ? 0 : round2(exercise.points * passed / cases.length),
    passedCases: passed,
    totalCases: cases.length,
    failures: failures.slice(0, FAILURES_KEPT),
  };
}

/** What the stage left out, as a clause for a load error (a missing link explains it). */
function notCopied(stage: Stage): string {
  if (stage.refused.size === 0) return "";
  const refused = [...stage.refused.values()].join(" ");
  return tr({ en: ` (not copied: ${refused})`, fr: ` (non copié : ${refused})` });
}

/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
export function cap(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

function capCase(c: Case): Case {
  return {
    what: cap(c.what, CASE_CAP),
    expected: cap(c.expected, CASE_CAP),
    got: cap(c.got, CASE_CAP),
    passed: c.passed,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
