/**
 * A chat fine-tuning run as `deno task sft` starts it: generated conversations → chat tokenizer
 * → model → masked SFT → evaluation on held-out conversations, with the checkpoint and the
 * scores (`eval.json`) in the run folder. The lab uses the same pieces step by step.
 * @module
 */
import { GPT } from "../model/gpt.ts";
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "../atomic.ts";
import { checkCount } from "../train/preflight.ts";
import { holdsRun } from "../train/run_train.ts";
import { tr } from "../i18n.ts";
import { type BackendName, loadBackend } from "../wasm/backend.ts";
import { formatCount, formatPercent, table } from "../term.ts";
import { chatAlphabet, type Conversation, generateConversations, turnsOf } from "./data.ts";
import { type ChatEvaluation, evaluateChat } from "./eval.ts";
import { SFT_PRESETS, type SftPreset } from "./presets.ts";
import { encodeExamples, sft, type SftExample, type SftResult } from "./sft.ts";
import { stoppable } from "../train/interrupt.ts";
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
  /** Start over in an --out folder that already holds a chat model (its files are replaced). */
  force?: boolean;
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
    const presets = Object.keys(SFT_PRESETS).join(", ");
    throw new UserError(tr({
      en: `There is no SFT preset "${req.preset}"; the presets are ${presets}.`,
      fr: `Il n'y a pas de préréglage SFT « ${req.preset} » : les préréglages sont ${presets}.`,
    }));
  }
  const steps = req.steps ?? base.settings.steps;
  checkCount("--steps", steps);
  if (req.minutes !== undefined && !(req.minutes > 0)) {
    throw new UserError(tr({
      en: `--minutes must be a positive number, not ${req.minutes}.`,
      fr: `--minutes doit être un nombre positif, pas ${req.minutes}.`,
    }));
  }
  const seed = req.seed ?? base.settings.seed;
  const preset = { ...base, settings: { ...base.settings, steps, seed } };
  const outDir = req.out ?? `out/chat/${req.preset}`;
  if (!req.force && await holdsRun(outDir)) {
    throw new UserError(tr({
      en: `${outDir} already holds a chat model: add --force to start over in its place, or ` +
        "choose another --out.",
      fr:
        `${outDir} contient déjà un modèle de chat : ajoute --force pour recommencer à sa place, ` +
        "ou choisis un autre --out.",
    }));
  }
  const data = prepareChatData(preset, seed);
  const model = new GPT(
    { ...preset.model, vocabSize: data.tok.vocabSize },
    seed,
    await loadBackend(req.backend),
  );
  const [train, dropped, held] = [data.train.length, data.dropped, data.heldOut.length]
    .map((n) => formatCount(n));
  const [params, batch] = [formatCount(model.numParameters), preset.settings.batchSize];
  print(tr({
    en: `${train} training conversations (${dropped} too long left out), ${held} held out · ` +
      `model ${params} parameters · ${formatCount(steps)} ${steps === 1 ? "step" : "steps"} of ` +
      `${batch} conversations → ${outDir}`,
    fr: `${train} conversations d'entraînement (${dropped} trop longues écartées), ${held} mises ` +
      `de côté · modèle de ${params} paramètres · ${formatCount(steps)} pas de ${batch} ` +
      `conversations → ${outDir}`,
  }));
  const result = await stoppable({
    en: "Stopping after this step and saving (Ctrl-C again to quit now)…",
    fr: "Arrêt après ce pas, puis sauvegarde (Ctrl-C encore pour quitter tout de suite)…",
  }, (stopRequested) =>
    sft({
      model,
      tokenizer: data.tok,
      train: data.train,
      heldOut: data.heldOutExamples,
      settings: preset.settings,
      outDir,
      stopRequested,
      timeBudget: req.minutes === undefined ? undefined : req.minutes * 60,
    }));
  const evaluation = evaluateChat(model, data.tok, data.heldOut);
  await writeFileAtomic(
    `${outDir}/eval.json`,
    JSON.stringify(
      { preset: req.preset, steps: result.steps, seconds: result.seconds, ...evaluation },
      null,
      2,
    ) + "\n",
  );
  const [done, seconds] = [formatCount(result.steps), Math.round(result.seconds)];
  print(tr({
    en: `Trained ${done} steps in ${seconds} s` +
      `${result.outOfTime ? " (the time budget ended it)" : ""}. Held-out exact match:`,
    fr: `${done} étapes d'entraînement en ${seconds} s` +
      `${result.outOfTime ? " (le temps imparti y a mis fin)" : ""}. Réponses exactes sur les ` +
      `conversations mises de côté :`,
  }));
  const cell = (f: { correct: number; total: number; accuracy: number } | undefined) =>
    f ? `${f.correct}/${f.total} ${formatPercent(f.accuracy)}` : "-";
  const inLang = (family: string, lang: string) =>
    evaluation.byLanguage.find((s) => s.family === family && s.lang === lang);
  print(table([
    tr({ en: "family|english|french|both", fr: "famille|anglais|français|les deux" }).split("|"),
    ...evaluation.families.map((f) => [
      f.family,
      cell(inLang(f.family, "en")),
      cell(inLang(f.family, "fr")),
      cell(f),
    ]),
    [
      tr({ en: "ended turn", fr: "tour terminé" }),
      "",
      "",
      `${evaluation.ended}/${evaluation.replies} ${formatPercent(evaluation.endedShare)}`,
    ],
  ]));
  print(tr({
    en: `Talk to it: deno task chat --ckpt ${outDir}`,
    fr: `Parle-lui : deno task chat --ckpt ${outDir}`,
  }));
  return { result, evaluation, outDir };
}
