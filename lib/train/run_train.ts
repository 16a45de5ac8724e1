/**
 * A training run as `deno task train` starts it: corpus → tokenizer → token dataset → model →
 * trainer, with presets for the model and its training settings, Ctrl-C handling, and a short
 * sample from the trained model at the end.
 * @module
 */
import type { GPTConfig } from "../model/config.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import { loadCorpus, TokenDataset } from "./dataset.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { pathExists } from "../atomic.ts";
import { generate } from "../model/generate.ts";
import { GPT } from "../model/gpt.ts";
import { type BackendName, loadBackend } from "../wasm/backend.ts";
import { formatCount, formatDecimal, paint } from "../term.ts";
import { CharTokenizer } from "../tokenizer/char.ts";
import { restoreTokenizer, saveTokenizer, type TextTokenizer } from "../tokenizer/saved.ts";
import { trainBpe } from "../tokenizer/train.ts";
import { PRESETS, TRAIN_PRESETS } from "./presets.ts";
import { stoppable } from "./interrupt.ts";
import { checkCount } from "./preflight.ts";
import { train, type TrainResult, type TrainSettings } from "./trainer.ts";
import type { ModelOps } from "../model/gpt.ts";
import type { generateTokens, SampleParts } from "../model/generation_loop.ts";
import type { LoopParts, trainLoop } from "./loop.ts";

/**
 * The student's code for `--mine` (lib/course/your_gpt.ts gathers it): the model's table, the
 * training loop and its parts, the generation loop and its filters, each the student's where
 * their exercise passes and lib/'s elsewhere; `summary` says which, once, at the start.
 */
export interface StudentCode {
  ops: Partial<ModelOps>;
  trainLoop: typeof trainLoop;
  loopParts: LoopParts;
  generateTokens: typeof generateTokens;
  sampleParts: SampleParts;
  summary: string;
}

/** What `deno task train` was asked for. */
export interface TrainRequest {
  preset: string;
  /** A registry corpus name or a path (default tinyshakespeare). */
  corpus?: string;
  tokenizer?: "char" | "bpe";
  /** BPE vocabulary size (default 5,000). */
  vocabSize?: number;
  positional?: GPTConfig["positional"];
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  out?: string;
  resume?: boolean;
  /** Start over in an --out folder that already holds a run (its files are replaced). */
  force?: boolean;
  /** wasm (the SIMD kernels, default) or ts (the plain TypeScript twins). */
  backend?: BackendName;
  /** Train the student's GPT with the student's loop (`--mine`): the TypeScript path, whatever `backend` says. */
  mine?: StudentCode;
  /** Where lines go (default console.log). */
  print?: (line: string) => void;
}

/** Whether `dir` holds a run: its checkpoint or its metrics. */
export async function holdsRun(dir: string): Promise<boolean> {
  const found = await Promise.all(
    ["latest", "best", "metrics.jsonl"].map((name) => pathExists(`${dir}/${name}`)),
  );
  return found.includes(true);
}

/**
 * Runs a training request to its end (or to Ctrl-C) and returns the trainer's result.
 *
 * @example
 * ```ts ignore takes minutes
 * import { runTraining } from "./run_train.ts";
 * await runTraining({ preset: "baby", steps: 100 });
 * ```
 */
