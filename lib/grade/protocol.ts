/**
 * What the grader and its sandboxed child say to each other. The parent writes one request on
 * the child's stdin; the child answers with one frame on its stdout, `MINIGPT-REPORT <nonce>
 * <length>\n` and that many bytes, where the nonce was drawn by the parent for this run: what the
 * student's code prints around it is output, not report. Both are encoded with wire.ts.
 *
 * The report carries raw results only, never a verdict: the child runs untrusted code in its own
 * realm, so everything it says may be forged, and the parent judges (replay.ts) after reading
 * the report with a size cap and a strict decoder (`parseReport`).
 * @module
 */
import { decode, WireError } from "./wire.ts";
import type { Lang } from "../i18n.ts";

/** The parent's request. */
export interface ChildRequest {
  nonce: string;
  /** File URL of the student's module. */
  module: string;
  symbol: string;
  /** Each call's arguments, wire-encoded by the parent. */
  calls: Uint8Array[];
  /** The language of the child's own sentences (the process's, as the parent speaks it). */
  lang: Lang;
}

/** One call of the student's function. */
export type CallOutcome =
  /** `args`: the arguments after the call when it changed them, so in-place outputs travel too. */
  | { ok: true; value: unknown; args?: unknown[] }
  | { ok: false; error: { name: string; message: string } };

/** The child's answer: each outcome wire-encoded on its own, so a bad one spoils only its call. */
export type ChildReport =
  | { kind: "load-error"; message: string }
  | { kind: "outcomes"; outcomes: Uint8Array[] };

/** How long a string from the child may be before it is cut, in characters. */
export const TEXT_CAP = 2000;

/** The frame's first line, before the length. */
export function frameHead(nonce: string): string {
  return `\nMINIGPT-REPORT ${nonce} `;
}

/**
 * Reads a report's bytes, checking its shape; throws WireError when it is not one. Strings the
 * child sent are cut at TEXT_CAP characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseReport } from "./protocol.ts";
 * import { encode } from "./wire.ts";
 * assert.equal(parseReport(encode({ kind: "load-error", message: "x" })).kind, "load-error");
 * ```
 */
export function parseReport(bytes: Uint8Array): ChildReport {
  const value = decode(bytes);
  if (isRecord(value, ["kind", "message"]) && value.kind === "load-error") {
    return { kind: "load-error", message: text(value.message) };
  }
  if (
    isRecord(value, ["kind", "outcomes"]) && value.kind === "outcomes" &&
    Array.isArray(value.outcomes) && value.outcomes.every((o) => o instanceof Uint8Array)
  ) {
    return { kind: "outcomes", outcomes: value.outcomes };
  }
  throw new WireError("the report has an unknown shape");
}

/**
 * Reads one call's outcome; `argCount` is how many arguments the call had. Throws WireError when
 * the bytes are not an outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOutcome } from "./protocol.ts";
 * import { encode } from "./wire.ts";
 * assert.ok(parseOutcome(encode({ ok: true, value: 1 }), 1).ok);
 * ```
 */
export function parseOutcome(bytes: Uint8Array, argCount: number): CallOutcome {
  const value = decode(bytes);
  if (isRecord(value, ["ok", "value"]) && value.ok === true) {
    return { ok: true, value: value.value };
  }
  if (
    isRecord(value, ["ok", "value", "args"]) && value.ok === true &&
    Array.isArray(value.args) && value.args.length === argCount
  ) {
    return { ok: true, value: value.value, args: value.args };
  }
  if (
    isRecord(value, ["ok", "error"]) && value.ok === false &&
    isRecord(value.error, ["name", "message"])
  ) {
    return {
      ok: false,
      error: { name: text(value.error.name), message: text(value.error.message) },
    };
  }
  throw new WireError("an outcome of unknown shape");
}

function isRecord(value: unknown, keys: string[]): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  if (ArrayBuffer.isView(value)) return false;
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => own.includes(k));
}

function text(value: unknown): string {
  if (typeof value !== "string") throw new WireError("a message that is not text");
  return value.length > TEXT_CAP ? value.slice(0, TEXT_CAP - 1) + "…" : value;
}
