/**
 * A GPT as the Hugging Face folder that `GPT2LMHeadModel.from_pretrained` reads, and back:
 *
 *   config.json         GPT2Config: model_type gpt2, gelu_new (our GELU is the tanh form),
 *                       layer_norm_epsilon 1e-5, tied embeddings, every dropout 0
 *   model.safetensors   GPT-2's tensor names; the four Conv1D weights (attn.c_attn, attn.c_proj,
 *                       mlp.c_fc, mlp.c_proj) stored (in, out), the transpose of our (out, in);
 *                       no lm_head.weight, which is tied to transformer.wte.weight
 *   vocab.json + merges.txt   a byte-level BPE tokenizer (lib/tokenizer/hf.ts)
 *   tokenizer.json      a character (or chat) tokenizer
 *
 * Sinusoidal positions have no parameters here, so their table is written into wpe: GPT-2 then
 * adds the same numbers. RoPE rotates queries and keys, which GPT-2 cannot, so it is refused.
 * Import checks every field and tensor that would make the model compute something else.
 * @module
 */
import type { SavedTokenizer } from "../tokenizer/saved.ts";
import { UserError } from "../errors.ts";
import { type Text, tr, verbatim } from "../i18n.ts";
import { GPT, type GPTOptions } from "../model/gpt.ts";
import { parameterShapes } from "../model/layout.ts";
import { bpeFromHf, bpeToHf, charsToTokenizerJson, readTokenizerJson } from "../tokenizer/hf.ts";
import { formatTokenizer, parseTokenizer } from "../tokenizer/io.ts";
import { GPT2_SPLIT_PATTERN } from "../tokenizer/regex.ts";
import { decodeSafetensors, encodeSafetensors, type Tensor } from "./safetensors.ts";

/** The weights Hugging Face's Conv1D keeps as (in, out). */
const CONV1D = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];

/** The chat template's special tokens, as a chat checkpoint saves them. */
interface SavedChars {
  chars: string[];
  special?: string[];
}

/**
 * Writes `model` and its tokenizer as a Hugging Face GPT-2 folder into `dir` (which exists).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { readHfFolder, writeHfFolder } from "./hf.ts";
 * const dir = await Deno.makeTempDir();
 * const model = new GPT({ vocabSize: 2, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 });
 * await writeHfFolder(dir, model, { kind: "char", data: '["a","b"]' });
 * assert.equal((await readHfFolder(dir)).model.params.join(), model.params.join());
 * ```
 */
export async function writeHfFolder(
  dir: string,
  model: GPT,
  tokenizer: SavedTokenizer,
): Promise<void> {
  const c = model.config;
  if (c.positional === "rope") {
    throw new UserError(tr({
      en: "This model uses RoPE, which GPT-2 does not have, so no GPT-2 loader could run it: " +
        "export a model trained with learned or sinusoidal positions.",
      fr: "Ce modèle utilise RoPE, que GPT-2 n'a pas, donc aucun chargeur GPT-2 ne pourrait le " +
        "faire tourner : exporte un modèle entraîné avec des positions apprises (learned) ou " +
        "sinusoïdales.",
    }));
  }
  const files = tokenizerFiles(tokenizer, c.blockSize);
  const eos = eosId(tokenizer);
  const config = {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: c.vocabSize,
    n_positions: c.blockSize,
    n_ctx: c.blockSize,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: null,
    activation_function: "gelu_new",
    layer_norm_epsilon: 1e-5,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    bos_token_id: eos,
    eos_token_id: eos,
    torch_dtype: "float32",
    use_cache: true,
  };
  const tensors: Record<string, Tensor> = {};
  for (const [name, shape] of parameterShapes(c)) {
    const data = model.p.byName[name];
    if (CONV1D.some((w) => name.endsWith(w))) {
      tensors[name] = { shape: [shape[1], shape[0]], data: transpose(data, shape[0], shape[1]) };
    } else tensors[name] = { shape, data };
    if (name === "transformer.wte.weight" && model.pe) {
      tensors["transformer.wpe.weight"] = { shape: [c.blockSize, c.nEmbd], data: model.pe };
    }
  }
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config, null, 2) + "\n");
  await Deno.writeFile(`${dir}/model.safetensors`, encodeSafetensors(tensors, { format: "pt" }));
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
}

/** The Hugging Face tokenizer files of a saved tokenizer, by file name. */
function tokenizerFiles(saved: SavedTokenizer, blockSize: number): Record<string, string> {
  if (saved.kind === "bpe") {
    const tok = parseTokenizer(saved.data, {
      en: "The checkpoint's tokenizer",
      fr: "Le tokenizer du checkpoint",
    });
    const { vocab, merges } = bpeToHf(tok);
    // GPT2Tokenizer always splits with GPT-2's pattern; ours may have used another, which
    // tokenizer_config.json keeps for our import (Hugging Face ignores the field).
    const eot = tok.special.has("<|endoftext|>") ? "<|endoftext|>" : null;
    const config = {
      tokenizer_class: "GPT2Tokenizer",
      model_max_length: blockSize,
      // GPT2Tokenizer defaults these to <|endoftext|>, and would add it when the vocab lacks it.
      bos_token: eot,
      eos_token: eot,
      unk_token: eot,
      ...(tok.pattern === GPT2_SPLIT_PATTERN ? {} : { minigpt_split_pattern: tok.pattern }),
    };
    return {
      "vocab.json": vocab,
      "merges.txt": merges,
      "tokenizer_config.json": JSON.stringify(config, null, 2) + "\n",
    };
  }
  const parsed = JSON.parse(saved.data) as string[] | SavedChars;
  const chars = Array.isArray(parsed) ? parsed : parsed.chars;
  const special = Array.isArray(parsed) ? [] : parsed.special ?? [];
  return { "tokenizer.json": charsToTokenizerJson({ chars, special }) };
}

