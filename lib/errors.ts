/**
 * The one error type a user should ever see: a sentence that says what is wrong and what to do.
 *
 * Anything else that escapes to the CLI is a bug in minigpt-lab and is reported as such.
 * `ioReason` puts the system's reason for a failed file operation in the user's words.
 * @module
 */
import type { Text } from "./i18n.ts";

/**
 * An error caused by the user's input or environment, with a message meant to be read as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UserError } from "./errors.ts";
 * import { tr } from "./i18n.ts";
 * const err = new UserError(tr({ en: "No lab 99.", fr: "Pas de lab 99." }), 2);
 * assert.equal(err.exitCode, 2);
 * ```
 */
export class UserError extends Error {
  /** Process exit code the CLI uses for this error (2 = bad usage or input). */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/** The file-system errors a user meets, in both languages. */
const IO_REASONS: [new (...args: never[]) => Error, Text][] = [
  [Deno.errors.NotFound, { en: "no such file or folder", fr: "fichier ou dossier introuvable" }],
  [Deno.errors.PermissionDenied, { en: "permission denied", fr: "permission refusée" }],
  [Deno.errors.AlreadyExists, {
    en: "a file of that name exists",
    fr: "un fichier de ce nom existe",
  }],
  [Deno.errors.NotADirectory, {
    en: "a file stands where a folder should be",
    fr: "un fichier est là où il faudrait un dossier",
  }],
  [Deno.errors.IsADirectory, {
    en: "it is a folder, not a file",
    fr: "c'est un dossier, pas un fichier",
  }],
];

/**
 * Why a file operation failed, in both languages: a common cause by name, with the path the
 * system names; invalid JSON as such; anything else as the system says it (its first line).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ioReason } from "./errors.ts";
 * const err = await Deno.readTextFile("/no/such/file").catch((e) => e);
 * assert.deepEqual(ioReason(err), {
 *   en: "no such file or folder: /no/such/file",
 *   fr: "fichier ou dossier introuvable : /no/such/file",
 * });
 * ```
 */
export function ioReason(err: unknown): Text {
  const line = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  // Deno ends its messages with the call and the path: "…(os error 2): readfile '/a/b'".
  const path = /: \w+ '([^']*)'$/.exec(line)?.[1];
  const known = IO_REASONS.find(([type]) => err instanceof type)?.[1];
  if (known) return path ? { en: `${known.en}: ${path}`, fr: `${known.fr} : ${path}` } : known;
  if (err instanceof SyntaxError && line.includes("JSON")) {
    return { en: "not valid JSON", fr: "pas du JSON valide" };
  }
  return { en: line, fr: line };
}
