/**
 * Record and replay: how a catalog check runs on the grader's side while the student's function
 * runs in the sandbox. First the check runs here against a recorder that passes each call to the
 * reference and keeps a serialized copy of its arguments; the child then calls the student's
 * function on those arguments; finally the check runs here again against a stand-in that returns
 * the child's results (and copies back what the student wrote into array arguments). The inputs,
 * the expected values and the comparison never leave this process.
 *
 * Checks whose calls pass functions or class instances, or whose reference returns them, cannot be
 * replayed; `recordCalls` says so and the grader runs those checks inside the child instead.
 * @module
 */
import { deserialize, serialize } from "node:v8";
import type { AnyFunction, Case, Exercise } from "../course/exercise.ts";
import type { CallOutcome } from "./protocol.ts";

/** The calls a check makes, recorded on the reference. */
export interface Recording {
  /** Each call's arguments, V8-serialized before the call. */
  calls: Uint8Array[];
  /** The check's cases on the reference (all passing), used to name a check that stopped. */
  cases: Case[];
  /** Whether each call's reference result was a promise, so the replay can return one too. */
  async: boolean[];
}

/** A defect of the catalog or the grader (not of the submission). */
export class GraderError extends Error {
  override name = "GraderError";
}

/**
 * The check called the function with other arguments than when it was recorded: its inputs
 * depend on earlier results (or it is not seeded). Such a check has to run in the sandbox.
 */
export class NotReplayable extends Error {
  override name = "NotReplayable";
}

/**
 * Runs `exercise.check` on the reference, recording every call; returns a reason string instead
 * when the calls cannot be replayed in another process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { recordCalls } from "./replay.ts";
 * const rec = await recordCalls(CATALOG[0]);
 * assert.ok(typeof rec !== "string" && rec.calls.length > 0);
 * ```
 */
export async function recordCalls(exercise: Exercise): Promise<Recording | string> {
  const calls: Uint8Array[] = [];
  const async: boolean[] = [];
  let unreplayable: string | undefined;
  const recorder = (...args: unknown[]) => {
    if (!args.every((a) => isPlainData(a))) unreplayable ??= "its arguments are not plain data";
    else calls.push(serialize(args));
    const value = exercise.reference(...args);
    const plain = (v: unknown) => {
      if (!isPlainData(v)) {
        unreplayable ??= "the reference returns something that is not plain data";
      }
      return v;
    };
    async.push(isThenable(value));
    return isThenable(value) ? Promise.resolve(value).then(plain) : plain(value);
  };
  let cases: Case[];
  try {
    cases = await exercise.check(recorder as AnyFunction);
  } catch (err) {
    throw new GraderError(
      `The check of exercise ${exercise.id} fails on its own reference: ${(err as Error)?.message}`,
    );
  }
  if (unreplayable) return unreplayable;
  if (calls.length === 0) return "its check never calls the function";
  const wrong = cases.find((c) => !c.passed);
  if (wrong) {
    throw new GraderError(
      `The reference of exercise ${exercise.id} fails its own check on ${wrong.what}.`,
    );
  }
  return { calls, cases, async };
}

/** Data that survives V8 serialization unchanged: no functions, no class instances. */
function isPlainData(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== "object") {
    return typeof value !== "function" && typeof value !== "symbol";
  }
  if (seen.has(value)) return true;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) {
    return true;
  }
  if (value instanceof Map) {
    return [...value].every(([k, v]) => isPlainData(k, seen) && isPlainData(v, seen));
  }
  if (value instanceof Set) return [...value].every((v) => isPlainData(v, seen));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isPlainData(v, seen));
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

/** What replaying the check found: its cases, or why it stopped, and whether all was TODO. */
export interface Verdict {
  cases: Case[];
  /** Every call threw an error whose message starts with "TODO": the exercise is not started. */
  todo: boolean;
}

