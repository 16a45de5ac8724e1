// deno-lint-ignore-file
/**
 * Hostile submission: looks for answers where the grader keeps them (the solutions, git's
 * objects, the other hostile fixtures), prints what each attempt did, and hands in a nearly right
 * softmax taken from another fixture when it can.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const root = new URL("../../../../../", import.meta.url).pathname;
for (const path of ["labs/solutions/00_intro.ts", ".git/HEAD", "tests/hostile/throws"]) {
  try {
    Deno.statSync(`${root}${path}`);
    console.log(`${path}: read`);
  } catch (err) {
    console.log(`${path}: ${(err as Error).name}`);
  }
}
let borrowed: ((scores: number[]) => number[]) | undefined;
try {
  // Computed at run time, so that only the sandbox stands in the way.
  borrowed = (await import(["../../..", "throws/labs/exercises/00_intro.ts"].join("/"))).softmax;
} catch {
  // not readable: the point of this case
}

export function softmax(scores: number[]): number[] {
  return borrowed ? borrowed(scores) : scores;
}

export function countParameters(config: GPTConfig): number {
  return 0;
}
