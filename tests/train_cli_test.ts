import assert from "node:assert/strict";
import { hasStackTrace, runCli } from "./helpers.ts";

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

Deno.test("train on a small corpus, resume it, then sample from it with a stop string", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-train-" });
  const corpus = await smallCorpus(dir);
  const common = ["--corpus", corpus, "--batch-size", "2", "--out", `${dir}/run`];
  const first = await runCli(["train", ...common, "--steps", "3"], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /small: 7,\d\d\d tokens \(char, vocabulary \d+\)/);
  assert.match(first.stdout, /A sample at temperature 0\.8/);
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
    [["train", "--corpus", corpus, "--backend", "gpu"], /--backend takes wasm or ts, not "gpu"/],
    [
      ["train", "--corpus", corpus, "--out", `${dir}/none`, "--resume"],
      /No checkpoint in .*none\/latest/,
    ],
    [["sample", "--ckpt", `${dir}/none`], /No checkpoint at .*none/],
    [["sample"], /Say which model to sample from: --ckpt DIR .* or --adapters FILE/],
    [["sample", "--adapters", `${dir}/none.safetensors`], /No adapters file at .*none/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args, { cwd: dir });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.ok(!hasStackTrace(run.stderr), run.stderr);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
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
