/**
 * Model weights as safetensors, the plain format Hugging Face, PyTorch and others read: 8 bytes
 * (little-endian u64) giving the header's length, a JSON header naming each tensor with its
 * dtype, shape and byte range, then the raw little-endian data. We write F32 only.
 *
 * A GPT is saved as `<name>.safetensors` plus `<name>.json` (its GPTConfig) beside it, both
 * written atomically. Tensor names are nanoGPT's GPT-2 state_dict names:
 *   transformer.wte.weight (V, C)            transformer.wpe.weight (blockSize, C), learned only
 *   transformer.h.{l}.ln_1.weight / .bias (C)
 *   transformer.h.{l}.attn.c_attn.weight (3C, C) / .bias (3C)
 *   transformer.h.{l}.attn.c_proj.weight (C, C) / .bias (C)
 *   transformer.h.{l}.ln_2.weight / .bias (C)
 *   transformer.h.{l}.mlp.c_fc.weight (4C, C) / .bias (4C)
 *   transformer.h.{l}.mlp.c_proj.weight (C, 4C) / .bias (C)
 *   transformer.ln_f.weight / .bias (C)
 * Weights are (out, in) as in nn.Linear; Hugging Face's GPT-2 Conv1D stores them transposed.
 * The output head is tied to transformer.wte.weight, so lm_head.weight is not stored (as in
 * Hugging Face's own files). Leaves out other dtypes and memory mapping.
 * @module
 */
import { writeFileAtomic } from "../atomic.ts";
import type { GPTConfig } from "../model/config.ts";
import { ioReason, UserError } from "../errors.ts";
import { type Text, tr } from "../i18n.ts";
import { GPT, type GPTOptions, resolveConfig } from "../model/gpt.ts";
import { numel, parameterShapes } from "../model/layout.ts";

/** The longest context a saved model may declare (GPT-2's is 1,024). */
export const MAX_BLOCK_SIZE = 65_536;

/** A tensor as safetensors holds it. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** What a safetensors file holds. */
export interface Safetensors {
  tensors: Record<string, Tensor>;
  /** The header's `__metadata__`: string keys and string values. */
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Serialises tensors (in the given order) and string metadata to safetensors bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } });
 * assert.equal(decodeSafetensors(bytes, "w").tensors.w.data[1], 2);
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    if (numel(shape) !== data.length) {
      throw new Error(`Tensor ${name} has ${data.length} values but shape [${shape}].`);
    }
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the format recommends.
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + head.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true);
  bytes.set(head, 8);
  let at = 8 + head.length;
  for (const { data } of Object.values(tensors)) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return bytes;
}

