import assert from "node:assert/strict";
import { loadCheckpoint, saveCheckpoint } from "../lib/train/checkpoint.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { UserError } from "../lib/errors.ts";
import { finetune, lowerLayersEnd } from "../lib/train/finetune.ts";
import { GPT } from "../lib/model/gpt.ts";
import { gradCheck } from "../lib/course/gradcheck.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { LoRA, loraMerge, loraParameterCount } from "../lib/train/lora.ts";
import { loadAdapted, loadAdapters, saveAdapters } from "../lib/train/adapters.ts";
import { Rng } from "../lib/random.ts";
import { forecastText, forecastTowns } from "../lib/train/style_data.ts";
import { BABY_SETTINGS } from "../lib/train/presets.ts";
import { trainStep } from "../lib/train/step.ts";
import { runCli } from "./helpers.ts";

const CONFIG = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };
const B = 2, T = 8;
const rng = new Rng(3);
const inputs = Int32Array.from({ length: B * T }, () => rng.int(13));
const targets = Int32Array.from({ length: B * T }, () => rng.int(13));
const TOKENIZER = { kind: "char" as const, data: JSON.stringify([..."abcdefghijklm"]) };

/** Adapters whose B is random too, so that every gradient and every merge is non-trivial. */
function randomLora(model: GPT, rank = 2): LoRA {
  const lora = new LoRA(model, { rank, alpha: 3, seed: 1 });
  const r = new Rng(2);
  for (const a of lora.adapters) a.B.set(r.normalArray(a.B.length, 0.3));
  lora.scatter();
  return lora;
}

function logits(model: GPT): Float32Array {
  model.forward(inputs, null, B, T);
  return model.acts!.logits.slice();
}

Deno.test("LoRA with B = 0 gives exactly the pretrained model's logits", () => {
  const model = new GPT(CONFIG, 5);
  const before = logits(model);
  const lora = new LoRA(model, { rank: 4 });
  lora.scatter();
  assert.ok(lora.adapters.every((a) => a.A.some((x) => x !== 0)), "A starts random");
  assert.deepEqual(logits(model), before);
});

Deno.test("loraMerge computes W0 + s·B·A, and unmerge gives W0 back to float rounding", () => {
  // (OC 2, C 3, r 1): B·A is the outer product of B and A.
  const out = new Float32Array(6);
  const base = new Float32Array([1, 2, 3, 4, 5, 6]);
  loraMerge(out, base, new Float32Array([1, 0, -1]), new Float32Array([2, 3]), 0.5, 2, 3, 1);
  assert.deepEqual([...out], [2, 2, 2, 5.5, 5, 4.5]);

  const model = new GPT(CONFIG, 5);
  const pretrained = model.params.slice();
  const lora = randomLora(model);
  const w = model.p.h[1].mlp.c_fc.weight;
  assert.ok(w.some((x, i) => x !== lora.adapters[6].base[i]), "the merge moved the weight");
  lora.unmerge();
  let worst = 0;
  for (let i = 0; i < pretrained.length; i++) {
    worst = Math.max(worst, Math.abs(model.params[i] - pretrained[i]));
  }
  assert.ok(worst < 1e-6, `unmerge is off by ${worst}`);
});

Deno.test("LoRA's gradients of A and B match finite differences of the loss", () => {
  const model = new GPT(CONFIG, 5);
  const lora = randomLora(model);
  model.forward(inputs, targets, B, T);
  model.zeroGrad();
  model.backward();
  lora.gather();
  const loss = () => {
    lora.scatter();
    return model.forward(inputs, targets, B, T)!;
  };
  for (const a of [lora.adapters[0], lora.adapters[7]]) {
    // A step in one entry of A moves a whole column of W by s·B: a smaller step keeps the
    // curvature out of the difference quotient.
    for (const [x, dx, h] of [[a.A, a.dA, 1e-3], [a.B, a.dB, 1e-2]] as const) {
      const r = gradCheck(loss, x, dx.slice(), { h, samples: 12 });
      assert.ok(r.relativeError < 1e-2, `${a.name}: relative error ${r.relativeError}`);
    }
  }
  // A wrong gradient (dB without the scale) must not pass the same check.
  const a = lora.adapters[0];
  const wrong = a.dB.map((g) => g / lora.scale);
  assert.ok(gradCheck(loss, a.B, wrong, { h: 1e-2, samples: 12 }).relativeError > 0.1);
});

