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
 * import { GPT } from "./gpt.ts";
 * import { generate } from "./generate.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
 * const ids = generate(model, [1, 2], { maxTokens: 3, temperature: 0 });
 * console.assert(ids.length === 3);
 * ```
 */
export function generate(model: GPT, prompt: number[], options: GenerateOptions): number[] {
  if (prompt.length === 0) {
    throw new UserError("The prompt is empty: give at least one token to start from.");
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
 * Each layer's keys and values for the positions processed so far, with scratch buffers for a
 * one-token forward pass. It runs the model's own layer functions (kernels or twins) on one row,
 * and `attentionStep`, which has the arithmetic of `attentionForward` for a last row: so both
 * paths produce the same logits. Buffers come from the model's allocator.
 */
export class KVCache {
  readonly #model: GPT;
  /** Per layer: keys then values, (T, 2C). */
  readonly #kv: Float32Array[];
  /** Window start the cache was filled for, and how many of its positions it holds. */
  #start = -1;
  #length = 0;
  readonly #x: Float32Array; // (C) the residual stream
  readonly #ln: Float32Array; // (C)
  readonly #qkv: Float32Array; // (3C)
  readonly #qkvr: Float32Array; // (3C) after RoPE
  readonly #y: Float32Array; // (C)
  readonly #proj: Float32Array; // (C)
  readonly #fc: Float32Array; // (4C)
  readonly #fcg: Float32Array; // (4C)
  readonly #scores: Float32Array; // (T)
  readonly #stat: Float32Array; // (2) mean and rstd
  readonly logits: Float32Array; // (V)

  constructor(model: GPT) {
    const { nLayer: L, nEmbd: C, blockSize: T, vocabSize: V } = model.config;
    const alloc = model.alloc;
    this.#model = model;
    this.#kv = Array.from({ length: L }, () => alloc(T * 2 * C));
    this.#x = alloc(C);
    this.#ln = alloc(C);
    this.#qkv = alloc(3 * C);
    this.#qkvr = alloc(3 * C);
    this.#y = alloc(C);
    this.#proj = alloc(C);
    this.#fc = alloc(4 * C);
    this.#fcg = alloc(4 * C);
    this.#scores = alloc(T);
    this.#stat = alloc(2);
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
    const m = this.#model, p = m.p, ops = m.ops;
    const { nLayer: L, nHead: NH, nEmbd: C, vocabSize: V, positional } = m.config;
    const pos = this.#length;
    if (token < 0 || token >= V) {
      throw new UserError(`Token id ${token} is outside the vocabulary of ${V}.`);
    }
    const x = this.#x,
      ln = this.#ln,
      mean = this.#stat.subarray(0, 1),
      rstd = this.#stat.subarray(1, 2);
    const pe = p.wpe ?? m.pe;
    for (let i = 0; i < C; i++) x[i] = p.wte[token * C + i] + (pe ? pe[pos * C + i] : 0);
    for (let l = 0; l < L; l++) {
      const w = p.h[l];
      ops.layerNormForward(ln, mean, rstd, x, w.ln_1.weight, w.ln_1.bias, 1, C);
      ops.linearForward(this.#qkv, ln, w.attn.c_attn.weight, w.attn.c_attn.bias, 1, C, 3 * C);
      let qkv = this.#qkv;
      if (positional === "rope") {
        ops.ropeForward(this.#qkvr, this.#qkv, 1, 1, C, NH, pos);
        qkv = this.#qkvr;
      }
      const kv = this.#kv[l];
      kv.set(qkv.subarray(C, 3 * C), pos * 2 * C);
      ops.attentionStep(this.#y, qkv.subarray(0, C), kv, pos, C, NH, this.#scores);
      ops.linearForward(this.#proj, this.#y, w.attn.c_proj.weight, w.attn.c_proj.bias, 1, C, C);
      ops.residualForward(x, x, this.#proj, C);
      ops.layerNormForward(ln, mean, rstd, x, w.ln_2.weight, w.ln_2.bias, 1, C);
      ops.linearForward(this.#fc, ln, w.mlp.c_fc.weight, w.mlp.c_fc.bias, 1, C, 4 * C);
      ops.geluForward(this.#fcg, this.#fc, 4 * C);
      ops.linearForward(
        this.#proj,
        this.#fcg,
        w.mlp.c_proj.weight,
        w.mlp.c_proj.bias,
        1,
        4 * C,
        C,
      );
      ops.residualForward(x, x, this.#proj, C);
    }
    ops.layerNormForward(ln, mean, rstd, x, p.ln_f.weight, p.ln_f.bias, 1, C);
    ops.linearForward(this.logits, ln, p.wte, null, 1, C, V);
    this.#length++;
  }
}