/**
 * Parses safetensors bytes, checking the header against the file; `source` names the file in
 * the one-sentence error a damaged file gives.
 *
 * @example
 * ```ts
 * import { decodeSafetensors } from "./safetensors.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => decodeSafetensors(new Uint8Array(3), "x.safetensors"), /x\.safetensors/);
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, source: string): Safetensors {
  const bad = (why: Text): Text => ({
    en: `${source} is not a usable safetensors file: ${why.en}; save it again.`,
    fr: `${source} n'est pas un fichier safetensors utilisable : ${why.fr} ; enregistre-le à ` +
      `nouveau.`,
  });
  if (bytes.length < 8) {
    throw new UserError(tr(bad({
      en: `it has only ${bytes.length} bytes`,
      fr: `il n'a que ${bytes.length} octets`,
    })));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) {
    throw new UserError(tr(bad({
      en: `its header claims ${headerLength} bytes but the file has ${bytes.length} (truncated?)`,
      fr: `son en-tête annonce ${headerLength} octets mais le fichier en a ${bytes.length} ` +
        `(tronqué ?)`,
    })));
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch {
    throw new UserError(tr(bad({
      en: "its header is not valid JSON",
      fr: "son en-tête n'est pas du JSON valide",
    })));
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new UserError(tr(bad({
      en: "its header is not a JSON object",
      fr: "son en-tête n'est pas un objet JSON",
    })));
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors: Record<string, Tensor> = {};
  let end = 0;
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const entry = value as HeaderEntry;
    if (entry?.dtype !== "F32") {
      throw new UserError(tr(bad({
        en: `tensor ${name} is ${entry?.dtype}, and only F32 is read`,
        fr: `le tenseur ${name} est en ${entry?.dtype}, et seul F32 est lu`,
      })));
    }
    const [from, to] = entry.data_offsets ?? [];
    if (!Array.isArray(entry.shape) || !(Number.isInteger(from) && Number.isInteger(to))) {
      throw new UserError(tr(bad({
        en: `tensor ${name} lacks a shape or data offsets`,
        fr: `il manque au tenseur ${name} une forme ou ses positions de données`,
      })));
    }
    if (to - from !== numel(entry.shape) * 4 || from < 0 || to > dataLength) {
      throw new UserError(tr(bad({
        en:
          `tensor ${name} of shape [${entry.shape}] claims bytes ${from}–${to} of ${dataLength} ` +
          `(truncated?)`,
        fr: `le tenseur ${name} de forme [${entry.shape}] annonce les octets ${from}–${to} sur ` +
          `${dataLength} (tronqué ?)`,
      })));
    }
    tensors[name] = {
      shape: entry.shape,
      data: new Float32Array(bytes.slice(dataStart + from, dataStart + to).buffer),
    };
    end = Math.max(end, to);
  }
  if (end !== dataLength) {
    throw new UserError(tr(bad({
      en: `its tensors cover ${end} of its ${dataLength} data bytes`,
      fr: `ses tenseurs couvrent ${end} de ses ${dataLength} octets de données`,
    })));
  }
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  return { tensors, metadata };
}

/**
 * Path of the JSON config saved beside `weightsPath`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configPath } from "./safetensors.ts";
 * assert.equal(configPath("out/model.safetensors"), "out/model.json");
 * ```
 */
export function configPath(weightsPath: string): string {
  return weightsPath.replace(/\.safetensors$/, "") + ".json";
}

/**
 * Saves a model's weights to `path` (conventionally `*.safetensors`) and its config beside it,
 * each atomically.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { loadGPT, saveGPT } from "./safetensors.ts";
 * const path = `${await Deno.makeTempDir()}/tiny.safetensors`;
 * await saveGPT(path, new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }));
 * assert.equal((await loadGPT(path)).config.vocabSize, 5);
 * ```
 */
export async function saveGPT(path: string, model: GPT): Promise<void> {
  const tensors: Record<string, Tensor> = {};
  for (const [name, shape] of parameterShapes(model.config)) {
    tensors[name] = { shape, data: model.p.byName[name] };
  }
  const bytes = encodeSafetensors(tensors, { format: "pt", config: JSON.stringify(model.config) });
  await writeFileAtomic(configPath(path), JSON.stringify(model.config, null, 2) + "\n");
  await writeFileAtomic(path, bytes);
}

/**
 * Loads a model saved by {@link saveGPT}. With `expected`, a model of another shape is refused
 * in one sentence naming the first difference.
 *
 * @example
 * ```ts ignore needs a checkpoint
 * import { loadGPT } from "./safetensors.ts";
 * const model = await loadGPT("out/09_training/model.safetensors");
 * ```
 */
