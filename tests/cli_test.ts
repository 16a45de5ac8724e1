import assert from "node:assert/strict";
import { lab as intro } from "../labs/00_intro.ts";
import { HELP } from "../cli/help.ts";
import { LANGS } from "../lib/i18n.ts";
import { COMMANDS } from "../main.ts";
import { hasStackTrace, ROOT, runCli } from "./helpers.ts";

for (const command of ["lab", "list", "hint", "doctor", "build"]) {
  Deno.test(`\`${command} --help\` prints its usage and exits 0`, async () => {
    const run = await runCli([command, "--help"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Usage: deno task/);
  });
}

Deno.test("an unknown command exits 2 naming the commands", async () => {
  const run = await runCli(["frobnicate"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Unknown command "frobnicate".*lab/);
});

Deno.test("an unknown flag exits 2 with a pointer to --help, no stack trace", async () => {
  const run = await runCli(["lab", "00", "--fast"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--fast.*deno task lab --help/);
  assert.ok(!hasStackTrace(run.stderr), run.stderr);
});

Deno.test("a misspelt flag is named in one sentence, and a negative value after a flag is a value", async () => {
  const run = await runCli(["lab", "00", "--frm", "3"]);
  assert.equal(run.code, 2);
  assert.equal(run.stderr.trim(), "Unknown option --frm; see `deno task lab --help`.");
  const short = await runCli(["sample", "-x"]);
  assert.equal(short.stderr.trim(), "Unknown option -x; see `deno task sample --help`.");
  const negative = await runCli(["lab", "00", "--from", "-2"]);
  assert.equal(negative.code, 2);
  assert.equal(
    negative.stderr.trim(),
    `--from -2 is not a step of lab 00; it has steps 1 to ${intro.steps.length}.`,
  );
});

Deno.test("a flag without its value, or with one it does not take, is told in one sentence in the user's language", async () => {
  const cases: [string[], string][] = [
    [
      ["train", "--steps"],
      "--steps is missing its value (--steps VALUE); see `deno task train --help`.",
    ],
    [
      ["train", "--steps", "--seed", "3"],
      "--steps is missing its value (--steps VALUE); see `deno task train --help`.",
    ],
    [
      ["sample", "--prompt", "-x"],
      "--prompt -x: a value that starts with a dash is written --prompt=-x; see `deno task sample --help`.",
    ],
    [
      ["train", "--resume=yes"],
      '--resume takes no value ("yes"): write --resume alone; see `deno task train --help`.',
    ],
    [
      ["train", "--steps", "--lang", "fr"],
      "Il manque la valeur de --steps (--steps VALEUR) ; voir `deno task train --help`.",
    ],
    [
      ["lab", "00", "--frm", "3", "--lang", "fr"],
      "Option inconnue --frm ; voir `deno task lab --help`.",
    ],
    [
      ["train", "--resume=oui", "--lang", "fr"],
      "--resume ne prend pas de valeur (« oui ») : écris --resume seul ; voir `deno task train --help`.",
    ],
  ];
  for (const [args, sentence] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trim(), sentence);
  }
});

Deno.test("a word a command does not take is refused in one sentence, not ignored", async () => {
  // `grade 03.1` once graded every exercise and `watch 99` watched them all, the word unread.
  const cases: [string[], string][] = [
    [
      ["watch", "99"],
      '`deno task watch` takes options only, and "99" is not one; see `deno task watch --help`.',
    ],
    [
      ["grade", "03.1", "--lang", "fr"],
      "`deno task grade` ne prend que des options, et « 03.1 » n'en est pas une ; voir " +
      "`deno task grade --help`.",
    ],
    [
      ["lab", "00", "01"],
      '`deno task lab` takes one argument, and "01" is a second; see `deno task lab --help`.',
    ],
  ];
  for (const [args, sentence] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, args.join(" "));
    assert.equal(run.stderr.trim(), sentence);
  }
  const words = Object.entries(COMMANDS).filter(([, c]) => c.words).map(([name]) => name);
  assert.deepEqual(words, ["lab", "hint", "reset", "bench"]);
});

Deno.test("an output path that cannot be a folder is refused before any work", async () => {
  const lab = await runCli(["lab", "00", "--out", "/dev/null"]);
  assert.equal(lab.code, 2);
  assert.match(
    lab.stderr.trim(),
    /^--out \/dev\/null cannot be a folder \(.+\); give a folder's path\.$/,
  );
  // The benchmark would run for minutes before writing: its folder is checked first.
  const bench = await runCli(["bench", "kernels", "--json", "/dev/null/k.json", "--lang", "fr"]);
  assert.equal(bench.code, 2);
  assert.match(
    bench.stderr.trim(),
    /^--json \/dev\/null\/k\.json ne peut pas être écrit : son dossier \/dev\/null ne peut pas être créé \(.+\) ; donne un autre chemin\.$/,
  );
  assert.equal(bench.stdout, "");
  const release = await runCli(["release", "--out", "/dev/null"]);
  assert.equal(release.code, 2);
  assert.equal(
    release.stderr.trim(),
    "--out /dev/null cannot be read as a folder (a file stands where a folder should be: " +
      "/dev/null); choose a new or empty folder.",
  );
  // And the lab's folder is made only once the run starts: a mistyped lab leaves none.
  const cwd = await Deno.makeTempDir({ prefix: "minigpt-no-out-" });
  assert.equal((await runCli(["lab", "99"], { cwd })).code, 2);
  assert.equal((await runCli(["lab", "00", "--from", "99"], { cwd })).code, 2);
  assert.deepEqual(await Array.fromAsync(Deno.readDir(cwd)), []);
  await Deno.remove(cwd);
});

Deno.test("a report a user already has is kept: grade and bench refuse it before any work, --force replaces it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-keep-report-" });
  const mine = `${dir}/notes.json`;
  await Deno.writeTextFile(mine, "my own notes\n");
  const cases: [string[], string][] = [
    [["grade", "--dir", ROOT, "--only", "00.1", "--json", mine], "json"],
    [["grade", "--dir", ROOT, "--only", "00.1", "--junit", mine, "--lang", "fr"], "junit"],
    [["bench", "kernels", "--json", mine], "json"],
  ];
  for (const [args, flag] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, run.stderr);
    const sentence = args.includes("fr")
      ? `${mine} existe déjà : passe --force pour le remplacer, ou choisis un autre --${flag}.`
      : `${mine} already exists: pass --force to replace it, or choose another --${flag}.`;
    assert.equal(run.stderr.trim(), sentence);
    assert.equal(run.stdout, "", "refused before grading or benchmarking");
  }
  assert.equal(await Deno.readTextFile(mine), "my own notes\n");
  const forced = await runCli([
    "grade",
    "--dir",
    ROOT,
    "--only",
    "00.1",
    "--json",
    mine,
    "--force",
  ]);
  assert.equal(forced.code, 1, forced.stderr);
  assert.equal(JSON.parse(await Deno.readTextFile(mine)).tests.length, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("hint prints the exercise's hint, and an unknown id lists the real ones", async () => {
  const ok = await runCli(["hint", "00.1"]);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /00\.1 · Softmax/);
  // Without the lab's leading zero, as `deno task lab 3` takes it.
  const short = await runCli(["hint", "3.1"]);
  assert.equal(short.code, 0, short.stderr);
  assert.match(short.stdout, /03\.1 · Causal attention weights/);
  const bad = await runCli(["hint", "00.9"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no exercise "00\.9".*00\.1, 00\.2/);
});

Deno.test("list shows each exercise with its status", async () => {
  const run = await runCli(["list"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /00\.1\s+Softmax.*not started/);
  assert.match(run.stdout, /0 of \d+ exercises done/);
});

Deno.test("list checks in the sandbox: code that forges the comparison in its process is failing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-list-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  const starter = await Deno.readTextFile(`${ROOT}/labs/exercises/00_intro.ts`);
  // A wrong softmax, and every |got − expected| made 0 for a check run beside it.
  const forged = "Math.abs = () => 0;\n" +
    starter.replace(/(export function softmax\([^)]*\)[^{]*\{)[^}]*\}/, "$1\n  return scores;\n}");
  await Deno.writeTextFile(`${dir}/labs/exercises/00_intro.ts`, forged);
  const run = await runCli(["list", "--dir", dir]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /00\.1\s+Softmax.*failing/);
  assert.match(run.stdout, /00\.2\s+.*not started/);
  assert.match(run.stdout, /0 of \d+ exercises done/);
  const solved = await Deno.readTextFile(`${ROOT}/labs/solutions/00_intro.ts`);
  await Deno.writeTextFile(`${dir}/labs/exercises/00_intro.ts`, solved);
  assert.match((await runCli(["list", "--dir", dir])).stdout, /2 of \d+ exercises done/);
  const missing = await runCli(["list", "--dir", `${dir}/labs`]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /holds no labs\/exercises folder/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("doctor reports each check on its own line", async () => {
  const run = await runCli(["doctor"], { cwd: undefined });
  for (const name of ["Deno", "WebAssembly SIMD", "Kernels", "Corpus"]) {
    assert.match(run.stdout, new RegExp(`(OK|!!)\\s+${name}`));
  }
  assert.match(run.stdout, /OK\s+Kernels\s+built; SIMD matmul agrees/);
});

Deno.test("in French (--lang fr, MINIGPT_LANG=fr or a French locale) bad input is one French sentence, exit 2", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      ["hint", "00.9", "--lang", "fr"],
      {},
      /^Il n'y a pas d'exercice « 00\.9 » : les exercices sont 00\.1, 00\.2/,
    ],
    [
      ["chat"],
      { MINIGPT_LANG: "fr" },
      /^Dis quel modèle de chat charger : --ckpt DIR \(un dossier écrit par `deno task sft`\)\.$/,
    ],
    [
      ["train", "--tokenizer", "word", "--lang", "fr"],
      {},
      /^--tokenizer prend char ou bpe, pas « word »\.$/,
    ],
    [
      ["sample", "--tokens", "many", "--lang", "fr"],
      {},
      /^--tokens prend un nombre, pas « many »\.$/,
    ],
    [
      ["watch", "--interval", "-5", "--lang", "fr"],
      {},
      /^--interval -5 n'est pas un nombre positif : par exemple --interval 500\.$/,
    ],
    [
      ["release"],
      { LANG: "fr_FR.UTF-8" },
      /^Dis où écrire la version élève, par exemple --out \.\.\/minigpt-class\.$/,
    ],
    [
      ["sft", "--preset", "huge", "--lang", "fr"],
      {},
      /^Il n'y a pas de préréglage SFT « huge » : les préréglages sont quick, full\.$/,
    ],
    [
      ["bench", "nope", "--lang", "fr"],
      {},
      /^Il n'y a pas de benchmark « nope » : les suites sont .*\(par exemple `deno task bench kernels`\)\.$/,
    ],
    [
      ["export", "--lang", "fr"],
      {},
      /^Dis quoi exporter et où : --ckpt DIR --to hf\|llmc --out PATH/,
    ],
  ];
  for (const [args, env, french] of cases) {
    const run = await runCli(args, { env });
    const what = `${args.join(" ")}: ${run.stderr}`;
    assert.equal(run.code, 2, what);
    assert.match(run.stderr.trim(), french, what);
    assert.equal(run.stderr.trim().split("\n").length, 1, what);
    assert.ok(!hasStackTrace(run.stderr), what);
  }
});