Deno.test("a LoRA step changes A and B only: every other parameter stays bit for bit", async () => {
  for (const backend of [await loadBackend("ts"), await loadBackend("wasm")]) {
    const model = new GPT(CONFIG, 5, backend);
    const lora = new LoRA(model, { rank: 2 });
    const before = model.params.slice(), A = lora.params.slice();
    const opt = {
      m: model.alloc(lora.params.length),
      v: model.alloc(lora.params.length),
      groups: [{ start: 0, end: lora.params.length, weightDecay: 0.1 }],
    };
    const settings = { ...BABY_SETTINGS, batchSize: B };
    trainStep(model, { inputs, targets, B, opt, step: 0, lr: 1e-2, settings, trainable: lora });
    assert.ok(lora.params.some((x, i) => x !== A[i]), `${backend.name}: the adapters moved`);
    const adapted = new Set(lora.adapters.map((a) => `${a.name}.weight`));
    for (const [name, view] of Object.entries(model.p.byName)) {
      const at = view.byteOffset / 4 - model.params.byteOffset / 4;
      const old = before.subarray(at, at + view.length);
      if (adapted.has(name)) {
        const a = lora.adapters.find((x) => `${x.name}.weight` === name)!;
        const expected = new Float32Array(view.length);
        loraMerge(expected, old, a.A, a.B, lora.scale, a.OC, a.C, lora.rank);
        assert.deepEqual(view, expected, `${backend.name}: ${name} is W0 + s·B·A`);
      } else {
        assert.deepEqual(view, old, `${backend.name}: ${name} is frozen`);
      }
    }
  }
});

Deno.test("fine-tuning's progress gives the speed and the time left, as pre-training's does", () => {
  const lines: { line: string; final: boolean }[] = [];
  finetune({
    model: new GPT(CONFIG, 1),
    data: new TokenDataset(Int32Array.from({ length: 400 }, (_, i) => (i * 5) % 13), 0.25),
    settings: { ...BABY_SETTINGS, batchSize: 2, steps: 4, warmupSteps: 1, evalEvery: 2 },
    method: { kind: "lora", options: { rank: 2 } },
    progress: (line, final) => lines.push({ line, final }),
  });
  const steps = lines.filter((l) => !l.final).map((l) => l.line);
  assert.equal(steps.length, 4);
  for (const line of steps) {
    assert.match(
      line,
      /^step \d\/4 · loss \d\.\d{4} · lr \d\.\d\de-\d · [\d,]+ tok\/s · \d+s left$/,
    );
  }
  assert.deepEqual(
    lines.filter((l) => l.final).map((l) => l.line.replace(/\d\.\d{4}$/, "x")),
    ["step 0/4 · held-out loss x", "step 2/4 · held-out loss x", "step 4/4 · held-out loss x"],
  );
});

Deno.test("full fine-tuning trains every parameter, LoRA only its adapters; both lower the held-out loss", () => {
  const settings = {
    ...BABY_SETTINGS,
    batchSize: 4,
    steps: 30,
    warmupSteps: 3,
    maxLr: 1e-2,
    minLr: 1e-3,
    evalEvery: 10,
    evalBatches: 2,
  };
  const quiet = () => {};
  const sequence = (step: number) =>
    new TokenDataset(Int32Array.from({ length: 400 }, (_, i) => (i * step) % 13), 0.25);
  // LoRA adapts a trained model (a random one's tiny frozen embeddings leave it little to move):
  // "pretraining" on one sequence, then fine-tuning on another.
  const pretrained = new GPT(CONFIG, 5);
  finetune({
    model: pretrained,
    data: sequence(5),
    settings: { ...settings, steps: 60 },
    method: { kind: "full" },
    progress: quiet,
  });
  const copy = () => {
    const model = new GPT(CONFIG, 0);
    model.params.set(pretrained.params);
    return model;
  };
  const full = finetune({
    model: copy(),
    data: sequence(3),
    settings,
    method: { kind: "full" },
    progress: quiet,
  });
  const model = copy();
  const lora = finetune({
    model,
    data: sequence(3),
    // Adapters that start at zero need larger steps to move as far.
    settings: { ...settings, maxLr: 3e-2, minLr: 3e-3 },
    method: { kind: "lora", options: { rank: 2 } },
    progress: quiet,
  });
  assert.equal(full.trainable, model.numParameters);
  assert.equal(full.lora, null);
  assert.equal(lora.trainable, loraParameterCount(8, 2, 2));
  assert.equal(lora.trainable, 2 * 2 * (8 + 24 + 8 + 8 + 8 + 32 + 32 + 8));
  assert.deepEqual(full.heldOut.map((p) => p.step), [0, 10, 20, 30]);
  for (const r of [full, lora]) {
    assert.ok(r.heldOut[3].loss < r.heldOut[0].loss - 0.1, JSON.stringify(r.heldOut));
  }
  assert.equal(lora.heldOut[0].loss, full.heldOut[0].loss, "both start from the same model");
  assert.deepEqual(model.p.wte, pretrained.p.wte, "LoRA leaves the embeddings alone");
});

