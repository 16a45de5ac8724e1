import assert from "node:assert/strict";
import { exercises } from "../labs/catalog/01_tokenization.ts";
import { FRENCH } from "../labs/01_tokenization.ts";
import { findLab } from "../labs/mod.ts";
import * as solutions from "../labs/solutions/01_tokenization.ts";
import { type AnyFunction, checkStudent, runCheck } from "../lib/course/exercise.ts";
import { runLab } from "../lib/course/lab.ts";
import { gpt2Tokenizer } from "../lib/tokenizer/mod.ts";
import { assertChartsValid, assertStopsAtFirstExercise, labChartProblems } from "./helpers.ts";

const solved = solutions as unknown as Record<string, AnyFunction>;

Deno.test("lab 01 has the five exercises: pairs, one merge, training, encode, decode", () => {
  assert.deepEqual(exercises.map((e) => e.symbol), [
    "countPairs",
    "mergePair",
    "trainMerges",
    "encode",
    "decode",
  ]);
});

for (const ex of exercises) {
  Deno.test(`exercise ${ex.id}: the starter is not started, the solution and the reference pass`, async () => {
    const starter = await checkStudent(ex);
    assert.equal(starter.status, "todo", `${ex.id} starter: ${starter.failure?.got}`);
    const solution = await runCheck(ex, solved[ex.symbol]);
    assert.equal(solution.status, "pass", `${ex.id} solution: ${JSON.stringify(solution.failure)}`);
    const reference = await runCheck(ex, ex.reference);
    assert.equal(
      reference.status,
      "pass",
      `${ex.id} reference: ${JSON.stringify(reference.failure)}`,
    );
  });
}

Deno.test("plausible mistakes fail their checks", async () => {
  const byId = (id: string) => exercises.find((e) => e.id === id)!;
  // Counts each pair once, however often it occurs.
  const setOfPairs = (ids: number[]) =>
    new Map(ids.slice(1).map((b, i) => [`${ids[i]},${b}`, 1] as [string, number]));
  // Merges overlapping occurrences: [7, 7, 7] would lose a 7.
  const overlapping = (ids: number[], a: number, b: number, id: number) =>
    ids.flatMap((x, i) =>
      x === a && ids[i + 1] === b ? [id] : ids[i - 1] === a && x === b ? [] : [x]
    );
  // Breaks ties by the larger pair.
  const wrongTies = (chunks: string[], vocabSize: number) => {
    const merges = solutions.trainMerges(chunks, vocabSize);
    return merges.length > 1 ? [merges[1], merges[0], ...merges.slice(2)] : merges;
  };
  // Applies merges left to right instead of earliest-learnt first.
  const leftmostFirst = (text: string, merges: [number, number][]) => {
    let ids = [...new TextEncoder().encode(text)];
    for (let changed = true; changed;) {
      changed = false;
      for (let i = 0; i + 1 < ids.length && !changed; i++) {
        const m = merges.findIndex(([a, b]) => a === ids[i] && b === ids[i + 1]);
        if (m >= 0) [ids, changed] = [solutions.mergePair(ids, ...merges[m], 256 + m), true];
      }
    }
    return ids;
  };
  // Decodes each id on its own, so split characters become U+FFFD.
  const perToken = (ids: number[], merges: [number, number][]) =>
    ids.map((id) => solutions.decode([id], merges)).join("");
  for (
    const [id, impl] of [
      ["01.1", setOfPairs],
      ["01.2", overlapping],
      ["01.3", wrongTies],
      ["01.4", leftmostFirst],
      ["01.5", perToken],
    ] as [string, AnyFunction][]
  ) {
    assert.equal((await runCheck(byId(id), impl)).status, "fail", `${id} accepted a mistake`);
  }
});

Deno.test("lab 01 stops at exercise 01.1 with the starters and runs to the end with --reference", async () => {
  // An empty data folder: the lab must fall back on the project's own sample text.
  Deno.env.set("MINIGPT_DATA", await Deno.makeTempDir());
  const lab = await findLab("01")!.load();
  const outRoot = await Deno.makeTempDir();
  const lines: string[] = [];
  await assertStopsAtFirstExercise(lab, outRoot, lines);
  const reference = await runLab(lab, { outRoot, reference: true, print: (l) => lines.push(l) });
  assert.equal(reference.status, "complete");
  assert.equal(reference.stepsRun, lab.steps.length);
  await assertChartsValid(`${outRoot}/01_tokenization`, ["compression", "token_lengths"]);
  assert.deepEqual(await labChartProblems(`${outRoot}/01_tokenization`), []);
  const output = lines.join("\n");
  assert.match(output, /multilingual sample/);
  assert.match(output, /same ids on the whole corpus/);
  assert.doesNotMatch(output, /\bNO\b|DIFFER/);
  // Word level: nothing lost on its own text, words lost on the unseen rest.
  assert.match(output, /the 90% it was built on\s+[\d,]+\s+0\s+0\.0%/);
  const unseen = output.match(/the last 10%, unseen\s+[\d,]+\s+([\d,]+)/)!;
  assert.ok(Number(unseen[1]) > 0, unseen[0]);
  // The side-by-side table: the characters count every character, GPT-2 its own ids.
  const gpt2 = (await gpt2Tokenizer()).encodeOrdinary(FRENCH).length;
  assert.match(output, new RegExp(`characters\\s+every character\\s+${[...FRENCH].length}\\s`));
  assert.match(output, new RegExp(`BPE, GPT-2\\s+50,257\\s+${gpt2}\\s`));
  assert.match(output, /" the"\s+Ġthe/);
  const code = (name: string) =>
    Number(output.match(new RegExp(`${name}\\s+(\\d+)\\s+"function"`))![1]);
  assert.ok(code("GPT-4 \\(cl100k\\)") < code("GPT-2"));
});
