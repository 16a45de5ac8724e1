/**
 * The cases of a check: one comparison of a student's result with the reference's, and, when
 * they differ, a message a student can act on (the first difference with its neighbours, the
 * NaN and its likely cause, the value shown short).
 * @module
 */
import { type Localized, tr } from "../i18n.ts";
import type { Case } from "./exercise.ts";

/**
 * Short, readable rendering of a value for check messages: numbers to 4 significant digits,
 * long arrays elided in the middle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { show } from "./cases.ts";
 * assert.equal(show([0.123456, 2]), "[0.1235, 2]");
 * ```
 */
export function show(value: unknown, maxItems = 8): string {
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return show(Array.from(value as unknown as ArrayLike<number>), maxItems);
  }
  if (Array.isArray(value)) {
    const items = value.length <= maxItems ? value.map((v) => show(v, maxItems)) : [
      ...value.slice(0, maxItems / 2).map((v) => show(v, maxItems)),
      `… ${value.length - maxItems} more …`,
      ...value.slice(-maxItems / 2).map((v) => show(v, maxItems)),
    ];
    return `[${items.join(", ")}]`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A case comparing numbers or arrays of numbers within an absolute tolerance.
 * A result of the wrong length or type fails with a message that says so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeCase } from "./cases.ts";
 * assert.ok(closeCase("f(1)", [1, 2], [1, 2.0000001]).passed);
 * ```
 */
export function closeCase(
  what: string,
  got: unknown,
  expected: number | ArrayLike<number>,
  tolerance = 1e-5,
): Case {
  const expectedText = show(expected);
  const fail = (gotText: string): Case => ({
    what,
    expected: expectedText,
    got: gotText,
    passed: false,
  });
  if (typeof expected === "number") {
    if (typeof got !== "number") {
      return fail(tr({
        en: `${show(got)} (a ${typeof got}, not a number)`,
        fr: `${show(got)} (de type ${typeof got}, pas un nombre)`,
      }));
    }
    const ok = Math.abs(got - expected) <= tolerance;
    return { what, expected: expectedText, got: show(got), passed: ok };
  }
  const isArrayLike = Array.isArray(got) || (ArrayBuffer.isView(got) && !(got instanceof DataView));
  if (!isArrayLike) {
    return fail(tr({ en: `${show(got)} (not an array)`, fr: `${show(got)} (pas un tableau)` }));
  }
  const arr = got as ArrayLike<unknown>;
  if (arr.length !== expected.length) {
    return fail(tr({
      en: `${show(got)} (length ${arr.length}, expected ${expected.length})`,
      fr: `${show(got)} (longueur ${arr.length}, attendue ${expected.length})`,
    }));
  }
  for (let i = 0; i < expected.length; i++) {
    const g = arr[i];
    if (typeof g !== "number" || !(Math.abs(g - expected[i]) <= tolerance)) {
      return fail(tr({
        en: `${show(got)} (differs at index ${i}: ${show(g)} vs ${show(expected[i])}` +
          `${neighbourhood(arr, expected, i)})`,
        fr: `${show(got)} (première différence à l'indice ${i} : ${show(g)} au lieu de ${
          show(expected[i])
        }${neighbourhood(arr, expected, i)})`,
      }));
    }
  }
  return { what, expected: expectedText, got: show(got), passed: true };
}

/** Why a softmax gives NaN on large scores, for {@link explainNonFinite}. */
export const EXP_OVERFLOW: Localized = {
  en: "large scores overflow exp() to Infinity, and Infinity / Infinity is NaN: subtract each " +
    "row's largest score before exp() (the result does not change)",
  fr: "de grands scores font déborder exp() jusqu'à Infinity, et Infinity / Infinity donne NaN : " +
    "soustrais le plus grand score de chaque ligne avant exp() (le résultat ne change pas)",
};

/**
 * `c`, with `why` added to what came back when it failed with NaN or Infinity in it, so that a
 * case built to catch a known mistake names it; any other outcome is left as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeCase, EXP_OVERFLOW, explainNonFinite } from "./cases.ts";
 * import { tr } from "../i18n.ts";
 * const c = explainNonFinite(closeCase("softmax([1000])", [NaN], [1]), EXP_OVERFLOW);
 * assert.ok(c.got.endsWith(tr(EXP_OVERFLOW)));
 * ```
 */
export function explainNonFinite(c: Case, why: Localized): Case {
  return !c.passed && /NaN|Infinity/.test(c.got)
    ? { ...c, got: `${c.got}${tr({ en: ":", fr: " :" })} ${tr(why)}` }
    : c;
}

/**
 * For an array too long to show whole, the entries around index `i` on both sides, so that a
 * difference can be read in its context; "" for a short one.
 */
function neighbourhood(got: ArrayLike<unknown>, expected: ArrayLike<number>, i: number): string {
  if (expected.length <= 8) return "";
  const from = Math.max(0, i - 2), to = Math.min(expected.length, i + 3);
  const slice = (a: ArrayLike<unknown>) => show(Array.from(a).slice(from, to));
  return tr({
    en: `; indices ${from} to ${to - 1}: ${slice(got)} vs ${slice(expected)}`,
    fr: ` ; indices ${from} à ${to - 1} : ${slice(got)} au lieu de ${slice(expected)}`,
  });
}

/**
 * A case comparing any value by exact structural equality (JSON form).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { equalCase } from "./cases.ts";
 * assert.ok(equalCase("f()", [1, 2], [1, 2]).passed);
 * ```
 */
export function equalCase(what: string, got: unknown, expected: unknown): Case {
  const g = show(got, 16), e = show(expected, 16);
  return { what, expected: e, got: g, passed: JSON.stringify(got) === JSON.stringify(expected) };
}
