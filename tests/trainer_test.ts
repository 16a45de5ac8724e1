import assert from "node:assert/strict";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { GPT } from "../lib/model/gpt.ts";
import {
  decayGroups,
  type Metric,
  train,
  type TrainJob,
  type TrainResult,
  type TrainSettings,
} from "../lib/train/trainer.ts";

const CONFIG = { vocabSize: 7, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };
const SETTINGS: TrainSettings = {
  batchSize: 4,
  steps: 24,
  warmupSteps: 4,
  maxLr: 1e-2,
  minLr: 1e-3,
  beta1: 0.9,
  beta2: 0.99,
  weightDecay: 0.1,
  gradClip: 1.0,
  evalEvery: 8,
  evalBatches: 2,
  seed: 5,
};
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
    settings: SETTINGS,
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
  await trainTiny(dir, { settings: { ...SETTINGS, steps: 4 } });
  await assert.rejects(
    () => trainTiny(dir, { settings: { ...SETTINGS, maxLr: 0.5 }, resume: true }),
    /used maxLr 0\.01, this one 0\.5/,
  );
  await assert.rejects(
    () => trainTiny(dir, { model: new GPT({ ...CONFIG, nEmbd: 16 }, 1), resume: true }),
    /has nEmbd 8, this run 16/,
  );
});

Deno.test("a checkpoint swap cut between its two renames still loads the previous checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  await trainTiny(dir, { settings: { ...SETTINGS, steps: 4 } });
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
