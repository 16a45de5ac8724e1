import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { CATALOG } from "../labs/catalog/mod.ts";
import { main } from "../main.ts";
import { checkStudent, REPO_ROOT } from "../lib/course/exercise.ts";
import { type GradeReport, gradeSubmission } from "../lib/grade/grade.ts";
import { buildRelease } from "../lib/grade/release.ts";
import { RESULTS_SCHEMA, toJunitXml, toResultsJson } from "../lib/grade/report.ts";

/** A submission folder whose labs/exercises hold the reference solutions. */
async function solutionsSubmission(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-solutions-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  for await (const f of Deno.readDir(`${REPO_ROOT}/labs/solutions`)) {
    await Deno.copyFile(`${REPO_ROOT}/labs/solutions/${f.name}`, `${dir}/labs/exercises/${f.name}`);
  }
  // No lib/ here: the grader lends its own to a submission that is only labs/exercises.
  return dir;
}

Deno.test("grading the starters fails every exercise cleanly, with no points and no error", async () => {
  const report = await gradeSubmission(CATALOG);
  assert.equal(report.tests.length, CATALOG.length);
  for (const t of report.tests) {
    assert.equal(t.status, "fail", `${t.id}: ${t.message}`);
    assert.equal(t.points, 0);
    assert.match(t.message, /^Not started/);
  }
});

