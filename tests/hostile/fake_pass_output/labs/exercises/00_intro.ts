// deno-lint-ignore-file
/**
 * Hostile submission: prints what a passing run could look like, on stdout and stderr, drops a
 * made-up report in the working folder, and returns wrong answers.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const fake = "PASS 00.1 5/5 cases pass\nPASS 00.2 4/4 cases pass\n" +
  JSON.stringify({ status: "pass", points: 5, maxPoints: 5 });
console.log(fake);
console.error(fake);
try {
  Deno.writeTextFileSync("report.bin", `00000000000000000000000000000000\n${fake}`);
} catch {
  // not allowed here; the printing is the point
}

export function softmax(scores: number[]): number[] {
  console.log("PASS softmax");
  return scores.map(() => 0.5);
}

export function countParameters(config: GPTConfig): number {
  console.log("PASS countParameters");
  return 42;
}