/** The end-of-text id GPT2Config names: GPT-2's <|endoftext|> or the chat's <|end|>, else none. */
function eosId(saved: SavedTokenizer): number | null {
  if (saved.kind === "bpe") {
    return parseTokenizer(saved.data).special.get("<|endoftext|>") ?? null;
  }
  if (saved.kind === "chat") {
    const { chars, special = [] } = JSON.parse(saved.data) as SavedChars;
    return chars.length + special.indexOf("<|end|>");
  }
  return null;
}

/** `data` (rows, cols) transposed to (cols, rows). */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  }
  return out;
}

/** What a GPT2Config must say for the model to compute what ours computes, and why. */
const MUST: [string, readonly unknown[], Text][] = [
  ["activation_function", ["gelu_new", "gelu_pytorch_tanh"], {
    en: "gelu_new (the tanh GELU)",
    fr: "gelu_new (la GELU en tanh)",
  }],
  ["layer_norm_epsilon", [1e-5], verbatim("1e-5")],
  ["tie_word_embeddings", [true, undefined], {
    en: "true (a head tied to wte)",
    fr: "true (une tête liée à wte)",
  }],
  ["scale_attn_by_inverse_layer_idx", [false, undefined], verbatim("false")],
  ["scale_attn_weights", [true, undefined], verbatim("true")],
  ["add_cross_attention", [false, undefined], verbatim("false")],
];

/**
 * Reads a Hugging Face GPT-2 folder (ours, or GPT-2's own files) as our model and tokenizer. A
 * model that is not GPT-2-shaped, or files that are missing or damaged, is one sentence naming
 * what differs.
 *
 * @example
 * ```ts ignore needs GPT-2's Hugging Face folder
 * import { readHfFolder } from "./hf.ts";
 * const { model, tokenizer } = await readHfFolder("gpt2");
 * ```
 */
export async function readHfFolder(
  dir: string,
  options: GPTOptions = {},
): Promise<{ model: GPT; tokenizer: SavedTokenizer }> {
  const refuse = (what: Text): never => {
    throw new UserError(tr({
      en: `${dir} is not a GPT-2 model this project can run: ${what.en}.`,
      fr: `${dir} n'est pas un modèle GPT-2 que ce projet sait faire tourner : ${what.fr}.`,
    }));
  };
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  } catch (err) {
    if (err instanceof SyntaxError) {
      return refuse({
        en: "its config.json is not valid JSON",
        fr: "son config.json n'est pas du JSON valide",
      });
    }
    throw new UserError(tr({
      en: `${dir} has no config.json, so it is not a Hugging Face model folder: ` +
        `pass the folder \`deno task export --to hf\` wrote.`,
      fr: `${dir} n'a pas de config.json, ce n'est donc pas un dossier de modèle Hugging Face : ` +
        `passe le dossier qu'a écrit \`deno task export --to hf\`.`,
    }));
  }
  if (config.model_type !== "gpt2") {
    refuse({
      en: `its model_type is ${config.model_type}, not gpt2`,
      fr: `son model_type est ${config.model_type}, pas gpt2`,
    });
  }
  for (const [key, allowed, want] of MUST) {
    if (!allowed.includes(config[key])) {
      const got = JSON.stringify(config[key]);
      refuse({
        en: `its ${key} is ${got} where GPT-2 here needs ${want.en}`,
        fr: `son ${key} vaut ${got} là où GPT-2 demande ici ${want.fr}`,
      });
    }
  }
  const int = (key: string, fallback?: number): number => {
    const v = config[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < 1) {
      refuse({
        en: `its ${key} is ${v}, not a positive integer`,
        fr: `son ${key} vaut ${v}, pas un entier positif`,
      });
    }
    return v as number;
  };
  const C = int("n_embd");
  if (config.n_inner !== null && config.n_inner !== undefined && config.n_inner !== 4 * C) {
    refuse({
      en: `its MLP is ${config.n_inner} wide where GPT-2's is 4 × n_embd = ${4 * C}`,
      fr: `son MLP a une largeur de ${config.n_inner} là où celui de GPT-2 a 4 × n_embd = ${4 * C}`,
    });
  }
  const shape = {
    vocabSize: int("vocab_size"),
    blockSize: int("n_positions", config.n_ctx as number),
    nLayer: int("n_layer"),
    nHead: int("n_head"),
    nEmbd: C,
  };
  if (C % shape.nHead !== 0) {
    refuse({
      en: `its n_embd ${C} is not a multiple of n_head ${shape.nHead}`,
      fr: `son n_embd ${C} n'est pas un multiple de n_head ${shape.nHead}`,
    });
  }

  const path = `${dir}/model.safetensors`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch {
    return refuse({
      en:
        "it has no model.safetensors (a pytorch_model.bin must be converted to safetensors first)",
      fr: "il n'a pas de model.safetensors (un pytorch_model.bin doit d'abord être converti en " +
        "safetensors)",
    });
  }
  const { tensors } = decodeSafetensors(bytes, path);
  const tokenizer = await readHfTokenizer(dir, shape.vocabSize);
  const model = new GPT(shape, null, options); // every weight is set below
  // GPT-2's own files name the tensors of the base model (h.0.attn…), ours transformer.h.0.attn…
  const find = (name: string): Tensor | undefined =>
    tensors[name] ?? tensors[name.replace(/^transformer\./, "")];
  for (const [name, ours] of parameterShapes(model.config)) {
    const conv = CONV1D.some((w) => name.endsWith(w));
    const want = conv ? [ours[1], ours[0]] : ours;
    const t = find(name);
    if (!t) {
      refuse({
        en: `its model.safetensors has no tensor ${name}`,
        fr: `son model.safetensors n'a pas de tenseur ${name}`,
      });
    }
    if (t!.shape.join() !== want.join()) {
      refuse({
        en: `its tensor ${name} is [${t!.shape}] where config.json implies [${want}]`,
        fr: `son tenseur ${name} est [${t!.shape}] là où config.json implique [${want}]`,
      });
    }
    model.p.byName[name].set(conv ? transpose(t!.data, want[0], want[1]) : t!.data);
  }
  const head = tensors["lm_head.weight"];
  if (head && !head.data.every((x, i) => x === model.p.wte[i])) {
    refuse({
      en: "its lm_head.weight differs from transformer.wte.weight (an untied head)",
      fr: "son lm_head.weight diffère de transformer.wte.weight (une tête non liée)",
    });
  }
  return { model, tokenizer };
}

