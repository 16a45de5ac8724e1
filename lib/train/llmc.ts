/**
 * A GPT as llm.c's model file, and back, with llm.c's tokenizer file beside it.
 *
 * Model file (what llm.c's train_gpt2 loads): 256 int32 of header — magic 20240326, version 3
 * (float32), max context T, vocabulary V, layers L, heads NH, width C, padded vocabulary Vp —
 * then every parameter as float32 in llm.c's order: wte (Vp, C), wpe (T, C), then each block
 * tensor for all L layers at once (ln_1 weight, ln_1 bias, c_attn weight (L, 3C, C), its bias,
 * c_proj, its bias, ln_2, c_fc (L, 4C, C), its bias, mlp c_proj (L, C, 4C), its bias), then ln_f.
 * Weights are (out, in) as ours. Vp rounds V up to a multiple of 128, the rows past V being zeros
 * that the kernels' tiles can read and the loss never does.
 *
 * Tokenizer file: 256 uint32 of header — magic 20240328, version 2, V, the end-of-text id — then
 * each token's bytes, one length byte before each. Importing a vocabulary of single characters
 * gives our character (or chat) tokenizer; a byte-level one gives BPE again (the merges are
 * rebuilt from the tokens' bytes, as for tiktoken's ranks), with GPT-2's split pattern.
 * @module
 */
import type { SavedTokenizer } from "../tokenizer/saved.ts";
import { UserError } from "../errors.ts";
import { type Text, tr } from "../i18n.ts";
import { GPT, type GPTOptions } from "../model/gpt.ts";
import type { BlockParams } from "../model/layout.ts";
import { BpeTokenizer } from "../tokenizer/bpe.ts";
import { formatTokenizer, parseTokenizer } from "../tokenizer/io.ts";
import { GPT2_SPLIT_PATTERN } from "../tokenizer/regex.ts";
import { mergesOfTokens } from "../tokenizer/tiktoken.ts";

const MODEL_MAGIC = 20240326;
const MODEL_VERSION = 3;
const TOKENIZER_MAGIC = 20240328;
const TOKENIZER_VERSION = 2;
const HEADER_BYTES = 256 * 4;
const CHAT_SPECIAL = ["<|user|>", "<|assistant|>", "<|end|>"];

/** llm.c's padded vocabulary: V rounded up to a multiple of 128. */
export function paddedVocab(V: number): number {
  return Math.ceil(V / 128) * 128;
}

/** The block tensors in llm.c's order, each stored for all layers at once. */
const BLOCK_ORDER: ((b: BlockParams) => Float32Array)[] = [
  (b) => b.ln_1.weight,
  (b) => b.ln_1.bias,
  (b) => b.attn.c_attn.weight,
  (b) => b.attn.c_attn.bias,
  (b) => b.attn.c_proj.weight,
  (b) => b.attn.c_proj.bias,
  (b) => b.ln_2.weight,
  (b) => b.ln_2.bias,
  (b) => b.mlp.c_fc.weight,
  (b) => b.mlp.c_fc.bias,
  (b) => b.mlp.c_proj.weight,
  (b) => b.mlp.c_proj.bias,
];

/** Every parameter region of llm.c's file in order, as (our view, floats it takes in the file). */
function regions(model: GPT, padded: number): [Float32Array | null, number][] {
  const { blockSize: T, nEmbd: C, vocabSize: V } = model.config;
  const wpe = model.p.wpe ?? model.pe!;
  const out: [Float32Array | null, number][] = [[model.p.wte, V * C], [null, (padded - V) * C]];
  out.push([wpe, T * C]);
  for (const part of BLOCK_ORDER) for (const block of model.p.h) out.push([part(block), 0]);
  out.push([model.p.ln_f.weight, C], [model.p.ln_f.bias, C]);
  return out.map(([view, n]) => [view, view ? view.length : n]);
}

/**
 * The llm.c model file of `model`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { decodeLlmc, encodeLlmc } from "./llmc.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 });
 * assert.equal(decodeLlmc(encodeLlmc(model), "m.bin").params.join(), model.params.join());
 * ```
 */
export function encodeLlmc(model: GPT): Uint8Array {
  const c = model.config;
  if (c.positional === "rope") {
    throw new UserError(tr({
      en: "This model uses RoPE, which llm.c's GPT-2 does not have: " +
        "export a model trained with learned or sinusoidal positions.",
      fr: "Ce modèle utilise RoPE, que le GPT-2 de llm.c n'a pas : " +
        "exporte un modèle entraîné avec des positions apprises (learned) ou sinusoïdales.",
    }));
  }
  const Vp = paddedVocab(c.vocabSize);
  const parts = regions(model, Vp);
  const floats = parts.reduce((n, [, size]) => n + size, 0);
  const bytes = new Uint8Array(HEADER_BYTES + floats * 4);
  const header = new Int32Array(bytes.buffer, 0, 256);
  header.set([
    MODEL_MAGIC,
    MODEL_VERSION,
    c.blockSize,
    c.vocabSize,
    c.nLayer,
    c.nHead,
    c.nEmbd,
    Vp,
  ]);
  const body = new Float32Array(bytes.buffer, HEADER_BYTES);
  let at = 0;
  for (const [view, size] of parts) {
    if (view) body.set(view, at); // padding rows stay zero
    at += size;
  }
  return bytes;
}

