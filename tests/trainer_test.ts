import assert from "node:assert/strict";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { GPT } from "../lib/model/gpt.ts";
import { type Metric, train, type TrainJob, type TrainResult } from "../lib/train/trainer.ts";
import { decayGroups } from "../lib/train/step.ts";
import { TINY_SETTINGS } from "./helpers.ts";
import { setLang } from "../lib/i18n.ts";

const CONFIG = { vocabSize: 7, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };
const TOKENIZER = {
  kind: "char" as const,
  data: JSON.stringify(["a", "b", "c", "d", "e", "f", "g"]),
};
// A learnable stream: a fixed cycle with a little seeded noise.
const DATA = new TokenDataset(
  Int32Array.from({ length: 600 }, (_, i) => (i % 5 === 4 ? (i * 13) % 7 : i % 5)),
);
const quiet = () => {};

/** Trains a fresh tiny model (init seed 1 unless `model` is given) into `outDir`, quietly. */
function trainTiny(outDir: string, overrides: Partial<TrainJob> = {}): Promise<TrainResult> {
  return train({
    model: new GPT(CONFIG, 1),
    data: DATA,
    tokenizer: TOKENIZER,
    settings: TINY_SETTINGS,
    outDir,
    progress: quiet,
    ...overrides,
  });
}

