/**
 * The grader's sandbox and what surrounds it: options checked where they enter, the self-check,
 * reports always written, the class workflow's grader source, the own-code check failing
 * closed, and the lab running the student's code under the grader's time limit.
 */
import assert from "node:assert/strict";
import { main } from "../main.ts";
import { CATALOG } from "../labs/catalog/mod.ts";
import { findLab } from "../labs/mod.ts";
import { checkStudent, REPO_ROOT } from "../lib/course/exercise.ts";
import { runLab } from "../lib/course/lab.ts";
import { gradeSubmission } from "../lib/grade/grade.ts";
import { sandboxedCheck } from "../lib/grade/lab_check.ts";
import { gradeOption } from "../lib/grade/options.ts";
import { GraderError } from "../lib/grade/replay.ts";
import { JUNIT_MAX_BYTES, RESULTS_MAX_BYTES } from "../lib/grade/report.ts";

const STARTER = await Deno.readTextFile(`${REPO_ROOT}/labs/exercises/00_intro.ts`);

/** A submission holding lab 00's starter with `softmax`'s body replaced by `body`. */
async function withSoftmax(body: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-sandbox-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  const file = STARTER.replace(
    /(export function softmax\([^)]*\)[^{]*\{)[^}]*\}/,
    `$1\n${body}\n}`,
  );
  assert.notEqual(file, STARTER);
  await Deno.writeTextFile(`${dir}/labs/exercises/00_intro.ts`, file);
  return dir;
}

Deno.test("`grade --jobs`, `--timeout`, `--heap` take whole numbers in range, or exit 2", async () => {
  const bad = [
    ["--jobs", "1e9"],
    ["--jobs", "0.5"],
    ["--jobs", "0"],
    ["--jobs", "17"],
    ["--timeout", "1e7"],
    ["--timeout", "0.01"],
    ["--timeout", "601"],
    ["--heap", "0.5"],
    ["--heap", "63"],
    ["--heap", "abc"],
  ];
  for (const flag of bad) {
    const started = performance.now();
    assert.equal(
      await main(["grade", "--dir", REPO_ROOT, "--only", "00.1", ...flag]),
      2,
      flag.join(" "),
    );
    // Refused where it enters: no sandbox was started.
    assert.ok(performance.now() - started < 2000, flag.join(" "));
    assert.throws(
      () => gradeOption(flag[0].slice(2) as "jobs", flag[1]),
      new RegExp(`^UserError: ${flag[0]} takes a whole number from \\d+ to \\d+ \\(`),
    );
  }
});

Deno.test("a sandbox that cannot answer in time is the grader's error, not the student's", async () => {
  await assert.rejects(
    () => gradeSubmission(CATALOG, { only: "00.1", limits: { timeoutMs: 10, heapMb: 128 } }),
    (err: Error) => err instanceof GraderError && /sandbox does not work/.test(err.message),
  );
});

Deno.test("a malformed report fails its exercise and results.json and JUnit are still written", async () => {
  const out = await Deno.makeTempDir();
  const code = await main([
    "grade",
    "--dir",
    `${REPO_ROOT}/tests/hostile/malformed_report`,
    "--only",
    "00",
    "--json",
    `${out}/results.json`,
    "--junit",
    `${out}/results.xml`,
  ]);
  assert.equal(code, 1);
  const json = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
  assert.deepEqual(json.tests.map((t: { status: string }) => t.status), ["fail", "fail"]);
  assert.ok((await Deno.stat(`${out}/results.json`)).size <= RESULTS_MAX_BYTES);
  assert.ok((await Deno.stat(`${out}/results.xml`)).size <= JUNIT_MAX_BYTES);
  await Deno.remove(out, { recursive: true });
});

Deno.test("the class workflow takes the grader from the course repository, pinned", async () => {
  const workflow = await Deno.readTextFile(`${REPO_ROOT}/.github/workflows/grade.yml`);
  const grader = workflow.slice(workflow.indexOf("Check out the grader"));
  const checkout = grader.slice(0, grader.indexOf("\n\n"));
  assert.match(checkout, /repository: \$\{\{ vars\.MINIGPT_COURSE_REPO \}\}\n/);
  assert.match(checkout, /ref: \$\{\{ vars\.MINIGPT_COURSE_REF \}\}\n/);
  assert.doesNotMatch(workflow, /github\.repository \}\}|\|\| github\.repository/);
  // The job stops when the course is not named, before anything is graded.
  assert.ok(
    workflow.indexOf("MINIGPT_COURSE_REF (a tag or commit)") < workflow.indexOf("- name: Grade"),
  );
  assert.match(workflow, /deno task grade --dir \.\.\/submission/);
  assert.match(workflow, /working-directory: grader/);
});

Deno.test("the own-code check fails closed when deno info cannot run", async () => {
  const dir = await withSoftmax("  return scores;");
  // In a process of its own: a PATH with nothing on it, set here, would also break the spawns of
  // the test files running beside this one in this process.
  const module = new URL("../lib/course/own_code.ts", import.meta.url).href;
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const { ownCode } = await import(${JSON.stringify(module)});` +
      `console.log((await ownCode("labs/exercises/00_intro.ts", ${JSON.stringify(dir)})).kind);`,
    ],
    env: { PATH: "/nonexistent" },
  }).output();
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout).trim(), "unverified");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a link in labs/exercises is not the student's own code, in the lab too", async () => {
  const dir = await withSoftmax("  return helper(scores);");
  const file = `${dir}/labs/exercises/00_intro.ts`;
  await Deno.writeTextFile(
    file,
    `import { helper } from "./helper.ts";\n${await Deno.readTextFile(file)}`,
  );
  await Deno.symlink(`${REPO_ROOT}/lib/layers/softmax.ts`, `${dir}/labs/exercises/helper.ts`);
  const result = await checkStudent(CATALOG[0], dir);
  assert.equal(result.status, "fail");
  assert.equal(result.failure?.got, "labs/exercises/helper.ts");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("`lab 00 --from 10` with an endless softmax ends at the time limit, in one sentence", async () => {
  const dir = await withSoftmax("  while (true) {}");
  const lines: string[] = [];
  const started = performance.now();
  const result = await runLab(await findLab("00")!.load(), {
    from: 10,
    studentRoot: dir,
    outRoot: await Deno.makeTempDir(),
    print: (line) => lines.push(line),
    check: sandboxedCheck({ timeoutMs: 3000, heapMb: 128 }),
  });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(result.status, "stopped at an exercise");
  assert.ok(seconds < 3 + 4, `${seconds} s`);
  assert.match(lines.join("\n"), /got\s+it ran past the time limit of 3 s\./);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a syntax error is shown at its file:line:column with the line itself", async () => {
  const dir = await withSoftmax("  const stray = 1);");
  const result = await sandboxedCheck({ timeoutMs: 10_000, heapMb: 128 })(CATALOG[0], dir);
  assert.equal(result.status, "fail");
  const line = STARTER.slice(0, STARTER.indexOf("export function softmax")).split("\n").length + 1;
  assert.equal(
    result.failure?.got,
    `labs/exercises/00_intro.ts:${line}:18 does not load: SyntaxError: Expected a semicolon\n` +
      "      const stray = 1);\n" +
      "                     ^",
  );
  await Deno.remove(dir, { recursive: true });
});