const hasSolutions = (() => {
  try {
    return Deno.statSync(`${REPO_ROOT}/labs/solutions`).isDirectory;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "grading the reference solutions gives full marks, and `grade` exits 0",
  // A student release has no solutions to grade.
  ignore: !hasSolutions,
}, async () => {
  const dir = await solutionsSubmission();
  try {
    const report = await gradeSubmission(CATALOG, { dir });
    for (const t of report.tests) assert.equal(t.status, "pass", `${t.id}: ${t.message}`);
    assert.equal(report.points, CATALOG.reduce((s, e) => s + e.points, 0));
    assert.equal(report.points, report.maxPoints);
    assert.equal(await main(["grade", "--dir", dir, "--only", "00"]), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "the student release has no solutions nor hostile fixtures, and keeps the starters",
  // Only the course repository, which has the solutions, makes releases.
  ignore: !hasSolutions,
}, async () => {
  const out = `${await Deno.makeTempDir()}/release`;
  await buildRelease(CATALOG, out);
  const exists = (p: string) => Deno.stat(`${out}/${p}`).then(() => true, () => false);
  assert.equal(await exists("labs/solutions"), false);
  assert.equal(await exists("tests/hostile"), false);
  assert.equal(await exists("main.ts"), true);
  for await (const f of Deno.readDir(`${REPO_ROOT}/labs/exercises`)) {
    const starter = await Deno.readTextFile(`${out}/labs/starters/${f.name}`);
    assert.equal(starter, await Deno.readTextFile(`${REPO_ROOT}/labs/exercises/${f.name}`));
  }
  await Deno.remove(out.slice(0, out.lastIndexOf("/")), { recursive: true });
});

Deno.test({
  name: "a submission that is only labs/exercises needs no lib: `import type` is erased, " +
    "`import { type … }` loads the module and is refused with the fix",
  ignore: !hasSolutions,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-bare-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  const solution = await Deno.readTextFile(`${REPO_ROOT}/labs/solutions/00_intro.ts`);
  await Deno.writeTextFile(`${dir}/labs/exercises/00_intro.ts`, solution);
  let report = await gradeSubmission(CATALOG, { dir, only: "00" });
  for (const t of report.tests) assert.equal(t.status, "pass", `${t.id}: ${t.message}`);
  // `import { type … }`, unlike `import type`, makes Deno load the module at run time.
  const inline = solution.replace(/import type \{ (\w+) \}/, "import { type $1 }");
  assert.notEqual(inline, solution);
  await Deno.writeTextFile(`${dir}/labs/exercises/00_intro.ts`, inline);
  report = await gradeSubmission(CATALOG, { dir, only: "00" });
  for (const t of report.tests) {
    assert.equal(t.status, "fail", `${t.id}: ${t.message}`);
    assert.match(
      t.message,
      /import only types .*\(import type \{ … \}\), got lib\/model\/config\.ts\.$/,
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an exercise file that imports the library's implementations earns nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-borrow-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/labs/exercises/helpers.ts`,
    'export { softmax } from "../../lib/layers/softmax.ts";\n',
  );
  await Deno.writeTextFile(
    `${dir}/labs/exercises/00_intro.ts`,
    'import type { GPTConfig } from "../../lib/model/config.ts";\n' +
      'export { softmax } from "./helpers.ts";\n' +
      "export const countParameters = (c: GPTConfig) => c.nLayer;\n",
  );
  const report = await gradeSubmission(CATALOG, { dir, only: "00" });
  for (const t of report.tests) {
    assert.equal(t.status, "fail", `${t.id}: ${t.message}`);
    assert.equal(t.points, 0);
    assert.equal(
      t.message,
      "what labs/exercises/00_intro.ts imports at run time: expected your own code: import only " +
        "types from the library (import type { … }), got lib/layers/softmax.ts.",
    );
  }
  // The lab itself stops at the same check.
  const result = await checkStudent(CATALOG[0], dir);
  assert.equal(result.status, "fail");
  assert.equal(result.failure?.got, "lib/layers/softmax.ts");
  await Deno.remove(dir, { recursive: true });
});

/** A report with every status and text that XML and JSON must escape. */
const NASTY: GradeReport = {
  submission: "/tmp/x",
  startedAt: "2026-01-02T03:04:05.678Z",
  points: 1.5,
  maxPoints: 5,
  ms: 1234,
  tests: [
    {
      id: "00.1",
      name: "00.1 Softmax",
      status: "pass",
      message: "5/5 cases pass.",
      output: "",
      points: 1.5,
      maxPoints: 2,
      passedCases: 5,
      totalCases: 5,
      failures: [],
      ms: 300,
    },
    {
      id: "00.2",
      name: `00.2 "Counting" <parameters> & more`,
      status: "fail",
      message: '1/4 cases pass. f(<x>): expected 1 & 2, got "3"',
      output: "</testcase></testsuite>]]>\u0000\u0007 lone \ud800 surrogate",
      points: 0,
      maxPoints: 3,
      passedCases: 1,
      totalCases: 4,
      failures: [
        { what: "f(<x>)", expected: "1 & 2", got: '"3"', passed: false },
        { what: "f(y)", expected: "2", got: "]]>", passed: false },
      ],
      ms: 200,
    },
    {
      id: "01.1",
      name: "01.1 Tokens",
      status: "error",
      message: "No result: it ran past the time limit of 10 s.",
      output: "x".repeat(500),
      points: 0,
      maxPoints: 0,
      passedCases: 0,
      totalCases: 0,
      failures: [],
      ms: 10000,
    },
  ],
};

Deno.test("results.json validates against its schema, and the schema rejects a bad status", () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(RESULTS_SCHEMA);
  const json = JSON.parse(JSON.stringify(toResultsJson(NASTY)));
  assert.ok(validate(json), JSON.stringify(validate.errors));
  assert.deepEqual(json.total, { points: 1.5, maxPoints: 5, passed: 1, failed: 1, errors: 1 });
  json.tests[0].status = "passed";
  assert.equal(validate(json), false);
});

Deno.test("the JUnit XML is well-formed: testsuites › testsuite per lab › testcase, failure, error", () => {
  const xml = toJunitXml(NASTY);
  assert.equal(XMLValidator.validate(xml), true);
  const doc = new XMLParser({
    ignoreAttributes: false,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && name !== "testsuites",
  }).parse(xml);
  const suites = doc.testsuites;
  assert.equal(suites["@_tests"], "3");
  assert.equal(suites["@_failures"], "1");
  assert.equal(suites["@_errors"], "1");
  assert.deepEqual(suites.testsuite.map((s: Record<string, string>) => s["@_name"]), [
    "lab 00",
    "lab 01",
  ]);
  const [lab00, lab01] = suites.testsuite;
  assert.equal(lab00["@_timestamp"], "2026-01-02T03:04:05");
  assert.equal(lab00.testcase.length, 2);
  assert.equal(lab00.testcase[0].failure, undefined);
  assert.equal(lab00.testcase[1]["@_name"], `00.2 "Counting" <parameters> & more`);
  assert.match(lab00.testcase[1].failure[0]["@_message"], /^1\/4 cases pass/);
  assert.equal(
    lab00.testcase[1].failure[0]["#text"],
    'f(<x>)\n  expected 1 & 2\n  got      "3"\nf(y)\n  expected 2\n  got      ]]>',
  );
  assert.match(lab00.testcase[1]["system-out"][0], /<\/testcase><\/testsuite>\]\]>/);
  assert.match(lab01.testcase[0].error[0]["@_message"], /time limit/);
});

Deno.test("the JUnit check itself rejects XML that is not well-formed", () => {
  assert.notEqual(XMLValidator.validate("<testsuites><testsuite></testsuites>"), true);
});
