import assert from "node:assert/strict";
import { CATALOG, findExercise } from "../labs/catalog/mod.ts";
import { checkStudent, REPO_ROOT } from "../lib/course/exercise.ts";
import { compareModels, describeYourGPT, yourGPT } from "../lib/course/your_gpt.ts";
import { gradeExercise } from "../lib/grade/grade.ts";
import { sandboxedCheck } from "../lib/grade/lab_check.ts";
import { GPT, gptForward } from "../lib/model/gpt.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { BABY_SETTINGS } from "../lib/train/presets.ts";
import { train } from "../lib/train/trainer.ts";
import type { Metric } from "../lib/train/trainer.ts";
import { CharTokenizer } from "../lib/tokenizer/char.ts";
import { saveTokenizer } from "../lib/tokenizer/saved.ts";

/**
 * A submission of its own, in a new folder: every solution copied over the exercises, then
 * `edits` applied to the file of lab `lab` ([from, to] pairs, each of which must match).
 */
async function submission(edits: Record<string, [string, string][]> = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-yours-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  for (const entry of Deno.readDirSync(`${REPO_ROOT}/labs/solutions`)) {
    let text = await Deno.readTextFile(`${REPO_ROOT}/labs/solutions/${entry.name}`);
    for (const [from, to] of edits[entry.name] ?? []) {
      assert.ok(text.includes(from), `${entry.name} has no ${from}`);
      text = text.replace(from, to);
    }
    await Deno.writeTextFile(`${dir}/labs/exercises/${entry.name}`, text);
  }
  return dir;
}

async function failureOf(id: string, edits: Record<string, [string, string][]>): Promise<string> {
  const dir = await submission(edits);
  try {
    const r = await checkStudent(findExercise(id)!, dir);
    assert.equal(r.status, "fail");
    return `${r.failure!.what} ${r.failure!.got}`;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a LayerNorm without its epsilon makes the block's check name exercise 06.1", async () => {
  const got = await failureOf("06.3", {
    "06_block.ts": [["variance + 1e-5", "variance"]],
  });
  assert.match(got, /with your layerNormForward \(exercise 06\.1\)/);
  assert.match(got, /revisit exercise 06\.1/);
});

Deno.test("the composition checks name the usual mistakes", async () => {
  const cases: [string, string, [string, string][], RegExp][] = [
    [
      "06.3",
      "06_block.ts",
      [["linearForward(h.qkv, h.ln_1,", "linearForward(h.qkv, x,"]],
      /post-norm/,
    ],
    [
      "06.3",
      "06_block.ts",
      [["ops.residualForward(h.residual2, x, h.attproj, N * C);", "h.residual2.set(h.attproj);"]],
      /missing residual/,
    ],
    [
      "06.4",
      "06_block.ts",
      [[
        "ops.residualBackward(dx, dh.attproj, dh.residual2, N * C);",
        "dx.set(dh.residual2);\n  dh.attproj.set(dh.residual2);",
      ]],
      /overwritten/,
    ],
    [
      "07.3",
      "07_gpt.ts",
      [["p.wte, p.wpe, B, T, C);", "p.wte, null, B, T, C);"]],
      /positions forgotten/,
    ],
    ["07.3", "07_gpt.ts", [["return sum / N;", "return sum / B;"]], /wrong count/],
    [
      "07.4",
      "07_gpt.ts",
      [["linearBackward(d.ln_f, g.wte,", "linearBackward(d.ln_f, new Float32Array(g.wte.length),"]],
      /untied head/,
    ],
    ["09.4", "09_training.ts", [["    model.zeroGrad();\n", ""]], /never zeroed/],
    [
      "09.4",
      "09_training.ts",
      [["parts.learningRate(step, run.schedule)", "run.schedule.maxLr"]],
      /schedule ignored/,
    ],
    [
      "09.4",
      "09_training.ts",
      [
        ["run.gradClip > 0 ? parts.clipGradNorm(model.grads, run.gradClip) : NaN", "NaN"],
        [
          "    losses.push(loss);",
          "    if (run.gradClip > 0) parts.clipGradNorm(model.grads, run.gradClip);\n    losses.push(loss);",
        ],
      ],
      /clipping after the step/,
    ],
    ["10.4", "10_generation.ts", [["tokens.slice(-blockSize)", "tokens.slice(0)"]], /no crop/],
    ["10.4", "10_generation.ts", [["rng.uniform()", "Math.random()"]], /not seeded/],
    [
      "10.4",
      "10_generation.ts",
      [[
        "const u = rng.uniform();",
        "rng.uniform();\n    const u = 0;\n    probs = probs.map((q) => (q === Math.max(...probs) ? 1 : 0));",
      ]],
      /argmax where a draw was asked/,
    ],
  ];
  for (const [id, file, edits, expected] of cases) {
    assert.match(await failureOf(id, { [file]: edits }), expected, `${id}: ${edits[0][1]}`);
  }
});

/** A small corpus the test writes itself. */
const TEXT = "to be or not to be, that is the question; whether 'tis nobler in the mind ".repeat(
  40,
);
const TOKENIZER = CharTokenizer.fromText(TEXT);