/** The flags a text names (`--out`, `--top-k`…), each with how many times it names it. */
function flagsIn(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [flag] of text.matchAll(/--[a-z][a-z-]*/g)) {
    counts.set(flag, (counts.get(flag) ?? 0) + 1);
  }
  return counts;
}

Deno.test("every command's --help --lang fr prints its French summary and usage, with every flag of the English", async () => {
  for (const [name, command] of Object.entries(COMMANDS)) {
    const [en, fr] = await Promise.all([
      runCli([name, "--help", "--lang", "en"]),
      runCli([name, "--help", "--lang", "fr"]),
    ]);
    assert.equal(fr.code, 0, `${name}: ${fr.stderr}`);
    assert.equal(en.code, 0, `${name}: ${en.stderr}`);
    const { summary, usage } = command;
    assert.ok(
      fr.stdout.startsWith(
        `${summary.fr}\n\nUtilisation : ${usage.fr}\n\n  --lang fr|en   la langue`,
      ),
      `${name} --help --lang fr:\n${fr.stdout}`,
    );
    assert.ok(en.stdout.startsWith(`${summary.en}\n\nUsage: ${usage.en}\n`), name);
    assert.notEqual(fr.stdout, en.stdout, name);
    assert.notEqual(summary.fr, summary.en, name);
    // A usage that explains something is translated; a bare synopsis reads the same in both.
    if (usage.en.includes("\n")) assert.notEqual(usage.fr, usage.en, name);
    // As often as in the English: in the synopsis, and again on the line that explains it.
    assert.deepEqual(flagsIn(usage.fr), flagsIn(usage.en), `${name}: the flags of its usages`);
    // And no flag the command takes goes unexplained in its usage.
    for (const flag of Object.keys(command.options ?? {})) {
      assert.ok(flagsIn(usage.en).has(`--${flag}`), `${name}: --${flag} is not in its usage`);
    }
  }
});

