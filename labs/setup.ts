/**
 * What labs 08–10 run on: the corpus (tiny shakespeare when this machine has it, else the
 * project's own multilingual sample in data/samples/, so the labs never need the network) and the
 * preset (quick by default, small enough for seconds; `MINIGPT_PRESET=full`
 * trains nanoGPT's baby GPT with the settings the trainer targets).
 *
 * Also: the character-level dataset labs 09–11 train on, the progress line of their runs, and the
 * pretrained model labs 10 and 11 start from (lab 09's when it left one).
 * Leaves out choosing a corpus by name or path: that is `deno task train --corpus`.
 * @module
 */
import { dirname, join } from "node:path";
import { type Text, tr } from "../lib/i18n.ts";
import { type Checkpoint, loadCheckpoint } from "../lib/train/checkpoint.ts";
import type { GPTConfig } from "../lib/model/config.ts";
import { BABY_SETTINGS, PRESETS } from "../lib/train/presets.ts";
import { findCorpus, SAMPLE_PATH } from "../lib/train/corpus.ts";
import { loadCorpus, readTextCorpus, TokenDataset } from "../lib/train/dataset.ts";
import { UserError } from "../lib/errors.ts";
import { GPT, type GPTOptions } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import type { StepContext } from "../lib/course/lab.ts";
import { CharTokenizer } from "../lib/tokenizer/char.ts";
import { saveTokenizer } from "../lib/tokenizer/saved.ts";
import { train, type TrainSettings } from "../lib/train/trainer.ts";

/** The text a lab works on, and whether it is the real corpus or the fallback sample. */
export interface LabCorpus {
  /** How the lab names it in prose. */
  name: string;
  text: string;
  shakespeare: boolean;
}

let cached: LabCorpus | undefined;

/**
 * Tiny shakespeare when found (see lib/train/corpus.ts for where it is looked for), else the sample.
 * Read once per process, since several steps of a lab ask for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labCorpus } from "./setup.ts";
 * const { name, text } = await labCorpus();
 * assert.ok(text.length > 0 && name.length > 0);
 * ```
 */
export async function labCorpus(): Promise<LabCorpus> {
  const path = findCorpus("tinyshakespeare");
  if (cached && cached.shakespeare === (path !== undefined)) return cached;
  cached = path
    ? {
      name: "tiny shakespeare",
      // Verified against the registry's size and sha256 (never downloaded here: it was found).
      text: (await loadCorpus("tinyshakespeare", { download: false })).text,
      shakespeare: true,
    }
    : {
      name: tr({
        en: "the project's multilingual sample (data/samples/multilingual.txt)",
        fr: "l'échantillon multilingue du projet (data/samples/multilingual.txt)",
      }),
      text: (await readTextCorpus(SAMPLE_PATH)).text,
      shakespeare: false,
    };
  return cached;
}

/** Environment variable choosing the preset of labs 09 and 10: `quick` (default) or `full`. */
export const PRESET_ENV = "MINIGPT_PRESET";

/** A model shape and the settings it trains with. */
export interface LabPreset {
  name: "quick" | "full";
  shape: Omit<GPTConfig, "vocabSize">;
  settings: TrainSettings;
  /** What it costs, for the lab to tell the student before starting. */
  about: Text;
}

/** The default preset, also the model of lab 09's resume demonstration whatever the preset. */
export const QUICK_PRESET: LabPreset = {
  name: "quick",
  shape: { blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 32 },
  settings: {
    ...BABY_SETTINGS,
    batchSize: 8,
    steps: 150,
    warmupSteps: 15,
    // A small model on few steps tolerates, and needs, a larger step than the baby GPT.
    maxLr: 3e-3,
    minLr: 3e-4,
    evalEvery: 25,
    evalBatches: 4,
  },
  about: {
    en: "2 layers of width 32, context 32, 150 steps of 8 sequences: seconds",
    fr: "2 couches de largeur 32, contexte 32, 150 pas de 8 séquences : quelques secondes",
  },
};

