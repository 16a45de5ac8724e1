import assert from "node:assert/strict";
import { exercises as datasetExercises } from "../labs/catalog/08_dataset.ts";
import { exercises as trainingExercises } from "../labs/catalog/09_training.ts";
import { exercises as generationExercises } from "../labs/catalog/10_generation.ts";
import { findLab } from "../labs/mod.ts";
import * as dataset from "../labs/solutions/08_dataset.ts";
import * as generation from "../labs/solutions/10_generation.ts";
import * as training from "../labs/solutions/09_training.ts";
import { type AnyFunction, runCheck } from "../lib/course/exercise.ts";
import { runLab } from "../lib/course/lab.ts";
import {
  assertChartsValid,
  assertStopsAtFirstExercise,
  labChartProblems,
  solvedStudentRoot,
  useSampleTextAndQuickPreset,
} from "./helpers.ts";

// Labs 08–10 on the project's own sample text (an empty data folder hides any corpus) and the
// quick preset: each stops at its first exercise without --reference, runs to the end with it and
// writes the charts it promises; lab 08 also runs to the end with the solutions as the student's.
await useSampleTextAndQuickPreset();

const LABS: Record<string, { charts: string[]; says: RegExp[] }> = {
  "08": {
    charts: ["token_frequency", "batch"],
    says: [/seed\s+1337\s+again\s+gives\s+the\s+very\s+same/],
  },
  "09": {
    charts: ["loss_curves", "learning_rate", "tokens_per_second", "perplexity", "your_gpt_loss"],
    says: [
      /the\s+perplexity\s+e\^loss/,
      /scores\s+[\d.]+\s+on\s+the\s+validation\s+batches\s+of\s+its\s+evaluation,\s+exactly/,
      /identical\s+to\s+the\s+last\s+bit/,
      /your\s+GPT:\s+0\s+of\s+16\s+parts\s+are\s+yours/,
      /they\s+agree\s+within\s+1e-4\s+at\s+every\s+step/,
      /largest\s+difference\s+between\s+its\s+[\d,]+\s+logits|PyTorch\s+is\s+not\s+installed/,
    ],
  },
  "10": {
    charts: ["next_token", "next_token_distribution", "kv_cache_speed", "sampling_experiment"],
    says: [
      // Greedy decoding is deterministic: one continuation, the other 29 repeats of it.
      /greedy\s+\(τ\s+0\)\s+1\/30\s+29\s/,
      // A temperature of 1 draws 30 different continuations from 30 seeds.
      /τ\s+1\s+30\/30\s+0\s/,
      /the\s+same\s+tokens\s+with\s+and\s+without\s+the\s+cache/,
      /trains\s+one\s+first/,
      /this\s+lab\s+trained\s+on\s+an\s+earlier\s+run/,
    ],
  },
};

for (const [id, { charts, says }] of Object.entries(LABS)) {
  const entry = findLab(id)!;

  Deno.test(
    `lab ${id} stops at its first exercise, then runs to the end with --reference and writes ${
      charts.join(", ")
    }`,
    async () => {
      const lab = await entry.load();
      assert.ok(lab.exercises.length >= 2);
      // One output folder for both runs, as for a student: a model trained by the first is reused.
      const outRoot = await Deno.makeTempDir();
      const lines: string[] = [];
      await assertStopsAtFirstExercise(lab, outRoot, lines);
      const result = await runLab(lab, { reference: true, outRoot, print: (l) => lines.push(l) });
      assert.equal(result.status, "complete");
      assert.equal(result.stepsRun, lab.steps.length);
      const output = lines.join("\n");
      assert.match(output, /multilingual\s+sample/);
      for (const claim of says) assert.match(output, claim);
      assert.doesNotMatch(output, /\bNOT\b|\bNO\b|DIFFERENT/);
      await assertChartsValid(`${outRoot}/${lab.slug}`, charts);
      assert.deepEqual(await labChartProblems(`${outRoot}/${lab.slug}`), []);
      if (id === "09") {
        // Every evaluation the student sees carries its perplexity, and it is e^loss.
        const pairs = [...output.matchAll(/(\d+\.\d{4}) \(ppl (\d+\.\d)\)/g)];
        assert.ok(pairs.length >= 2 * 7, `${pairs.length} losses with a perplexity`);
        for (const [, loss, ppl] of pairs) {
          assert.ok(Math.abs(Math.exp(Number(loss)) - Number(ppl)) <= 0.05 + 1e-3 * Number(ppl));
        }
        assert.doesNotMatch(output, /\bval \d+\.\d{4}(?! \(ppl)/);
      }
      await Deno.remove(outRoot, { recursive: true });
    },
  );

  // Once is enough: the labs that train would train again for nothing new.
  if (id !== "08") continue;
  Deno.test(`lab ${id} runs to the end with the solutions as the student's code`, async () => {
    const lab = await entry.load();
    const studentRoot = await solvedStudentRoot(lab);
    const result = await runLab(lab, { studentRoot, outRoot: studentRoot, print: () => {} });
    assert.equal(result.status, "complete");
    await Deno.remove(studentRoot, { recursive: true });
  });
}

/** Each mistake is plausible for its exercise and must fail that exercise's check. */
async function assertMistakesFail(
  exercises: { id: string }[],
  mistakes: [string, AnyFunction][],
): Promise<void> {
  for (const [id, impl] of mistakes) {
    const ex = exercises.find((e) => e.id === id)! as Parameters<typeof runCheck>[0];
    assert.equal((await runCheck(ex, impl)).status, "fail", `${id} accepted a mistake`);
  }
}

Deno.test("lab 08: plausible mistakes fail their checks", async () => {
  await assertMistakesFail(datasetExercises, [
    // Rounds the cut instead of flooring it.
    ["08.1", (tokens: Int32Array, f: number) => {
      const cut = Math.round(tokens.length * (1 - f));
      return { train: tokens.slice(0, cut), val: tokens.slice(cut) };
    }],
    // Targets equal to the inputs: predicting the current token, not the next.
    ["08.2", (data: Int32Array, B: number, T: number, rng: never) => {
      const { inputs } = dataset.makeBatch(data, B, T, rng);
      return { inputs, targets: inputs.slice() };
    }],
    // Starts anywhere up to data.length - T + 1: the last target can fall off the end.
    ["08.2", (data: Int32Array, B: number, T: number, rng: { int(n: number): number }) => {
      const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const start = rng.int(data.length - T + 1);
        for (let t = 0; t < T; t++) {
          inputs[b * T + t] = data[start + t];
          targets[b * T + t] = data[start + t + 1];
        }
      }
      return { inputs, targets };
    }],
  ]);
});