export async function loadGPT(
  path: string,
  expected?: GPTConfig,
  options: GPTOptions = {},
): Promise<GPT> {
  let config: GPTConfig;
  let bytes: Uint8Array;
  try {
    config = resolveConfig(JSON.parse(await Deno.readTextFile(configPath(path))));
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const why = ioReason(err);
    throw new UserError(tr({
      en: `Cannot read the model at ${path} with its config ${configPath(path)} ` +
        `(${why.en}): check the path or save the model again.`,
      fr: `Impossible de lire le modèle ${path} avec sa config ${configPath(path)} ` +
        `(${why.fr}) : vérifie le chemin ou enregistre le modèle à nouveau.`,
    }));
  }
  if (expected) {
    const want = resolveConfig(expected);
    for (const key of Object.keys(want) as (keyof GPTConfig)[]) {
      if (want[key] !== config[key]) {
        throw new UserError(tr({
          en: `${path} holds a model with ${key} ${config[key]}, but ${want[key]} was asked for: ` +
            `load it with its own config or train a new one.`,
          fr: `${path} contient un modèle avec ${key} ${config[key]}, mais ${want[key]} était ` +
            `demandé : charge-le avec sa propre config ou entraînes-en un nouveau.`,
        }));
      }
    }
  }
  // The config decides what is allocated, so it is held to the file before anything is: every
  // parameter tensor must be in the file with its shape (which bounds them by the file's size),
  // the layers cannot outnumber the tensors, and the context, which sizes buffers of its own,
  // has a ceiling.
  if (config.blockSize > MAX_BLOCK_SIZE) {
    const [given, most] = [config.blockSize, MAX_BLOCK_SIZE].map((n) => n.toLocaleString("en-US"));
    throw new UserError(tr({
      en: `${configPath(path)} gives a context of ${given} ` +
        `tokens, more than the ${most} a model may have: ` +
        `the config is damaged; save the model again.`,
      fr: `${configPath(path)} donne un contexte de ${given} tokens, plus que les ${most} ` +
        `permis : la config est abîmée ; enregistre le modèle à nouveau.`,
    }));
  }
  const { tensors } = decodeSafetensors(bytes, path);
  const count = Object.keys(tensors).length;
  if (config.nLayer > count) {
    const layers = config.nLayer.toLocaleString("en-US");
    throw new UserError(tr({
      en: `${configPath(path)} gives ${layers} layers, but ${path} ` +
        `holds ${count} tensors in all: the config is damaged; save the model again.`,
      fr: `${configPath(path)} donne ${layers} couches, mais ${path} ne contient que ${count} ` +
        `tenseurs en tout : la config est abîmée ; enregistre le modèle à nouveau.`,
    }));
  }
  const table = parameterShapes(config);
  for (const [name, shape] of table) {
    const t = tensors[name];
    if (!t || t.shape.join() !== shape.join()) {
      throw new UserError(tr({
        en: `${path} does not match its config ${configPath(path)}: tensor ${name} is ` +
          `${t ? `[${t.shape}]` : "missing"} where the config needs [${shape}].`,
        fr: `${path} ne correspond pas à sa config ${configPath(path)} : le tenseur ${name} ` +
          `${t ? `est [${t.shape}]` : "manque"} là où la config demande [${shape}].`,
      }));
    }
    refuseNonFinite(t.data, {
      en: `tensor ${name} of ${path}`,
      fr: `tenseur ${name} de ${path}`,
    });
  }
  const model = new GPT(config, null, options); // every weight is set below
  for (const [name] of table) model.p.byName[name].set(tensors[name].data);
  const extra = Object.keys(tensors).find((name) => !(name in model.p.byName));
  if (extra) {
    throw new UserError(tr({
      en: `${path} holds tensor ${extra}, which its config has no place for.`,
      fr: `${path} contient le tenseur ${extra}, pour lequel sa config n'a pas de place.`,
    }));
  }
  return model;
}

/**
 * Refuses, in one sentence naming `what` and the first bad index, values that are NaN or
 * infinite: weights (or optimizer moments) of a run that diverged, which would otherwise load
 * silently and sample nothing but noise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseNonFinite } from "./safetensors.ts";
 * const w = { en: "tensor w", fr: "tenseur w" };
 * refuseNonFinite(new Float32Array([1, 2]), w);
 * assert.throws(() => refuseNonFinite(new Float32Array([1, NaN]), w), /NaN at index 1/);
 * ```
 */
export function refuseNonFinite(data: Float32Array, what: Text): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new UserError(tr({
        en:
          `The ${what.en} holds ${data[i]} at index ${i}: these weights are damaged (a run that ` +
          `diverged?); use an earlier checkpoint or train again.`,
        fr: `Le ${what.fr} contient ${data[i]} à l'indice ${i} : ces poids sont abîmés (un ` +
          `entraînement qui a divergé ?) ; prends un checkpoint plus ancien ou réentraîne.`,
      }));
    }
  }
}
