import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { XMLValidator } from "fast-xml-parser";
import { main } from "../main.ts";
import { CATALOG } from "../labs/catalog/mod.ts";
import { type Exercise, REPO_ROOT } from "../lib/course/exercise.ts";
import { GraderError, recordCalls } from "../lib/grade/replay.ts";
import { RESULTS_SCHEMA } from "../lib/grade/report.ts";

Deno.test("`grade` on the starters exits 1 and writes valid results.json and JUnit files", async () => {
  const dir = await Deno.makeTempDir();
  const code = await main([
    "grade",
    "--dir",
    REPO_ROOT,
    "--json",
    `${dir}/results.json`,
    "--junit",
    `${dir}/results.xml`,
  ]);
  assert.equal(code, 1);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/results.json`));
  const validate = new Ajv().compile(RESULTS_SCHEMA);
  assert.ok(validate(json), JSON.stringify(validate.errors));
  assert.equal(json.tests.length, CATALOG.length);
  assert.equal(json.total.maxPoints, CATALOG.reduce((s, e) => s + e.points, 0));
  assert.equal(json.total.failed, CATALOG.length);
  assert.equal(XMLValidator.validate(await Deno.readTextFile(`${dir}/results.xml`)), true);
  // Written atomically: nothing but the two reports is left in the folder.
  const left = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  assert.deepEqual(left, ["results.json", "results.xml"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("`grade` exits 2 when it cannot run: no submission, nothing selected, nowhere to write", async () => {
  assert.equal(await main(["grade", "--dir", `${REPO_ROOT}/no/such/folder`]), 2);
  assert.equal(await main(["grade", "--dir", REPO_ROOT, "--only", "42"]), 2);
  assert.equal(await main(["grade", "--dir", REPO_ROOT, "--timeout", "0"]), 2);
  const nowhere = `${REPO_ROOT}/no/such/folder/results.json`;
  assert.equal(await main(["grade", "--dir", REPO_ROOT, "--only", "00.1", "--json", nowhere]), 2);
  await assert.rejects(Deno.stat(`${REPO_ROOT}/no`), Deno.errors.NotFound);
});

Deno.test("a check that fails on its own reference is the grader's error, not the student's", async () => {
  const broken: Exercise<(x: number) => number> = {
    id: "99.1",
    title: "broken",
    file: "labs/exercises/99.ts",
    symbol: "f",
    hint: "",
    points: 1,
    reference: (x) => x + 1,
    check: (f) => [{ what: "f(1)", expected: "3", got: String(f(1)), passed: f(1) === 3 }],
  };
  await assert.rejects(() => recordCalls(broken as Exercise), GraderError);
});
