/**
 * Training checkpoints: everything a run needs to continue exactly where it stopped, in one
 * folder — the weights (`model.safetensors` + `model.json`, readable by any framework), the
 * tokenizer, the optimizer's moments (`optimizer.safetensors`) and `state.json` (step, random
 * generator state, best validation loss, the training settings).
 *
 * A checkpoint is written into a fresh folder beside its target and swapped in with renames, so
 * an interruption at any moment leaves the previous checkpoint intact: either `NAME/` is whole,
 * or the swap was cut between its two renames and `NAME.previous/` still is.
 * @module
 */
import { pathExists, replaceDirAtomic, writeFileAtomic } from "../atomic.ts";
import { UserError } from "../errors.ts";
import { type Text, tr } from "../i18n.ts";
import type { GPT, GPTOptions } from "../model/gpt.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  loadGPT,
  refuseNonFinite,
  saveGPT,
} from "./safetensors.ts";
import type { SavedTokenizer } from "../tokenizer/saved.ts";

export type { SavedTokenizer };

/** What `state.json` holds. */
export interface TrainingState {
  /** Steps completed: training resumes at this step. */
  step: number;
  /** State of the generator that draws the training batches. */
  rngState: number;
  bestValLoss: number | null;
  /** The settings the run was started with, so a resume cannot silently change them. */
  settings: Record<string, unknown>;
}

/** Everything in a checkpoint folder, loaded. */
export interface Checkpoint {
  model: GPT;
  tokenizer: SavedTokenizer;
  /** AdamW's first and second moments, or null in a weights-only checkpoint. */
  optimizer: { m: Float32Array; v: Float32Array } | null;
  state: TrainingState | null;
}

const TOKENIZER_FILES = {
  char: "tokenizer.json",
  bpe: "tokenizer.txt",
  chat: "chat_tokenizer.json",
} as const;

/**
 * Writes a checkpoint to `dir` atomically (see the module notes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const model = new GPT({ vocabSize: 3, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 });
 * const dir = `${await Deno.makeTempDir()}/latest`;
 * await saveCheckpoint(dir, { model, tokenizer: { kind: "char", data: '["a","b","c"]' }, optimizer: null, state: null });
 * assert.equal((await loadCheckpoint(dir)).model.config.vocabSize, 3);
 * ```
 */
export async function saveCheckpoint(dir: string, ckpt: Checkpoint): Promise<void> {
  await replaceDirAtomic(dir, async (fresh) => {
    await saveGPT(`${fresh}/model.safetensors`, ckpt.model);
    await Deno.writeTextFile(
      `${fresh}/${TOKENIZER_FILES[ckpt.tokenizer.kind]}`,
      ckpt.tokenizer.data,
    );
    if (ckpt.optimizer) {
      const { m, v } = ckpt.optimizer;
      await Deno.writeFile(
        `${fresh}/optimizer.safetensors`,
        encodeSafetensors({ m: { shape: [m.length], data: m }, v: { shape: [v.length], data: v } }),
      );
    }
    if (ckpt.state) {
      await writeFileAtomic(`${fresh}/state.json`, JSON.stringify(ckpt.state, null, 2) + "\n");
    }
  });
}

/**
 * The folder that holds the checkpoint saved at `dir`: `dir` itself, or `dir.previous` after a
 * swap that was cut short; null when neither holds one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkpointDir } from "./checkpoint.ts";
 * assert.equal((await checkpointDir("no/such/run")), null);
 * ```
 */
export async function checkpointDir(dir: string): Promise<string | null> {
  for (const d of [dir, `${dir}.previous`]) {
    if (await pathExists(`${d}/model.safetensors`)) return d;
  }
  return null;
}

/**
 * Loads the checkpoint in `dir` (or, after a swap that was cut short, in `dir.previous`).
 * A missing or damaged checkpoint is one sentence saying which file and what to do.
 *
 * @example
 * ```ts ignore needs a checkpoint
 * import { loadCheckpoint } from "./checkpoint.ts";
 * const { model, tokenizer, state } = await loadCheckpoint("out/train/baby/latest");
 * ```
 */