/**
 * Our model from an llm.c model file; a file that is not one (wrong magic, another version, a
 * wrong size) is one sentence naming `source`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLlmc } from "./llmc.ts";
 * assert.throws(() => decodeLlmc(new Uint8Array(1024), "x.bin"), /x\.bin is not an llm\.c/);
 * ```
 */
export function decodeLlmc(bytes: Uint8Array, source: string, options: GPTOptions = {}): GPT {
  const bad = (why: Text): never => {
    throw new UserError(tr({
      en: `${source} is not an llm.c GPT-2 model file: ${why.en}.`,
      fr: `${source} n'est pas un fichier de modèle GPT-2 de llm.c : ${why.fr}.`,
    }));
  };
  if (bytes.length < HEADER_BYTES) {
    bad({
      en: `it has ${bytes.length} bytes, fewer than the 1024 of the header`,
      fr: `il a ${bytes.length} octets, moins que les 1024 de l'en-tête`,
    });
  }
  const header = new Int32Array(bytes.slice(0, HEADER_BYTES).buffer);
  if (header[0] !== MODEL_MAGIC) {
    bad({
      en: `its magic number is ${header[0]}, not ${MODEL_MAGIC}`,
      fr: `son nombre magique est ${header[0]}, pas ${MODEL_MAGIC}`,
    });
  }
  if (header[1] !== MODEL_VERSION) {
    bad({
      en: `its version is ${header[1]}, and only version 3 (float32) is read; write it as float32`,
      fr: `sa version est ${header[1]}, et seule la version 3 (float32) est lue ; ` +
        `écris-le en float32`,
    });
  }
  const [, , T, V, L, NH, C, Vp] = header;
  if (Vp < V) {
    bad({
      en: `its padded vocabulary ${Vp} is smaller than its vocabulary ${V}`,
      fr: `son vocabulaire complété ${Vp} est plus petit que son vocabulaire ${V}`,
    });
  }
  let model: GPT;
  try {
    model = new GPT({ vocabSize: V, blockSize: T, nLayer: L, nHead: NH, nEmbd: C }, null, options);
  } catch (err) {
    const why = (err as Error).message;
    return bad({
      en: `its header describes no GPT (${why})`,
      fr: `son en-tête ne décrit aucun GPT (${why})`,
    });
  }
  const parts = regions(model, Vp);
  const floats = parts.reduce((n, [, size]) => n + size, 0);
  if (bytes.length !== HEADER_BYTES + floats * 4) {
    const need = HEADER_BYTES + floats * 4;
    bad({
      en: `its header needs ${need} bytes but it has ${bytes.length} (truncated?)`,
      fr: `son en-tête demande ${need} octets mais il en a ${bytes.length} (tronqué ?)`,
    });
  }
  const body = new Float32Array(bytes.slice(HEADER_BYTES).buffer);
  let at = 0;
  for (const [view, size] of parts) {
    view?.set(body.subarray(at, at + size));
    at += size;
  }
  return model;
}

/** Each token's bytes and the end-of-text id, for llm.c's tokenizer file. */
function tokenList(saved: SavedTokenizer): { tokens: Uint8Array[]; eot: number } {
  const utf8 = new TextEncoder();
  if (saved.kind === "bpe") {
    const tok = parseTokenizer(saved.data, {
      en: "The checkpoint's tokenizer",
      fr: "Le tokenizer du checkpoint",
    });
    const names = new Map([...tok.special].map(([text, id]) => [id, text]));
    const tokens = Array.from(
      { length: tok.vocabSize },
      (_, id) => names.has(id) ? utf8.encode(names.get(id)!) : tok.tokenBytes(id),
    );
    return { tokens, eot: tok.special.get("<|endoftext|>") ?? tok.vocabSize - 1 };
  }
  const parsed = JSON.parse(saved.data) as string[] | { chars: string[]; special: string[] };
  const chars = Array.isArray(parsed) ? parsed : [...parsed.chars, ...parsed.special];
  // A character model has no end-of-text token; llm.c starts generation from it, and a newline
  // is where a text can start.
  const eot = Array.isArray(parsed) ? Math.max(0, chars.indexOf("\n")) : chars.indexOf("<|end|>");
  return { tokens: chars.map((c) => utf8.encode(c)), eot };
}