async function trainLosses(model: GPT, loop: Pick<Parameters<typeof train>[0], "loop" | "parts">) {
  const outDir = await Deno.makeTempDir({ prefix: "minigpt-yours-run-" });
  await train({
    model,
    data: new TokenDataset(Int32Array.from(TOKENIZER.encode(TEXT)), 0.1),
    tokenizer: saveTokenizer(TOKENIZER),
    settings: {
      ...BABY_SETTINGS,
      batchSize: 2,
      steps: 12,
      warmupSteps: 2,
      evalEvery: 5,
      evalBatches: 1,
    },
    outDir,
    progress: () => {},
    ...loop,
  });
  const lines = (await Deno.readTextFile(`${outDir}/metrics.jsonl`)).trim().split("\n");
  await Deno.remove(outDir, { recursive: true });
  return lines.map((l) => JSON.parse(l) as Metric);
}

Deno.test("with every solution in place, your GPT is all yours and trains exactly as lib/'s", async () => {
  const dir = await submission();
  try {
    const mine = await yourGPT(CATALOG, ["model", "training"], { root: dir });
    assert.match(describeYourGPT(mine).en, /^your GPT: 16 of 16 parts are yours/);
    const config = { vocabSize: TOKENIZER.vocabSize, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
    const ids = Int32Array.from({ length: 16 }, (_, i) => (i * 7) % TOKENIZER.vocabSize);
    const d = compareModels(
      new GPT(config, 3, { ops: mine.ops }),
      new GPT(config, 3),
      ids,
      ids,
      2,
      8,
    );
    assert.deepEqual([d.logits, d.loss, d.grads], [0, 0, 0]);
    const yours = await trainLosses(new GPT(config, 3, { ops: mine.ops }), {
      loop: mine.trainLoop,
      parts: mine.loopParts,
    });
    const library = await trainLosses(new GPT(config, 3), {});
    assert.equal(yours.length, library.length);
    assert.deepEqual(
      yours.map((m) => m.kind === "train" ? m.loss : m.valLoss),
      library.map((m) => m.kind === "train" ? m.loss : m.valLoss),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with the starters, every part of your GPT is still the library's", async () => {
  const mine = await yourGPT(CATALOG, ["generation"]);
  assert.equal(
    describeYourGPT(mine).en,
    "your GPT: 0 of 4 parts are yours; still the library's: softmaxWithTemperature (10.1), " +
      "topKFilter (10.2), topPFilter (10.3), generateTokens (10.4)",
  );
});

Deno.test("the sandboxed grader grades a composition and names the part to revisit", async () => {
  const dir = await submission({ "06_block.ts": [["variance + 1e-5", "variance"]] });
  try {
    const broken = await gradeExercise(findExercise("06.3")!, dir);
    assert.equal(broken.status, "fail");
    assert.match(broken.message, /revisit exercise 06\.1/);
    const right = await gradeExercise(findExercise("07.4")!, dir);
    assert.equal(right.status, "pass", right.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a GPT forward or backward that calls the library's whole model through its table fails", async () => {
  const callThrough = (pass: string, args: string) =>
    `const lib = (ops as unknown as Record<string, (...a: unknown[]) => unknown>).${pass};\n` +
    `  if (lib) return lib(${args}) as never;\n  throw new Error("no ${pass} in the table");\n`;
  const dir = await submission({
    "07_gpt.ts": [
      [
        "): number | null {\n  const {",
        "): number | null {\n  " +
        callThrough("gptForward", "ops, p, a, inputs, targets, B, T, config") + "  const {",
      ],
      [
        "): void {\n  const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C } = config, N = B * T;\n  ops.crossEntropySoftmaxBackward",
        "): void {\n  " +
        callThrough("gptBackward", "ops, g, d, p, a, inputs, targets, B, T, config") +
        "  const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C } = config, N = B * T;\n  ops.crossEntropySoftmaxBackward",
      ],
    ],
  });
  try {
    for (const id of ["07.3", "07.4"]) {
      const checked = await checkStudent(findExercise(id)!, dir);
      assert.equal(checked.status, "fail", `${id} passed by calling the library's whole model`);
      const graded = await gradeExercise(findExercise(id)!, dir);
      assert.equal(graded.status, "fail", `${id} passed the grader by calling the library's model`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // The model itself hands its whole-model passes only the parts.
  let seen: object | null = null;
  const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }, 0, {
    ops: {
      gptForward: (ops, ...rest) => {
        seen = ops;
        return gptForward(ops, ...rest);
      },
    },
  });
  model.forward(new Int32Array([1, 2]), new Int32Array([2, 3]), 1, 2);
  assert.ok(seen && !("gptForward" in seen) && !("gptBackward" in seen) && "blockForward" in seen);
});

Deno.test("through the sandbox, a LayerNorm that forges the comparison is not counted as yours", async () => {
  // Wrong without its bias, and every |got − expected| made 0 for a check run beside it: the
  // in-process check would take it (and this test's own Math.abs with it), the sandbox does not.
  const dir = await submission({
    "06_block.ts": [
      [
        "export function layerNormForward(",
        "Math.abs = () => 0;\nexport function layerNormForward(",
      ],
      ["r * weight[i] + bias[i]));", "r * weight[i]));"],
    ],
  });
  const mine = await yourGPT(CATALOG, ["model"], { root: dir, check: sandboxedCheck() });
  assert.deepEqual(mine.library.map((e) => e.id), ["06.1"]);
  assert.ok(mine.yours.some((e) => e.id === "06.2"));
  assert.match(describeYourGPT(mine).en, /still the library's: layerNormForward \(06\.1\)/);
  await Deno.remove(dir, { recursive: true });
});
