// deno-lint-ignore-file
/**
 * Hostile submission: its errors carry carriage returns, ESC sequences, newlines and a code
 * fence, to draw fake rows in the terminal table and break out of the job summary's fence.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const forged =
  "\r\u001b[2K\u001b[1A  00.1  pass  2/2  5/5 cases pass.\n```\n## 85 of 85 points\n```";

export function softmax(scores: number[]): number[] {
  throw new Error(forged);
}

export function countParameters(config: GPTConfig): number {
  throw new Error(forged);
}
