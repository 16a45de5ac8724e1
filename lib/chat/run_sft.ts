/**
 * A chat fine-tuning run as `deno task sft` starts it: generated conversations → chat tokenizer
 * → model → masked SFT → evaluation on held-out conversations, with the checkpoint and the
 * scores (`eval.json`) in the run folder. The lab uses the same pieces step by step.
 * @module
 */
import { GPT } from "../model/gpt.ts";
import { UserError } from "../errors.ts";
import { type BackendName, loadBackend } from "../wasm/backend.ts";
import { formatCount, paint, table } from "../term.ts";
import { chatAlphabet, type Conversation, generateConversations, turnsOf } from "./data.ts";
import { type ChatEvaluation, evaluateChat } from "./eval.ts";
import { SFT_PRESETS, type SftPreset } from "./presets.ts";
import { encodeExamples, sft, type SftExample, type SftResult } from "./sft.ts";
import { ChatTokenizer, encodeConversation } from "./template.ts";

/** A preset's data, encoded for its model. */
export interface ChatData {
  tok: ChatTokenizer;
  train: SftExample[];
  /** Training conversations too long for the context, left out. */
  dropped: number;
  /** Held-out conversations that fit the context, and their encoding. */
  heldOut: Conversation[];
  heldOutExamples: SftExample[];
}

/**
 * Generates and encodes a preset's training and held-out conversations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareChatData } from "./run_sft.ts";
 * import { SFT_PRESETS } from "./presets.ts";
 * const data = prepareChatData({ ...SFT_PRESETS.quick, trainCount: 10, heldOutCount: 5 }, 1);
 * assert.equal(data.train.length + data.dropped, 10);
 * ```
 */
export function prepareChatData(preset: SftPreset, seed: number): ChatData {
  const tok = new ChatTokenizer([...chatAlphabet()]);
  const T = preset.model.blockSize;
  const common = { maxExchanges: preset.maxExchanges, families: preset.families };
  const trainConvs = generateConversations({
    ...common,
    count: preset.trainCount,
    split: "train",
    seed,
  });
  const { examples: train, dropped } = encodeExamples(tok, trainConvs, T);
  // Held-out conversations draw every family equally, so each gets a fair share of the scores.
  const heldOut = generateConversations({
    count: preset.heldOutCount,
    split: "heldout",
    seed: seed + 1,
    maxExchanges: preset.maxExchanges,
  }).filter((c) => encodeConversation(tok, turnsOf(c)).length <= T);
  return {
    tok,
    train,
    dropped,
    heldOut,
    heldOutExamples: encodeExamples(tok, heldOut, T).examples,
  };
}

/** What `deno task sft` was asked for. */
export interface SftRequest {
  preset: string;
  steps?: number;
  seed?: number;
  out?: string;
  /** Stop training after this many minutes, whatever the step (default: no limit). */
  minutes?: number;
  /** Where the layers run (default "wasm", the SIMD kernels). */
  backend?: BackendName;
  print?: (line: string) => void;
}

/**
 * Fine-tunes a fresh chat model with a preset, evaluates it and writes `latest/` and
 * `eval.json` into the run folder.
 *
 * @example
 * ```ts ignore takes minutes
 * import { runSft } from "./run_sft.ts";
 * const { evaluation } = await runSft({ preset: "full" });
 * ```
 */
export async function runSft(
  req: SftRequest,
): Promise<{ result: SftResult; evaluation: ChatEvaluation; outDir: string }> {
  const print = req.print ?? ((line: string) => console.log(line));
  const base = SFT_PRESETS[req.preset as keyof typeof SFT_PRESETS];
  if (!base) {
    throw new UserError(
      `There is no SFT preset "${req.preset}"; the presets are ${
        Object.keys(SFT_PRESETS).join(", ")
      }.`,
    );
  }
  const steps = req.steps ?? base.settings.steps;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new UserError(`--steps must be a positive whole number, not ${steps}.`);
  }
  if (req.minutes !== undefined && !(req.minutes > 0)) {
    throw new UserError(`--minutes must be a positive number, not ${req.minutes}.`);
  }
  const seed = req.seed ?? base.settings.seed;
  const preset = { ...base, settings: { ...base.settings, steps, seed } };
  const outDir = req.out ?? `out/chat/${req.preset}`;
  const data = prepareChatData(preset, seed);
  const model = new GPT(
    { ...preset.model, vocabSize: data.tok.vocabSize },
    seed,
    await loadBackend(req.backend),
  );
  print(
    `${formatCount(data.train.length)} training conversations (${
      formatCount(data.dropped)
    } too long left out), ${formatCount(data.heldOut.length)} held out · model ${
      formatCount(model.numParameters)
    } parameters · ${
      formatCount(steps)
    } steps of ${preset.settings.batchSize} conversations → ${outDir}`,
  );
  let stop = false;
  const onInterrupt = () => {
    if (stop) Deno.exit(130);
    stop = true;
    console.error(
      paint("yellow", "\nStopping after this step and saving (Ctrl-C again to quit now)…"),
    );
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  let result: SftResult;
  try {
    result = await sft({
      model,
      tokenizer: data.tok,
      train: data.train,
      heldOut: data.heldOutExamples,
      settings: preset.settings,
      outDir,
      stopRequested: () => stop,
      timeBudget: req.minutes === undefined ? undefined : req.minutes * 60,
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  const evaluation = evaluateChat(model, data.tok, data.heldOut);
  await Deno.writeTextFile(
    `${outDir}/eval.json`,
    JSON.stringify(
      { preset: req.preset, steps: result.steps, seconds: result.seconds, ...evaluation },
      null,
      2,
    ) + "\n",
  );
  print(
    `Trained ${formatCount(result.steps)} steps in ${Math.round(result.seconds)} s` +
      `${result.outOfTime ? " (the time budget ended it)" : ""}. Held-out exact match:`,
  );
  const cell = (f: { correct: number; total: number; accuracy: number } | undefined) =>
    f ? `${f.correct}/${f.total} ${percent(f.accuracy)}` : "-";
  const inLang = (family: string, lang: string) =>
    evaluation.byLanguage.find((s) => s.family === family && s.lang === lang);
  print(table([
    ["family", "english", "french", "both"],
    ...evaluation.families.map((f) => [
      f.family,
      cell(inLang(f.family, "en")),
      cell(inLang(f.family, "fr")),
      cell(f),
    ]),
    [
      "ended turn",
      "",
      "",
      `${evaluation.ended}/${evaluation.replies} ${percent(evaluation.endedShare)}`,
    ],
  ]));
  print(`Talk to it: deno task chat --ckpt ${outDir}`);
  return { result, evaluation, outDir };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