/**
 * llm.c's tokenizer file for a saved tokenizer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLlmcTokenizer, encodeLlmcTokenizer } from "./llmc.ts";
 * const saved = { kind: "char" as const, data: '["\\n","a"]' };
 * assert.equal(decodeLlmcTokenizer(encodeLlmcTokenizer(saved), "t.bin").data.trim(), saved.data);
 * ```
 */
export function encodeLlmcTokenizer(saved: SavedTokenizer): Uint8Array {
  const { tokens, eot } = tokenList(saved);
  const long = tokens.findIndex((t) => t.length > 255);
  if (long >= 0) {
    const n = tokens[long].length;
    throw new UserError(tr({
      en: `Token ${long} is ${n} bytes long, and llm.c's tokenizer file holds at most 255.`,
      fr: `Le token ${long} fait ${n} octets, et le fichier de tokenizer de llm.c en contient ` +
        `au plus 255.`,
    }));
  }
  const bytes = new Uint8Array(HEADER_BYTES + tokens.reduce((n, t) => n + 1 + t.length, 0));
  new Uint32Array(bytes.buffer, 0, 256).set([
    TOKENIZER_MAGIC,
    TOKENIZER_VERSION,
    tokens.length,
    eot,
  ]);
  let at = HEADER_BYTES;
  for (const t of tokens) {
    bytes[at++] = t.length;
    bytes.set(t, at);
    at += t.length;
  }
  return bytes;
}

/**
 * Our tokenizer from llm.c's tokenizer file (see the module notes); `source` names the file in
 * the one-sentence error a bad one gives.
 *
 * @example
 * ```ts ignore needs llm.c's gpt2_tokenizer.bin
 * import { decodeLlmcTokenizer } from "./llmc.ts";
 * const saved = decodeLlmcTokenizer(await Deno.readFile("gpt2_tokenizer.bin"), "gpt2_tokenizer.bin");
 * ```
 */
export function decodeLlmcTokenizer(bytes: Uint8Array, source: string): SavedTokenizer {
  const bad = (why: Text): never => {
    throw new UserError(tr({
      en: `${source} is not an llm.c tokenizer file: ${why.en}.`,
      fr: `${source} n'est pas un fichier de tokenizer de llm.c : ${why.fr}.`,
    }));
  };
  if (bytes.length < HEADER_BYTES) {
    bad({ en: "it is shorter than its header", fr: "il est plus court que son en-tête" });
  }
  const header = new Uint32Array(bytes.slice(0, HEADER_BYTES).buffer);
  if (header[0] !== TOKENIZER_MAGIC) {
    bad({
      en: `its magic number is ${header[0]}, not ${TOKENIZER_MAGIC}`,
      fr: `son nombre magique est ${header[0]}, pas ${TOKENIZER_MAGIC}`,
    });
  }
  if (header[1] !== TOKENIZER_VERSION) {
    bad({
      en: `its version is ${header[1]}, not ${TOKENIZER_VERSION}`,
      fr: `sa version est ${header[1]}, pas ${TOKENIZER_VERSION}`,
    });
  }
  const tokens: Uint8Array[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < header[2]; i++) {
    const n = bytes[at];
    if (n === undefined || at + 1 + n > bytes.length) {
      bad({
        en: `it ends inside token ${i} (truncated?)`,
        fr: `il se termine au milieu du token ${i} (tronqué ?)`,
      });
    }
    tokens.push(bytes.subarray(at + 1, at + 1 + n));
    at += 1 + n;
  }
  const strict = new TextDecoder("utf-8", { fatal: true });
  const texts = tokens.map((t) => {
    try {
      return strict.decode(t);
    } catch {
      return null;
    }
  });
  const chat = texts.slice(-3).join() === CHAT_SPECIAL.join();
  const plain = chat ? texts.slice(0, -3) : texts;
  if (plain.every((t) => t !== null && [...t].length === 1)) {
    const chars = plain as string[];
    if (new Set(chars).size !== chars.length) {
      bad({ en: "it lists a character twice", fr: "il liste un caractère deux fois" });
    }
    return chat
      ? { kind: "chat", data: JSON.stringify({ chars, special: CHAT_SPECIAL }) + "\n" }
      : { kind: "char", data: JSON.stringify(chars) + "\n" };
  }
  const { byteIds, merges, count } = mergesOfTokens(tokens);
  const special: Record<string, number> = {};
  for (let id = count; id < tokens.length; id++) {
    if (texts[id] === null) {
      bad({
        en: `token ${id} is neither a merge of two earlier tokens nor text`,
        fr: `le token ${id} n'est ni une fusion de deux tokens précédents ni du texte`,
      });
    }
    special[texts[id]!] = id;
  }
  const tok = new BpeTokenizer({ pattern: GPT2_SPLIT_PATTERN, merges, byteIds, special });
  return { kind: "bpe", data: formatTokenizer(tok) };
}
