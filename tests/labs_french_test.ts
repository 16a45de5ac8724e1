import assert from "node:assert/strict";
import { FINETUNE_SETUPS, makeLab as makeLab11 } from "../labs/11_finetuning.ts";
import { makeLab } from "../labs/12_chatgpt.ts";
import { LABS } from "../labs/mod.ts";
import { SFT_PRESETS } from "../lib/chat/presets.ts";
import { type Lab, runLab } from "../lib/course/lab.ts";
import { setLang } from "../lib/i18n.ts";
import { runCli } from "./helpers.ts";
import { STILL_ENGLISH_LABS } from "./i18n_status.ts";

/** Labs whose real run takes minutes, on settings that take seconds: the texts are the same. */
const FAST: Record<string, () => Lab> = {
  "11": () =>
    makeLab11({
      ...FINETUNE_SETUPS.quick,
      trainForecasts: 40,
      heldOutForecasts: 8,
      settings: { ...FINETUNE_SETUPS.quick.settings, steps: 20, warmupSteps: 4, evalEvery: 10 },
    }),
  "12": () =>
    makeLab({
      ...SFT_PRESETS.quick,
      model: { blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 },
      settings: { ...SFT_PRESETS.quick.settings, batchSize: 8, steps: 10, evalEvery: 5 },
      trainCount: 60,
      heldOutCount: 20,
    }),
};

// Every lab translated so far runs in French on the reference path, with nothing English-only.
for (const entry of LABS.filter((l) => !STILL_ENGLISH_LABS.includes(l.id))) {
  Deno.test(`lab ${entry.id} --lang fr --reference: French step headers, no English-only text`, async () => {
    const lab = FAST[entry.id]?.() ?? await entry.load();
    const lines: string[] = [];
    setLang("fr");
    try {
      const r = await runLab(lab, {
        reference: true,
        outRoot: await Deno.makeTempDir(),
        print: (l) => lines.push(l),
      });
      assert.equal(r.status, "complete");
      assert.deepEqual(r.englishOnly, [], `lab ${lab.id} printed English-only texts`);
      const out = lines.join("\n");
      for (let i = 1; i <= lab.steps.length; i++) {
        assert.ok(out.includes(`── Étape ${i}/${lab.steps.length} · `), `Étape ${i}`);
      }
      assert.doesNotMatch(out, /── Step \d/);
      assert.match(out, new RegExp(`Lab ${lab.id} terminé\\.`));
      const page = await Deno.readTextFile(r.index);
      assert.match(page, /<html lang="fr">/);
      assert.equal(page.match(/<h2>Étape \d+ · /g)?.length, lab.steps.length);
      // The lesson is on the page, not only its charts: narration in French.
      assert.ok((page.match(/<p>/g)?.length ?? 0) >= lab.steps.length, "narration on the page");
      assert.doesNotMatch(page, /Not run yet|From an earlier run/);
    } finally {
      setLang("en");
    }
  });
}

Deno.test("LANG=fr_FR.UTF-8 runs lab 00 in French without a flag; hint 00.1 --lang fr is French", async () => {
  const run = await runCli(["lab", "00", "--reference"], { env: { LANG: "fr_FR.UTF-8" } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /── Étape 1\/12 · Qu'est-ce qu'un grand modèle de langage \?/);
  assert.match(run.stdout, /Un grand modèle de langage \(LLM/);
  const hint = await runCli(["hint", "00.1", "--lang", "fr"]);
  assert.equal(hint.code, 0, hint.stderr);
  assert.match(hint.stdout, /00\.1 · Le softmax/);
  assert.match(hint.stdout, /fonction softmax/);
});