async function readMetrics(dir: string): Promise<Metric[]> {
  return (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
}

/** The metrics that must match bit for bit: everything but wall-clock throughput. */
function curve(metrics: Metric[]): unknown[] {
  return metrics.map((m) => (m.kind === "train" ? { ...m, tokPerSec: 0 } : m));
}

Deno.test("training lowers the loss on a learnable stream and writes latest, best and metrics", async () => {
  const dir = await Deno.makeTempDir();
  const result = await trainTiny(dir);
  const metrics = await readMetrics(dir);
  const evals = metrics.filter((m) => m.kind === "eval");
  assert.deepEqual(evals.map((m) => m.step), [0, 8, 16, 24]);
  assert.ok(
    result.finalValLoss < evals[0].valLoss * 0.8,
    `${evals[0].valLoss} → ${result.finalValLoss}`,
  );
  assert.equal(metrics.filter((m) => m.kind === "train").length, 24);
  const latest = await loadCheckpoint(`${dir}/latest`);
  assert.equal(latest.state!.step, 24);
  const best = await loadCheckpoint(`${dir}/best`);
  assert.equal(best.state!.bestValLoss, result.bestValLoss);
});

Deno.test("a run stopped midway and resumed gives the same loss curve, bit for bit", async () => {
  const straight = await Deno.makeTempDir();
  await trainTiny(straight);

  const split = await Deno.makeTempDir();
  let steps = 0;
  const first = await trainTiny(split, { stopRequested: () => ++steps === 11 });
  assert.equal(first.interrupted, true);
  assert.equal(first.step, 11);
  // A fresh model object with a different init: everything must come from the checkpoint.
  const second = await trainTiny(split, { model: new GPT(CONFIG, 99), resume: true });
  assert.equal(second.step, 24);
  assert.deepEqual(curve(await readMetrics(split)), curve(await readMetrics(straight)));
  const a = await loadCheckpoint(`${straight}/latest`), b = await loadCheckpoint(`${split}/latest`);
  assert.deepEqual(b.model.params, a.model.params);
});

Deno.test("resuming with other settings or another model shape is refused in one sentence", async () => {
  const dir = await Deno.makeTempDir();
  await trainTiny(dir, { settings: { ...TINY_SETTINGS, steps: 4 } });
  await assert.rejects(
    () => trainTiny(dir, { settings: { ...TINY_SETTINGS, maxLr: 0.5 }, resume: true }),
    /used maxLr 0\.01, this one 0\.5/,
  );
  await assert.rejects(
    () => trainTiny(dir, { model: new GPT({ ...CONFIG, nEmbd: 16 }, 1), resume: true }),
    /has nEmbd 8, this run 16/,
  );
});

Deno.test("in French, a run's progress lines and a refused resume are French", async () => {
  const dir = await Deno.makeTempDir();
  const lines: { line: string; final: boolean }[] = [];
  setLang("fr");
  try {
    await trainTiny(dir, { progress: (line, final) => lines.push({ line, final }) });
    const steps = lines.filter((l) => !l.final).map((l) => l.line);
    assert.equal(steps.length, 24);
    for (const line of steps) {
      assert.match(
        line,
        /^pas \d+\/24 · perte \d+,\d{4} · lr \d\.\d\de[+-]\d+ · [\d\u202f]+ tok\/s · reste \d+s$/,
      );
    }
    const notes = lines.filter((l) => l.final).map((l) => l.line);
    assert.deepEqual(notes.slice(0, 3).map((l) => l.split(" · ")[0]), [
      "pas 0/24",
      "pas 8/24",
      "pas 16/24",
    ]);
    for (const line of notes.slice(0, 3)) {
      assert.match(
        line,
        /^pas \d+\/24 · entraînement \d,\d{4} \(ppl [\d,]+\) · validation \d,\d{4} /,
      );
    }
    assert.match(
      notes.at(-1)!,
      /^terminé : pas 24 · entraînement .+ · validation .+ · meilleure validation \d,\d{4} \(ppl/,
    );
    assert.ok(lines.every((l) => !/\b(step|loss|left|done)\b/.test(l.line)), lines[0].line);
    await assert.rejects(
      () => trainTiny(dir, { settings: { ...TINY_SETTINGS, maxLr: 0.5 }, resume: true }),
      /^UserError: L'entraînement de \S+ a utilisé maxLr 0\.01, celui-ci 0\.5 : reprends avec les mêmes réglages \(seul --steps peut changer\)\.$/,
    );
  } finally {
    setLang("en");
  }
});

Deno.test("a checkpoint swap cut between its two renames still loads the previous checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  await trainTiny(dir, { settings: { ...TINY_SETTINGS, steps: 4 } });
  await Deno.rename(`${dir}/latest`, `${dir}/latest.previous`); // the state right after the first rename
  const ckpt = await loadCheckpoint(`${dir}/latest`);
  assert.equal(ckpt.state!.step, 4);
});

Deno.test("weight decay applies to matrices and not to biases or LayerNorm gains", () => {
  const model = new GPT(CONFIG, 0);
  const groups = decayGroups(model.config, 0.1);
  const covered = groups.reduce((n, g) => n + g.end - g.start, 0);
  assert.equal(covered, model.params.length);
  const decayed = (view: Float32Array) => {
    const offset = view.byteOffset / 4;
    return groups.find((g) => g.start <= offset && offset < g.end)!.weightDecay;
  };
  assert.equal(decayed(model.p.wte), 0.1);
  assert.equal(decayed(model.p.h[0].attn.c_attn.weight), 0.1);
  assert.equal(decayed(model.p.h[0].attn.c_attn.bias), 0);
  assert.equal(decayed(model.p.ln_f.weight), 0);
});

/** Every file under `dir`, by path relative to it, with its bytes. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (sub: string) => {
    for await (const entry of Deno.readDir(`${dir}/${sub}`)) {
      const path = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(path);
      else files.set(path, String(await Deno.readFile(`${dir}/${path}`)));
    }
  };
  await walk("");
  return files;
}

type FileOp = "writeFile" | "writeTextFile" | "rename" | "remove" | "mkdir";
const FILE_OPS: FileOp[] = ["writeFile", "writeTextFile", "rename", "remove", "mkdir"];

/**
 * Runs `run` as a process killed just before the first file operation `kill` picks (given its
 * name, its arguments and how many came before): that operation and every later one never
 * happen, as in a process that is gone. Returns whether the kill came.
 */
async function runKilled(
  kill: (op: FileOp, args: unknown[], index: number) => boolean,
  run: () => Promise<unknown>,
): Promise<boolean> {
  const deno = Deno as unknown as Record<FileOp, (...args: unknown[]) => Promise<unknown>>;
  const saved = FILE_OPS.map((op) => deno[op]);
  let index = 0, dead = false;
  FILE_OPS.forEach((op, i) => {
    deno[op] = (...args: unknown[]) => {
      if (dead || kill(op, args, index++)) {
        dead = true;
        return Promise.reject(new Error("killed"));
      }
      return saved[i](...args);
    };
  });
  try {
    await run();
  } catch (err) {
    if (!dead) throw err;
  } finally {
    FILE_OPS.forEach((op, i) => (deno[op] = saved[i]));
  }
  // A failure the run shrugged off (a clean-up it does not need) is a kill all the same.
  return dead;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

/**
 * Gives what this process left half-written in `dir` (names carrying its pid) the pid of a
 * process that has exited, as after a real kill.
 */
async function leftByDeadProcess(dir: string): Promise<void> {
  const pid = await deadPid();
  for await (const { name } of Deno.readDir(dir)) {
    const renamed = name.replace(`.writing-${Deno.pid}`, `.writing-${pid}`)
      .replace(`.tmp-${Deno.pid}-`, `.tmp-${pid}-`);
    if (renamed !== name) await Deno.rename(`${dir}/${name}`, `${dir}/${renamed}`);
  }
}

/**
 * A run trained to step 8, then resumed and killed between the two renames of its next save of
 * latest/ (at step 16), as a killed process leaves it: latest.previous/ holds step 8, the new
 * copy sits in the dead process's latest.writing-<pid>/, and there is no latest/.
 */
async function killedBetweenRenames(dir: string): Promise<void> {
  await trainTiny(dir, { settings: { ...TINY_SETTINGS, steps: 8 } });
  const killed = await runKilled(
    (op, args) => op === "rename" && args[1] === `${dir}/latest`,
    () => trainTiny(dir, { resume: true }),
  );
  assert.ok(killed);
  await leftByDeadProcess(dir);
}

Deno.test("kill drill: after a kill between a save's renames, a kill at any later file operation leaves a checkpoint, and the run still ends bit for bit", async () => {
  // The same runs without a kill: 8 steps, then resumed to 24.
  const straight = await Deno.makeTempDir();
  await trainTiny(straight, { settings: { ...TINY_SETTINGS, steps: 8 } });
  await trainTiny(straight, { resume: true });
  const reference = curve(await readMetrics(straight));

  let killed = true;
  const base = await Deno.makeTempDir();
  await killedBetweenRenames(base);
  assert.equal((await loadCheckpoint(`${base}/latest`)).state!.step, 8);
  for (let n = 0; killed; n++) {
    const dir = `${base}-${n}`;
    const copy = await new Deno.Command("cp", { args: ["-r", base, dir] }).output();
    assert.ok(copy.success);
    // Resumed, and killed again before its n-th file operation.
    killed = await runKilled(
      (_op, _args, index) => index === n,
      () => trainTiny(dir, { resume: true }),
    );
    const left = await loadCheckpoint(`${dir}/latest`).catch((err) => err as Error);
    assert.ok(!(left instanceof Error), `killed at operation ${n}: ${left}`);
    assert.ok([8, 16, 24].includes(left.state!.step), `step ${left.state!.step}`);
    await leftByDeadProcess(dir);
    if (killed) await trainTiny(dir, { resume: true });
    assert.deepEqual(curve(await readMetrics(dir)), reference, `killed at operation ${n}`);
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(names, ["best", "latest", "metrics.jsonl"], `killed at operation ${n}`);
    await Deno.remove(dir, { recursive: true });
  }
  await Deno.remove(base, { recursive: true });
});

Deno.test("a damaged state.json is refused in one sentence before any file of the run changes", async () => {
  const dir = await Deno.makeTempDir();
  await trainTiny(dir, { settings: { ...TINY_SETTINGS, steps: 11 } });
  const path = `${dir}/latest/state.json`;
  const good = JSON.parse(await Deno.readTextFile(path));
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ step: "abc" }, /state\.json has step "abc" where a whole number of 0 or more belongs/],
    [{ step: -3 }, /has step -3/],
    [{ step: 2.5 }, /has step 2\.5/],
    [{ rngState: null }, /has rngState null, not a 32-bit generator state/],
    [{ rngState: 2 ** 40 }, /has rngState 1099511627776/],
    [{ bestValLoss: "low" }, /has bestValLoss "low", neither null nor a loss/],
    [{ settings: [1] }, /has settings \[1\], not an object/],
    [{ settings: { ...good.settings, batchSize: "4" } }, /has setting batchSize "4", not a number/],
  ];
  for (const [change, message] of cases) {
    await Deno.writeTextFile(path, JSON.stringify({ ...good, ...change }));
    const before = await snapshot(dir);
    await assert.rejects(() => trainTiny(dir, { resume: true }), message);
    assert.deepEqual(await snapshot(dir), before, JSON.stringify(change));
  }
  await Deno.writeTextFile(path, "{ not json");
  await assert.rejects(() => trainTiny(dir, { resume: true }), /state\.json is not valid JSON/);
});

