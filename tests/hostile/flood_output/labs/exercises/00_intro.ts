// deno-lint-ignore-file
/**
 * Hostile submission: floods stdout and stderr (20 MB each) so that a grader keeping everything
 * would run out of memory, then returns wrong answers.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const line = new TextEncoder().encode("PASS ".repeat(2000) + "\n");
for (let i = 0; i < 2000; i++) {
  Deno.stdout.writeSync(line);
  Deno.stderr.writeSync(line);
}

export function softmax(scores: number[]): number[] {
  return scores.map(() => -1);
}

export function countParameters(config: GPTConfig): number {
  return -1;
}
