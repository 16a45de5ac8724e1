import assert from "node:assert/strict";
import { FINETUNE_SETUPS, type FinetuneSetup, makeLab } from "../labs/11_finetuning.ts";
import { PRESET_ENV } from "../labs/setup.ts";
import { REPO_ROOT } from "../lib/exercise.ts";
import { runLab } from "../lib/lab.ts";
import { svgErrors, vegaLiteErrors } from "./helpers.ts";

// On the project's own sample text (an empty data folder hides any corpus), the quick preset's
// pretrained model, and a short fine-tuning: the lab's own setup takes a minute, this seconds.
Deno.env.set("MINIGPT_DATA", await Deno.makeTempDir());
Deno.env.delete(PRESET_ENV);

const SHORT: FinetuneSetup = {
  ...FINETUNE_SETUPS.quick,
  trainForecasts: 40,
  heldOutForecasts: 8,
  settings: { ...FINETUNE_SETUPS.quick.settings, steps: 40, warmupSteps: 4, evalEvery: 10 },
};

Deno.test("lab 11 stops at 11.1, then runs to the end with --reference: both methods, charts, samples, saved both ways", async () => {
  const outRoot = await Deno.makeTempDir();
  const lines: string[] = [];
  const student = await runLab(makeLab(SHORT), { outRoot, print: (l) => lines.push(l) });
  assert.equal(student.status, "stopped at an exercise");
  assert.equal(student.stoppedAt?.exercise.id, "11.1");

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

  const dir = `${outRoot}/11_finetuning`;
  for (const chart of ["loss_before_after", "trainable_parameters", "finetuning_curves"]) {
    assert.equal(svgErrors(await Deno.readTextFile(`${dir}/${chart}.svg`)), "", chart);
    const spec = JSON.parse(await Deno.readTextFile(`${dir}/${chart}.vl.json`));
    assert.equal(await vegaLiteErrors(spec), "", chart);
  }
  for (const sample of ["before", "after_full", "after_lora", "corpus_lora"]) {
    const text = await Deno.readTextFile(`${dir}/${sample}.txt`);
    assert.match(text, /forecast for|\n/, sample);
  }
  const index = await Deno.readTextFile(`${dir}/index.html`);
  assert.match(index, /after full fine-tuning/);
  for (const file of ["lora_merged/model.safetensors", "lora/adapters.safetensors"]) {
    assert.ok((await Deno.stat(`${dir}/${file}`)).size > 0, file);
  }
  await Deno.remove(outRoot, { recursive: true });
});

Deno.test("lab 11 runs to the end with the solutions as the student's code", async () => {
  const lab = makeLab(SHORT);
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/labs/exercises`, { recursive: true });
  const file = lab.exercises[0].file;
  await Deno.copyFile(
    `${REPO_ROOT}/${file.replace("exercises/", "solutions/")}`,
    `${root}/${file}`,
  );
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