/** The tokenizer beside a model: vocab.json + merges.txt, else tokenizer.json. */
async function readHfTokenizer(dir: string, vocabSize: number): Promise<SavedTokenizer> {
  const read = (name: string) => Deno.readTextFile(`${dir}/${name}`).catch(() => null);
  const [vocab, merges, json, config] = await Promise.all(
    ["vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json"].map(read),
  );
  let saved: SavedTokenizer;
  let size: number;
  if (vocab !== null && merges !== null) {
    let pattern = GPT2_SPLIT_PATTERN;
    try {
      pattern = JSON.parse(config ?? "{}").minigpt_split_pattern ?? pattern;
    } catch { /* tokenizer_config.json is Hugging Face's: only our field matters here */ }
    const tok = bpeFromHf({ vocab, merges }, {
      en: `${dir}/vocab.json and merges.txt`,
      fr: `${dir}/vocab.json et merges.txt`,
    }, pattern);
    saved = { kind: "bpe", data: formatTokenizer(tok) };
    size = tok.vocabSize;
  } else if (json !== null) {
    const parsed = readTokenizerJson(json, `${dir}/tokenizer.json`);
    if (parsed.kind === "bpe") {
      saved = { kind: "bpe", data: formatTokenizer(parsed.tokenizer) };
      size = parsed.tokenizer.vocabSize;
    } else {
      const { chars, special } = parsed.vocabulary;
      const chat = special.join() === "<|user|>,<|assistant|>,<|end|>";
      if (special.length > 0 && !chat) {
        const tokens = special.join(" ");
        throw new UserError(tr({
          en:
            `${dir}/tokenizer.json has special tokens ${tokens}, which no tokenizer here knows: ` +
            `only the chat template's <|user|> <|assistant|> <|end|> are read.`,
          fr:
            `${dir}/tokenizer.json a les tokens spéciaux ${tokens}, qu'aucun tokenizer d'ici ne ` +
            `connaît : seuls ceux du modèle de chat, <|user|> <|assistant|> <|end|>, sont lus.`,
        }));
      }
      saved = chat
        ? { kind: "chat", data: JSON.stringify({ chars, special }) + "\n" }
        : { kind: "char", data: JSON.stringify(chars) + "\n" };
      size = chars.length + special.length;
    }
  } else {
    throw new UserError(tr({
      en: `${dir} has no tokenizer (vocab.json + merges.txt, or tokenizer.json): ` +
        `copy the model's tokenizer files beside it.`,
      fr: `${dir} n'a pas de tokenizer (vocab.json + merges.txt, ou tokenizer.json) : ` +
        `copie à côté les fichiers de tokenizer du modèle.`,
    }));
  }
  if (size !== vocabSize) {
    throw new UserError(tr({
      en: `${dir}'s tokenizer has ${size} tokens but its model ${vocabSize}: ` +
        `they do not belong together.`,
      fr: `Le tokenizer de ${dir} a ${size} tokens mais son modèle en a ${vocabSize} : ` +
        `ils ne vont pas ensemble.`,
    }));
  }
  return saved;
}