export async function runTraining(req: TrainRequest): Promise<TrainResult & { outDir: string }> {
  const print = req.print ?? ((line: string) => console.log(line));
  const shape = PRESETS[req.preset as keyof typeof PRESETS];
  if (!shape) {
    const presets = Object.keys(PRESETS).join(", ");
    throw new UserError(tr({
      en: `There is no preset "${req.preset}"; the presets are ${presets}.`,
      fr: `Il n'y a pas de préréglage « ${req.preset} » : les préréglages sont ${presets}.`,
    }));
  }
  const kind = req.tokenizer ?? "char";
  const settings: TrainSettings = {
    ...TRAIN_PRESETS[req.preset as keyof typeof PRESETS],
    ...(req.steps !== undefined ? { steps: req.steps } : {}),
    ...(req.batchSize !== undefined ? { batchSize: req.batchSize } : {}),
    ...(req.lr !== undefined ? { maxLr: req.lr, minLr: req.lr / 10 } : {}),
    ...(req.seed !== undefined ? { seed: req.seed } : {}),
  };
  checkPositive(settings);
  const corpus = await loadCorpus(req.corpus ?? "tinyshakespeare");
  const outDir = req.out ?? `out/train/${corpus.name}-${req.preset}-${kind}`;
  if (!req.resume && !req.force && await holdsRun(outDir)) {
    throw new UserError(tr({
      en: `${outDir} already holds a training run: add --resume to continue it, --force to start ` +
        "over in its place, or choose another --out.",
      fr: `${outDir} contient déjà un entraînement : ajoute --resume pour le poursuivre, --force ` +
        "pour recommencer à sa place, ou choisis un autre --out.",
    }));
  }

  let tokenizer: TextTokenizer;
  if (req.resume) {
    // The resumed run must see the very same token ids, so the tokenizer comes from the checkpoint.
    const ckpt = await loadCheckpoint(`${outDir}/latest`);
    tokenizer = restoreTokenizer(ckpt.tokenizer, `${outDir}/latest`);
  } else if (kind === "char") {
    tokenizer = CharTokenizer.fromText(corpus.text);
  } else {
    const vocab = req.vocabSize ?? 5000;
    print(tr({
      en: `Training a ${vocab}-token BPE tokenizer on ${corpus.name}…`,
      fr: `Entraînement d'un tokenizer BPE de ${vocab} tokens sur ${corpus.name}…`,
    }));
    // Trained on the training split only, so validation text stays unseen.
    tokenizer = trainBpe(corpus.text.slice(0, Math.floor(corpus.text.length * 0.9)), {
      vocabSize: vocab,
    });
  }
  const t0 = performance.now();
  const ids = Int32Array.from(tokenizer.encode(corpus.text));
  const data = new TokenDataset(ids, 0.1);
  const config: GPTConfig = {
    ...shape,
    vocabSize: tokenizer.vocabSize,
    positional: req.positional ?? "learned",
  };
  if (req.mine) print(req.mine.summary);
  const model = new GPT(
    config,
    settings.seed,
    await loadBackend(req.mine ? "ts" : req.backend, { own: req.mine?.ops }),
  );
  const count = formatCount(ids.length);
  const seconds = formatDecimal((performance.now() - t0) / 1000, 1);
  const params = formatCount(model.numParameters);
  const batch = `${settings.batchSize}×${config.blockSize}`;
  const steps = formatCount(settings.steps);
  print(tr({
    en: `${corpus.name}: ${count} tokens (${kind}, vocabulary ${tokenizer.vocabSize}) ` +
      `in ${seconds} s · model ${req.preset}: ` +
      `${params} parameters · ${steps} ${settings.steps === 1 ? "step" : "steps"} of ${batch} ` +
      `tokens → ${outDir}`,
    fr: `${corpus.name} : ${count} tokens (${kind}, vocabulaire ${tokenizer.vocabSize}) ` +
      `en ${seconds} s · modèle ${req.preset} : ` +
      `${params} paramètres · ${steps} pas de ${batch} tokens → ${outDir}`,
  }));

  const result = await stoppable({
    en: "Stopping after this step and saving a checkpoint (Ctrl-C again to quit now)…",
    fr: "Arrêt après ce pas et enregistrement d'un checkpoint (Ctrl-C encore pour quitter tout " +
      "de suite)…",
  }, (stopRequested) =>
    train({
      model,
      data,
      tokenizer: saveTokenizer(tokenizer),
      settings,
      outDir,
      resume: req.resume,
      stopRequested,
      ...(req.mine ? { loop: req.mine.trainLoop, parts: req.mine.loopParts } : {}),
    }));
  if (!result.interrupted) {
    const prompt = tokenizer.encode(corpus.text.slice(0, 1));
    const sample = tokenizer.decode(
      generate(model, prompt, { maxTokens: 200, temperature: 0.8, seed: 1 }),
    );
    print(paint(
      "dim",
      tr({ en: "A sample at temperature 0.8:", fr: "Un échantillon à la température 0,8 :" }),
    ));
    print(corpus.text.slice(0, 1) + sample);
  }
  return { ...result, outDir };
}

function checkPositive(s: TrainSettings): void {
  checkCount("--steps", s.steps);
  checkCount("--batch-size", s.batchSize);
  if (!(s.maxLr > 0)) {
    throw new UserError(tr({
      en: `--lr must be a positive number, not ${s.maxLr}.`,
      fr: `--lr doit être un nombre positif, pas ${s.maxLr}.`,
    }));
  }
}
