import assert from "node:assert/strict";
import type { Exercise } from "../lib/course/exercise.ts";
import { closeCase } from "../lib/course/cases.ts";
import { runLab, step } from "../lib/course/lab.ts";

Deno.test("an exercise used by several steps is announced as passing once", async () => {
  const double: Exercise<(x: number) => number> = {
    id: "98.1",
    title: "Double",
    file: "labs/exercises/98_demo.ts",
    symbol: "double",
    hint: "",
    points: 1,
    reference: (x) => 2 * x,
    check: (f) => [closeCase("double(2)", f(2), 4)],
  };
  const use = step("Use it", async (ctx) => {
    const f = await ctx.exercise<(x: number) => number>("98.1");
    ctx.say(`double(3) = ${f(3)}`);
  });
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/labs/exercises`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/${double.file}`,
    "export function double(x: number): number { return x + x; }\n",
  );
  const lines: string[] = [];
  const result = await runLab(
    { id: "98", slug: "98_demo", title: "Demo", exercises: [double], steps: [use, use, use] },
    { outRoot: root, studentRoot: root, print: (l) => lines.push(l) },
  );
  assert.equal(result.status, "complete");
  const output = lines.join("\n");
  assert.equal(output.match(/exercise 98\.1 · Double: your code passes/g)?.length, 1, output);
  assert.equal(output.match(/double\(3\) = 6/g)?.length, 3);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a long array's first difference is shown with its neighbours", () => {
  const expected = Array.from({ length: 40 }, (_, i) => i);
  const got = expected.map((x) => (x === 20 ? -1 : x));
  const c = closeCase("f()", got, expected);
  assert.equal(c.passed, false);
  assert.match(
    c.got,
    /differs at index 20: -1 vs 20; indices 18 to 22: \[18, 19, -1, 21, 22\] vs \[18, 19, 20, 21, 22\]/,
  );
  // A short array is shown whole already.
  assert.doesNotMatch(closeCase("f()", [1, 3], [1, 2]).got, /indices/);
});
