import assert from "node:assert/strict";
import { READING_LIST } from "../lib/course/reading.ts";
import {
  hasStackTrace,
  labChartProblems,
  ROOT,
  runCli,
  svgErrors,
  vegaLiteErrors,
} from "./helpers.ts";

async function filesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  return names.sort();
}

Deno.test("lab 00 writes valid charts and an index, then hands over at the first exercise", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "minigpt-lab00-" });
  const run = await runCli(["lab", "00"], { cwd });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /Your turn · exercise 00\.1/);
  assert.match(run.stdout, /hint: /);
  assert.match(run.stdout, /expected\s+\[0\.659/);
  assert.match(run.stdout, /deno task lab 00 --from 10/);
  assert.ok(!hasStackTrace(run.stdout + run.stderr), run.stdout + run.stderr);
  // The whole introduction ran before the hand-over.
  for (let i = 1; i <= 10; i++) assert.match(run.stdout, new RegExp(`Step ${i}/12`));
  assert.doesNotMatch(run.stdout, /Step 11\/12/);

  const dir = `${cwd}/out/00_intro`;
  const files = await filesIn(dir);
  const svgs = files.filter((f) => f.endsWith(".svg"));
  const specs = files.filter((f) => f.endsWith(".vl.json"));
  assert.ok(svgs.length >= 2 && specs.length >= 2, files.join(", "));
  for (const f of svgs) assert.equal(svgErrors(await Deno.readTextFile(`${dir}/${f}`)), "", f);
  assert.deepEqual(await labChartProblems(dir), []);
  for (const f of specs) {
    assert.equal(await vegaLiteErrors(JSON.parse(await Deno.readTextFile(`${dir}/${f}`))), "", f);
  }
  const index = await Deno.readTextFile(`${dir}/index.html`);
  for (const f of [...svgs, ...specs]) {
    assert.ok(index.includes(f), `index.html does not name ${f}`);
  }
  assert.doesNotMatch(index, /(src|href)="https?:/, "index.html must not fetch anything");
  const top = await Deno.readTextFile(`${cwd}/out/index.html`);
  assert.match(top, /href="00_intro\/index.html"/);
});

Deno.test("lab 00 --reference runs to the end and exits 0", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "minigpt-lab00-" });
  const run = await runCli(["lab", "00", "--reference"], { cwd });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Step 12\/12/);
  assert.match(run.stdout, /Lab 00 complete/);
  // The reading list, one row each, the same one lab 12 closes on.
  for (const r of READING_LIST) assert.ok(run.stdout.includes(r.title), r.title);
  assert.match(run.stdout, /mini\s+6\s+256\s+4,788,480\s+6,051,840/);
});

Deno.test("an unknown lab exits 2 with one sentence naming the labs that exist", async () => {
  const run = await runCli(["lab", "99"]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /no lab "99".*00/);
});

Deno.test("--from outside the lab's steps exits 2 and names the range", async () => {
  const run = await runCli(["lab", "00", "--from", "40"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /steps 1 to 12/);
  assert.ok(!hasStackTrace(run.stderr));
});

Deno.test("--step without a terminal says once that it will not wait, and still runs", async () => {
  const run = await runCli(["lab", "00", "--step", "--reference", "--from", "9"], {
    stdin: "\n\n",
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.match(/stdin is not a terminal/g)?.length, 1);
  assert.match(run.stdout, /Step 12\/12/);
});

Deno.test("lab 00 with solved exercises runs to the end using the student's code", async () => {
  // A student folder whose exercise file holds the reference solutions.
  const cwd = await Deno.makeTempDir({ prefix: "minigpt-solved-" });
  await Deno.mkdir(`${cwd}/labs/exercises`, { recursive: true });
  await Deno.copyFile(`${ROOT}/labs/solutions/00_intro.ts`, `${cwd}/labs/exercises/00_intro.ts`);
  await Deno.symlink(`${ROOT}/lib`, `${cwd}/lib`);
  const { runLab } = await import("../lib/course/lab.ts");
  const { lab } = await import("../labs/00_intro.ts");
  const lines: string[] = [];
  const result = await runLab(lab, {
    outRoot: `${cwd}/out`,
    studentRoot: cwd,
    print: (l) => lines.push(l),
  });
  assert.equal(result.status, "complete", lines.join("\n"));
  assert.match(lines.join("\n"), /✓ exercise 00\.1/);
  assert.match(lines.join("\n"), /✓ exercise 00\.2/);
});