const FULL: LabPreset = {
  name: "full",
  shape: PRESETS.baby,
  settings: BABY_SETTINGS,
  about: {
    en: "nanoGPT's baby GPT (4 layers of width 128, context 64), 2,000 steps of 12 sequences: " +
      "the run that reaches a validation loss near 1.9 on tiny shakespeare: 1.5 million " +
      "tokens, minutes on the SIMD kernels",
    fr: "le baby GPT de nanoGPT (4 couches de largeur 128, contexte 64), 2 000 pas de 12 " +
      "séquences : l'entraînement qui atteint une perte de validation proche de 1,9 sur tiny " +
      "shakespeare, 1,5 million de tokens, quelques minutes sur les noyaux SIMD",
  },
};

/**
 * The preset `MINIGPT_PRESET` asks for (quick when unset); any other value is a UserError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labPreset } from "./setup.ts";
 * assert.ok(labPreset("full").shape.nEmbd === 128 && labPreset().name !== undefined);
 * ```
 */
export function labPreset(value: string | undefined = Deno.env.get(PRESET_ENV)): LabPreset {
  const name = (value ?? "").trim().toLowerCase();
  if (name === "quick" || name === "") return QUICK_PRESET;
  if (name === "full") return FULL;
  throw new UserError(
    `${PRESET_ENV}=${value} is not a preset: set it to quick (the default) or full.`,
  );
}

let datasetCache: { text: string; tokenizer: CharTokenizer; data: TokenDataset } | undefined;

/**
 * The corpus at the character level, split 90/10 into train and validation as lab 08 showed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labDataset } from "./setup.ts";
 * const { tokenizer, data } = await labDataset();
 * assert.ok(data.train.length > data.val.length && tokenizer.vocabSize > 0);
 * ```
 */
export async function labDataset(): Promise<{ tokenizer: CharTokenizer; data: TokenDataset }> {
  const { text } = await labCorpus();
  // Every step asks for it; encoding a megabyte each time would be most of a short step.
  if (datasetCache?.text !== text) {
    const tokenizer = CharTokenizer.fromText(text);
    const data = new TokenDataset(Int32Array.from(tokenizer.encode(text)), 0.1);
    datasetCache = { text, tokenizer, data };
  }
  return { tokenizer: datasetCache.tokenizer, data: datasetCache.data };
}

/**
 * The trainer's progress for a lab: evaluations as lines of the lab's output, and on a terminal
 * the live step line (loss, lr, tokens/s, time left) rewritten in place.
 *
 * @example
 * ```ts ignore needs a lab context
 * import { labProgress } from "./setup.ts";
 * await train({ ...job, progress: labProgress(ctx) });
 * ```
 */
export function labProgress(ctx: StepContext): (line: string, final: boolean) => void {
  const live = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  return (line, final) => {
    if (live) Deno.stderr.writeSync(enc.encode(final ? "\r\x1b[2K" : `\r\x1b[2K    ${line}`));
    if (final) ctx.show(line);
  };
}

/** A pretrained model a lab starts from, and where it came from. */
export interface Pretrained {
  model: GPT;
  /** How the lab names it in prose: "lab 09's best checkpoint (step 150)". */
  origin: string;
  /** Its checkpoint folder. */
  dir: string;
}

/** The labs whose runs a later lab may reuse, oldest first, with how to name their checkpoint. */
const PRETRAINING_LABS: [slug: string, origin: Text][] = [
  ["09_training", { en: "lab 09's best checkpoint", fr: "le meilleur checkpoint du lab 09" }],
  ["10_generation", {
    en: "the best checkpoint lab 10 trained",
    fr: "le meilleur checkpoint entraîné par le lab 10",
  }],
];

/**
 * The preset's model trained on the corpus, for the labs after lab 09: lab 09's best checkpoint
 * (or lab 10's, or this lab's own from an earlier run) when it has this preset's shape and this
 * corpus's characters; else the preset trained here first, into `<outDir>/run`, saying so.
 * `options` places the model (default: the TypeScript twins).
 *
 * @example
 * ```ts ignore takes minutes
 * import { labPretrained } from "./setup.ts";
 * const { model, origin } = await labPretrained(ctx);
 * ```
 */
