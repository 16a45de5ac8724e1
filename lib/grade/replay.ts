/**
 * Record and replay: how a catalog check runs on the grader's side while the student's function
 * runs in the sandbox. First the check runs here against a recorder that passes each call to the
 * reference and keeps a wire-encoded copy of its arguments; the child then calls the student's
 * function on those arguments; finally the check runs here again against a stand-in that returns
 * the child's results (and copies back what the student wrote into array arguments). The inputs,
 * the expected values and the comparison never leave this process, and every exercise is judged
 * this way: when the check's calls no longer match the recording (the student's results led it
 * elsewhere), that is the student's failure.
 *
 * A composition (an exercise with `uses`) is recorded with every part it uses marked as the
 * student's, so that each run the check can make is on the recording; its calls are the runs'
 * plain descriptions (exercise.ts's CompositionCall), which the composition's own child entry
 * turns into calls on the student's staged functions.
 * @module
 */
import {
  type AnyFunction,
  type Case,
  type CompositionCall,
  type Exercise,
  type Outputs,
  type Parts,
  REMOTE,
  type RemoteRun,
} from "../course/exercise.ts";
import { type Text, tr } from "../i18n.ts";
import { type CallOutcome, parseOutcome } from "./protocol.ts";
import { encode, WireError } from "./wire.ts";

/** The calls a check makes, recorded on the reference. */
export interface Recording {
  /** Each call's arguments, wire-encoded before the call. */
  calls: Uint8Array[];
  /** How many arguments each call had. */
  argCounts: number[];
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
 * Runs `exercise.check` on the reference, recording every call. Throws GraderError when the
 * check cannot be replayed in another process (its arguments or the reference's results are not
 * plain data, see wire.ts) or fails on its own reference.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { recordCalls } from "./replay.ts";
 * const rec = await recordCalls(CATALOG[0]);
 * assert.ok(rec.calls.length > 0);
 * ```
 */
export async function recordCalls(exercise: Exercise): Promise<Recording> {
  const calls: Uint8Array[] = [];
  const argCounts: number[] = [];
  const async: boolean[] = [];
  let unreplayable: Text | undefined;
  const returns = { en: "the reference returns", fr: "la référence renvoie" };
  const plain = (v: unknown) => {
    try {
      encode(v);
    } catch (err) {
      const why = (err as Error).message;
      unreplayable ??= { en: `${returns.en} ${why}`, fr: `${returns.fr} ${why}` };
    }
    return v;
  };
  const recorder = (...args: unknown[]) => {
    try {
      calls.push(encode(args));
    } catch (err) {
      const why = (err as Error).message;
      unreplayable ??= { en: `its arguments: ${why}`, fr: `ses arguments : ${why}` };
    }
    argCounts.push(args.length);
    const value = exercise.reference(...args);
    async.push(isThenable(value));
    return isThenable(value) ? Promise.resolve(value).then(plain) : plain(value);
  };
  const remote: RemoteRun = async (call, here) => {
    calls.push(encode([call]));
    argCounts.push(1);
    async.push(true);
    return plain(await here(exercise.reference)) as Outputs;
  };
  let cases: Case[];
  try {
    cases = await exercise.check(Object.assign(recorder, { [REMOTE]: remote }), allParts(exercise));
  } catch (err) {
    const why = (err as Error)?.message;
    throw new GraderError(tr({
      en: `The check of exercise ${exercise.id} fails on its own reference: ${why}`,
      fr: `La vérification de l'exercice ${exercise.id} échoue sur sa propre référence : ${why}`,
    }));
  }
  if (unreplayable) {
    throw new GraderError(tr({
      en: `Exercise ${exercise.id} cannot be graded in the sandbox: ${unreplayable.en}.`,
      fr: `L'exercice ${exercise.id} ne peut pas être corrigé dans le bac à sable : ` +
        `${unreplayable.fr}.`,
    }));
  }
  if (calls.length === 0) {
    throw new GraderError(tr({
      en: `The check of exercise ${exercise.id} never calls the function.`,
      fr: `La vérification de l'exercice ${exercise.id} n'appelle jamais la fonction.`,
    }));
  }
  const wrong = cases.find((c) => !c.passed);
  if (wrong) {
    throw new GraderError(tr({
      en: `The reference of exercise ${exercise.id} fails its own check on ${wrong.what}.`,
      fr:
        `La référence de l'exercice ${exercise.id} échoue à sa propre vérification sur ${wrong.what}.`,
    }));
  }
  return { calls, argCounts, cases, async };
}

