import assert from "node:assert/strict";
import { checkpointDir, loadCheckpoint } from "../lib/train/checkpoint.ts";
import { type CliRun, hasStackTrace, ROOT, runCli } from "./helpers.ts";

/** A small corpus the test writes itself: enough text for a few batches of 64 characters. */
async function smallCorpus(dir: string): Promise<string> {
  const lines = [];
  for (let i = 0; i < 120; i++) {
    lines.push(`Line ${i}: the cat sat on the mat, and the dog ran to the sun.`);
  }
  const path = `${dir}/small.txt`;
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

/**
 * A run of 3 steps on the small corpus in a new temp folder (named `prefix`…): `common` are the
 * arguments that train or resume it.
 */
async function firstRun(prefix: string): Promise<{ dir: string; common: string[]; first: CliRun }> {
  const dir = await Deno.makeTempDir({ prefix });
  const corpus = await smallCorpus(dir);
  const common = ["--corpus", corpus, "--batch-size", "2", "--out", `${dir}/run`];
  const first = await runCli(["train", ...common, "--steps", "3"], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  return { dir, common, first };
}

Deno.test("train on a small corpus, resume it, then sample from it with a stop string", async () => {
  const { dir, common, first } = await firstRun("minigpt-train-");
  assert.match(first.stdout, /small: 7,\d\d\d tokens \(char, vocabulary \d+\)/);
  assert.match(first.stdout, /A sample at temperature 0\.8/);
  // The run folder is not overwritten unless asked: --resume continues it, --force replaces it.
  const again = await runCli(["train", ...common, "--steps", "3"], { cwd: dir });
  assert.equal(again.code, 2, again.stderr);
  assert.match(
    again.stderr.trim(),
    /^\S+run already holds a training run: add --resume to continue it, --force to start over in its place, or choose another --out\.$/,
  );
  const forced = await runCli(["train", ...common, "--steps", "3", "--force"], { cwd: dir });
  assert.equal(forced.code, 0, forced.stderr);
  const more = await runCli(["train", ...common, "--steps", "5", "--resume"], { cwd: dir });
  assert.equal(more.code, 0, more.stderr);
  const metrics = (await Deno.readTextFile(`${dir}/run/metrics.jsonl`)).trim().split("\n").map((
    l,
  ) => JSON.parse(l));
  assert.deepEqual(metrics.filter((m) => m.kind === "train").map((m) => m.step), [0, 1, 2, 3, 4]);

  const sample = await runCli([
    "sample",
    "--ckpt",
    `${dir}/run`,
    "--prompt",
    "Line",
    "--tokens",
    "40",
    "--stop",
    "\n",
    "--backend",
    "ts",
  ], {
    cwd: dir,
  });
  assert.equal(sample.code, 0, sample.stderr);
  assert.ok(!sample.stdout.trimEnd().includes("\n"), "the stop string ends the sample");
  assert.ok(sample.stdout.startsWith("Line"), "the prompt is echoed before the continuation");

  // Sampling values are checked where they enter, before any token is drawn.
  const bad: [string[], RegExp][] = [
    [["--top-k", "0"], /^top-k must be a whole number of 1 or more .*, not 0\.$/],
    [["--top-k", "1.5"], /^top-k must be a whole number of 1 or more .*, not 1\.5\.$/],
    [["--top-p", "0"], /^top-p must be above 0 and at most 1 .*, not 0\.$/],
    [["--top-p", "2"], /^top-p must be above 0 and at most 1 .*, not 2\.$/],
    [
      ["--temperature", "-1"],
      /^The temperature must be a number of 0 \(greedy\) or more, not -1\.$/,
    ],
  ];
  for (const [flags, message] of bad) {
    const run = await runCli(["sample", "--ckpt", `${dir}/run`, "--tokens", "20", ...flags], {
      cwd: dir,
    });
    assert.equal(run.code, 2, `${flags.join(" ")}: ${run.stdout}`);
    assert.match(run.stderr.trim(), message);
    assert.equal(run.stdout, "");
  }
});

/** Every file under `dir`, by path relative to it, with its bytes. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) {
      for (const [sub, bytes] of await snapshot(path)) files.set(`${entry.name}/${sub}`, bytes);
    } else files.set(entry.name, String(await Deno.readFile(path)));
  }
  return files;
}

Deno.test("a damaged state.json or NaN weights end in one sentence, and no file of the run changes", async () => {
  const { dir, common } = await firstRun("minigpt-damaged-");
  const statePath = `${dir}/run/latest/state.json`;
  const state = JSON.parse(await Deno.readTextFile(statePath));
  await Deno.writeTextFile(statePath, JSON.stringify({ ...state, step: "abc" }));
  const before = await snapshot(`${dir}/run`);
  const resumed = await runCli(["train", ...common, "--steps", "6", "--resume"], { cwd: dir });
  assert.equal(resumed.code, 2, resumed.stderr);
  assert.match(
    resumed.stderr.trim(),
    /^\S+state\.json has step "abc" where a whole number of 0 or more belongs: the checkpoint is damaged; resume from another one or start again\.$/,
  );
  assert.deepEqual(await snapshot(`${dir}/run`), before);

  // Weights that hold a NaN (a run that diverged) are named, not sampled as blank lines.
  await Deno.writeTextFile(statePath, JSON.stringify(state));
  const weights = `${dir}/run/latest/model.safetensors`;
  const bytes = await Deno.readFile(weights);
  new DataView(bytes.buffer).setFloat32(bytes.length - 4, NaN, true);
  await Deno.writeFile(weights, bytes);
  await Deno.remove(`${dir}/run/best`, { recursive: true });
  const nan = await runCli(["sample", "--ckpt", `${dir}/run`], { cwd: dir });
  assert.equal(nan.code, 2, nan.stderr);
  assert.match(
    nan.stderr.trim(),
    /^The tensor transformer\.ln_f\.bias of \S+ holds NaN at index \d+: these weights are damaged/,
  );
  assert.equal(nan.stderr.trim().split("\n").length, 1);
  const again = await runCli(["train", ...common, "--steps", "6", "--resume"], { cwd: dir });
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /holds NaN/);
  assert.doesNotMatch(again.stderr, /--lr/);
});

Deno.test("train and sample refuse bad input in one sentence each", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-bad-" });
  const corpus = await smallCorpus(dir);
  await Deno.writeFile(`${dir}/latin1.txt`, new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  const cases: [string[], RegExp][] = [
    [["train", "--corpus", `${dir}/nope.txt`], /No file at .*nope\.txt/],
    [["train", "--corpus", `${dir}/latin1.txt`], /not valid UTF-8/],
    [
      ["train", "--corpus", corpus, "--preset", "huge"],
      /no preset "huge"; the presets are baby, mini, nano/,
    ],
    [["train", "--corpus", corpus, "--tokenizer", "words"], /--tokenizer takes char or bpe/],
    [["train", "--corpus", corpus, "--steps", "many"], /--steps takes a number/],
    [
      ["train", "--corpus", corpus, "--steps", "-5"],
      /^--steps must be a positive whole number below 2\^53, not -5\.$/,
    ],
    [
      ["train", "--corpus", corpus, "--steps", "1e99"],
      /^--steps must be a positive whole number below 2\^53, not 1e\+99\.$/,
    ],
    [
      ["sft", "--steps", "1e99"],
      /^--steps must be a positive whole number below 2\^53, not 1e\+99\.$/,
    ],
    [
      ["train", "--corpus", corpus, "--lr", "-1e-3"],
      /^--lr must be a positive number, not -0\.001\.$/,
    ],
    [
      ["train", "--corpus", "/dev/zero"],
      /^\/dev\/zero is not a regular file .*: --corpus takes a text file\.$/,
    ],
    [
      ["train", "--corpus", corpus, "--batch-size", "1000000", "--out", `${dir}/big`],
      /--batch-size 1,000,000 needs [\d,.]+ GiB for this model, more than the 4 GiB of the WebAssembly memory of the kernels: use --batch-size [\d,]+ or less\./,
    ],
    [["train", "--corpus", corpus, "--backend", "gpu"], /--backend takes wasm or ts, not "gpu"/],
    [
      ["train", "--corpus", corpus, "--out", `${dir}/none`, "--resume"],
      /No checkpoint in .*none\/latest/,
    ],
    [["sample", "--ckpt", `${dir}/none`], /No checkpoint at .*none/],
    [["sample"], /Say which model to sample from: --ckpt DIR .* or --adapters FILE/],
    [["sample", "--adapters", `${dir}/none.safetensors`], /No adapters file at .*none/],
    [
      ["sample", "--ckpt", `${dir}/none`, "--tokens", "0"],
      /^--tokens must be a positive whole number below 2\^53, not 0\.$/,
    ],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args, { cwd: dir });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr.trim(), message);
    assert.ok(!hasStackTrace(run.stderr), run.stderr);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
  assert.equal(await Deno.stat(`${dir}/big`).then(() => "written", () => "absent"), "absent");
});

Deno.test("in French (--lang fr or MINIGPT_LANG=fr), train, sft and sample refuse bad input in one French sentence", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-bad-fr-" });
  const corpus = await smallCorpus(dir);
  const fr = { MINIGPT_LANG: "fr" };
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      ["train", "--lang", "fr", "--corpus", `${dir}/nope.txt`],
      {},
      /^Aucun fichier à \S+nope\.txt : vérifie le chemin donné à --corpus\.$/,
    ],
    [
      ["train", "--corpus", corpus, "--preset", "huge"],
      fr,
      /^Il n'y a pas de préréglage « huge » : les préréglages sont baby, mini, nano\.$/,
    ],
    [
      ["train", "--corpus", corpus, "--steps", "-5"],
      fr,
      /^--steps doit être un entier positif inférieur à 2\^53, pas -5\.$/,
    ],
    [
      ["train", "--corpus", "/dev/zero"],
      fr,
      /^\/dev\/zero n'est pas un fichier ordinaire .* : --corpus prend un fichier texte\.$/,
    ],
    [
      ["sample", "--lang", "fr", "--ckpt", `${dir}/none`],
      {},
      /^Aucun checkpoint à \S+none : passe un dossier écrit par `deno task train` \(son best\/ ou son latest\/ sert\)\.$/,
    ],
    [
      ["sample"],
      fr,
      /^Dis de quel modèle tirer : --ckpt DOSSIER .* ou --adapters FICHIER/,
    ],
    // What the system says of a path is said in French too, not quoted in English.
    [
      ["train", "--corpus", corpus, "--out", "/dev/null"],
      fr,
      /^--out \/dev\/null ne peut pas être un dossier \(un fichier de ce nom existe : \/dev\/null\) : donne le chemin d'un dossier\.$/,
    ],
    [
      ["sft", "--preset", "quick", "--out", "/dev/null/chat"],
      fr,
      /^--out \/dev\/null\/chat ne peut pas être un dossier \(un fichier est là où il faudrait un dossier : \/dev\/null\/chat\)/,
    ],
    [
      ["sample", "--ckpt", `${dir}/weights_only`],
      fr,
      /^Impossible de lire le modèle \S+ avec sa config \S+model\.json \(fichier ou dossier introuvable : \S+model\.json\) : vérifie le chemin/,
    ],
    [
      ["sft", "--preset", "quick", "--out", `${dir}/chat`],
      fr,
      /^\S+chat contient déjà un modèle de chat : ajoute --force pour recommencer à sa place, ou choisis un autre --out\.$/,
    ],
  ];
  await Deno.mkdir(`${dir}/weights_only`);
  await Deno.writeFile(`${dir}/weights_only/model.safetensors`, new Uint8Array(16));
  await Deno.mkdir(`${dir}/chat`);
  await Deno.writeTextFile(`${dir}/chat/metrics.jsonl`, "");
  for (const [args, env, message] of cases) {
    const run = await runCli(args, { cwd: dir, env });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr.trim(), message);
    assert.ok(!hasStackTrace(run.stderr), run.stderr);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
});

Deno.test("a French training run says what it trains, its progress and its sample in French", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-train-fr-" });
  const corpus = await smallCorpus(dir);
  const run = await runCli(
    ["train", "--corpus", corpus, "--batch-size", "2", "--steps", "3", "--out", `${dir}/run`],
    { cwd: dir, env: { MINIGPT_LANG: "fr" } },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^small : 7\u202f\d{3} tokens \(char, vocabulaire \d+\) en \d+,\d s · modèle baby : [\d\u202f]+ paramètres · 3 pas de 2×\d+ tokens → \S+run$/m,
  );
  assert.match(run.stdout, /Un échantillon à la température 0,8 :/);
  assert.match(run.stderr, /^pas 0\/3 · entraînement \d,\d{4} \(ppl [\d,]+\) · validation /m);
  assert.match(
    run.stderr,
    /^terminé : pas 3 · entraînement .+ · validation .+ · meilleure validation \d,\d{4}/m,
  );
  assert.doesNotMatch(run.stderr + run.stdout, /\b(step|steps of|loss|done|parameters)\b/);
});

Deno.test("a prompt outside a character vocabulary, and a damaged checkpoint, are explained", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-ckpt-" });
  const corpus = await smallCorpus(dir);
  const trained = await runCli([
    "train",
    "--corpus",
    corpus,
    "--batch-size",
    "2",
    "--steps",
    "1",
    "--out",
    `${dir}/run`,
  ], {
    cwd: dir,
  });
  assert.equal(trained.code, 0, trained.stderr);
  const emoji = await runCli(["sample", "--ckpt", `${dir}/run`, "--prompt", "Zebra 🦓"], {
    cwd: dir,
  });
  assert.equal(emoji.code, 2);
  assert.match(emoji.stderr, /character "Z" \(U\+005A\) is not in this tokenizer's \d+ characters/);

  const weights = `${dir}/run/latest/model.safetensors`;
  const bytes = await Deno.readFile(weights);
  await Deno.writeFile(weights, bytes.subarray(0, bytes.length - 100));
  await Deno.remove(`${dir}/run/best`, { recursive: true });
  const damaged = await runCli(["sample", "--ckpt", `${dir}/run`], { cwd: dir });
  assert.equal(damaged.code, 2, damaged.stderr);
  assert.ok(!hasStackTrace(damaged.stderr), damaged.stderr);
  assert.match(damaged.stderr, /model\.safetensors/);
});

/** `deno task train` with tests/fixtures/kill_at.ts preloaded: SIGKILL at `killAt`. */
async function trainKilledAt(killAt: string, args: string[], cwd: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--preload",
      `${ROOT}/tests/fixtures/kill_at.ts`,
      `${ROOT}/main.ts`,
      "train",
      ...args,
    ],
    cwd,
    env: { NO_COLOR: "1", MINIGPT_KILL_AT: killAt },
    stdout: "null",
    stderr: "piped",
  }).output();
  return { signal: out.signal, code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("kill drill with real kills: after a kill between a save's renames, a kill at each step of the next save still leaves a checkpoint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-kill-" });
  const corpus = await smallCorpus(dir);
  const common = ["--corpus", corpus, "--batch-size", "2"];
  const setup = `${dir}/setup`;
  const first = await runCli(["train", ...common, "--out", setup, "--steps", "2"], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  const swapKilled = await trainKilledAt("swap", [
    ...common,
    "--out",
    setup,
    "--steps",
    "4",
    "--resume",
  ], dir);
  assert.equal(swapKilled.signal, "SIGKILL", swapKilled.stderr);
  const left = (await Array.fromAsync(Deno.readDir(setup))).map((e) => e.name).sort();
  assert.deepEqual(
    left.filter((n) => n.startsWith("latest")).map((n) => n.replace(/\d+$/, "PID")),
    [
      "latest.previous",
      "latest.writing-PID",
    ],
  );

  // Each save step in turn: killed before it, a checkpoint remains; the run that is not killed
  // leaves only its own folders (the dead process's latest.writing-<pid> is gone).
  for (let n = 1;; n++) {
    assert.ok(n < 10, "a save has a handful of steps");
    const run = `${dir}/run${n}`;
    await new Deno.Command("cp", { args: ["-r", setup, run] }).output();
    const args = [...common, "--out", run, "--steps", "6", "--resume"];
    const killed = await trainKilledAt(String(n), args, dir);
    assert.ok((await checkpointDir(`${run}/latest`)) !== null, `no checkpoint after kill ${n}`);
    assert.ok([2, 6].includes((await loadCheckpoint(`${run}/latest`)).state!.step));
    if (killed.signal === null) {
      assert.equal(killed.code, 0, killed.stderr);
      const names = (await Array.fromAsync(Deno.readDir(run))).map((e) => e.name).sort();
      assert.deepEqual(names, ["best", "latest", "metrics.jsonl"]);
      break;
    }
    assert.equal(killed.signal, "SIGKILL", killed.stderr);
  }
});

