/**
 * The student's progress: one small git-ignored file, .minigpt/progress.json, mapping each
 * exercise id to its last graded status and points. `grade` (on the student's own repository)
 * and `watch` write it; `watch` reads it to know where the student is.
 * @module
 */
import { REPO_ROOT } from "../course/exercise.ts";
import type { TestResult } from "./grade.ts";

/** The content of .minigpt/progress.json. */
export interface Progress {
  version: 1;
  exercises: Record<string, { status: TestResult["status"]; points: number; at: string }>;
}

/**
 * Path of the progress file under `root`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressPath } from "./progress.ts";
 * assert.equal(progressPath("/course"), "/course/.minigpt/progress.json");
 * ```
 */
export function progressPath(root: string = REPO_ROOT): string {
  return `${root}/.minigpt/progress.json`;
}

/**
 * Reads the progress file; a missing or unreadable file is an empty progress.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadProgress } from "./progress.ts";
 * const progress = await loadProgress("/tmp/nowhere");
 * assert.equal(Object.keys(progress.exercises).length, 0);
 * ```
 */
export async function loadProgress(root: string = REPO_ROOT): Promise<Progress> {
  try {
    const data = JSON.parse(await Deno.readTextFile(progressPath(root)));
    if (data?.version === 1 && typeof data.exercises === "object") return data as Progress;
  } catch {
    // no progress yet, or a file from elsewhere: start afresh
  }
  return { version: 1, exercises: {} };
}

/**
 * Records `results` in the progress file under `root` (written whole, then renamed into place).
 *
 * @example
 * ```ts ignore writes the student's progress
 * import { recordProgress } from "./progress.ts";
 * await recordProgress(report.tests);
 * ```
 */
export async function recordProgress(
  results: TestResult[],
  root: string = REPO_ROOT,
): Promise<Progress> {
  const progress = await loadProgress(root);
  const at = new Date().toISOString();
  for (const r of results) progress.exercises[r.id] = { status: r.status, points: r.points, at };
  await saveProgress(progress, root);
  return progress;
}

/**
 * The first exercise in `ids` not recorded as passing, or undefined when all pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstUnpassed } from "./progress.ts";
 * const p = { version: 1 as const, exercises: { "00.1": { status: "pass" as const, points: 2, at: "" } } };
 * assert.equal(firstUnpassed(["00.1", "00.2"], p), "00.2");
 * ```
 */
export function firstUnpassed(ids: string[], progress: Progress): string | undefined {
  return ids.find((id) => progress.exercises[id]?.status !== "pass");
}

/**
 * Drops `id` from the progress file, so that `watch` comes back to it (after a reset).
 *
 * @example
 * ```ts ignore writes the student's progress
 * import { forgetProgress } from "./progress.ts";
 * await forgetProgress("03.2");
 * ```
 */
export async function forgetProgress(id: string, root: string = REPO_ROOT): Promise<void> {
  const progress = await loadProgress(root);
  if (!(id in progress.exercises)) return;
  delete progress.exercises[id];
  await saveProgress(progress, root);
}

async function saveProgress(progress: Progress, root: string): Promise<void> {
  const path = progressPath(root);
  await Deno.mkdir(`${root}/.minigpt`, { recursive: true });
  await Deno.writeTextFile(`${path}.tmp`, JSON.stringify(progress, null, 2) + "\n");
  await Deno.rename(`${path}.tmp`, path);
}
