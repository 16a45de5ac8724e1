import assert from "node:assert/strict";
import { makeLab } from "../labs/12_chatgpt.ts";
import { SFT_PRESETS, type SftPreset } from "../lib/chat/presets.ts";
import { runLab } from "../lib/course/lab.ts";
import { READING_LIST } from "../lib/course/reading.ts";
import { LABS } from "../labs/mod.ts";
import { tr } from "../lib/i18n.ts";
import { labChartProblems } from "./helpers.ts";

// The lab's quick preset takes minutes; the same lab on a tiny preset takes a second.
const TINY: SftPreset = {
  ...SFT_PRESETS.quick,
  model: { blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 },
  settings: { ...SFT_PRESETS.quick.settings, batchSize: 8, steps: 10, evalEvery: 5 },
  // Enough that, after the French conversations too long for 64 tokens are left out, the count
  // still takes a thousands separator.
  trainCount: 1500,
  heldOutCount: 10,
};

Deno.test("lab 12 runs to the end with --reference and writes its SFT loss and accuracy charts", async () => {
  const outRoot = await Deno.makeTempDir();
  const lines: string[] = [];
  // From the output folder's parent, as a student runs it from the repository: relative paths.
  const cwd = Deno.cwd();
  Deno.chdir(outRoot);
  const result = await runLab(makeLab(TINY), {
    reference: true,
    outRoot,
    print: (l) => lines.push(l),
  }).finally(() => Deno.chdir(cwd));
  assert.equal(result.status, "complete", lines.join("\n"));
  const files = [...Deno.readDirSync(`${outRoot}/12_chatgpt`)].map((f) => f.name);
  for (const f of ["index.html", "sft_loss.svg", "accuracy_per_family.svg", "replies.txt"]) {
    assert.ok(files.includes(f), `${f} in ${files}`);
  }
  assert.deepEqual(await labChartProblems(`${outRoot}/12_chatgpt`), []);
  const text = lines.join("\n");
  // The closing step: every lab, the model against GPT-2/3/4, and the course's reading list.
  for (const l of LABS) assert.ok(text.includes(tr(l.title)), tr(l.title));
  const params = Number(
    text.match(/Your assistant has ([\d,]+) parameters/)![1].replaceAll(",", ""),
  );
  const times = Number(text.match(/GPT-3 has ([\d,]+)\s+times/)![1].replaceAll(",", ""));
  assert.equal(times, Math.round(175e9 / params));
  assert.match(text, /RLHF/);
  for (const r of READING_LIST) assert.ok(text.includes(r.title), r.title);
  assert.match(text, /<\|user\|>what is 23\+45\?<\|end\|><\|assistant\|>68<\|end\|>/);
  assert.match(text, /^ {4}deno task chat --ckpt 12_chatgpt\/sft$/m);
  assert.ok(!text.includes(outRoot), "no absolute path");
  assert.match(text, /This run: 1,\d{3} training conversations/);
  // A run started after the training step reloads the checkpoint the lab saved.
  const resumed = await runLab(makeLab(TINY), {
    reference: true,
    outRoot,
    from: 8,
    print: () => {},
  });
  assert.equal(resumed.status, "complete");
  await Deno.remove(outRoot, { recursive: true });
});

Deno.test("lab 12 without --reference stops at exercise 12.1", async () => {
  const outRoot = await Deno.makeTempDir();
  const result = await runLab(makeLab(TINY), { outRoot, print: () => {} });
  assert.equal(result.status, "stopped at an exercise");
  assert.equal(result.stoppedAt?.exercise.id, "12.1");
  await Deno.remove(outRoot, { recursive: true });
});

Deno.test("lab 12's step 7 reuses its SFT run while the inputs are the same, and retrains when one changes", async () => {
  const outRoot = await Deno.makeTempDir();
  const run = async (preset: SftPreset) => {
    const lines: string[] = [];
    const result = await runLab(makeLab(preset), {
      reference: true,
      outRoot,
      from: 7,
      print: (l) => lines.push(l),
    });
    assert.equal(result.status, "complete", lines.join("\n"));
    const text = lines.join("\n");
    // Compared with the line breaks as spaces: a note on reuse rewraps the paragraph.
    const flat = text.replace(/\s+/g, " ");
    return { text, heldOut: flat.match(/held-out loss went from [\d.]+ .*? to [\d.]+/)?.[0] };
  };
  const reusing = /reuses\s+its\s+checkpoint/;
  const first = await run(TINY);
  assert.doesNotMatch(first.text, reusing);
  const second = await run(TINY);
  assert.match(second.text, reusing);
  assert.equal(second.heldOut, first.heldOut);
  // The evaluation after it reads the same model: the same table.
  const table = (text: string) => text.match(/family\s+right[\s\S]*?ending their turn.*/)?.[0];
  assert.equal(table(second.text), table(first.text));
  const reseeded = { ...TINY, settings: { ...TINY.settings, seed: TINY.settings.seed + 1 } };
  assert.doesNotMatch((await run(reseeded)).text, reusing);
  assert.doesNotMatch((await run({ ...reseeded, trainCount: 1201 })).text, reusing);
  assert.match((await run({ ...reseeded, trainCount: 1201 })).text, reusing);
  await Deno.remove(outRoot, { recursive: true });
});
