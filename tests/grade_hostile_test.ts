import assert from "node:assert/strict";
import { CATALOG } from "../labs/catalog/mod.ts";
import { REPO_ROOT } from "../lib/course/exercise.ts";
import { gradeSubmission, type TestResult } from "../lib/grade/grade.ts";
import { buildRelease } from "../lib/grade/release.ts";

/**
 * A small heap makes memory run out fast. The time limit is generous, so that a busy machine
 * cannot turn another failure into a timeout, except for the case that is about time.
 */
const LIMITS = { timeoutMs: 20_000, heapMb: 64 };
const SHORT = { timeoutMs: 5000, heapMb: 64 };
const HOSTILE = `${REPO_ROOT}/tests/hostile`;

type Expect = Partial<Pick<TestResult, "status" | "points">> & { message?: RegExp };
type Case = { "00.1": Expect; "00.2": Expect; output?: RegExp; limits?: typeof LIMITS };

/** Each hostile folder, and what grading must make of its two lab 00 exercises. */
const CASES: Record<string, Case> = {
  loop_forever: {
    limits: SHORT,
    "00.1": { status: "error", points: 0, message: /time limit of 5 s/ },
    "00.2": { status: "pass", points: 3 },
  },
  exhaust_memory: {
    "00.1": { status: "error", points: 0, message: /out of memory/ },
    "00.2": { status: "pass", points: 3 },
  },
  throws: {
    "00.1": { status: "fail", points: 1.6, message: /^4\/5 cases pass.*threw TypeError/ },
    "00.2": { status: "fail", points: 0, message: /threw object: no count for 4 layers/ },
  },
  exit_early: {
    "00.1": { status: "error", points: 0, message: /Deno\.exit/ },
    "00.2": { status: "pass", points: 3 },
  },
  fake_pass_output: {
    "00.1": { status: "fail", points: 0 },
    "00.2": { status: "fail", points: 0 },
    output: /^PASS 00\.1 5\/5 cases pass/,
  },
  flood_output: {
    "00.1": { status: "fail", points: 0 },
    "00.2": { status: "fail", points: 0 },
    output: /^(PASS ){99}/,
  },
  patch_builtins: {
    "00.1": { status: "fail", points: 0 },
    "00.2": { status: "fail", points: 0 },
  },
  patch_assert: {
    "00.1": { status: "fail", points: 0 },
    "00.2": { status: "fail", points: 0 },
  },
  import_library: {
    "00.1": {
      status: "fail",
      points: 0,
      message:
        /imports at run time: expected your own code.*got lib\/layers\/softmax\.ts, lib\/model\/config\.ts\.$/,
    },
    "00.2": {
      status: "fail",
      points: 0,
      message: /got lib\/layers\/softmax\.ts, lib\/model\/config\.ts\.$/,
    },
  },
  import_solution: {
    "00.1": {
      status: "error",
      points: 0,
      message: /does not load: .*read access to .*labs\/solutions/,
    },
    "00.2": {
      status: "error",
      points: 0,
      message: /does not load: .*read access to .*labs\/solutions/,
    },
  },
  forge_report: {
    "00.1": { status: "fail", points: 0 },
    "00.2": { status: "fail", points: 0 },
  },
  read_secrets: {
    "00.1": { status: "fail", points: 0 },
    "00.2": { status: "fail", points: 0 },
    output:
      /^labs\/solutions\/00_intro\.ts: NotCapable\n\.git\/HEAD: NotCapable\ntests\/hostile\/throws: NotCapable\n/,
  },
  edit_files: {
    "00.1": { status: "fail", points: 0 },
    "00.2": { status: "fail", points: 0 },
    output: new RegExp(
      ["write catalog", "write grader", "write results", "remove starter", "read env"]
        .concat(["run process", "open socket"]).map((w) => `${w}: NotCapable\\n`).join(""),
    ),
  },
};

async function fingerprint(paths: string[]): Promise<string[]> {
  return await Promise.all(paths.map(async (p) => {
    const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(p)));
    return `${p} ${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }));
}

Deno.test("every case of tests/hostile has an expectation here", async () => {
  const folders: string[] = [];
  for await (const f of Deno.readDir(HOSTILE)) if (f.isDirectory) folders.push(f.name);
  assert.deepEqual(folders.sort(), Object.keys(CASES).sort());
});

for (const [name, expected] of Object.entries(CASES)) {
  Deno.test(`a hostile submission (${name}) earns only what its answers are worth`, async () => {
    const guarded = [
      `${REPO_ROOT}/labs/catalog/00_intro.ts`,
      `${REPO_ROOT}/lib/grade/replay.ts`,
      `${REPO_ROOT}/labs/exercises/00_intro.ts`,
    ];
    const before = await fingerprint(guarded);
    const report = await gradeSubmission(CATALOG, {
      dir: `${HOSTILE}/${name}`,
      only: "00",
      limits: expected.limits ?? LIMITS,
    });
    assert.deepEqual(await fingerprint(guarded), before);
    for (const id of ["00.1", "00.2"] as const) {
      const got = report.tests.find((t) => t.id === id)!;
      const want = expected[id];
      if (want.status) assert.equal(got.status, want.status, `${id}: ${got.message}`);
      if (want.points !== undefined) assert.equal(got.points, want.points, `${id}: ${got.message}`);
      if (want.message) assert.match(got.message, want.message);
      if (expected.output) assert.match(got.output, expected.output);
      assert.ok(got.output.length <= 500);
    }
  });
}

// Not in the student release (it uses the solutions), so it lives here with the fixtures.
Deno.test("the release refuses starters that already pass", async () => {
  const root = await Deno.makeTempDir();
  await new Deno.Command("git", { args: ["init", "-q"], cwd: root }).output();
  await Deno.mkdir(`${root}/labs/exercises`, { recursive: true });
  for await (const f of Deno.readDir(`${REPO_ROOT}/labs/exercises`)) {
    await Deno.copyFile(
      `${REPO_ROOT}/labs/exercises/${f.name}`,
      `${root}/labs/exercises/${f.name}`,
    );
  }
  await Deno.copyFile(
    `${REPO_ROOT}/labs/solutions/00_intro.ts`,
    `${root}/labs/exercises/00_intro.ts`,
  );
  const out = `${root}-release`;
  await assert.rejects(
    () => buildRelease(CATALOG, out, root),
    /The starters of 00\.1, 00\.2 are not plain starters \(5\/5 cases pass\.\)/,
  );
  await Deno.remove(root, { recursive: true });
  await Deno.remove(out, { recursive: true });
});
