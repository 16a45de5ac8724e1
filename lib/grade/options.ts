/**
 * The grader's numeric options, checked where they enter: each is a whole number in a stated
 * range, so that a timer cannot overflow, a heap cannot be too small for Deno to start and a
 * pool of workers cannot outgrow the machine.
 * @module
 */
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { MAX_JOBS } from "./grade.ts";
import { DEFAULT_LIMITS, type Limits } from "./sandbox.ts";

/** Each option's range and default. */
export const GRADE_OPTIONS = {
  timeout: {
    min: 1,
    max: 600,
    fallback: DEFAULT_LIMITS.timeoutMs / 1000,
    unit: { en: "seconds", fr: "secondes" },
  },
  heap: { min: 64, max: 8192, fallback: DEFAULT_LIMITS.heapMb, unit: { en: "MiB", fr: "Mio" } },
  jobs: {
    min: 1,
    max: MAX_JOBS,
    fallback: 2,
    unit: { en: "exercises at once", fr: "exercices à la fois" },
  },
} as const;

/**
 * The option `name`'s value from `raw` (a flag's text, or undefined for its default); throws
 * UserError with one sentence when it is not a whole number in range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradeOption } from "./options.ts";
 * assert.ok(gradeOption("jobs", "4") === 4 && gradeOption("jobs", undefined) === 2);
 * ```
 */
export function gradeOption(name: keyof typeof GRADE_OPTIONS, raw: unknown): number {
  const { min, max, fallback, unit } = GRADE_OPTIONS[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new UserError(tr({
      en: `--${name} takes a whole number from ${min} to ${max} (${unit.en}), not "${raw}"; ` +
        `for example --${name} ${fallback}.`,
      fr: `--${name} prend un nombre entier de ${min} à ${max} (${unit.fr}), pas « ${raw} » : ` +
        `par exemple --${name} ${fallback}.`,
    }));
  }
  return n;
}

/**
 * The sandbox limits from `--timeout` and `--heap`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradeLimits } from "./options.ts";
 * assert.equal(gradeLimits({ timeout: "5" }).timeoutMs, 5000);
 * ```
 */
export function gradeLimits(values: Record<string, unknown>): Limits {
  return {
    timeoutMs: 1000 * gradeOption("timeout", values.timeout),
    heapMb: gradeOption("heap", values.heap),
  };
}
