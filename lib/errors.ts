/**
 * The one error type a user should ever see: a sentence that says what is wrong and what to do.
 *
 * Anything else that escapes to the CLI is a bug in minigpt-lab and is reported as such.
 * @module
 */

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
