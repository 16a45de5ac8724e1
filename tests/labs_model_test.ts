import { tr } from "../lib/i18n.ts";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { findExercise } from "../labs/catalog/mod.ts";
import { findLab } from "../labs/mod.ts";
import { type AnyFunction, REPO_ROOT, runCheck } from "../lib/course/exercise.ts";
import { runLab } from "../lib/course/lab.ts";

// Labs 02–07: every exercise fails as a starter ("todo"), passes with its solution and with the
// library's reference; each lab runs to the end with --reference, writing its charts, and with
// the solutions in the student's place; with the starters it stops at its first exercise.
const LAB_IDS = ["02", "03", "04", "05", "06", "07"];

for (const id of LAB_IDS) {
  const entry = findLab(id)!;

  Deno.test(`lab ${id}: starters are todo, solutions and references pass`, async () => {
    const lab = await entry.load();
    assert.ok(lab.exercises.length >= 2, "at least two exercises");
    for (const ex of lab.exercises) {
      assert.equal(findExercise(ex.id), ex, `${ex.id} is in the catalog`);
      const starter = await import(pathToFileURL(`${REPO_ROOT}/${ex.file}`).href);
      const solution = await import(
        pathToFileURL(`${REPO_ROOT}/${ex.file.replace("exercises/", "solutions/")}`).href
      );
      assert.equal((await runCheck(ex, starter[ex.symbol] as AnyFunction)).status, "todo", ex.id);
      const solved = await runCheck(ex, solution[ex.symbol] as AnyFunction);
      assert.equal(solved.status, "pass", `${ex.id} solution: ${JSON.stringify(solved.failure)}`);
      assert.equal((await runCheck(ex, ex.reference)).status, "pass", `${ex.id} reference`);
    }
  });

  Deno.test(`lab ${id} runs to the end with --reference and writes its charts`, async () => {
    const lab = await entry.load();
    const outRoot = await Deno.makeTempDir();
    const result = await runLab(lab, { reference: true, outRoot, print: () => {} });
    assert.equal(result.status, "complete");
    const files = [...Deno.readDirSync(`${outRoot}/${lab.slug}`)].map((f) => f.name);
    assert.ok(files.includes("index.html"));
    assert.ok(files.filter((f) => f.endsWith(".svg")).length >= 1, `charts: ${files}`);
    await Deno.remove(outRoot, { recursive: true });
  });

  Deno.test(`lab ${id} runs to the end on the student's path with the solutions as their code`, async () => {
    const lab = await entry.load();
    const studentRoot = await Deno.makeTempDir();
    await Deno.mkdir(`${studentRoot}/labs/exercises`, { recursive: true });
    for (const file of new Set(lab.exercises.map((e) => e.file))) {
      await Deno.copyFile(
        `${REPO_ROOT}/${file.replace("exercises/", "solutions/")}`,
        `${studentRoot}/${file}`,
      );
    }
    const result = await runLab(lab, { studentRoot, outRoot: studentRoot, print: () => {} });
    assert.equal(result.status, "complete");
    await Deno.remove(studentRoot, { recursive: true });
  });

  Deno.test(`lab ${id} without --reference stops at its first exercise with the hint`, async () => {
    const lab = await entry.load();
    const outRoot = await Deno.makeTempDir();
    const lines: string[] = [];
    const result = await runLab(lab, { outRoot, print: (l) => lines.push(l) });
    assert.equal(result.status, "stopped at an exercise");
    assert.equal(result.stoppedAt?.exercise.id, lab.exercises[0].id);
    assert.ok(lines.join("\n").includes(tr(lab.exercises[0].hint).slice(0, 30)));
    await Deno.remove(outRoot, { recursive: true });
  });
}