/**
 * Replays `exercise.check` on the outcomes the child reported for `recording`'s calls.
 * A call that threw shows as a failing case saying so; the other cases still count. Throws
 * NotReplayable when the check's calls no longer match the recording.
 *
 * @example
 * ```ts
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { recordCalls, replayCheck } from "./replay.ts";
 * const rec = await recordCalls(CATALOG[0]);
 * // outcomes come from the sandboxed child (see grade.ts)
 * ```
 */
export async function replayCheck(
  exercise: Exercise,
  recording: Recording,
  outcomes: Uint8Array[],
): Promise<Verdict> {
  const decoded = outcomes.map((o) => deserialize(o) as CallOutcome);
  const errors = decoded.flatMap((o) => o.ok ? [] : [o.error]);
  const todo = errors.length === decoded.length && errors.every((e) => /^TODO\b/.test(e.message));
  const token = crypto.randomUUID();
  const run = async (onThrow: "throw" | "sentinel") => {
    let i = 0;
    const standIn = (...args: unknown[]) => {
      const at = i++;
      if (at >= recording.calls.length || !sameBytes(serialize(args), recording.calls[at])) {
        throw new NotReplayable(
          `call ${at + 1} of exercise ${exercise.id} differs from its recording`,
        );
      }
      // A fresh copy per replay, so the two replays cannot see each other's changes.
      const outcome = deserialize(outcomes[at]) as CallOutcome;
      let value: unknown;
      if (outcome.ok) {
        outcome.args?.forEach((after, j) => copyInto(args[j], after));
        value = outcome.value;
      } else if (onThrow === "throw") {
        throw new StudentThrew(outcome.error);
      } else {
        value = { toJSON: () => `${token}#${at}` };
      }
      return recording.async[at] ? Promise.resolve(value) : value;
    };
    return await exercise.check(standIn as AnyFunction);
  };
  try {
    return { cases: await run("throw"), todo };
  } catch (err) {
    if (err instanceof NotReplayable) throw err;
    if (!(err instanceof StudentThrew)) return { cases: [stopped(recording, err)], todo };
  }
  try {
    const cases = (await run("sentinel")).map((c) => {
      const hit = c.got.match(new RegExp(`${token}#(\\d+)`));
      if (!hit) return c;
      const e = (decoded[Number(hit[1])] as { error: { name: string; message: string } }).error;
      return { ...c, got: `it threw ${e.name}: ${e.message}`, passed: false };
    });
    return { cases, todo };
  } catch (err) {
    if (err instanceof NotReplayable) throw err;
    const first = errors[0];
    return {
      cases: [{ ...stopped(recording, err), got: `it threw ${first.name}: ${first.message}` }],
      todo,
    };
  }
}

class StudentThrew extends Error {
  constructor(readonly error: { name: string; message: string }) {
    super(error.message);
  }
}

function stopped(recording: Recording, err: unknown): Case {
  const first = recording.cases[0];
  return {
    what: first.what,
    expected: first.expected,
    got: `the check could not use the result (${(err as Error)?.message ?? err})`,
    passed: false,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Makes `target` hold what `source` holds, in place, for typed arrays, arrays and plain objects. */
function copyInto(target: unknown, source: unknown): void {
  if (ArrayBuffer.isView(target) && ArrayBuffer.isView(source) && !(target instanceof DataView)) {
    const t = target as unknown as Float64Array, s = source as unknown as Float64Array;
    if (t.constructor === s.constructor && t.length === s.length) t.set(s);
    return;
  }
  if (
    target === null || source === null || typeof target !== "object" || typeof source !== "object"
  ) return;
  const t = target as Record<string, unknown>, s = source as Record<string, unknown>;
  if (Array.isArray(t) !== Array.isArray(s)) return;
  if (Array.isArray(t)) (t as unknown[]).length = (s as unknown as unknown[]).length;
  for (const key of Object.keys(t)) if (!(key in s)) delete t[key];
  for (const [key, value] of Object.entries(s)) {
    if (key === "__proto__") continue;
    const current = t[key];
    if (current !== null && typeof current === "object" && typeof value === "object") {
      copyInto(current, value);
    } else {
      t[key] = value;
    }
  }
}
