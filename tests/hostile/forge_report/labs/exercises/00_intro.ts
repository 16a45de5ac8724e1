// deno-lint-ignore-file
/**
 * Hostile submission: wraps everything the grader's harness could use to write its report (the
 * file writer, exit, the encoder, byte copying), so as to rewrite whatever report goes out, and
 * leaves an unload handler that writes a report of its own; then returns wrong answers.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const seen: unknown[] = [];
const wrap = (target: any, name: string) => {
  const original = target[name];
  target[name] = function (this: unknown, ...args: unknown[]) {
    seen.push(args[0]);
    if (name === "writeFileSync") return original.call(this, args[0], new Uint8Array([1, 2, 3]));
    return original.apply(this, args);
  };
};
wrap(Deno, "writeFileSync");
wrap(Deno, "writeTextFileSync");
wrap(Deno, "exit");
wrap(TextEncoder.prototype, "encode");
wrap(Uint8Array.prototype, "set");
globalThis.addEventListener("unload", () => {
  for (const path of seen.filter((s) => typeof s === "string")) {
    try {
      Deno.writeTextFileSync(path as string, "PASS");
    } catch {
      // nothing to overwrite
    }
  }
});

export function softmax(scores: number[]): number[] {
  return scores.map(() => 0.3);
}

export function countParameters(config: GPTConfig): number {
  return config.vocabSize;
}
