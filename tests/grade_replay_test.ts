import assert from "node:assert/strict";
import type { Exercise } from "../lib/course/exercise.ts";
import { gradeExercise } from "../lib/grade/grade.ts";
import { recordCalls } from "../lib/grade/replay.ts";

/**
 * A catalog of awkward checks: 99.1 passes a class instance to the student's function and 99.2
 * feeds it its own result (neither can be replayed across processes, so both run inside the
 * sandbox); 99.3 has the student write into a buffer it is given (replayed, buffer copied back).
 */
const CATALOG_SOURCE = `
import { closeCase } from "${new URL("../lib/course/exercise.ts", import.meta.url).href}";
class Doubler {
  scale(x) { return 2 * x; }
}
const reference = (f, xs) => xs.map((x) => f.scale(x));
const double = (xs) => xs.map((x) => 2 * x);
export const CATALOG = [{
  id: "99.1", title: "scale through an object", file: "labs/exercises/99_scale.ts",
  symbol: "scaleAll", hint: "", points: 4, reference,
  check: (impl) => [[1, 2, 3], [-0.5], []].map((xs) =>
    closeCase(\`scaleAll(doubler, [\${xs}])\`, impl(new Doubler(), [...xs]), reference(new Doubler(), xs))),
}, {
  // Its second call takes the first call's result, so a wrong answer changes the inputs.
  id: "99.2", title: "double twice", file: "labs/exercises/99_scale.ts",
  symbol: "double", hint: "", points: 1, reference: double,
  check: (impl) => [closeCase("double(double([1, 2]))", impl(impl([1, 2])), [4, 8])],
}, {
  // llm.c style: the result goes into a caller-owned buffer.
  id: "99.3", title: "add into", file: "labs/exercises/99_scale.ts",
  symbol: "addInto", hint: "", points: 1,
  reference: (out, a, b) => a.forEach((x, i) => out[i] = x + b[i]),
  check: (impl) => {
    const out = new Float32Array(3);
    impl(out, new Float32Array([1, 2, 3]), new Float32Array([0.5, 0.5, -1]));
    return [closeCase("addInto(out, [1, 2, 3], [0.5, 0.5, -1])", out, [1.5, 2.5, 2])];
  },
}];
`;

const STUDENTS: Record<string, string> = {
  right: "export const scaleAll = (f, xs) => xs.map((x) => f.scale(x));",
  wrong: "export const scaleAll = (f, xs) => xs;",
  patcher: "Math.abs = () => 0;\nexport const scaleAll = (f, xs) => xs;",
  prototype_patcher: `Object.defineProperty(Array.prototype, "map", { value: () => [] });
export const scaleAll = (f, xs) => xs;`,
  to_json_patcher: `Object.prototype.toJSON = function () { return "same"; };
export const scaleAll = (f, xs) => xs;`,
  global_swapper: `globalThis.Math = { ...Math, abs: () => 0 };
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

Deno.test("a check whose inputs depend on the student's results is run in the sandbox", async () => {
  for (
    const [source, status] of [
      ["export const double = (xs) => xs.map((x) => x * 2);", "pass"],
      ["export const double = (xs) => xs.map((x) => x + 2);", "fail"],
    ]
  ) {
    const { dir, url } = await setUp(source);
    const { CATALOG } = await import(url);
    const result = await gradeExercise(CATALOG[1], dir, { timeoutMs: 5000, heapMb: 128 }, url);
    assert.equal(result.status, status, result.message);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("results written into array arguments travel back from the sandbox", async () => {
  for (
    const [source, status] of [
      [
        "export const addInto = (out, a, b) => { for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i]; };",
        "pass",
      ],
      ["export const addInto = (out, a, b) => a.map((x, i) => x + b[i]);", "fail"],
    ]
  ) {
    const { dir, url } = await setUp(source);
    const { CATALOG } = await import(url);
    assert.equal(typeof await recordCalls(CATALOG[2]), "object");
    const result = await gradeExercise(CATALOG[2], dir, { timeoutMs: 5000, heapMb: 128 }, url);
    assert.equal(result.status, status, result.message);
    await Deno.remove(dir, { recursive: true });
  }
});

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
  to_json_patcher: { status: "error", points: 0, message: /does not load: TypeError/ },
  global_swapper: { status: "error", points: 0, message: /does not load: TypeError/ },
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
