import assert from "node:assert/strict";
import { labDataset, labPreset, labPretrained, QUICK_PRESET } from "../labs/setup.ts";
import type { StepContext } from "../lib/course/lab.ts";
import { GPT } from "../lib/model/gpt.ts";
import { saveCheckpoint } from "../lib/train/checkpoint.ts";
import { saveTokenizer } from "../lib/tokenizer/saved.ts";
import { BABY_SETTINGS, PRESETS } from "../lib/train/presets.ts";
import { UserError } from "../lib/errors.ts";

// The values are passed in rather than set in the environment, which parallel tests share.
Deno.test("MINIGPT_PRESET picks quick by default, the baby GPT with full, and refuses anything else", () => {
  assert.equal(labPreset(undefined), QUICK_PRESET);
  assert.equal(labPreset("quick"), QUICK_PRESET);
  assert.deepEqual(labPreset(" Full ").shape, PRESETS.baby);
  assert.deepEqual(labPreset("full").settings, BABY_SETTINGS);
  assert.throws(
    () => labPreset("fast"),
    (e) => e instanceof UserError && /fast.*quick.*full/.test(e.message),
  );
});

Deno.test("a later lab finds lab 09's checkpoint before its own output folder exists", async () => {
  const out = await Deno.makeTempDir();
  const { tokenizer } = await labDataset();
  const model = new GPT({ ...QUICK_PRESET.shape, vocabSize: tokenizer.vocabSize }, 7);
  const state = { step: 150, rngState: 1, bestValLoss: 2, settings: {} };
  await saveCheckpoint(`${out}/09_training/run/best`, {
    model,
    tokenizer: saveTokenizer(tokenizer),
    optimizer: null,
    state,
  });
  const said: string[] = [];
  const ctx = {
    outDir: `${out}/10_generation`,
    say: (t: string) => void said.push(t),
    show: (t: string) => void said.push(t),
  } as unknown as StepContext;
  const found = await labPretrained(ctx);
  assert.equal(found.origin, "lab 09's best checkpoint (step 150)");
  assert.deepEqual(found.model.params, model.params);
  assert.deepEqual(said, []);
  await Deno.remove(out, { recursive: true });
});
