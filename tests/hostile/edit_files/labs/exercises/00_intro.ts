// deno-lint-ignore-file
/**
 * Hostile submission: at import, tries to rewrite the catalog and the grader, to read the
 * environment, to reach the network and to start a process; prints what each attempt did, then
 * returns wrong answers.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

// The course's checkout, found from the harness's own address (its lib/grade/child.ts).
const root = new URL("../../", Deno.mainModule).pathname;
const attempts: [string, () => unknown][] = [
  ["write catalog", () => Deno.writeTextFileSync(`${root}labs/catalog/00_intro.ts`, "")],
  ["write grader", () => Deno.writeTextFileSync(`${root}lib/grade/replay.ts`, "")],
  ["write results", () => Deno.writeTextFileSync(`${root}results.json`, "{}")],
  ["remove starter", () => Deno.removeSync(`${root}labs/exercises/00_intro.ts`)],
  ["read env", () => Deno.env.get("HOME")],
  ["run process", () => new Deno.Command("/bin/true").outputSync()],
  ["open socket", () => Deno.listen({ port: 0 })],
];
for (const [what, attempt] of attempts) {
  try {
    attempt();
    console.log(`${what}: done`);
  } catch (err) {
    console.log(`${what}: ${(err as Error).name}`);
  }
}

export function softmax(scores: number[]): number[] {
  return scores;
}

export function countParameters(config: GPTConfig): number {
  return 0;
}
