/**
 * The lab's exercise check run through the grader's sandbox: the student's code for an exercise
 * is judged exactly as `deno task grade` judges it (same staging, limits and replay), so an
 * endless loop ends at the time limit with one sentence, and a file that does not parse is shown
 * at its line. Only a passing function is then loaded into the lab's own process for its later
 * steps.
 * @module
 */
import {
  type AnyFunction,
  type Case,
  type CheckResult,
  type Exercise,
  loadStudentFunction,
  REPO_ROOT,
} from "../course/exercise.ts";
import { tr } from "../i18n.ts";
import { gradeExercise, type TestResult } from "./grade.ts";
import { checkSandbox, DEFAULT_LIMITS, type Limits } from "./sandbox.ts";

/** A check of the student's code for one exercise, with the function when it passes. */
export type StudentCheck = (
  exercise: Exercise,
  root?: string,
) => Promise<CheckResult & { impl?: AnyFunction }>;

/**
 * A check for `runLab` that grades each exercise in the sandbox under `limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { sandboxedCheck } from "./lab_check.ts";
 * const result = await sandboxedCheck()(CATALOG[0]);
 * assert.ok(result.status === "pass" ? typeof result.impl === "function" : !result.impl);
 * ```
 */
export function sandboxedCheck(limits: Limits = DEFAULT_LIMITS): StudentCheck {
  return async (exercise, root = REPO_ROOT) => {
    await checkSandbox(limits);
    const result = await gradeExercise(exercise, root, limits);
    if (result.status !== "pass") return asCheckResult(exercise, result);
    const impl = await loadStudentFunction(exercise, root);
    if (typeof impl !== "function") {
      const failure = {
        what: `import { ${exercise.symbol} } from "${exercise.file}"`,
        expected: tr({ en: "the module to load", fr: "que le module se charge" }),
        got: impl.error,
        passed: false,
      };
      return { status: "fail", cases: [failure], failure };
    }
    return { status: "pass", cases: [], impl };
  };
}

/** A graded exercise in the lab's terms: the first failing case, or the sentence of an error. */
function asCheckResult(exercise: Exercise, result: TestResult): CheckResult {
  // The grader's messages are in the run's language, as these are.
  const todo = result.message.startsWith(tr({ en: "Not started", fr: "Pas commencé" }));
  const failure: Case = result.failures[0] ?? {
    what: tr({
      en: `${exercise.symbol}(…) in ${exercise.file}`,
      fr: `${exercise.symbol}(…) dans ${exercise.file}`,
    }),
    expected: tr({ en: "a result", fr: "un résultat" }),
    got: result.message.replace(/^(No result: |Aucun résultat : )/, ""),
    passed: false,
  };
  const cases = result.failures.length > 0 ? result.failures : [failure];
  return { status: todo ? "todo" : "fail", cases, failure };
}
