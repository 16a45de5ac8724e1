import assert from "node:assert/strict";
import { CATALOG } from "../labs/catalog/mod.ts";
import { REPO_ROOT } from "../lib/course/exercise.ts";
import { type GradeReport, gradeSubmission, type TestResult } from "../lib/grade/grade.ts";
import { buildRelease } from "../lib/grade/release.ts";
import { renderTable, toJunitXml, toResultsJson } from "../lib/grade/report.ts";
import { JUNIT_MAX_BYTES, RESULTS_MAX_BYTES } from "../lib/grade/report.ts";

/**
 * A small heap makes memory run out fast. The time limit is generous, so that a busy machine
 * cannot turn another failure into a timeout, except for the case that is about time.
 */
const LIMITS = { timeoutMs: 20_000, heapMb: 64 };
const SHORT = { timeoutMs: 5000, heapMb: 64 };
const HOSTILE = `${REPO_ROOT}/tests/hostile`;
const SOLUTION = `${REPO_ROOT}/labs/solutions/00_intro.ts`;

type Expect = Partial<Pick<TestResult, "status" | "points">> & { message?: RegExp };
interface Case {
  /** What grading must make of each exercise graded (`only`, default lab 00). */
  expect: Record<string, Expect>;
  only?: string;
  output?: RegExp;
  limits?: typeof LIMITS;
  /** Turns the copy of the fixture in `dir` into the submission; returns its folder. */
  prepare?: (dir: string) => Promise<string>;
  /** More to check on the whole report. */
  report?: (report: GradeReport) => void;
}

const lab00 = (e00: Expect, e01: Expect = e00) => ({ "00.1": e00, "00.2": e01 });
const NOTHING = { status: "fail", points: 0 } as const;
const exercise = (dir: string) => `${dir}/labs/exercises/00_intro.ts`;

