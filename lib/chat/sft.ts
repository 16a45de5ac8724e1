/**
 * Supervised fine-tuning (SFT) on conversations: batches of whole conversations padded to the
 * longest one, the loss weighted to the assistant's tokens only (lib/model/gpt.ts's per-position
 * weights), AdamW on the warmup + cosine schedule, a progress line, a metrics log (JSONL) and a
 * checkpoint whose tokenizer carries the chat tokens, so `deno task chat` can load it.
 *
 * Leaves out resuming (a run is minutes long) and sequence packing: padding wastes some compute
 * but keeps every conversation alone in its row, as the template intends.
 * @module
 */
import { outputFolder } from "../atomic.ts";
import { saveCheckpoint } from "../train/checkpoint.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import type { GPT } from "../model/gpt.ts";
import { Rng } from "../random.ts";
import { heldOutLine, stepLine } from "../train/progress.ts";
import type { LoopBatch } from "../train/loop.ts";
import { defaultProgress, runLearningRate, type TrainSettings } from "../train/trainer.ts";
import { decayGroups, trainStep } from "../train/step.ts";
import { type Conversation, turnsOf } from "./data.ts";
import { assistantTargetMask, type ChatTokenizer, encodeConversation } from "./template.ts";

/** One conversation ready for training: its ids and the weights of its n − 1 targets. */
export interface SftExample {
  ids: Int32Array;
  weights: Float32Array;
}

/** A padded batch: a training batch of B rows of T positions whose padding is weighted 0. */
export interface SftBatch extends LoopBatch {
  weights: Float32Array; // (B, T)
}

/**
 * The knobs of an SFT run: the trainer's, but for AdamW's betas (fixed at 0.9, 0.99) and the
 * evaluation's batches (the held-out conversations are measured whole, every `evalEvery` steps
 * and at the end).
 */
export type SftSettings = Omit<TrainSettings, "beta1" | "beta2" | "evalBatches">;

/** One line of `metrics.jsonl`. */
export type SftMetric =
  | { kind: "train"; step: number; loss: number; lr: number; tokPerSec: number }
  | { kind: "eval"; step: number; heldOutLoss: number };

/**
 * Encodes conversations for training, keeping those that fit the model's context whole (so that
 * the same conversation can also be replayed at evaluation, where every token is an input);
 * `dropped` counts the others.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChatTokenizer } from "./template.ts";
 * import { chatAlphabet } from "./data.ts";
 * import { encodeExamples } from "./sft.ts";
 * const tok = new ChatTokenizer([...chatAlphabet()]);
 * const { examples } = encodeExamples(tok, [[{ family: "addition", lang: "en", question: "1+1=?", answer: "2" }]], 32);
 * assert.equal(examples[0].weights.reduce((a, b) => a + b), 2); // "2" and <|end|>
 * ```
 */
export function encodeExamples(
  tok: ChatTokenizer,
  conversations: Conversation[],
  blockSize: number,
): { examples: SftExample[]; dropped: number } {
  const examples: SftExample[] = [];
  let dropped = 0;
  for (const c of conversations) {
    const ids = encodeConversation(tok, turnsOf(c));
    if (ids.length > blockSize) dropped++;
    else {examples.push({
        ids: Int32Array.from(ids),
        weights: assistantTargetMask(ids, tok.special),
      });}
  }
  return { examples, dropped };
}

/**
 * Stacks examples into one batch, T the longest input among them; shorter rows are padded with
 * `pad` and weight 0, so padding changes neither the loss nor the gradient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { padBatch } from "./sft.ts";
 * const ex = (n: number) => ({ ids: new Int32Array(n), weights: new Float32Array(n - 1).fill(1) });
 * const b = padBatch([ex(3), ex(5)], 0);
 * assert.ok(b.T === 4 && b.weights[2] === 0 && b.weights[4 + 3] === 1);
 * ```
 */
export function padBatch(examples: SftExample[], pad: number): SftBatch {
  const B = examples.length;
  const T = Math.max(...examples.map((e) => e.ids.length - 1));
  const inputs = new Int32Array(B * T).fill(pad);
  const targets = new Int32Array(B * T).fill(pad);
  const weights = new Float32Array(B * T);
  examples.forEach((e, b) => {
    const n = e.ids.length - 1;
    inputs.set(e.ids.subarray(0, n), b * T);
    targets.set(e.ids.subarray(1), b * T);
    weights.set(e.weights, b * T);
  });
  return { inputs, targets, weights, B, T };
}

/**
 * Mean assistant-token loss over `examples`, in batches of `batchSize` (weighted by how many
 * assistant tokens each batch holds, so it is the mean over all of them).
 *
 * @example
 * ```ts ignore needs a chat model
 * import { maskedLoss } from "./sft.ts";
 * const loss = maskedLoss(model, heldOutExamples, 32, tok.special.end);
 * ```
 */
export function maskedLoss(
  model: GPT,
  examples: SftExample[],
  batchSize: number,
  pad: number,
): number {
  let sum = 0, count = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const b = padBatch(examples.slice(i, i + batchSize), pad);
    const n = b.weights.reduce((a, w) => a + w, 0);
    sum += model.forward(b.inputs, b.targets, b.B, b.T, b.weights)! * n;
    count += n;
  }
  return sum / count;
}

