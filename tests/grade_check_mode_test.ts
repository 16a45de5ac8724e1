import assert from "node:assert/strict";
import type { Exercise } from "../lib/exercise.ts";
import { gradeExercise } from "../lib/grade/grade.ts";
import { recordCalls } from "../lib/grade/replay.ts";

/**
 * A catalog whose one exercise passes a class instance to the student's function, which the
 * grader cannot replay across processes: its check has to run inside the sandbox.
 */
const CATALOG_SOURCE = `
import { closeCase } from "${new URL("../lib/exercise.ts", import.meta.url).href}";
class Doubler {
  scale(x) { return 2 * x; }
}
const reference = (f, xs) => xs.map((x) => f.scale(x));
export const CATALOG = [{
  id: "99.1", title: "scale through an object", file: "labs/exercises/99_scale.ts",
  symbol: "scaleAll", hint: "", points: 4, reference,
  check: (impl) => [[1, 2, 3], [-0.5], []].map((xs) =>
    closeCase(\`scaleAll(doubler, [\${xs}])\`, impl(new Doubler(), [...xs]), reference(new Doubler(), xs))),
}];
`;

const STUDENTS: Record<string, string> = {
  right: "export const scaleAll = (f, xs) => xs.map((x) => f.scale(x));",
  wrong: "export const scaleAll = (f, xs) => xs;",
  patcher: "Math.abs = () => 0;\nexport const scaleAll = (f, xs) => xs;",
  prototype_patcher: `Object.defineProperty(Array.prototype, "map", { value: () => [] });
export const scaleAll = (f, xs) => xs;`,
};

async function setUp(student: string): Promise<{ dir: string; exercise: Exercise; url: string }> {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-check-mode-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  await Deno.writeTextFile(`${dir}/catalog.js`, CATALOG_SOURCE);
  await Deno.writeTextFile(`${dir}/labs/exercises/99_scale.ts`, `// @ts-nocheck\n${student}\n`);
  const url = new URL(`file://${dir}/catalog.js`).href;
  const { CATALOG } = await import(url);
  return { dir, exercise: CATALOG[0], url };
}

Deno.test("a check that passes class instances is not replayed but run in the sandbox", async () => {
  const { dir, exercise } = await setUp(STUDENTS.right);
  assert.equal(await recordCalls(exercise), "its arguments are not plain data");
  await Deno.remove(dir, { recursive: true });
});

const EXPECT: Record<string, { status: string; points: number; message: RegExp }> = {
  right: { status: "pass", points: 4, message: /^3\/3 cases pass\.$/ },
  wrong: { status: "fail", points: 1.33, message: /^1\/3 cases pass/ },
  patcher: { status: "error", points: 0, message: /does not load: TypeError/ },
  prototype_patcher: { status: "error", points: 0, message: /does not load: TypeError/ },
};

for (const [name, source] of Object.entries(STUDENTS)) {
  Deno.test(`in-sandbox checks: the ${name} submission is graded ${EXPECT[name].status}`, async () => {
    const { dir, exercise, url } = await setUp(source);
    const result = await gradeExercise(exercise, dir, { timeoutMs: 5000, heapMb: 128 }, url);
    assert.equal(result.status, EXPECT[name].status, result.message);
    assert.equal(result.points, EXPECT[name].points);
    assert.match(result.message, EXPECT[name].message);
    await Deno.remove(dir, { recursive: true });
  });
}
