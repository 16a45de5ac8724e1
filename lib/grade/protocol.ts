/**
 * What the grader and its sandboxed child say to each other. The parent sends one request on the
 * child's stdin; the child answers in one file the parent named, which starts with a nonce the
 * parent drew for this run, so that a stray or forged file is recognised as such.
 *
 * Both messages are V8-serialized (node:v8), which keeps typed arrays, NaN and -0 intact.
 * Verdicts are not part of the protocol in replay mode: the child only reports what the student's
 * function returned, and the parent judges.
 * @module
 */
import type { CheckResult } from "../course/exercise.ts";

/** The parent's request. `calls` (replay mode) or `exerciseId` (check mode) says what to run. */
export interface ChildRequest {
  nonce: string;
  /** Where the child writes its report (inside the only folder it may write to). */
  resultPath: string;
  /** File URL of the student's module. */
  module: string;
  symbol: string;
  /**
   * replay: call the student's function on each serialized argument list and report outcomes.
   * check: run the catalog's check inside the child (for exercises whose arguments or results
   * are not plain data); the child freezes the built-ins before the student's module loads.
   */
  mode: "replay" | "check";
  /** Replay mode: each call's arguments, V8-serialized by the parent. */
  calls?: Uint8Array[];
  /** Check mode: which exercise, and the file URL of the catalog that defines it. */
  exerciseId?: string;
  catalog?: string;
  /** Check mode: the language of the check's messages (default English). */
  lang?: "en" | "fr";
}

/** One call of the student's function in replay mode. */
export type CallOutcome =
  /** `args`: the arguments after the call when it changed them, so in-place outputs travel too. */
  | { ok: true; value: unknown; args?: unknown[] }
  | { ok: false; error: { name: string; message: string } };

/** The child's answer. */
export type ChildReport =
  | { kind: "load-error"; message: string }
  /** Each outcome V8-serialized on its own, so one unreadable result spoils only its call. */
  | { kind: "outcomes"; outcomes: Uint8Array[] }
  | { kind: "cases"; result: CheckResult };
