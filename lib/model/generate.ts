/**
 * Text generation, one token at a time: run the model on the context, sample the next token,
 * append it, repeat. Two ways to get the logits, which give exactly the same tokens:
 *
 * - without a cache, every step runs the whole context through the model again (O(T²) per token);
 * - with a KV cache, every step feeds only the newest token and keeps each layer's keys and values
 *   of the earlier ones, so attention reads them instead of recomputing them (O(T) per token).
 *
 * The context window: when the tokens no longer fit in the model's context, the oldest half is
 * dropped and the window starts again from the newer half. Both paths follow that rule, so they
 * see the same contexts; the cached path refills its cache from the kept half.
 * @module
 */
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { type BlockBuffers, blockLayers } from "./block.ts";
import type { GPT } from "./gpt.ts";
import { Rng } from "../random.ts";
import { sampleToken, type SamplingOptions } from "./sampling.ts";

/** Options of {@link generate}. */
export interface GenerateOptions extends SamplingOptions {
  /** How many new tokens to produce. */
  maxTokens: number;
  /** Seed of the sampler (default 0). */
  seed?: number;
  /** Use the KV cache (default true). */
  kvCache?: boolean;
  /** Called with each new token; return false to stop early (a stop string, say). */
  onToken?: (id: number) => boolean | void;
}

/**
 * Generates up to `maxTokens` tokens after `prompt` and returns the new ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "./gpt.ts";
 * import { generate } from "./generate.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
 * const ids = generate(model, [1, 2], { maxTokens: 3, temperature: 0 });
 * assert.equal(ids.length, 3);
 * ```
 */
export function generate(model: GPT, prompt: number[], options: GenerateOptions): number[] {
  if (prompt.length === 0) {
    throw new UserError(tr({
      en: "The prompt is empty: give at least one token to start from.",
      fr: "Le prompt est vide : donne au moins un token de départ.",
    }));
  }
  const T = model.config.blockSize;
  const tokens = [...prompt];
  let start = Math.max(0, tokens.length - T);
  const rng = new Rng(options.seed ?? 0);
  const cache = options.kvCache === false ? null : cacheOf(model);
  cache?.reset();
  const out: number[] = [];
  while (out.length < options.maxTokens) {
    if (tokens.length - start > T) start = tokens.length - Math.ceil(T / 2);
    const logits = cache
      ? cache.logitsAfter(tokens, start)
      : uncachedLogits(model, tokens.slice(start));
    const next = sampleToken(logits, options, rng);
    tokens.push(next);
    out.push(next);
    if (options.onToken?.(next) === false) break;
  }
  return out;
}

/**
 * One cache per model, kept for the model's lifetime: its buffers may come from an arena, which
 * never frees, so a cache per call would leak.
 */
const caches = new WeakMap<GPT, KVCache>();

function cacheOf(model: GPT): KVCache {
  let cache = caches.get(model);
  if (!cache) caches.set(model, cache = new KVCache(model));
  return cache;
}

/** Logits of the next token from a full forward pass over `context`. */
function uncachedLogits(model: GPT, context: number[]): Float32Array {
  const T = context.length, V = model.config.vocabSize;
  model.forward(Int32Array.from(context), null, 1, T);
  return model.acts!.logits.slice((T - 1) * V, T * V);
}

/**
 * Each layer's keys and values for the positions processed so far, with one row of block buffers
 * for a one-token forward pass. It runs the model's own block code (`blockLayers` of
 * lib/model/block.ts, with the model's layer functions, kernels or twins) on that row,
 * attending with `attentionStep`, which has the arithmetic of `attentionForward` for a last row: so both paths produce the same logits.
 * Buffers come from the model's allocator.
 */
export class KVCache {
  readonly #model: GPT;
  /** Per layer: keys then values, (T, 2C). */
  readonly #kv: Float32Array[];
  /** Window start the cache was filled for, and how many of its positions it holds. */
  #start = -1;
  #length = 0;
  /** One row of every block buffer; the stream enters and leaves in `residual3`. */
  readonly #h: BlockBuffers;
  readonly #scores: Float32Array; // (T)
  readonly #token = new Int32Array(1);
  readonly #ln_f: Float32Array; // (C)
  readonly #ln_f_stat: Float32Array; // (2) mean and rstd
  readonly logits: Float32Array; // (V)

  constructor(model: GPT) {
    const { nLayer: L, nEmbd: C, blockSize: T, vocabSize: V } = model.config;
    const alloc = model.alloc;
    this.#model = model;
    this.#kv = Array.from({ length: L }, () => alloc(T * 2 * C));
    const row = (n: number) => alloc(n);
    const qkv = row(3 * C);
    this.#h = {
      ln_1: row(C),
      ln_1_mean: row(1),
      ln_1_rstd: row(1),
      qkv,
      qkvr: model.config.positional === "rope" ? row(3 * C) : qkv,
      atty: row(C),
      attproj: row(C),
      residual2: row(C),
      ln_2: row(C),
      ln_2_mean: row(1),
      ln_2_rstd: row(1),
      fch: row(4 * C),
      fch_gelu: row(4 * C),
      fcproj: row(C),
      residual3: row(C),
    };
    this.#scores = alloc(T);
    this.#ln_f = alloc(C);
    this.#ln_f_stat = alloc(2);
    this.logits = alloc(V);
  }

  /** Forgets every cached position (the next call refills the cache). */
  reset(): void {
    this.#start = -1;
    this.#length = 0;
  }

  /** Logits after the context tokens[start:], feeding only the tokens the cache lacks. */
  logitsAfter(tokens: number[], start: number): Float32Array {
    if (start !== this.#start) {
      this.#start = start;
      this.#length = 0;
    }
    while (start + this.#length < tokens.length) this.#step(tokens[start + this.#length]);
    return this.logits;
  }

  /** Runs one token at position `#length` of the window through every layer. */
  #step(token: number): void {
    const m = this.#model, p = m.p, ops = m.ops, h = this.#h, x = h.residual3;
    const { nLayer: L, nHead: NH, nEmbd: C, vocabSize: V } = m.config;
    const pos = this.#length, pe = p.wpe ?? m.pe, stat = this.#ln_f_stat;
    if (token < 0 || token >= V) {
      throw new UserError(tr({
        en: `Token id ${token} is outside the vocabulary of ${V}.`,
        fr: `L'id de token ${token} sort du vocabulaire de ${V}.`,
      }));
    }
    this.#token[0] = token;
    // deno-fmt-ignore
    {
    ops.encoderForward(x, this.#token, p.wte, pe?.subarray(pos * C) ?? null, 1, 1, C);     // (C)
    for (let l = 0; l < L; l++) {
      const kv = this.#kv[l];
      blockLayers(ops, p.h[l], h, x, 1, C, (h) => {                                         // (C) → (C)
        if (h.qkvr !== h.qkv) ops.ropeForward(h.qkvr, h.qkv, 1, 1, C, NH, pos);             // (3C)
        kv.set(h.qkvr.subarray(C, 3 * C), pos * 2 * C);                                     // (pos + 1, 2C)
        ops.attentionStep(h.atty, h.qkvr.subarray(0, C), kv, pos, C, NH, this.#scores);     // (C)
      });
    }
    ops.layerNormForward(this.#ln_f, stat.subarray(0, 1), stat.subarray(1, 2), x, p.ln_f.weight, p.ln_f.bias, 1, C); // (C)
    ops.linearForward(this.logits, this.#ln_f, p.wte, null, 1, C, V);                        // (V)
    }
    this.#length++;
  }
}
