/**
 * Checks for exercises written in llm.c style, where a function fills buffers it is given: the
 * student's function and the library's run on copies of the same seeded arguments, and each
 * output buffer is compared. Gradient buffers can start non-zero, which checks that backward
 * passes add (`+=`) as lib/ does.
 * @module
 */
import type { AnyFunction, Case } from "../../lib/course/exercise.ts";
import { closeCase } from "../../lib/course/cases.ts";

/** An argument of a call: a buffer (copied for each run) or a plain number. */
export type Arg = Float32Array | Int32Array | number | null;

/**
 * Calls `impl` and `reference` on copies of `args` and compares the buffers at the positions
 * named in `outputs` within `tolerance`; `what` describes the call for the student.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareCalls } from "./calls.ts";
 * const double = (out: Float32Array, x: Float32Array) => out.set(x.map((v) => 2 * v));
 * const cases = compareCalls("double", double, double, [new Float32Array(2), new Float32Array([1, 2])], { out: 0 });
 * assert.ok(cases[0].passed);
 * ```
 */
export function compareCalls(
  what: string,
  impl: AnyFunction,
  reference: AnyFunction,
  args: Arg[],
  outputs: Record<string, number>,
  tolerance = 1e-5,
): Case[] {
  const copy = (a: Arg) => (a instanceof Float32Array || a instanceof Int32Array ? a.slice() : a);
  const expected = args.map(copy), got = args.map(copy);
  reference(...expected);
  impl(...got);
  return Object.entries(outputs).map(([name, i]) =>
    closeCase(`${what} → ${name}`, got[i], expected[i] as Float32Array, tolerance)
  );
}