/** What {@link sft} needs. */
export interface SftJob {
  model: GPT;
  tokenizer: ChatTokenizer;
  train: SftExample[];
  /** Held-out examples for the loss measured every `evalEvery` steps. */
  heldOut: SftExample[];
  settings: SftSettings;
  /** Run folder: `latest/` and `metrics.jsonl` go here (default: nothing written). */
  outDir?: string;
  /** Where progress goes (default: stderr, one rewritten line on a terminal). */
  progress?: (line: string, final: boolean) => void;
  /** Polled after every step; true ends the run early (it still saves). */
  stopRequested?: () => boolean;
  /** Training time allowed, in seconds; the run ends after the step that exceeds it (default none). */
  timeBudget?: number;
}

/** How an SFT run ended. */
export interface SftResult {
  steps: number;
  /** Training loss at each step. */
  losses: number[];
  /** Held-out loss at each evaluation. */
  heldOut: { step: number; loss: number }[];
  interrupted: boolean;
  /** True when the time budget ended the run before its last step. */
  outOfTime: boolean;
  tokPerSec: number;
  seconds: number;
}

/**
 * Fine-tunes `job.model` in place on the training examples.
 *
 * @example
 * ```ts ignore takes minutes
 * import { sft } from "./sft.ts";
 * const result = await sft({ model, tokenizer, train, heldOut, settings: SFT_PRESETS.quick.settings });
 * ```
 */
export async function sft(job: SftJob): Promise<SftResult> {
  const { model, settings: s, outDir, train } = job;
  if (train.length === 0) {
    throw new UserError(tr({
      en: "No training conversation fits the model's context: raise blockSize.",
      fr:
        "Aucune conversation d'entraînement ne tient dans le contexte du modèle : augmente blockSize.",
    }));
  }
  const progress = job.progress ?? defaultProgress();
  const pad = job.tokenizer.special.end;
  const rng = new Rng(s.seed);
  // The moments live where the model's buffers do, so the kernels' AdamW reads them in place.
  const m = model.alloc(model.params.length), v = model.alloc(model.params.length);
  const groups = decayGroups(model.config, s.weightDecay);
  const metricsPath = outDir ? `${outDir}/metrics.jsonl` : null;
  if (outDir) {
    await outputFolder("out", outDir);
    await Deno.writeTextFile(metricsPath!, "");
  }
  const log = async (metric: SftMetric) => {
    if (metricsPath) {
      await Deno.writeTextFile(metricsPath, JSON.stringify(metric) + "\n", { append: true });
    }
  };
  const result: SftResult = {
    steps: 0,
    losses: [],
    heldOut: [],
    interrupted: false,
    outOfTime: false,
    tokPerSec: 0,
    seconds: 0,
  };
  const evaluate = async (step: number) => {
    if (job.heldOut.length === 0) return;
    const loss = maskedLoss(model, job.heldOut, s.batchSize, pad);
    result.heldOut.push({ step, loss });
    await log({ kind: "eval", step, heldOutLoss: loss });
    progress(heldOutLine(step, s.steps, loss), true);
  };
  const byLength = [...train].sort((a, b) => a.ids.length - b.ids.length);
  const t0 = performance.now();
  let tokens = 0;
  for (let step = 0; step < s.steps; step++) {
    if (step % s.evalEvery === 0) await evaluate(step);
    const lr = runLearningRate(step, s);
    const b = padBatch(drawBatch(byLength, s.batchSize, rng), pad);
    const { loss } = trainStep(model, {
      ...b,
      opt: { m, v, groups },
      step,
      lr,
      settings: { gradClip: s.gradClip, beta1: 0.9, beta2: 0.99 },
    });
    if (!Number.isFinite(loss)) {
      throw new UserError(tr({
        en: `The loss became ${loss} at step ${step}: lower the learning rate.`,
        fr: `La perte est devenue ${loss} au pas ${step} : baisse le taux d'apprentissage.`,
      }));
    }
    tokens += b.B * b.T;
    const elapsed = (performance.now() - t0) / 1000;
    result.tokPerSec = tokens / elapsed;
    result.losses.push(loss);
    result.steps = step + 1;
    await log({ kind: "train", step, loss, lr, tokPerSec: result.tokPerSec });
    const pace = { steps: step + 1, tokens, seconds: elapsed };
    progress(stepLine(step + 1, s.steps, loss, lr, pace), false);
    if (job.stopRequested?.()) {
      result.interrupted = true;
      break;
    }
    if (job.timeBudget !== undefined && elapsed > job.timeBudget && step + 1 < s.steps) {
      result.outOfTime = true;
      progress(
        tr({
          en: `time budget of ${job.timeBudget} s reached after step ${step + 1}`,
          fr: `budget de temps de ${job.timeBudget} s atteint après le pas ${step + 1}`,
        }),
        true,
      );
      break;
    }
  }
  await evaluate(result.steps);
  result.seconds = (performance.now() - t0) / 1000;
  if (outDir) {
    await saveCheckpoint(`${outDir}/latest`, {
      model,
      tokenizer: job.tokenizer.save(),
      optimizer: null,
      state: null,
    });
  }
  return result;
}

/**
 * A batch of neighbours in length order from a random place: conversations of similar lengths
 * together waste little on padding (a long three-turn conversation among short sums would pad
 * them all to its length), and every conversation is still drawn about as often as any other.
 */
function drawBatch(byLength: SftExample[], B: number, rng: Rng): SftExample[] {
  const n = byLength.length;
  if (n <= B) return Array.from({ length: B }, () => byLength[rng.int(n)]);
  const start = rng.int(n - B + 1);
  return byLength.slice(start, start + B);
}