export async function loadCheckpoint(dir: string, options: GPTOptions = {}): Promise<Checkpoint> {
  const found = await checkpointDir(dir);
  if (found === null) {
    throw new UserError(tr({
      en: `No checkpoint in ${dir} (it has no model.safetensors): ` +
        `pass the folder that \`deno task train\` wrote.`,
      fr: `Aucun checkpoint dans ${dir} (il n'a pas de model.safetensors) : ` +
        `passe le dossier qu'a écrit \`deno task train\`.`,
    }));
  }
  dir = found;
  const model = await loadGPT(`${dir}/model.safetensors`, undefined, options);
  const kind = (await pathExists(`${dir}/${TOKENIZER_FILES.chat}`))
    ? "chat"
    : (await pathExists(`${dir}/${TOKENIZER_FILES.bpe}`))
    ? "bpe"
    : "char";
  let data: string;
  try {
    data = await Deno.readTextFile(`${dir}/${TOKENIZER_FILES[kind]}`);
  } catch {
    throw new UserError(tr({
      en: `The checkpoint in ${dir} has no tokenizer file: it is incomplete, train again.`,
      fr: `Le checkpoint de ${dir} n'a pas de fichier de tokenizer : il est incomplet, ` +
        `réentraîne.`,
    }));
  }
  let optimizer: Checkpoint["optimizer"] = null;
  if (await pathExists(`${dir}/optimizer.safetensors`)) {
    const path = `${dir}/optimizer.safetensors`;
    const { tensors } = decodeSafetensors(await Deno.readFile(path), path);
    const m = tensors.m?.data, v = tensors.v?.data;
    if (!m || !v || m.length !== model.params.length || v.length !== model.params.length) {
      throw new UserError(tr({
        en: `${path} does not match the model's ${model.params.length} parameters: ` +
          `the checkpoint is damaged.`,
        fr: `${path} ne correspond pas aux ${model.params.length} paramètres du modèle : ` +
          `le checkpoint est abîmé.`,
      }));
    }
    for (const [name, moment] of [["m", m], ["v", v]] as const) {
      refuseNonFinite(moment, {
        en: `optimizer moment ${name} of ${path}`,
        fr: `moment ${name} de l'optimiseur de ${path}`,
      });
    }
    optimizer = { m, v };
  }
  let state: TrainingState | null = null;
  if (await pathExists(`${dir}/state.json`)) {
    state = parseState(await Deno.readTextFile(`${dir}/state.json`), `${dir}/state.json`);
  }
  return { model, tokenizer: { kind, data }, optimizer, state };
}

/**
 * A `state.json` checked field by field (types and ranges), so that nothing a resume writes can
 * come from a damaged one; `source` names the file in the one-sentence error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseState } from "./checkpoint.ts";
 * const state = parseState('{"step":3,"rngState":7,"bestValLoss":null,"settings":{}}', "state.json");
 * assert.equal(state.step, 3);
 * ```
 */
export function parseState(text: string, source: string): TrainingState {
  const damaged = (why: Text): Text => ({
    en: `${source} ${why.en}: the checkpoint is damaged; resume from another one or start again.`,
    fr: `${source} ${why.fr} : le checkpoint est abîmé ; reprends depuis un autre ou ` +
      `recommence.`,
  });
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError(tr(damaged({ en: "is not valid JSON", fr: "n'est pas du JSON valide" })));
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UserError(tr(damaged({ en: "is not a JSON object", fr: "n'est pas un objet JSON" })));
  }
  const { step, rngState, bestValLoss, settings } = raw;
  if (!Number.isSafeInteger(step) || (step as number) < 0) {
    throw new UserError(tr(damaged({
      en: `has step ${JSON.stringify(step)} where a whole number of 0 or more belongs`,
      fr: `a step ${JSON.stringify(step)} là où il faut un entier positif ou nul`,
    })));
  }
  if (!Number.isInteger(rngState) || (rngState as number) < 0 || (rngState as number) >= 2 ** 32) {
    throw new UserError(tr(damaged({
      en: `has rngState ${JSON.stringify(rngState)}, not a 32-bit generator state`,
      fr: `a rngState ${JSON.stringify(rngState)}, qui n'est pas l'état d'un générateur 32 bits`,
    })));
  }
  if (bestValLoss !== null && !(typeof bestValLoss === "number" && bestValLoss >= 0)) {
    throw new UserError(tr(damaged({
      en: `has bestValLoss ${JSON.stringify(bestValLoss)}, neither null nor a loss`,
      fr: `a bestValLoss ${JSON.stringify(bestValLoss)}, ni null ni une perte`,
    })));
  }
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    throw new UserError(tr(damaged({
      en: `has settings ${JSON.stringify(settings)}, not an object`,
      fr: `a settings ${JSON.stringify(settings)}, qui n'est pas un objet`,
    })));
  }
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new UserError(tr(damaged({
        en: `has setting ${key} ${JSON.stringify(value)}, not a number`,
        fr: `a le réglage ${key} ${JSON.stringify(value)}, qui n'est pas un nombre`,
      })));
    }
  }
  return {
    step: step as number,
    rngState: rngState as number,
    bestValLoss: bestValLoss as number | null,
    settings: settings as Record<string, number>,
  };
}
