import assert from "node:assert/strict";
import { FINETUNE_SETUPS, type FinetuneSetup, makeLab } from "../labs/11_finetuning.ts";
import { exercises } from "../labs/catalog/11_finetuning.ts";
import * as solutions from "../labs/solutions/11_finetuning.ts";
import { type AnyFunction, REPO_ROOT, runCheck } from "../lib/course/exercise.ts";
import type { LoraTarget } from "../lib/train/lora.ts";
import { runLab } from "../lib/course/lab.ts";
import {
  assertChartsValid,
  assertStopsAtFirstExercise,
  labChartProblems,
  solvedStudentRoot,
  useSampleTextAndQuickPreset,
} from "./helpers.ts";

// On the project's own sample text (an empty data folder hides any corpus), the quick preset's
// pretrained model, and a short fine-tuning: the lab's own setup takes a minute, this seconds.
await useSampleTextAndQuickPreset();

const SHORT: FinetuneSetup = {
  ...FINETUNE_SETUPS.quick,
  trainForecasts: 40,
  heldOutForecasts: 8,
  settings: { ...FINETUNE_SETUPS.quick.settings, steps: 40, warmupSteps: 4, evalEvery: 10 },
};

Deno.test("lab 11 stops at 11.1, then runs to the end with --reference: both methods, charts, samples, saved both ways", async () => {
  const outRoot = await Deno.makeTempDir();
  const lines: string[] = [];
  await assertStopsAtFirstExercise(makeLab(SHORT), outRoot, lines);

  const result = await runLab(makeLab(SHORT), {
    reference: true,
    outRoot,
    print: (l) => lines.push(l),
  });
  const output = lines.join("\n");
  assert.equal(result.status, "complete", output);
  assert.match(output, /multilingual\s+sample/);
  // The first run trained the pretrained model; the second reused it.
  assert.match(output, /trains\s+one\s+first/);
  assert.match(output, /this\s+lab\s+trained\s+on\s+an\s+earlier\s+run/);
  assert.match(output, /identical\s+logits,\s+bit\s+for\s+bit/);
  assert.match(output, /with\s+B\s+=\s+0\s+the\s+weight\s+is\s+unchanged/);
  assert.doesNotMatch(output, /\bNOT\b|DIFFERENT/);
  // Both methods' rows: trainable parameters, then losses before → after on both tasks.
  const row = (name: string) =>
    new RegExp(`${name}\\s+[\\d,]+\\s+[\\d.]+ s\\s+[\\d.]+ → [\\d.]+\\s+[\\d.]+ → [\\d.]+`);
  assert.match(output, row("full fine-tuning"));
  assert.match(output, row("LoRA r=4"));
  // The remedies for forgetting, each a row of its own, in the side-by-side table too.
  const remedies = [
    "full, embeddings \\+ block 0 frozen",
    "full, embeddings \\+ block 0 at 0\\.1× lr",
    "full, 25% corpus text mixed in",
  ];
  for (const name of remedies) {
    assert.equal(output.match(new RegExp(row(name).source, "g"))?.length, 2, name);
  }
  const trainable = (name: string) =>
    Number(output.match(new RegExp(`${name}\\s+([\\d,]+)`))![1].replaceAll(",", ""));
  assert.ok(trainable(remedies[0]) < trainable("full fine-tuning"));
  assert.equal(trainable(remedies[1]), trainable("full fine-tuning"));
  assert.match(output, /corpus's\s+loss\s+ends\s+[\d.]+\s+(lower|higher)\s+than\s+after\s+full/);

  const dir = `${outRoot}/11_finetuning`;
  assert.deepEqual(await labChartProblems(dir), []);
  await assertChartsValid(dir, ["loss_before_after", "trainable_parameters", "finetuning_curves"]);
  for (const sample of ["before", "after_full", "after_lora", "corpus_lora"]) {
    const text = await Deno.readTextFile(`${dir}/${sample}.txt`);
    assert.match(text, /forecast for|\n/, sample);
  }
  const index = await Deno.readTextFile(`${dir}/index.html`);
  assert.match(index, /after full fine-tuning/);
  for (const file of ["lora_merged/model.safetensors", "lora/adapters.safetensors"]) {
    assert.ok((await Deno.stat(`${dir}/${file}`)).size > 0, file);
  }
  // The sample commands the lab prints work when pasted into a shell, the prompt's newline too.
  const commands = output.match(/^ {4}deno task sample .*$/gm) ?? [];
  assert.equal(commands.length, 2, output);
  for (const command of commands) {
    const run = await new Deno.Command("bash", {
      args: ["-c", command.trim()],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, `${command}: ${stderr}`);
    assert.match(new TextDecoder().decode(run.stdout), /^forecast for \w+:\n/, command);
  }
  // A run started at a later step fine-tunes again what it needs, to the same numbers.
  const later: string[] = [];
  const resumed = await runLab(makeLab(SHORT), {
    reference: true,
    outRoot,
    from: 9,
    print: (l) => later.push(l),
  });
  assert.equal(resumed.status, "complete");
  const rows = (text: string) => text.match(/\d\.\d{3} → \d\.\d{3}/g);
  assert.deepEqual(rows(later.join("\n"))?.slice(0, 10), rows(output)?.slice(-10));
  await Deno.remove(outRoot, { recursive: true });
});

Deno.test("lab 11 runs to the end with the solutions as the student's code", async () => {
  const lab = makeLab(SHORT);
  const root = await solvedStudentRoot(lab);
  const lines: string[] = [];
  const result = await runLab(lab, {
    studentRoot: root,
    outRoot: root,
    print: (l) => lines.push(l),
  });
  assert.equal(result.status, "complete", lines.join("\n"));
  const output = lines.join("\n");
  assert.match(output, /exercise 11\.3 · Counting the parameters LoRA trains: your code passes/);
  // The student's backward agrees with finite differences, and says so with the numbers.
  assert.match(output, /relative\s+error\s+[\d.]+e-\d\s+for\s+A\s+and\s+[\d.]+e-\d\s+for\s+B/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("lab 11: plausible mistakes fail their checks", async () => {
  type Merge = typeof solutions.loraMerge;
  type Backward = typeof solutions.loraBackward;
  const mistakes: [string, AnyFunction][] = [
    // Forgets the scale α/r.
    [
      "11.1",
      ((out, base, A, B, _s, OC, C, r) =>
        solutions.loraMerge(out, base, A, B, 1, OC, C, r)) satisfies Merge,
    ],
    // Reads A as (C, r) instead of (r, C).
    [
      "11.1",
      ((out, base, A, B, s, OC, C, r) => {
        for (let o = 0; o < OC; o++) {
          for (let c = 0; c < C; c++) {
            let sum = 0;
            for (let k = 0; k < r; k++) sum += B[o * r + k] * A[c * r + k];
            out[o * C + c] = base[o * C + c] + s * sum;
          }
        }
      }) satisfies Merge,
    ],
    // Adds to whatever dA and dB held.
    [
      "11.2",
      ((dA, dB, ...rest) => {
        const [a, b] = [dA.slice(), dB.slice()];
        solutions.loraBackward(dA, dB, ...rest);
        dA.forEach((x, i) => dA[i] = x + a[i]);
        dB.forEach((x, i) => dB[i] = x + b[i]);
      }) satisfies Backward,
    ],
    // Forgets the scale α/r.
    [
      "11.2",
      ((dA, dB, dW, A, B, _s, OC, C, r) =>
        solutions.loraBackward(dA, dB, dW, A, B, 1, OC, C, r)) satisfies Backward,
    ],
    // Counts every matrix as square (C, C).
    [
      "11.3",
      (C: number, L: number, r: number, targets: string[]) => L * targets.length * r * 2 * C,
    ],
    // Counts one block only.
    [
      "11.3",
      (C: number, _L: number, r: number, targets: LoraTarget[]) =>
        solutions.loraParameterCount(C, 1, r, targets),
    ],
  ];
  for (const [id, impl] of mistakes) {
    const ex = exercises.find((e) => e.id === id)!;
    assert.equal((await runCheck(ex, impl)).status, "fail", `${id} accepted a mistake`);
  }
});
