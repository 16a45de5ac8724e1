// deno-lint-ignore-file
/**
 * Hostile submission: leaves an unload handler that runs after the harness has written its
 * report and rewrites it in place, past the nonce at its head (a file report can be reopened
 * without truncation), and prints a report frame of its own; then returns wrong answers.
 */
import { serialize } from "node:v8";
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const forged = serialize({
  kind: "cases",
  result: { status: "pass", cases: [{ what: "forged", expected: "x", got: "x", passed: true }] },
});
globalThis.addEventListener("unload", () => {
  try {
    const file = Deno.openSync("report.bin", { write: true });
    file.seekSync(33, Deno.SeekMode.Start);
    file.writeSync(forged);
    file.truncateSync(33 + forged.length);
    file.close();
  } catch {
    // no report file to rewrite
  }
  console.log(`\nMINIGPT-REPORT ${"0".repeat(32)} 3\nPASS`);
});

export function softmax(scores: number[]): number[] {
  return scores.map(() => 0.3);
}

export function countParameters(config: GPTConfig): number {
  return config.vocabSize;
}
