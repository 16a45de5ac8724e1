/**
 * The lab's exercise check run through the grader's sandbox: the student's code for an exercise
 * is judged exactly as `deno task grade` judges it (same staging, limits and replay), so an
 * endless loop ends at the time limit with one sentence, and a file that does not parse is shown
 * at its line. Only a passing function is then loaded into the lab's own process for its later
 * steps, and there, given a watchdog, each call of it runs under a time limit (watchdog.ts).
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
import { type Text, tr } from "../i18n.ts";
import { gradeExercise, type TestResult } from "./grade.ts";
import { checkSandbox, DEFAULT_LIMITS, type Limits } from "./sandbox.ts";
import type { Watchdog } from "./watchdog.ts";

/** A check of the student's code for one exercise, with the function when it passes. */
export type StudentCheck = (
  exercise: Exercise,
  root?: string,
) => Promise<CheckResult & { impl?: AnyFunction }>;

/**
 * A check for `runLab` that grades each exercise in the sandbox under `limits`. With a
 * `watchdog`, the passing function it hands back, and its module's import, run under the
 * watchdog's limit.
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
export function sandboxedCheck(
  limits: Limits = DEFAULT_LIMITS,
  watchdog?: Watchdog,
): StudentCheck {
  return async (exercise, root = REPO_ROOT) => {
    await checkSandbox(limits);
    const result = await gradeExercise(exercise, root, limits);
    if (result.status !== "pass") return asCheckResult(exercise, result);
    const load = () => loadStudentFunction(exercise, root);
    const impl = watchdog
      ? await watchdog.within(overran(exercise, watchdog, "import"), load)
      : await load();
    if (typeof impl !== "function") {
      const failure = {
        what: `import { ${exercise.symbol} } from "${exercise.file}"`,
        expected: tr({ en: "the module to load", fr: "que le module se charge" }),
        got: impl.error,
        passed: false,
      };
      return { status: "fail", cases: [failure], failure };
    }
    return {
      status: "pass",
      cases: [],
      impl: watchdog ? watchdog.guard(impl, overran(exercise, watchdog, "call")) : impl,
    };
  };
}

/** What the lab says when the student's code for `exercise` runs past the watchdog's limit. */
function overran(exercise: Exercise, watchdog: Watchdog, what: "import" | "call"): Text {
  const s = watchdog.limitMs / 1000, lab = exercise.id.slice(0, 2);
  const where = {
    en: `exercise ${exercise.id}, ${exercise.file}`,
    fr: `exercice ${exercise.id}, ${exercise.file}`,
  };
  return what === "import"
    ? {
      en: `Loading ${exercise.file} ran for ${s} s, so the lab stopped. Its code outside the ` +
        `functions (${where.en}) never finishes here; fix it, then run \`deno task lab ${lab}\` again.`,
      fr: `Le chargement de ${exercise.file} a duré ${s} s : le lab s'est arrêté. Le code hors ` +
        `des fonctions (${where.fr}) ne finit jamais ici ; corrige-le, puis relance \`deno task lab ${lab}\`.`,
    }
    : {
      en: `Your ${exercise.symbol} (${where.en}) ran for ${s} s without returning, so the lab ` +
        `stopped. It passed its check, so some input the lab gives it later never ends: look ` +
        `for a loop whose exit depends on the input, then run \`deno task lab ${lab}\` again.`,
      fr: `Ton ${exercise.symbol} (${where.fr}) a tourné ${s} s sans rendre la main : le lab ` +
        `s'est arrêté. Sa vérification passait, donc une entrée que le lab lui donne plus loin ` +
        `ne finit jamais : cherche une boucle dont la sortie dépend de l'entrée, puis relance ` +
        `\`deno task lab ${lab}\`.`,
    };
}

/**
 * Whether a graded exercise is still its starter (the function throws its TODO).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { gradeExercise } from "./grade.ts";
 * import { notStarted } from "./lab_check.ts";
 * const starters = await Deno.makeTempDir();
 * await Deno.mkdir(`${starters}/labs/exercises`, { recursive: true });
 * await Deno.copyFile("labs/exercises/00_intro.ts", `${starters}/labs/exercises/00_intro.ts`);
 * assert.ok(notStarted(await gradeExercise(CATALOG[0], starters)));
 * ```
 */
export function notStarted(result: TestResult): boolean {
  // The grader's messages are in the run's language, as this test is.
  return result.status !== "pass" &&
    result.message.startsWith(tr({ en: "Not started", fr: "Pas commencé" }));
}

/** A graded exercise in the lab's terms: the first failing case, or the sentence of an error. */
function asCheckResult(exercise: Exercise, result: TestResult): CheckResult {
  const todo = notStarted(result);
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