Deno.test("frozen lower layers stay bit for bit and get no moments; slowed ones move less; both on the kernels too", async () => {
  const settings = {
    ...BABY_SETTINGS,
    batchSize: 4,
    steps: 20,
    warmupSteps: 2,
    maxLr: 1e-2,
    minLr: 1e-3,
    evalEvery: 10,
    evalBatches: 2,
  };
  const data = new TokenDataset(Int32Array.from({ length: 400 }, (_, i) => (i * 3) % 13), 0.25);
  const end = lowerLayersEnd(CONFIG, 1);
  assert.equal(
    end,
    13 * 8 + 8 * 8 + (3 * 8 * 8 + 3 * 8 + 8 * 8 + 8 + 4 * 8 + 32 * 8 + 32 + 8 * 32 + 8),
  );
  const backend = await loadBackend();
  for (const ops of [undefined, backend]) {
    const run = (lrScale: number) => {
      const model = new GPT(CONFIG, 5, ops);
      const start = model.params.slice();
      const r = finetune({
        model,
        data,
        settings,
        method: { kind: "full", lower: { blocks: 1, lrScale } },
        progress: () => {},
      });
      // Mean absolute change of the lower and the upper parameters.
      const moved = (from: number, to: number) =>
        model.params.subarray(from, to).reduce((s, x, i) => s + Math.abs(x - start[from + i]), 0) /
        (to - from);
      return { r, lower: moved(0, end), upper: moved(end, start.length) };
    };
    const frozen = run(0), slowed = run(0.1), full = run(1);
    const where = ops ? "kernels" : "TypeScript";
    assert.equal(frozen.lower, 0, `${where}: frozen layers moved`);
    assert.ok(frozen.upper > 0, where);
    assert.equal(frozen.r.trainable, new GPT(CONFIG).numParameters - end);
    assert.equal(slowed.r.trainable, full.r.trainable);
    assert.ok(
      slowed.lower > 0 && slowed.lower < full.lower / 3,
      `${where}: ${slowed.lower} vs ${full.lower}`,
    );
    for (const x of [frozen, slowed]) {
      assert.ok(
        x.r.heldOut[2].loss < x.r.heldOut[0].loss,
        `${where}: ${JSON.stringify(x.r.heldOut)}`,
      );
    }
  }
  assert.throws(
    () => lowerLayersEnd(CONFIG, 2),
    (e) => e instanceof UserError && /0 to 1 blocks of the 2, not 2/.test(e.message),
  );
});

