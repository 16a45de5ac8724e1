/**
 * LoRA adapters as a file of their own: one safetensors file with every A and B under PEFT's
 * tensor names, and in its metadata the rank, alpha, targets, the model config and a reference to
 * the base checkpoint they adapt, so that the file alone brings back the adapted model.
 * @module
 */
import { dirname, join, relative } from "node:path";
import { writeFileAtomic } from "../atomic.ts";
import { type Checkpoint, checkpointDir, loadCheckpoint } from "./checkpoint.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import type { GPT, GPTOptions } from "../model/gpt.ts";
import { LoRA, type LoraTarget } from "./lora.ts";
import { decodeSafetensors, encodeSafetensors, type Tensor } from "./safetensors.ts";

/** Metadata keys of an adapters file. */
interface AdapterMetadata {
  rank: string;
  alpha: string;
  targets: string;
  /** The model config the adapters were trained on, as JSON. */
  config: string;
  /** The base checkpoint's folder, relative to the adapters file's folder. */
  base: string;
}

/**
 * Saves the adapters apart: `path` (safetensors) holds every A and B under PEFT's names
 * (`transformer.h.0.attn.c_attn.lora_A.weight`) and, in its metadata, the rank, alpha, targets,
 * the model config and `baseDir`, the checkpoint they adapt (stored relative to the file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { saveCheckpoint } from "./checkpoint.ts";
 * import { GPT } from "../model/gpt.ts";
 * import { LoRA } from "./lora.ts";
 * import { loadAdapted, saveAdapters } from "./adapters.ts";
 * const model = new GPT({ vocabSize: 3, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 });
 * const dir = await Deno.makeTempDir();
 * await saveCheckpoint(`${dir}/base`, { model, tokenizer: { kind: "char", data: '["a","b","c"]' }, optimizer: null, state: null });
 * await saveAdapters(`${dir}/adapters.safetensors`, new LoRA(model, { rank: 2 }), `${dir}/base`);
 * assert.equal((await loadAdapted(`${dir}/adapters.safetensors`)).lora.rank, 2);
 * ```
 */
export async function saveAdapters(path: string, lora: LoRA, baseDir: string): Promise<void> {
  const tensors: Record<string, Tensor> = {};
  for (const a of lora.adapters) {
    tensors[`${a.name}.lora_A.weight`] = { shape: [lora.rank, a.C], data: a.A };
    tensors[`${a.name}.lora_B.weight`] = { shape: [a.OC, lora.rank], data: a.B };
  }
  const metadata: AdapterMetadata = {
    rank: String(lora.rank),
    alpha: String(lora.alpha),
    targets: lora.targets.join(","),
    config: JSON.stringify(lora.model.config),
    base: relative(dirname(path), baseDir),
  };
  await writeFileAtomic(path, encodeSafetensors(tensors, { ...metadata }));
}

/**
 * Reads an adapters file onto `model` (whose weights must be the base they adapt) and merges
 * them. Adapters trained on another config, or a file that is not adapters, is a UserError.
 *
 * @example
 * ```ts ignore needs a checkpoint
 * import { loadAdapters } from "./adapters.ts";
 * const lora = await loadAdapters("out/11_finetuning/lora/adapters.safetensors", model);
 * ```
 */
export async function loadAdapters(path: string, model: GPT): Promise<LoRA> {
  return adaptersOnto(model, path, await readAdapters(path));
}

/** Merges the adapters read from `path` onto `model`, after checking they were made for it. */
function adaptersOnto(
  model: GPT,
  path: string,
  { tensors, metadata }: { tensors: Record<string, Tensor>; metadata: AdapterMetadata },
): LoRA {
  const config = JSON.parse(metadata.config) as Record<string, unknown>;
  for (const [key, value] of Object.entries(model.config)) {
    if (config[key] !== value) {
      throw new UserError(tr({
        en: `${path} holds adapters for a model with ${key} ${config[key]}, but this model has ` +
          `${value}: load them onto the checkpoint they were trained from.`,
        fr: `${path} contient des adaptateurs pour un modèle avec ${key} ${config[key]}, mais ce ` +
          `modèle a ${value} : charge-les sur le checkpoint à partir duquel ils ont été entraînés.`,
      }));
    }
  }
  const lora = new LoRA(model, {
    rank: Number(metadata.rank),
    alpha: Number(metadata.alpha),
    targets: metadata.targets.split(",") as LoraTarget[],
  });
  for (const a of lora.adapters) {
    for (const [part, view] of [["A", a.A], ["B", a.B]] as const) {
      const t = tensors[`${a.name}.lora_${part}.weight`];
      if (!t || t.data.length !== view.length) {
        const name = `${a.name}.lora_${part}.weight`;
        throw new UserError(tr({
          en: `${path} has no ${name} of the right size.`,
          fr: `${path} n'a pas de ${name} de la bonne taille.`,
        }));
      }
      view.set(t.data);
    }
  }
  lora.scatter();
  return lora;
}

/**
 * The adapted model from an adapters file alone: loads the base checkpoint its metadata names,
 * then the adapters onto it.
 *
 * @example
 * ```ts ignore needs a checkpoint
 * import { loadAdapted } from "./adapters.ts";
 * const { model, tokenizer } = await loadAdapted("out/11_finetuning/lora/adapters.safetensors");
 * ```
 */
export async function loadAdapted(
  path: string,
  options: GPTOptions = {},
): Promise<Checkpoint & { lora: LoRA }> {
  const file = await readAdapters(path);
  const baseDir = join(dirname(path), file.metadata.base);
  if ((await checkpointDir(baseDir)) === null) {
    throw new UserError(tr({
      en:
        `${path} adapts the checkpoint at ${baseDir}, which is not there: keep the adapters where ` +
        "their base can be found, or name the base (deno task sample --ckpt DIR --adapters FILE).",
      fr:
        `${path} adapte le checkpoint de ${baseDir}, qui n'y est pas : garde les adaptateurs là ` +
        "où leur base se trouve, ou nomme la base (deno task sample --ckpt DOSSIER --adapters " +
        "FICHIER).",
    }));
  }
  const base = await loadCheckpoint(baseDir, options);
  return { ...base, lora: adaptersOnto(base.model, path, file) };
}

async function readAdapters(
  path: string,
): Promise<{ tensors: Record<string, Tensor>; metadata: AdapterMetadata }> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch {
    throw new UserError(tr({
      en: `No adapters file at ${path}: pass the file saveAdapters wrote.`,
      fr: `Aucun fichier d'adaptateurs à ${path} : passe le fichier qu'a écrit saveAdapters.`,
    }));
  }
  const { tensors, metadata } = decodeSafetensors(bytes, path);
  for (const key of ["rank", "alpha", "targets", "config", "base"]) {
    if (!(key in metadata)) {
      throw new UserError(tr({
        en: `${path} is not a LoRA adapters file (its metadata has no ${key}).`,
        fr:
          `${path} n'est pas un fichier d'adaptateurs LoRA (ses métadonnées n'ont pas de ${key}).`,
      }));
    }
  }
  return { tensors, metadata: metadata as unknown as AdapterMetadata };
}
