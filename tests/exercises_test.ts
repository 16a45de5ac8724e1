import { tr } from "../lib/i18n.ts";
import assert from "node:assert/strict";
import { CATALOG } from "../labs/catalog/mod.ts";
import { checkStudent, runCheck } from "../lib/course/exercise.ts";
import { ROOT } from "./helpers.ts";

Deno.test("every exercise id is unique and well formed, with a hint and points", () => {
  const ids = CATALOG.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const e of CATALOG) {
    assert.match(e.id, /^\d\d\.\d+$/);
    assert.ok(tr(e.hint).length > 20 && e.points > 0, e.id);
    assert.ok(e.file.startsWith("labs/exercises/"), e.id);
  }
});

/** The solutions as a student's files: a submission whose labs/exercises holds them. */
const SOLVED = await Deno.makeTempDir({ prefix: "minigpt-solved-" });
await Deno.mkdir(`${SOLVED}/labs/exercises`, { recursive: true });
for await (const f of Deno.readDir(`${ROOT}/labs/solutions`)) {
  await Deno.copyFile(`${ROOT}/labs/solutions/${f.name}`, `${SOLVED}/labs/exercises/${f.name}`);
}
globalThis.addEventListener("unload", () => Deno.removeSync(SOLVED, { recursive: true }));

for (const ex of CATALOG) {
  Deno.test(`exercise ${ex.id}: the library reference passes its own check`, async () => {
    const r = await runCheck(ex, ex.reference);
    assert.equal(r.status, "pass", JSON.stringify(r.failure));
    assert.ok(r.cases.length >= 2, "a check should try more than one input");
  });

  Deno.test(`exercise ${ex.id}: the starter is reported as not started`, async () => {
    const r = await checkStudent(ex);
    assert.equal(r.status, "todo", JSON.stringify(r.failure));
    assert.match(r.failure!.got, /not written yet/);
  });

  Deno.test(`exercise ${ex.id}: the reference solution passes`, async () => {
    const r = await checkStudent(ex, SOLVED);
    assert.equal(r.status, "pass", JSON.stringify(r.failure));
  });
}

Deno.test("a wrong answer fails with the input, the expected value and what came back", async () => {
  const ex = CATALOG.find((e) => e.id === "00.1")!;
  const r = await runCheck(ex, (xs: number[]) => xs.map(() => 1 / xs.length));
  assert.equal(r.status, "fail");
  assert.equal(r.failure!.what, "softmax([2, 1, 0.1])");
  assert.match(r.failure!.got, /differs at index 0/);
});

Deno.test("code that throws something other than TODO counts as failing, not as not started", async () => {
  const ex = CATALOG.find((e) => e.id === "00.1")!;
  const r = await runCheck(ex, () => {
    throw new RangeError("oops");
  });
  assert.equal(r.status, "fail");
  assert.match(r.failure!.got, /RangeError: oops/);
});
