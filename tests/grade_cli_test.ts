import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { XMLValidator } from "fast-xml-parser";
import { main } from "../main.ts";
import { CATALOG } from "../labs/catalog/mod.ts";
import { type Exercise, REPO_ROOT } from "../lib/course/exercise.ts";
import { GraderError, recordCalls } from "../lib/grade/replay.ts";
import { RESULTS_SCHEMA } from "../lib/grade/report.ts";
import { hasStackTrace, inFrench, runCli } from "./helpers.ts";

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
  await inFrench(() =>
    assert.rejects(
      () => recordCalls(broken as Exercise),
      /^GraderError: La référence de l'exercice 99\.1 échoue à sa propre vérification sur f\(1\)\.$/,
    )
  );
});

Deno.test("`grade --lang fr` says what is wrong with its options in French, exit 2", async () => {
  const nowhere = `${REPO_ROOT}/no/such/folder/results.json`;
  const cases: [string[], RegExp][] = [
    [["--only", "99"], /^--only 99 ne choisit aucun exercice : les exercices sont 00\.1, 00\.2/],
    [
      ["--jobs", "0"],
      /^--jobs prend un nombre entier de 1 à 16 \(exercices à la fois\), pas « 0 » : par exemple --jobs 2\.$/,
    ],
    [["--timeout", "0"], /^--timeout prend un nombre entier de 1 à 600 \(secondes\), pas « 0 »/],
    [
      ["--only", "00.1", "--json", nowhere],
      /^Impossible d'écrire .*results\.json : son dossier n'existe pas ; donne un chemin dans un dossier existant\.$/m,
    ],
  ];
  for (const [args, french] of cases) {
    const run = await runCli(["grade", "--dir", REPO_ROOT, ...args, "--lang", "fr"]);
    const what = `${args.join(" ")}: ${run.stderr}`;
    assert.equal(run.code, 2, what);
    assert.match(run.stderr.trim(), french, what);
    assert.ok(!hasStackTrace(run.stderr), what);
  }
  await assert.rejects(Deno.stat(`${REPO_ROOT}/no`), Deno.errors.NotFound);
  // The sandboxed child speaks the parent's language too.
  const dir = await Deno.makeTempDir({ prefix: "minigpt-grade-fr-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  await Deno.writeTextFile(`${dir}/labs/exercises/00_intro.ts`, "export const other = 1;\n");
  const run = await runCli(["grade", "--dir", dir, "--only", "00.1", "--lang", "fr"]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stdout,
    /00\.1\s+erreur\s+0\/2\s+labs\/exercises\/00_intro\.ts ne se charge pas : il n'exporte pas de fonction nommée softmax/,
  );
  assert.match(run.stderr, /corrigé 00\.1 : erreur/);
  await Deno.remove(dir, { recursive: true });
});
