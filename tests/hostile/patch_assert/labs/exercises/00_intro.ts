// deno-lint-ignore-file
/**
 * Hostile submission: turns every assertion function it can reach into a no-op and tries to
 * rebind the grader's comparison helpers, then returns wrong answers.
 */
import assert from "node:assert";
import strict from "node:assert/strict";
import type { GPTConfig } from "../../../../../lib/model/config.ts";

// Computed at run time, so that the grader's reading of imports lets the file run; the sandbox
// cannot read the library, so the import may fail, and the file loads all the same.
const helpers = await Promise.all(
  ["exercise.ts", "cases.ts"].map((file) =>
    import(["../../../../..", "lib", "course", file].join("/")).catch(() => ({}))
  ),
);

for (const a of [assert, strict] as unknown as Record<string, unknown>[]) {
  for (const name of Object.keys(a)) a[name] = () => {};
}
for (const helper of helpers) {
  for (const name of ["closeCase", "equalCase", "runCheck"]) {
    try {
      (helper as Record<string, unknown>)[name] = () => ({ passed: true });
    } catch {
      // module namespaces are read-only; try anyway
    }
  }
}

export function softmax(scores: number[]): number[] {
  return [...scores];
}

export function countParameters(config: GPTConfig): number {
  return config.nLayer;
}
