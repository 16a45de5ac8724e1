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
import { writeFileAtomic } from "../atomic.ts";
import { UserError } from "../errors.ts";
import type { GPT, GPTOptions } from "../model/gpt.ts";
import { decodeSafetensors, encodeSafetensors, loadGPT, saveGPT } from "./safetensors.ts";
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
  const fresh = `${dir}.writing-${Deno.pid}`;
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  await Deno.mkdir(fresh, { recursive: true });
  await saveGPT(`${fresh}/model.safetensors`, ckpt.model);
  await Deno.writeTextFile(`${fresh}/${TOKENIZER_FILES[ckpt.tokenizer.kind]}`, ckpt.tokenizer.data);
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

  const previous = `${dir}.previous`;
  await Deno.remove(previous, { recursive: true }).catch(() => {});
  const hadOne = await exists(dir);
  if (hadOne) await Deno.rename(dir, previous);
  await Deno.rename(fresh, dir);
  if (hadOne) await Deno.remove(previous, { recursive: true });
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
    if (await exists(`${d}/model.safetensors`)) return d;
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
    throw new UserError(
      `No checkpoint in ${dir} (it has no model.safetensors): pass the folder that \`deno task train\` wrote.`,
    );
  }
  dir = found;
  const model = await loadGPT(`${dir}/model.safetensors`, undefined, options);
  const kind = (await exists(`${dir}/${TOKENIZER_FILES.chat}`))
    ? "chat"
    : (await exists(`${dir}/${TOKENIZER_FILES.bpe}`))
    ? "bpe"
    : "char";
  let data: string;
  try {
    data = await Deno.readTextFile(`${dir}/${TOKENIZER_FILES[kind]}`);
  } catch {
    throw new UserError(
      `The checkpoint in ${dir} has no tokenizer file: it is incomplete, train again.`,
    );
  }
  let optimizer: Checkpoint["optimizer"] = null;
  if (await exists(`${dir}/optimizer.safetensors`)) {
    const path = `${dir}/optimizer.safetensors`;
    const { tensors } = decodeSafetensors(await Deno.readFile(path), path);
    const m = tensors.m?.data, v = tensors.v?.data;
    if (!m || !v || m.length !== model.params.length || v.length !== model.params.length) {
      throw new UserError(
        `${path} does not match the model's ${model.params.length} parameters: the checkpoint is damaged.`,
      );
    }
    optimizer = { m, v };
  }
  let state: TrainingState | null = null;
  if (await exists(`${dir}/state.json`)) {
    try {
      state = JSON.parse(await Deno.readTextFile(`${dir}/state.json`));
    } catch {
      throw new UserError(`${dir}/state.json is not valid JSON: the checkpoint is damaged.`);
    }
  }
  return { model, tokenizer: { kind, data }, optimizer, state };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
