/**
 * Checks for compositions: exercises that call layer functions, or earlier exercises, through a
 * table they are given (the block calls `ops.layerNormForward`). The student's function runs
 * first on the library's table, which tests its own wiring and lets a check name the usual
 * mistake; then once per earlier exercise the student has started, with that one function
 * swapped in, so a wrong part is named with the exercise to revisit.
 *
 * In the grader the student's function runs in a sandbox, which only plain data can reach: each
 * run then goes there as a CompositionCall (the case and which parts are the student's),
 * the sandbox builds that table from the student's staged files and returns the run's outputs
 * (see compose_child.ts), and the verdict is made here, in the grader's process.
 * @module
 */
import {
  type AnyFunction,
  type Case,
  type Exercise,
  type Outputs,
  type Parts,
  PROBE,
  REMOTE,
  type RemoteRun,
} from "../../lib/course/exercise.ts";
import { closeCase } from "../../lib/course/cases.ts";
import type { GPTConfig } from "../../lib/model/config.ts";
import { GPT } from "../../lib/model/gpt.ts";
import {
  activationShapes,
  type ActivationViews,
  activationViews,
  tableSize,
} from "../../lib/model/layout.ts";
import { Rng } from "../../lib/random.ts";
import { maxAbsDiff } from "../../lib/course/your_gpt.ts";
import { type Localized, tr } from "../../lib/i18n.ts";

export type { Outputs };

/** How to run and judge one composition case. */
export interface Composition<T extends object> {
  /** The call, as the student reads it. */
  what: string;
  /** The library's table. */
  library: T;
  /** Runs `fn` with `table` on fresh copies of the case's seeded inputs; returns its outputs. */
  run(fn: AnyFunction, table: T): Outputs | Promise<Outputs>;
  tolerance: number;
  /** The usual mistake that explains `got` (the student's run on the library's table), if any. */
  diagnose?(got: Outputs, expected: Outputs): Localized | undefined;
}

/**
 * The cases of one composition: each output of the student's run on the library's table, then
 * one case per part of `parts` swapped in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareComposition } from "./compose.ts";
 * const twice = (ops: { f(x: number): number }, x: number) => ops.f(ops.f(x));
 * const cases = await compareComposition(twice, twice, {
 *   what: "twice(3)", library: { f: (x: number) => x + 1 }, tolerance: 0,
 *   run: (fn, table) => ({ out: fn(table, 3) }),
 * }, [], {});
 * assert.ok(cases.every((c) => c.passed));
 * ```
 */
export async function compareComposition<T extends object>(
  impl: AnyFunction,
  reference: AnyFunction,
  c: Composition<T>,
  uses: Exercise[],
  parts: Parts,
): Promise<Case[]> {
  const runs = [
    { yours: [] as string[], table: c.library },
    ...uses.flatMap((part) => {
      const mine = parts[part.symbol];
      return mine ? [{ yours: [part.symbol], table: { ...c.library, [part.symbol]: mine } }] : [];
    }),
  ];
  const probe = (impl as { [PROBE]?: RemoteRun })[PROBE];
  if (probe) {
    for (const { yours, table } of runs) {
      await probe({ composition: c.what, yours }, async (fn) => await c.run(fn, table));
    }
    return [];
  }
  const remote = (impl as { [REMOTE]?: RemoteRun })[REMOTE];
  const runOf = async ({ yours, table }: (typeof runs)[number]) =>
    remote
      ? await remote({ composition: c.what, yours }, async (fn) => await c.run(fn, table))
      : await c.run(impl, table);
  const expected = await c.run(reference, c.library);
  let got: Outputs;
  try {
    got = await runOf(runs[0]);
  } catch (err) {
    if (err instanceof Error && /^TODO\b/.test(err.message)) throw err; // not started
    const why = c.diagnose?.({}, expected);
    const threw = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const reason = why ? ` — ${tr(why)}` : "";
    return [{
      what: c.what,
      expected: tr({ en: "a result", fr: "un résultat" }),
      got: tr({ en: `it threw ${threw}${reason}`, fr: `elle a levé ${threw}${reason}` }),
      passed: false,
    }];
  }
  const cases = compare(c.what, got, expected, c.tolerance);
  const wrong = cases.find((x) => !x.passed);
  if (wrong) {
    const why = c.diagnose?.(got, expected);
    if (why) wrong.got += ` — ${tr(why)}`;
    return cases;
  }
  for (const run of runs.slice(1)) {
    const part = uses.find((u) => u.symbol === run.yours[0])!;
    const what = tr({
      en: `${c.what} with your ${part.symbol} (exercise ${part.id})`,
      fr: `${c.what} avec ton ${part.symbol} (exercice ${part.id})`,
    });
    const revisit = tr({
      en: `revisit exercise ${part.id} (${tr(part.title)})`,
      fr: `reprends l'exercice ${part.id} (${tr(part.title)})`,
    });
    const library = tr({ en: "the library's result", fr: "le résultat de la bibliothèque" });
    let outputs: Outputs;
    try {
      outputs = await runOf(run);
    } catch (err) {
      if (err instanceof Error && /^TODO\b/.test(err.message)) continue; // that part not started
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      cases.push({
        what,
        expected: tr({ en: "no error", fr: "aucune erreur" }),
        got: tr({
          en: `your ${part.symbol} threw ${message} — ${revisit}`,
          fr: `ton ${part.symbol} a levé ${message} — ${revisit}`,
        }),
        passed: false,
      });
      continue;
    }
    const first = compare(what, outputs, expected, c.tolerance).find((x) => !x.passed);
    cases.push(
      // The exercise to revisit first: a message cut for length still names it.
      first
        ? {
          ...first,
          expected: library,
          got: tr({
            en: `${revisit}: your ${part.symbol} gives other values here, ${first.got} where ` +
              `the library gives ${first.expected}`,
            fr: `${revisit} : ton ${part.symbol} donne ici d'autres valeurs, ${first.got} là où ` +
              `la bibliothèque donne ${first.expected}`,
          }),
        }
        : { what, expected: library, got: library, passed: true },
    );
  }
  return cases;
}