Deno.test("the command list in French (MINIGPT_LANG=fr, a French locale or help --lang fr) gives the French summaries", async () => {
  for (
    const [args, env] of [
      [["help"], { MINIGPT_LANG: "fr" }],
      [[], { LANG: "fr_FR.UTF-8" }],
      [["help", "--lang", "fr"], {}],
    ]
  ) {
    const run = await runCli(args as string[], { env: env as Record<string, string> });
    assert.equal(run.code, args.length ? 0 : 2, run.stderr);
    assert.match(run.stdout, /^minigpt-lab : construis un GPT de zéro, en TypeScript\./);
    assert.match(run.stdout, /\nUtilisation : deno task <command> \[options\]/);
    const lines = run.stdout.split("\n");
    for (const [name, command] of Object.entries(COMMANDS)) {
      const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
      assert.ok(lines.includes(`  ${name.padEnd(width)}  ${command.summary.fr}`), name);
      assert.ok(!run.stdout.includes(command.summary.en), name);
    }
  }
});

Deno.test("every command has its help, and no summary or usage has an empty language", () => {
  assert.deepEqual(Object.keys(HELP), Object.keys(COMMANDS));
  for (const [name, { summary, usage }] of Object.entries(COMMANDS)) {
    for (const l of LANGS) {
      assert.notEqual(summary[l].trim(), "", `${name}'s summary has no ${l}`);
      assert.notEqual(usage[l].trim(), "", `${name}'s usage has no ${l}`);
    }
  }
});