/** Every part a composition uses, as if the student had started it (the library's functions). */
function allParts(exercise: Exercise): Parts {
  return Object.fromEntries((exercise.uses ?? []).map((part) => [part.symbol, part.reference]));
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

/** The check's calls left the recording: the student's results led it elsewhere. */
class OffRecord extends Error {
  constructor(readonly call: number) {
    super(`call ${call} differs from its recording`);
  }
}

/** What replaying the check found: its cases, or why it stopped, and whether all was TODO. */
export interface Verdict {
  cases: Case[];
  /** Every call threw an error whose message starts with "TODO": the exercise is not started. */
  todo: boolean;
}

/**
 * Replays `exercise.check` on the outcomes the child reported for `recording`'s calls (raw
 * bytes, read here with parseOutcome). A call that threw, or whose outcome cannot be read, shows
 * as a failing case saying so; the other cases still count. A check whose calls leave the
 * recording fails with one case saying so.
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
  // Read afresh for each use, so the two replays cannot see each other's changes.
  const outcomeOf = (at: number): CallOutcome => {
    try {
      return parseOutcome(outcomes[at], recording.argCounts[at]);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      return {
        ok: false,
        error: {
          name: "UnreadableReport",
          message: tr({
            en: "its report of this call is malformed",
            fr: "son rapport de cet appel est mal formé",
          }),
        },
      };
    }
  };
  const decoded = outcomes.map((_, at) => outcomeOf(at));
  const errors = decoded.flatMap((o) => o.ok ? [] : [o.error]);
  const todo = errors.length === decoded.length && errors.every((e) => /^TODO\b/.test(e.message));
  const token = crypto.randomUUID();
  const sentinels = new WeakSet<object>();
  const run = async (onThrow: "throw" | "sentinel") => {
    let i = 0;
    const standIn = (...args: unknown[]) => {
      const at = i++;
      if (at >= recording.calls.length || !sameBytes(encodeOrNull(args), recording.calls[at])) {
        throw new OffRecord(at + 1);
      }
      const outcome = outcomeOf(at);
      let value: unknown;
      if (outcome.ok) {
        outcome.args?.forEach((after, j) => copyInto(args[j], after));
        value = outcome.value;
      } else if (onThrow === "throw") {
        throw new StudentThrew(outcome.error);
      } else {
        value = { toJSON: () => `${token}#${at}` };
        sentinels.add(value as object);
      }
      return recording.async[at] ? Promise.resolve(value) : value;
    };
    // A run that threw: each of its outputs shows the error, as a plain call's result does.
    const remote = async (call: CompositionCall): Promise<Outputs> => {
      const value = await standIn(call);
      if (!sentinels.has(value as object)) return value as Outputs;
      return new Proxy({}, { get: (_, key) => key === "trace" ? undefined : value });
    };
    return await exercise.check(
      Object.assign(standIn, { [REMOTE]: remote }) as AnyFunction,
      allParts(exercise),
    );
  };
  const offRecord = (err: OffRecord): Verdict => ({
    cases: [{
      ...stopped(recording, err),
      got: tr({
        en: `the check's call ${err.call} differs from the reference's: the function's results, ` +
          "or what it changed in its arguments, led the check elsewhere",
        fr: `l'appel ${err.call} de la vérification diffère de celui de la référence : les ` +
          "résultats de la fonction, ou ce qu'elle a changé dans ses arguments, ont mené la " +
          "vérification ailleurs",
      }),
    }],
    todo: false,
  });
  try {
    return { cases: await run("throw"), todo };
  } catch (err) {
    if (err instanceof OffRecord) return offRecord(err);
    if (!(err instanceof StudentThrew)) return { cases: [stopped(recording, err)], todo };
  }
  try {
    const cases = (await run("sentinel")).map((c) => {
      const hit = c.got.match(new RegExp(`${token}#(\\d+)`));
      if (!hit) return c;
      const e = (decoded[Number(hit[1])] as { error: { name: string; message: string } }).error;
      return { ...c, got: threw(e), passed: false };
    });
    return { cases, todo };
  } catch (err) {
    if (err instanceof OffRecord) return offRecord(err);
    const first = errors[0];
    return {
      cases: [{ ...stopped(recording, err), got: threw(first) }],
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
    got: tr({
      en: `the check could not use the result (${(err as Error)?.message ?? err})`,
      fr: `la vérification n'a pas pu utiliser le résultat (${(err as Error)?.message ?? err})`,
    }),
    passed: false,
  };
}

/** What the student's function threw, as the lab's own check says it. */
function threw(e: { name: string; message: string }): string {
  return tr({
    en: `it threw ${e.name}: ${e.message}`,
    fr: `elle a levé ${e.name} : ${e.message}`,
  });
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

/** The encoding of a call's arguments, or an empty array when they cannot be encoded. */
function encodeOrNull(args: unknown[]): Uint8Array {
  try {
    return encode(args);
  } catch {
    return new Uint8Array(0);
  }
}