/** Each hostile folder, and what grading must make of it. */
const CASES: Record<string, Case> = {
  loop_forever: {
    limits: SHORT,
    expect: lab00({ status: "error", points: 0, message: /time limit of 5 s/ }, {
      status: "pass",
      points: 3,
    }),
  },
  exhaust_memory: {
    expect: lab00({ status: "error", points: 0, message: /out of memory/ }, {
      status: "pass",
      points: 3,
    }),
  },
  throws: {
    expect: lab00(
      { status: "fail", points: 1.6, message: /^4\/5 cases pass.*threw TypeError/ },
      { status: "fail", points: 0, message: /threw object: no count for 4 layers/ },
    ),
  },
  exit_early: {
    expect: lab00({ status: "error", points: 0, message: /Deno\.exit/ }, {
      status: "pass",
      points: 3,
    }),
  },
  fake_pass_output: { expect: lab00(NOTHING), output: /^PASS 00\.1 5\/5 cases pass/ },
  flood_output: { expect: lab00(NOTHING), output: /^(PASS ){99}/ },
  patch_builtins: { expect: lab00(NOTHING) },
  patch_assert: { expect: lab00(NOTHING) },
  import_library: {
    expect: lab00({
      ...NOTHING,
      message:
        /imports at run time: expected your own code.*got \.\.\/\.\.\/\.\.\/\.\.\/\.\.\/lib\/layers\/softmax\.ts, \.\.\/\.\.\/\.\.\/\.\.\/\.\.\/lib\/model\/config\.ts\.$/,
    }),
  },
  import_solution: {
    expect: lab00({
      status: "error",
      points: 0,
      message: /does not load: .*read access to .*labs\/solutions/,
    }),
  },
  forge_report: { expect: lab00(NOTHING) },
  read_secrets: {
    expect: lab00(NOTHING),
    output:
      /^labs\/solutions\/00_intro\.ts: NotCapable\n\.git\/HEAD: NotCapable\ntests\/hostile\/throws: NotCapable\n/,
  },
  edit_files: {
    expect: lab00(NOTHING),
    output: new RegExp(
      ["write catalog", "write grader", "write results", "remove starter", "read env"]
        .concat(["run process", "open socket"]).map((w) => `${w}: NotCapable\\n`).join(""),
    ),
  },
  // The classes of issue 19: each passed, fooled or stopped the grader before.
  forge_serializer: { expect: lab00(NOTHING) },
  unload_rewrite: { expect: lab00(NOTHING) },
  malformed_report: { expect: lab00({ ...NOTHING, message: /report could not be read/ }) },
  mutate_arguments: {
    only: "01.5",
    expect: { "01.5": { ...NOTHING, message: /call 2 differs from the reference's/ } },
  },
  link_to_solution: {
    prepare: async (dir) => {
      await Deno.remove(exercise(dir));
      await Deno.symlink(SOLUTION, exercise(dir));
      return dir;
    },
    expect: lab00({
      status: "error",
      points: 0,
      message: /00_intro\.ts is a symbolic link; the grader reads regular files only/,
    }),
  },
  link_to_root: {
    prepare: async (dir) => {
      await Deno.symlink("/", `${dir}/labs/exercises/root`);
      await Deno.writeTextFile(
        exercise(dir),
        `export const { softmax, countParameters } = await import("./root${SOLUTION}");\n`,
      );
      return dir;
    },
    expect: lab00({
      status: "error",
      points: 0,
      message: /labs\/exercises\/root is a symbolic link/,
    }),
  },
  named_pipe: {
    prepare: async (dir) => {
      await Deno.remove(exercise(dir));
      const made = await new Deno.Command("mkfifo", { args: [exercise(dir)] }).output();
      assert.ok(made.success, "mkfifo");
      return dir;
    },
    expect: lab00({ status: "error", points: 0, message: /00_intro\.ts is a named pipe/ }),
  },
  comma_folder: {
    prepare: async (dir) => {
      const named = `${dir}/Doe, Jane`;
      await Deno.mkdir(`${named}/labs/exercises`, { recursive: true });
      await Deno.copyFile(SOLUTION, exercise(named));
      return named;
    },
    expect: lab00({ status: "pass", points: 2 }, { status: "pass", points: 3 }),
  },
  deno_info_fails: {
    prepare: async (dir) => {
      await Deno.writeTextFile(`${dir}/deno.json`, "{");
      await Deno.writeTextFile(
        exercise(dir),
        `export { softmax } from "${REPO_ROOT}/lib/layers/softmax.ts";\n` +
          "export const countParameters = (c: { vocabSize: number }) => c.vocabSize;\n",
      );
      return dir;
    },
    expect: lab00({ ...NOTHING, message: /imports at run time.*lib\/layers\/softmax\.ts/ }),
  },
  unicode_positions: {
    expect: lab00({ ...NOTHING, message: /imports at run time.*lib\/layers\/softmax\.ts/ }),
  },
  arraybuffer_4gib: {
    expect: lab00({ ...NOTHING, message: /Array buffer allocation failed/ }, {
      status: "pass",
      points: 3,
    }),
  },
  disk_2gib: {
    expect: lab00({ ...NOTHING, message: /NotCapable/ }, { status: "pass", points: 3 }),
  },
  output_100mb: {
    expect: lab00(NOTHING),
    output: /^x{400}/,
    report: (report) => {
      const json = JSON.stringify(toResultsJson(report), null, 2);
      const xml = toJunitXml(report);
      assert.ok(json.length < 20_000, `results.json: ${json.length} characters`);
      assert.ok(xml.length < 40_000, `JUnit: ${xml.length} characters`);
      assert.ok(new TextEncoder().encode(json).length <= RESULTS_MAX_BYTES);
      assert.ok(new TextEncoder().encode(xml).length <= JUNIT_MAX_BYTES);
    },
  },
  escape_codes: {
    expect: lab00(NOTHING),
    report: (report) => {
      const lines = renderTable(report, 400).split("\n");
      assert.equal(lines.length, 1 + report.tests.length + 2, lines.join("\n"));
      for (const line of lines) {
        assert.ok(!line.includes("\r") && !line.includes("\u001b"), JSON.stringify(line));
        assert.doesNotMatch(line, /^ {0,3}```/);
      }
      assert.match(lines[1], /^\s+00\.1 .*threw Error: \\r\\x1b\[2K/);
    },
  },
  computed_import_lib: {
    expect: lab00({
      status: "error",
      points: 0,
      message: /does not load: .*read access to .*lib\/layers\/softmax\.ts/,
    }),
  },
};

async function fingerprint(paths: string[]): Promise<string[]> {
  return await Promise.all(paths.map(async (p) => {
    const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(p)));
    return `${p} ${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }));
}

/** A copy of a fixture folder, for the cases that prepare their submission. */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
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
    let dir = `${HOSTILE}/${name}`;
    let scratch: string | undefined;
    if (expected.prepare) {
      scratch = await Deno.makeTempDir({ prefix: "minigpt-hostile-" });
      await copyTree(dir, scratch);
      dir = await expected.prepare(scratch);
    }
    try {
      const report = await gradeSubmission(CATALOG, {
        dir,
        only: expected.only ?? "00",
        limits: expected.limits ?? LIMITS,
      });
      assert.deepEqual(await fingerprint(guarded), before);
      for (const [id, want] of Object.entries(expected.expect)) {
        const got = report.tests.find((t) => t.id === id)!;
        if (want.status) assert.equal(got.status, want.status, `${id}: ${got.message}`);
        if (want.points !== undefined) {
          assert.equal(got.points, want.points, `${id}: ${got.message}`);
        }
        if (want.message) assert.match(got.message, want.message);
        if (expected.output) assert.match(got.output, expected.output);
        assert.ok(got.output.length <= 500);
      }
      expected.report?.(report);
    } finally {
      if (scratch) await Deno.remove(scratch, { recursive: true });
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