export async function labPretrained(
  ctx: StepContext,
  options: GPTOptions = {},
): Promise<Pretrained> {
  const preset = labPreset();
  const { tokenizer, data } = await labDataset();
  const saved = saveTokenizer(tokenizer);
  const own = `${ctx.outDir}/run/best`;
  const here = ctx.outDir.split("/").pop();
  // Joined by name, not through "<outDir>/..": this lab's folder may not exist yet, and the
  // system cannot resolve ".." out of a folder that does not exist.
  const candidates: [string, Text][] = [
    ...PRETRAINING_LABS.filter(([slug]) => slug !== here)
      .map((
        [slug, origin],
      ): [string, Text] => [join(dirname(ctx.outDir), slug, "run", "best"), origin]),
    [own, {
      en: "the best checkpoint this lab trained on an earlier run",
      fr: "le meilleur checkpoint que ce lab a entraîné lors d'une exécution précédente",
    }],
  ];
  for (const [dir, origin] of candidates) {
    let ckpt: Checkpoint;
    try {
      ckpt = await loadCheckpoint(dir, options);
    } catch {
      continue; // not trained here yet
    }
    const fits = (Object.keys(preset.shape) as (keyof typeof preset.shape)[]).every((k) =>
      ckpt.model.config[k] === preset.shape[k]
    ) && ckpt.tokenizer.data === saved.data;
    if (fits) {
      const step = ckpt.state?.step;
      return {
        model: ckpt.model,
        origin: tr({ en: `${origin.en} (step ${step})`, fr: `${origin.fr} (pas ${step})` }),
        dir,
      };
    }
  }
  ctx.say({
    en: `
    Lab 09 has not left a checkpoint for the ${preset.name} preset here, so this lab trains one
    first, the same way:
  `,
    fr: `
    Le lab 09 n'a pas laissé ici de checkpoint pour le préréglage ${preset.name} : ce lab en
    entraîne donc d'abord un, de la même façon :
  `,
  });
  const result = await train({
    model: new GPT(
      { ...preset.shape, vocabSize: tokenizer.vocabSize },
      preset.settings.seed,
      await loadBackend(),
    ),
    data,
    tokenizer: saved,
    settings: preset.settings,
    outDir: `${ctx.outDir}/run`,
    progress: labProgress(ctx),
  });
  return {
    model: (await loadCheckpoint(own, options)).model,
    origin: tr({
      en: `the best checkpoint of the run above (validation loss ${result.bestValLoss.toFixed(3)})`,
      fr: `le meilleur checkpoint de l'entraînement ci-dessus (perte de validation ${
        result.bestValLoss.toFixed(3)
      })`,
    }),
    dir: own,
  };
}

/**
 * The run of your GPT (labs 09 and 10): the quick preset's model and settings, on the
 * TypeScript path, whichever preset the lab runs, so that it stays well under a minute.
 */
export const YOUR_GPT_SETTINGS: TrainSettings = QUICK_PRESET.settings;

/**
 * Trains `model` (your GPT, or lib/'s beside it) with `loop` and `parts` for the run of
 * {@link YOUR_GPT_SETTINGS} into `outDir`, with the lab's progress line; returns the seconds it
 * took. The batches depend only on the settings' seed, so two models see the same ones.
 */
export async function trainYourRun(
  ctx: StepContext,
  model: GPT,
  outDir: string,
  loop?: Pick<Parameters<typeof train>[0], "loop" | "parts">,
): Promise<number> {
  const { tokenizer, data } = await labDataset();
  const t0 = performance.now();
  await train({
    model,
    data,
    tokenizer: saveTokenizer(tokenizer),
    settings: YOUR_GPT_SETTINGS,
    outDir,
    progress: labProgress(ctx),
    ...loop,
  });
  return (performance.now() - t0) / 1000;
}

/** The shape of your GPT's run, with the corpus's characters. */
export async function yourRunConfig(): Promise<GPTConfig> {
  const { tokenizer } = await labDataset();
  return { ...QUICK_PRESET.shape, vocabSize: tokenizer.vocabSize };
}
