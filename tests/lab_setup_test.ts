import assert from "node:assert/strict";
import { labPreset, QUICK_PRESET } from "../labs/setup.ts";
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
