// deno-lint-ignore-file
/**
 * Hostile submission: softmax prints 100 MB (countParameters 1 MB), and both functions return 4 MB strings, which a
 * message quoting whole results would carry into results.json and JUnit.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const big = "PASS ".repeat(800_000);

export function softmax(scores: number[]): string {
  const line = "x".repeat(1 << 20);
  for (let i = 0; i < 100; i++) console.log(line);
  return big;
}

export function countParameters(config: GPTConfig): string {
  console.log("x".repeat(1 << 20));
  return big;
}