Deno.test("adapters round-trip: merged into a checkpoint `deno task sample` reads, or apart with a reference to the base", async () => {
  const dir = await Deno.makeTempDir();
  const base = new GPT(CONFIG, 5);
  await saveCheckpoint(`${dir}/base`, {
    model: base,
    tokenizer: TOKENIZER,
    optimizer: null,
    state: null,
  });
  const model = new GPT(CONFIG, 5);
  const lora = randomLora(model);
  const expected = logits(model);
  assert.notDeepEqual(expected, logits(base));

  // Merged: a normal checkpoint, as `deno task sample --ckpt` loads it.
  await saveCheckpoint(`${dir}/merged`, {
    model,
    tokenizer: TOKENIZER,
    optimizer: null,
    state: null,
  });
  const merged = await loadCheckpoint(`${dir}/merged`);
  assert.deepEqual(logits(merged.model), expected);
  const sampled = await runCli(
    ["sample", "--ckpt", `${dir}/merged`, "--prompt", "abc", "--tokens", "5", "--backend", "ts"],
    { cwd: dir },
  );
  assert.equal(sampled.code, 0, sampled.stderr);
  assert.match(sampled.stdout, /[a-m]{5}\s*$/);

  // Apart: the adapters file names the base by a relative path, so the folder can move.
  await Deno.mkdir(`${dir}/lora`);
  await saveAdapters(`${dir}/lora/adapters.safetensors`, lora, `${dir}/base`);
  await Deno.rename(dir, `${dir}-moved`);
  const apart = await loadAdapted(`${dir}-moved/lora/adapters.safetensors`);
  assert.equal(apart.lora.rank, 2);
  assert.equal(apart.lora.alpha, 3);
  assert.deepEqual(logits(apart.model), expected);
  assert.equal(apart.tokenizer.data, TOKENIZER.data);
  // `deno task sample --adapters` samples the same text as from the merged checkpoint, with the
  // base from the file's metadata or from --ckpt.
  const moved = `${dir}-moved`;
  for (const base of [[], ["--ckpt", `${moved}/base`]]) {
    const adapted = await runCli(
      ["sample", "--adapters", `${moved}/lora/adapters.safetensors`, ...base, "--prompt", "abc"]
        .concat(["--tokens", "5", "--backend", "ts"]),
      { cwd: moved },
    );
    assert.equal(adapted.code, 0, adapted.stderr);
    assert.equal(adapted.stdout, sampled.stdout);
  }
  // A base left as base.previous by a swap that was cut short still loads.
  await Deno.rename(`${moved}/base`, `${moved}/base.previous`);
  const recovered = await loadAdapted(`${moved}/lora/adapters.safetensors`);
  assert.deepEqual(logits(recovered.model), expected);
  // Moved away from its base, the file says where it looked.
  await Deno.rename(`${moved}/lora/adapters.safetensors`, `${moved}/adapters.safetensors`);
  const lost = await runCli(["sample", "--adapters", `${moved}/adapters.safetensors`], {
    cwd: moved,
  });
  assert.equal(lost.code, 2);
  assert.match(lost.stderr, /adapts the checkpoint at .*, which is not there: keep the adapters/);
  await Deno.remove(moved, { recursive: true });
});

Deno.test("bad LoRA input is one sentence: a rank that does not fit, adapters for another model", async () => {
  const model = new GPT(CONFIG, 5);
  for (const rank of [0, -1, 9, 2.5]) {
    assert.throws(
      () => new LoRA(model, { rank }),
      (e) => e instanceof UserError && /rank of .* from 1 to 8/.test(e.message),
      `rank ${rank}`,
    );
  }
  assert.equal(new LoRA(model, { rank: 8 }).rank, 8, "the smaller side itself fits");
  const path = `${await Deno.makeTempDir()}/adapters.safetensors`;
  await saveAdapters(path, new LoRA(model, { rank: 2 }), "base");
  const wider = new GPT({ ...CONFIG, nEmbd: 16 }, 5);
  await assert.rejects(
    () => loadAdapters(path, wider),
    (e) => e instanceof UserError && /with nEmbd 8, but this model has 16/.test(e.message),
  );
  await assert.rejects(
    () => loadAdapters(`${path}.missing`, model),
    (e) => e instanceof UserError && /No adapters file/.test(e.message),
  );
});

Deno.test("the forecast style: seeded, and its held-out towns never appear in training", () => {
  const a = forecastText({ count: 30, split: "train", seed: 4 });
  assert.equal(a, forecastText({ count: 30, split: "train", seed: 4 }));
  assert.notEqual(a, forecastText({ count: 30, split: "train", seed: 5 }));
  const held = forecastTowns("heldOut");
  assert.ok(held.length > 0);
  assert.ok(held.every((t) => !a.includes(`forecast for ${t}:`)));
  const heldText = forecastText({ count: 30, split: "heldOut", seed: 4 });
  assert.ok(forecastTowns("train").every((t) => !heldText.includes(`forecast for ${t}:`)));
  assert.match(a, /^forecast for [a-z]+:\nmonday: [a-z]+ and [a-z]+, with [a-z ]+\.\ntuesday: /);
  assert.equal(a.split("\n\n").length - 1, 30);
});
