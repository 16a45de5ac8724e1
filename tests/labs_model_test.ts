import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { findExercise } from "../labs/catalog/mod.ts";
import { findLab } from "../labs/mod.ts";
import { type AnyFunction, REPO_ROOT, runCheck } from "../lib/course/exercise.ts";
import { runLab } from "../lib/course/lab.ts";
import {
  assertStopsAtFirstExercise,
  labChartProblems,
  solvedStudentRoot,
  stepOutput,
} from "./helpers.ts";

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
    assert.deepEqual(await labChartProblems(`${outRoot}/${lab.slug}`), []);
    await Deno.remove(outRoot, { recursive: true });
  });

  Deno.test(`lab ${id} runs to the end on the student's path with the solutions as their code`, async () => {
    const lab = await entry.load();
    const studentRoot = await solvedStudentRoot(lab);
    const result = await runLab(lab, { studentRoot, outRoot: studentRoot, print: () => {} });
    assert.equal(result.status, "complete");
    await Deno.remove(studentRoot, { recursive: true });
  });

  Deno.test(`lab ${id} without --reference stops at its first exercise with the hint`, async () => {
    const lab = await entry.load();
    const outRoot = await Deno.makeTempDir();
    await assertStopsAtFirstExercise(lab, outRoot);
    await Deno.remove(outRoot, { recursive: true });
  });
}

Deno.test("lab 07 names our GPT's choices beside the alternatives, with their costs computed", async () => {
  const lab = await findLab("07")!.load();
  const text = await stepOutput(lab, "Our GPT's choices, and the alternatives");
  for (const row of ["LayerNorm | pre-norm", "GELU | ReLU", "tied to wte |", "learned wpe |"]) {
    assert.ok(text.includes(row), row);
  }
  // GELU(−1) = −0.5·(1 − tanh(√(2/π)·(1 − 0.044715))) ≈ −0.159; GPT-2's head is 50,257 × 768.
  assert.match(text, /f\(−1\) = -0\.159, slope -0\.083 vs 0, 0/);
  assert.match(text, /\+38\.6M in GPT-2/);
  assert.match(text, /wpe: 1,024 here, 786,432 in GPT-2/);
  assert.match(text, /saving 31% of GPT-2's parameters/);
});

Deno.test("lab 02's analogies rank the expected answer, and its contextual step shows one row, context-dependent vectors", async () => {
  const lab = await findLab("02")!.load();
  const text = await stepOutput(lab, "Analogies: king − man + woman");
  const rows = text.split("\n").filter((l) => / − .* \+ /.test(l) && l.includes(" | "));
  assert.ok(rows.length >= 4, text);
  for (const row of rows) assert.match(row, /\| (\d+|not found)$/);
  assert.match(text, /\d+ of \d+ land on the expected word first/);
  const ctx = await stepOutput(lab, "Fixed vectors, contextual vectors: the bridge to attention");
  assert.equal(ctx.match(/ \| the same \| /g)?.length, 4);
  const [, within, across] = ctx.match(
    /mean cosine of (-?[\d.]+) with each other, against (-?[\d.]+)/,
  )!;
  assert.ok(Number(within) > Number(across), `${within} vs ${across}`);
});