Deno.test("a torn last line of metrics.jsonl is dropped with a note, and the resumed curve is exact", async () => {
  const straight = await Deno.makeTempDir();
  await trainTiny(straight);
  const dir = await Deno.makeTempDir();
  let steps = 0;
  await trainTiny(dir, { stopRequested: () => ++steps === 11 });
  await Deno.writeTextFile(`${dir}/metrics.jsonl`, '{"kind":"train","step":11,"lo', {
    append: true,
  });
  const lines: string[] = [];
  await trainTiny(dir, { resume: true, progress: (line) => lines.push(line) });
  assert.ok(lines.some((l) => /dropped the torn last line of .*metrics\.jsonl/.test(l)), lines[0]);
  assert.deepEqual(curve(await readMetrics(dir)), curve(await readMetrics(straight)));

  // A damaged line that is not the last is not a torn write: refused, and nothing changes.
  const text = await Deno.readTextFile(`${dir}/metrics.jsonl`);
  await Deno.writeTextFile(`${dir}/metrics.jsonl`, text.replace("\n", "\nnot a metric\n"));
  const before = await snapshot(dir);
  await assert.rejects(
    () => trainTiny(dir, { resume: true }),
    /Line 2 of .*metrics\.jsonl is not a metric: the log is damaged/,
  );
  assert.deepEqual(await snapshot(dir), before);
});

Deno.test("a batch too large for memory says what fits, before writing anything", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    () => trainTiny(`${dir}/run`, { settings: { ...TINY_SETTINGS, batchSize: 1e12 } }),
    /--batch-size 1,000,000,000,000 needs [\d,.]+ GiB for this model, more than the [\d,.]+ GiB of this machine's memory: use --batch-size [\d,]+ or less\./,
  );
  assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
});