Deno.test("lab 09: plausible mistakes fail their checks", async () => {
  type Schedule = Parameters<typeof training.learningRate>[1];
  await assertMistakesFail(trainingExercises, [
    // Warmup that starts at zero: the first step would not move at all.
    [
      "09.1",
      (step: number, o: Schedule) =>
        step < o.warmupSteps ? o.maxLr * step / o.warmupSteps : training.learningRate(step, o),
    ],
    // Cosine over the whole run, ignoring warmup.
    [
      "09.1",
      (step: number, o: Schedule) =>
        step < o.warmupSteps
          ? training.learningRate(step, o)
          : training.learningRate(step, { ...o, warmupSteps: 0 }),
    ],
    // Clips each gradient on its own instead of the global norm.
    ["09.2", (grads: Float32Array, max: number) => {
      const norm = Math.sqrt(grads.reduce((s, g) => s + g * g, 0));
      grads.forEach((g, i) => grads[i] = Math.max(-max, Math.min(max, g)));
      return norm;
    }],
    // Adam with L2 regularisation (decay through the gradient), not AdamW.
    [
      "09.3",
      ((p, g, m, v, t, o, groups) => {
        const g2 = g.slice();
        for (const gr of groups) {
          for (let i = gr.start; i < gr.end; i++) g2[i] += gr.weightDecay * p[i];
        }
        training.adamwStep(p, g2, m, v, t, o, groups.map((gr) => ({ ...gr, weightDecay: 0 })));
      }) satisfies typeof training.adamwStep,
    ],
    // No bias correction.
    [
      "09.3",
      ((p, g, m, v, _t, o, groups) =>
        training.adamwStep(p, g, m, v, Infinity, o, groups)) satisfies typeof training.adamwStep,
    ],
  ]);
});

Deno.test("lab 10: plausible mistakes fail their checks", async () => {
  await assertMistakesFail(generationExercises, [
    // Multiplies by the temperature instead of dividing.
    [
      "10.1",
      (logits: Float32Array, t: number) =>
        generation.softmaxWithTemperature(logits.map((x) => x * t * t), t),
    ],
    // Forgets to renormalise the kept tokens.
    ["10.2", (probs: Float32Array, k: number) => {
      const kept = generation.topKFilter(probs, k);
      return kept.map((q, i) => (q > 0 ? probs[i] : 0));
    }],
    // Keeps the k least likely tokens.
    [
      "10.2",
      (probs: Float32Array, k: number) =>
        generation.topKFilter(probs.map((q) => 1 - q), k).map((q, i) => q > 0 ? probs[i] : 0),
    ],
    // Stops before the token that makes the total reach p, so the nucleus holds less than p.
    ["10.3", (probs: Float32Array, p: number) => {
      const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a]);
      const kept: number[] = [];
      let mass = 0;
      for (const id of order) {
        if (kept.length > 0 && mass + probs[id] > p) break;
        kept.push(id);
        mass += probs[id];
      }
      const out = new Float32Array(probs.length);
      for (const id of kept) out[id] = probs[id] / mass;
      return out;
    }],
  ]);
});
