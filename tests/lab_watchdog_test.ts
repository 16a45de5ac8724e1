import assert from "node:assert/strict";
import { ROOT } from "./helpers.ts";

const RUN = `${ROOT}/tests/fixtures/watchdog_run.ts`;

async function run(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string; s: number }> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", RUN, ...args],
    env: { MINIGPT_LANG: "en", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    s: (performance.now() - started) / 1000,
  };
}

Deno.test("the watchdog stops its clock while the student's code calls the lab's functions", async () => {
  // 900 ms of the lab's work inside a call limited to 400 ms of the student's own.
  const sync = await run(["callbacks"]);
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stdout, /returned 900/);
  // 800 ms awaiting the lab's promises.
  const async = await run(["async-callbacks"]);
  assert.equal(async.code, 0, async.stderr);
  assert.match(async.stdout, /returned 800/);
});

Deno.test("an async student function that never settles ends at the limit, in one sentence", async () => {
  const hang = await run(["async-hang"]);
  assert.notEqual(hang.code, 0);
  assert.doesNotMatch(hang.stdout, /returned/);
  assert.match(hang.stderr, /the student's code overran/);
  assert.ok(hang.s < 10, `${hang.s} s`);
});

Deno.test("a parameter count that passes its check but loops on the lab's nano preset stops lab 00", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-watchdog-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  const solution = await Deno.readTextFile(`${ROOT}/labs/solutions/00_intro.ts`);
  // The check never tries 384 channels; the lab's table of presets does (nano).
  const looping = solution.replace(
    "const { vocabSize, blockSize, nLayer, nEmbd: C } = config;",
    "const { vocabSize, blockSize, nLayer, nEmbd: C } = config;\n  while (C === 384) { /* never */ }",
  );
  assert.notEqual(looping, solution);
  await Deno.writeTextFile(`${dir}/labs/exercises/00_intro.ts`, looping);
  const out = await Deno.makeTempDir();
  const lab = await run(["lab", "00", dir, out, "11", "1500"]);
  assert.notEqual(lab.code, 0);
  assert.match(lab.stdout, /✓ exercise 00\.2 .*your code passes/);
  assert.doesNotMatch(lab.stdout, /status:/);
  assert.match(
    lab.stderr,
    /Your countParameters \(exercise 00\.2, labs\/exercises\/00_intro\.ts\) ran for 1\.5 s without returning, so the lab stopped\./,
  );
  assert.ok(lab.s < 30, `${lab.s} s`);
  // The same file without the loop runs the step to its end.
  await Deno.writeTextFile(`${dir}/labs/exercises/00_intro.ts`, solution);
  const fine = await run(["lab", "00", dir, out, "11", "1500"]);
  assert.equal(fine.code, 0, fine.stderr);
  assert.match(fine.stdout, /status: complete/);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(out, { recursive: true });
});
