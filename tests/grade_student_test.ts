import assert from "node:assert/strict";
import { REPO_ROOT } from "../lib/course/exercise.ts";
import {
  firstUnpassed,
  forgetProgress,
  loadProgress,
  recordProgress,
} from "../lib/grade/progress.ts";
import type { TestResult } from "../lib/grade/grade.ts";
import { pristineStarter, restoreFunction } from "../lib/grade/starters.ts";
import { pollChanges } from "../lib/grade/watch.ts";

const STARTER = await Deno.readTextFile(`${REPO_ROOT}/labs/exercises/00_intro.ts`);
const EDITED = STARTER.replace(
  /throw new Error\("TODO: write softmax"\);/,
  "return scores.map(() => 1 / scores.length);",
).replace(/throw new Error\("TODO: write countParameters"\);/, "return 42;");

Deno.test("polling notices a saved file within a few intervals", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/a.ts`, "export const a = 1;\n");
  const stop = new AbortController();
  const changes = pollChanges(dir, 20, stop.signal);
  const first = changes.next();
  await new Promise((r) => setTimeout(r, 60));
  await Deno.writeTextFile(`${dir}/a.ts`, "export const a = 12;\n");
  const { value } = await first;
  assert.deepEqual(value, [`${dir}/a.ts`]);
  stop.abort();
  assert.equal((await changes.next()).done, true);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("reset restores one function from the starter and keeps the other", () => {
  const restored = restoreFunction(EDITED, STARTER, "softmax");
  assert.match(restored, /throw new Error\("TODO: write softmax"\)/);
  assert.match(restored, /return 42;/);
  assert.equal(restoreFunction(restored, STARTER, "countParameters"), STARTER);
});

Deno.test("reset appends the starter's function when the student deleted it", () => {
  const cut = STARTER.slice(0, STARTER.indexOf("/**\n * Exercise 00.2"));
  const restored = restoreFunction(cut, STARTER, "countParameters");
  assert.match(restored, /export function countParameters\(config: GPTConfig\): number \{/);
  assert.ok(restored.endsWith("}\n"));
});

Deno.test("the pristine starter comes from labs/starters in a release", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/labs/starters`, { recursive: true });
  await Deno.writeTextFile(`${root}/labs/starters/00_intro.ts`, STARTER);
  assert.equal(await pristineStarter("labs/exercises/00_intro.ts", root), STARTER);
  await Deno.remove(root, { recursive: true });
});

Deno.test("the pristine starter comes from the commit that added it in a clone", async () => {
  const root = await Deno.makeTempDir();
  const git = (...args: string[]) =>
    new Deno.Command("git", {
      args: ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args],
      cwd: root,
      stdout: "null",
      stderr: "null",
    }).output();
  await git("init", "-q");
  await Deno.mkdir(`${root}/labs/exercises`, { recursive: true });
  await Deno.writeTextFile(`${root}/labs/exercises/00_intro.ts`, STARTER);
  await git("add", "-A");
  await git("commit", "-qm", "course");
  await Deno.writeTextFile(`${root}/labs/exercises/00_intro.ts`, EDITED);
  await git("commit", "-qam", "my work");
  assert.equal(await pristineStarter("labs/exercises/00_intro.ts", root), STARTER);
  await Deno.remove(root, { recursive: true });
});

Deno.test("progress records results, finds the current exercise and forgets a reset one", async () => {
  const root = await Deno.makeTempDir();
  const result = (id: string, status: TestResult["status"]) =>
    ({ id, status, points: status === "pass" ? 1 : 0 }) as TestResult;
  assert.equal(firstUnpassed(["00.1", "00.2"], await loadProgress(root)), "00.1");
  const progress = await recordProgress([result("00.1", "pass"), result("00.2", "fail")], root);
  assert.equal(firstUnpassed(["00.1", "00.2"], progress), "00.2");
  await recordProgress([result("00.2", "pass")], root);
  assert.equal(firstUnpassed(["00.1", "00.2"], await loadProgress(root)), undefined);
  await forgetProgress("00.1", root);
  assert.equal(firstUnpassed(["00.1", "00.2"], await loadProgress(root)), "00.1");
  await Deno.remove(root, { recursive: true });
});
