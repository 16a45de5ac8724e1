/**
 * The byte-level BPE tokenizer: a regex pre-split, merges applied by rank inside each chunk, a
 * cache of encoded chunks, special tokens, decoding and a look at the vocabulary.
 *
 * A tokenizer is its split pattern, its merge list (merge i creates id 256 + i), the id of each
 * byte (the identity for the ones we train; a permutation for GPT-2, whose first ids are the
 * printable bytes) and its special tokens. Training is in train.ts, the file format in io.ts.
 * @module
 */
import { tr } from "../i18n.ts";
import { UserError } from "../errors.ts";
import type { Pair } from "./basic.ts";
import { applyMerges } from "./merge.ts";
import { PairTable } from "./pair_table.ts";
import { compileSplit } from "./regex.ts";

/** How {@link BpeTokenizer.encode} treats special-token text: "none" (default), "all" or a list. */
export type AllowedSpecial = "none" | "all" | string[];

/** What defines a tokenizer. */
export interface BpeDefinition {
  /** Regex source of the pre-split ("" for none); see regex.ts. */
  pattern: string;
  /** Merge i joins ids (a, b) into id 256 + i. */
  merges: Pair[];
  /** Id of each byte value (default: byte b is id b). */
  byteIds?: ArrayLike<number>;
  /** Special tokens and their ids, which follow the merges (default none). */
  special?: Record<string, number>;
}

const utf8 = new TextEncoder();
/** Chunks longer than this are not cached: they are rare and would bloat the cache. */
const MAX_CACHED_CHUNK = 256;
/** The cache is emptied past this many chunks, so memory stays bounded on any text. */
const MAX_CACHE_ENTRIES = 200_000;

/**
 * A byte-level BPE tokenizer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BpeTokenizer } from "./bpe.ts";
 * const tok = new BpeTokenizer({ pattern: "", merges: [[104, 105]] });
 * assert.ok(tok.encode("hi!").join() === "256,33" && tok.decode([256, 33]) === "hi!");
 * ```
 */
export class BpeTokenizer {
  readonly pattern: string;
  readonly merges: readonly Pair[];
  readonly byteIds: Int32Array;
  readonly special: ReadonlyMap<string, number>;
  // The bytes of every id in one buffer: id i is #bytes[#start[i] .. #end[i]), or unused
  // when #start[i] is -1 (special ids may leave a gap after the merges, as cl100k's do).
  readonly #bytes: Uint8Array;
  readonly #start: Int32Array;
  readonly #end: Int32Array;
  readonly #split: RegExp | undefined;
  readonly #specialSplit: RegExp | undefined;
  readonly #rankOf: PairTable;
  #cache = new Map<string, Int32Array>();