function compare(what: string, got: Outputs, expected: Outputs, tolerance: number): Case[] {
  return Object.entries(expected).filter(([name]) => name !== "trace").map(([name, value]) =>
    closeCase(`${what} → ${name}`, got[name], value as number | ArrayLike<number>, tolerance)
  );
}

/** Whether two arrays agree within `tolerance` everywhere. */
export function near(
  a: ArrayLike<number> | undefined,
  b: ArrayLike<number>,
  tolerance = 1e-4,
): boolean {
  return a !== undefined && a.length === b.length && maxAbsDiff(a, b) <= tolerance;
}

/**
 * A small seeded GPT whose weights are moved off their initial values (so that every gradient
 * stands well above rounding), with fresh activation buffers for B×T, and seeded token ids.
 * The same seed gives the same model every time.
 */
export function tinyModel(seed: number, config: GPTConfig, B: number, T: number) {
  const model = new GPT(config, seed);
  const rng = new Rng(seed + 1000);
  for (let i = 0; i < model.params.length; i++) model.params[i] += rng.normal() * 0.3;
  const acts = (): ActivationViews =>
    activationViews(config, B, T, new Float32Array(tableSize(activationShapes(config, B, T))));
  const ids = () => Int32Array.from({ length: B * T }, () => rng.int(config.vocabSize));
  return { model, rng, acts, inputs: ids(), targets: ids() };
}

/** Exercise `id` of a lab's list; read it late (in a getter): lab 06's and 07's catalogs import each other. */
export function byId(list: Exercise[], id: string): Exercise {
  return list.find((e) => e.id === id)!;
}

/** The cases of `f` on each item, one item after the other (runs may share a spy's trace). */
export async function eachCase<T>(
  items: T[],
  f: (item: T, index: number) => Promise<Case[]>,
): Promise<Case[]> {
  const cases: Case[] = [];
  for (const [i, item] of items.entries()) cases.push(...await f(item, i));
  return cases;
}

/**
 * The check of a composition exercise: for each item of `items`, the composition it builds, run
 * by {@link compareComposition} against the exercise's reference with the parts it uses.
 */
export function compositionCases<T extends object, I>(
  exercise: Exercise,
  impl: AnyFunction,
  parts: Parts,
  items: I[],
  build: (item: I, index: number) => Composition<T>,
): Promise<Case[]> {
  return eachCase(
    items,
    (item, i) =>
      compareComposition(impl, exercise.reference, build(item, i), exercise.uses ?? [], parts),
  );
}

/** The grader's sandboxed child for the compositions: each one's `sandbox`. */
export const COMPOSE_CHILD: string = new URL("./compose_child.ts", import.meta.url).pathname;