Deno.test("train --mine with the starters names the parts that are still the library's, and trains", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-train-mine-" });
  const corpus = await smallCorpus(dir);
  const run = await runCli(
    [
      "train",
      "--mine",
      "--corpus",
      corpus,
      "--batch-size",
      "1",
      "--steps",
      "2",
      "--out",
      `${dir}/run`,
    ],
    { cwd: dir },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^your GPT: 0 of 20 parts are yours; still the library's: encoderForward \(02\.1\)/m,
  );
  assert.equal(run.stdout.match(/your GPT:/g)?.length, 1);
  const sample = await runCli(
    ["sample", "--ckpt", `${dir}/run`, "--mine", "--prompt", "Line", "--tokens", "20"],
    { cwd: dir },
  );
  assert.equal(sample.code, 0, sample.stderr);
  assert.match(sample.stderr, /^your GPT: 0 of 20 parts are yours/m);
  assert.equal(hasStackTrace(sample.stderr), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Ctrl-C stops train after its step and saves latest/ at that step, with no sample", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-train-sigint-" });
  const corpus = await smallCorpus(dir);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}/main.ts`,
      "train",
      "--corpus",
      corpus,
      "--batch-size",
      "1",
      "--steps",
      "100000",
      "--out",
      `${dir}/run`,
    ],
    env: { NO_COLOR: "1", MINIGPT_LANG: "en" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // The trainer's progress goes to stderr, a line every 50 steps off a terminal.
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let err = "";
  while (!/^step \d+\/100000 · loss/m.test(err)) {
    const r = await stderr.read();
    if (r.done) break;
    err += r.value;
  }
  child.kill("SIGINT");
  for (let r = await stderr.read(); !r.done; r = await stderr.read()) err += r.value;
  const out = await new Response(child.stdout).text();
  assert.equal((await child.status).code, 0, err);
  assert.match(
    err,
    /Stopping after this step and saving a checkpoint \(Ctrl-C again to quit now\)/,
  );
  const stopped = err.match(/stopped after step (\d+); saved .*latest \(continue with --resume\)/);
  assert.ok(stopped, err);
  // No sample after a stop: the run is not over.
  assert.doesNotMatch(out, /A sample at temperature/);
  const state = JSON.parse(await Deno.readTextFile(`${dir}/run/latest/state.json`));
  assert.equal(state.step, Number(stopped[1]));
  await Deno.remove(dir, { recursive: true });
});