  constructor(definition: BpeDefinition) {
    this.pattern = definition.pattern;
    this.merges = definition.merges.map(([a, b]) => [a, b] as Pair);
    this.byteIds = Int32Array.from(
      definition.byteIds ?? Array.from({ length: 256 }, (_, b) => b),
    );
    this.special = new Map(Object.entries(definition.special ?? {}));
    [this.#bytes, this.#start, this.#end] = buildVocab(this.byteIds, this.merges, this.special);
    this.#split = compileSplit(this.pattern);
    this.#specialSplit = this.special.size
      ? new RegExp([...this.special.keys()].map(escapeRegex).join("|"), "g")
      : undefined;
    this.#rankOf = new PairTable(this.merges.length);
    this.merges.forEach(([a, b], rank) => this.#rankOf.set(a, b, rank));
  }

  /** Number of ids, special tokens included. */
  get vocabSize(): number {
    return this.#start.length;
  }

  /**
   * Token ids of `text`. Text that spells a special token is an error unless `allowedSpecial`
   * lets it become that token; {@link encodeOrdinary} treats it as plain text instead.
   */
  encode(text: string, options: { allowedSpecial?: AllowedSpecial } = {}): number[] {
    const allowed = options.allowedSpecial ?? "none";
    if (!this.#specialSplit) return this.encodeOrdinary(text);
    const out: number[] = [];
    let start = 0;
    for (const m of text.matchAll(this.#specialSplit)) {
      if (allowed !== "all" && !(allowed !== "none" && allowed.includes(m[0]))) {
        const token = m[0];
        throw new UserError(tr({
          en: `The text contains the special token ${token}, which is not allowed here: pass ` +
            `allowedSpecial "all" or ["${token}"] to encode it as one token, or use ` +
            `encodeOrdinary to encode it as plain text.`,
          fr: `Le texte contient le token spécial ${token}, interdit ici : passe allowedSpecial ` +
            `"all" ou ["${token}"] pour l'encoder en un seul token, ou utilise encodeOrdinary ` +
            `pour l'encoder comme du texte simple.`,
        }));
      }
      this.#encodeInto(text.slice(start, m.index), out);
      out.push(this.special.get(m[0])!);
      start = m.index + m[0].length;
    }
    this.#encodeInto(text.slice(start), out);
    return out;
  }

  /** Token ids of `text`, reading special-token text as ordinary characters. */
  encodeOrdinary(text: string): number[] {
    const out: number[] = [];
    this.#encodeInto(text, out);
    return out;
  }

  #encodeInto(text: string, out: number[]): void {
    const regex = this.#split;
    if (!regex) {
      if (text) { for (const id of this.#encodeChunk(text)) out.push(id); }
      return;
    }
    regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = regex.exec(text)) !== null) {
      const piece = m[0];
      let ids = this.#cache.get(piece);
      if (ids === undefined) {
        ids = this.#encodeChunk(piece);
        if (piece.length <= MAX_CACHED_CHUNK) {
          if (this.#cache.size >= MAX_CACHE_ENTRIES) this.#cache.clear();
          this.#cache.set(piece, ids);
        }
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]);
    }
  }

  /** One chunk: its bytes, then the merges (merge.ts). */
  #encodeChunk(chunk: string): Int32Array {
    const bytes = utf8.encode(chunk);
    const ids = new Int32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) ids[i] = this.byteIds[bytes[i]];
    return ids.slice(0, applyMerges(ids, this.#rankOf));
  }

  /** Forgets the encoded chunks (benchmarks use it to time encoding from a cold start). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** The bytes that `ids` stand for. */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    let length = 0;
    for (let i = 0; i < ids.length; i++) length += this.tokenBytes(ids[i]).length;
    const out = new Uint8Array(length);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      out.set(this.#bytes.subarray(this.#start[id], this.#end[id]), at);
      at += this.#end[id] - this.#start[id];
    }
    return out;
  }

  /** The text that `ids` stand for; bytes that are not valid UTF-8 become U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    return new TextDecoder().decode(this.decodeBytes(ids));
  }

  /** The bytes of one id (a view: do not modify); an id outside the vocabulary is a UserError. */
  tokenBytes(id: number): Uint8Array {
    if (!(this.#start[id] >= 0)) {
      const last = this.vocabSize - 1;
      throw new UserError(tr({
        en: `Token id ${id} is not in this tokenizer's vocabulary (ids 0 to ${last}): ` +
          `decode ids with the tokenizer that produced them.`,
        fr: `L'id de token ${id} n'est pas dans le vocabulaire de ce tokenizer (ids 0 à ` +
          `${last}) : décode les ids avec le tokenizer qui les a produits.`,
      }));
    }
    return this.#bytes.subarray(this.#start[id], this.#end[id]);
  }

  /** One id shown readably: its text in quotes, with bytes that are not UTF-8 as `\xNN`. */
  tokenText(id: number): string {
    return renderBytes(this.tokenBytes(id));
  }

  /**
   * The same tokenizer with only its first `vocabSize - 256` merges (and its special tokens
   * renumbered after them): exactly what training to `vocabSize` would have given.
   */
  withVocabSize(vocabSize: number): BpeTokenizer {
    const merges = this.merges.slice(0, Math.max(0, vocabSize - 256));
    const special: Record<string, number> = {};
    [...this.special.keys()].forEach((s, i) => special[s] = 256 + merges.length + i);
    return new BpeTokenizer({ pattern: this.pattern, merges, byteIds: this.byteIds, special });
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

function buildVocab(
  byteIds: Int32Array,
  merges: readonly Pair[],
  special: ReadonlyMap<string, number>,
): [Uint8Array, Int32Array, Int32Array] {
  if (byteIds.length !== 256 || new Set(byteIds).size !== 256 || byteIds.some((id) => id > 255)) {
    throw new UserError(tr({
      en: "The byte ids must give each of the 256 bytes its own id from 0 to 255.",
      fr: "Les ids d'octets doivent donner à chacun des 256 octets son propre id de 0 à 255.",
    }));
  }
  const firstFree = 256 + merges.length;
  const specialBytes = [...special].map(([text, id]) => {
    if (!Number.isInteger(id) || id < firstFree) {
      throw new UserError(tr({
        en:
          `Special token ${text} has id ${id}, but special ids must be new ids from ${firstFree}.`,
        fr: `Le token spécial ${text} a l'id ${id}, mais les ids spéciaux doivent être de ` +
          `nouveaux ids à partir de ${firstFree}.`,
      }));
    }
    return [utf8.encode(text), id] as const;
  });
  const size = Math.max(firstFree, ...specialBytes.map(([, id]) => id + 1));
  const length = new Int32Array(size);
  byteIds.forEach((id) => length[id] = 1);
  merges.forEach(([a, b], i) => {
    const id = 256 + i;
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && a < id && b >= 0 && b < id)) {
      throw new UserError(tr({
        en: `Merge ${i} joins ids ${a} and ${b}, but only ids below ${id} exist.`,
        fr: `La fusion ${i} joint les ids ${a} et ${b}, mais seuls les ids sous ${id} existent.`,
      }));
    }
    length[id] = length[a] + length[b];
  });
  let total = specialBytes.reduce((sum, [bytes]) => sum + bytes.length, 0);
  for (let id = 0; id < firstFree; id++) total += length[id];
  const bytes = new Uint8Array(total);
  const start = new Int32Array(size).fill(-1), end = new Int32Array(size);
  let at = 0;
  byteIds.forEach((id, byte) => {
    [start[id], end[id]] = [at, at + 1];
    bytes[at++] = byte;
  });
  merges.forEach(([a, b], i) => {
    const id = 256 + i;
    start[id] = at;
    bytes.copyWithin(at, start[a], end[a]);
    bytes.copyWithin(at + length[a], start[b], end[b]);
    at = end[id] = at + length[id];
  });
  for (const [text, id] of specialBytes) {
    if (start[id] >= 0) {
      throw new UserError(tr({
        en: `Two special tokens share the id ${id}.`,
        fr: `Deux tokens spéciaux partagent l'id ${id}.`,
      }));
    }
    start[id] = at;
    bytes.set(text, at);
    at = end[id] = at + text.length;
  }
  return [bytes, start, end];
}

/**
 * Bytes shown readably: valid UTF-8 as a JSON string, otherwise ASCII with `\xNN` escapes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderBytes } from "./bpe.ts";
 * assert.equal(renderBytes(Uint8Array.of(32, 116)), '" t"');
 * assert.equal(renderBytes(Uint8Array.of(0xc3)), '"\\xc3"');
 * ```
 */
export function renderBytes(bytes: Uint8Array): string {
  try {
    return JSON.stringify(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    const parts = Array.from(
      bytes,
      (b) =>
        b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c
          ? String.fromCharCode(b)
          : `\\x${b.toString(16).padStart(2, "0")}`,
    );
    return `"${parts.join("")}"`;
  }
}
