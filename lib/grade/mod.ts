/**
 * The grader: sandboxed grading of a submission (grade.ts, with stage.ts, sandbox.ts, child.ts,
 * protocol.ts, wire.ts and replay.ts underneath), its reports (report.ts), its options
 * (options.ts), and the student loop around it: the lab's sandboxed check (lab_check.ts) and
 * the time limit on the student's code the lab then calls (watchdog.ts), progress, watch, reset
 * to the starter, and the instructor's student release.
 *
 * Imports: every room of lib/ but chat and bench; it sits above lib/course, whose exercise types
 * (exercise.ts) are what it grades. Its one reach into labs/ is by URL, not by import: the
 * sandboxed child loads the catalog's checks (`labs/catalog/mod.ts`, the default of
 * `gradeExercise`), which tests/layout_test.ts allows by name.
 *
 * @example
 * ```ts
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { gradeSubmission, renderTable } from "./mod.ts";
 * console.log(renderTable(await gradeSubmission(CATALOG)));
 * ```
 * @module
 */
export {
  gradeExercise,
  type GradeReport,
  gradeSubmission,
  selects,
  type TestResult,
} from "./grade.ts";
export { notStarted, sandboxedCheck, type StudentCheck } from "./lab_check.ts";
export { GRADE_OPTIONS, gradeLimits, gradeOption } from "./options.ts";
export { firstUnpassed, forgetProgress, loadProgress, recordProgress } from "./progress.ts";
export { buildRelease, NOT_RELEASED } from "./release.ts";
export { renderTable, RESULTS_SCHEMA, STATUS_WORDS, toJunitXml, toResultsJson } from "./report.ts";
export { DEFAULT_LIMITS, type Limits } from "./sandbox.ts";
export { pristineStarter, restoreFunction } from "./starters.ts";
export { LAB_CALL_LIMIT_MS, Watchdog } from "./watchdog.ts";
export { runWatch } from "./watch.ts";
