/**
 * The GPT: token and position embeddings, L pre-norm transformer blocks (LayerNorm → causal
 * self-attention → residual, LayerNorm → 4× GELU MLP → residual), a final LayerNorm and an output
 * head tied to the token embeddings. Forward gives logits and the mean cross-entropy loss;
 * backward fills the gradient of every parameter. Built from the layer pairs of lib/ in the order
 * llm.c's train_gpt2.c uses, with buffers laid out by lib/model/layout.ts.
 *
 * Shapes: B batch, T time (≤ blockSize), C = nEmbd, NH = nHead, L = nLayer, V = vocabSize.
 * Leaves out dropout, the optimizer (lib/ has its own module for it) and sampling.
 * @module
 */
import type { GPTConfig, PositionalEncoding } from "./config.ts";
import { UserError } from "../errors.ts";
import {
  activationShapes,
  type ActivationViews,
  activationViews,
  type BlockActivations,
  type BlockParams,
  parameterShapes,
  type ParameterViews,
  parameterViews,
  tableSize,
} from "./layout.ts";
import { type LayerOps, TWIN_OPS } from "./ops.ts";
import { sinusoidalTable } from "../layers/positional.ts";
import { Rng } from "../random.ts";

/** Standard deviation of GPT-2's initial weights. */
const INIT_STD = 0.02;

/** A GPT config with every option filled in. */
export type ResolvedConfig = Required<GPTConfig>;

/**
 * Checks a config and fills in its defaults; a bad one is one sentence saying what to change.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./gpt.ts";
 * const c = resolveConfig({ vocabSize: 65, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 });
 * assert.equal(c.positional, "learned");
 * ```
 */
export function resolveConfig(config: GPTConfig): ResolvedConfig {
  const positional: PositionalEncoding = config.positional ?? "learned";
  const { vocabSize, blockSize, nLayer, nHead, nEmbd } = config;
  for (const [name, value] of Object.entries({ vocabSize, blockSize, nLayer, nHead, nEmbd })) {
    if (!Number.isInteger(value) || value < (name === "nLayer" ? 0 : 1)) {
      throw new UserError(`${name} must be a positive integer, not ${value}.`);
    }
  }
  if (nEmbd % nHead !== 0) {
    throw new UserError(`nEmbd ${nEmbd} must be a multiple of nHead ${nHead}: pick another pair.`);
  }
  if (!["learned", "sinusoidal", "rope"].includes(positional)) {
    throw new UserError(
      `Unknown positional encoding "${positional}"; use learned, sinusoidal or rope.`,
    );
  }
  if (positional === "rope" && (nEmbd / nHead) % 2 !== 0) {
    throw new UserError(
      `RoPE rotates pairs of channels, so the head size nEmbd/nHead = ${
        nEmbd / nHead
      } must be even.`,
    );
  }
  return { vocabSize, blockSize, nLayer, nHead, nEmbd, positional };
}

/** Options of the {@link GPT} constructor. */
export interface GPTOptions {
  /**
   * Makes every buffer the model owns: parameters, gradients, activations (default
   * `new Float32Array(n)`). Pass a kernels arena's `alloc` to place them in WebAssembly memory,
   * where kernels use them without copies.
   */
  alloc?: (n: number) => Float32Array;
  /** Layer implementations to use instead of the TypeScript twins (default: none replaced). */
  ops?: Partial<LayerOps>;
}

/**
 * A GPT-2-style model whose parameters, gradients and activations each live in one Float32Array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "./gpt.ts";
 * const model = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }, 0);
 * const loss = model.forward(new Int32Array([1, 2, 3]), new Int32Array([2, 3, 4]), 1, 3)!;
 * assert.ok(Math.abs(loss - Math.log(11)) < 0.5);
 * model.zeroGrad();
 * model.backward();
 * ```
 */
export class GPT {
  readonly config: ResolvedConfig;
  /** Every parameter, in the order of `parameterShapes(config)`. */
  readonly params: Float32Array;
  /** Gradient of the loss with respect to each parameter, same layout as `params`. */
  readonly grads: Float32Array;
  /** Named views into `params`. */
  readonly p: ParameterViews;
  /** Named views into `grads`. */
  readonly g: ParameterViews;
  /** The fixed position table for sinusoidal positions, else null. */
  readonly pe: Float32Array | null;
  /** The layer functions forward and backward call. */
  readonly ops: LayerOps;
  /** Activations of the last forward pass (sized for its B and T). */
  acts: ActivationViews | null = null;
  /** Their gradients, filled by backward. */
  dacts: ActivationViews | null = null;
  /** Where its buffers come from; the trainer puts the optimizer's moments there too. */
  readonly alloc: (n: number) => Float32Array;
  /** Activations, and their gradients once a backward pass needs them (sampling never does). */
  #actBuffers: [Float32Array, Float32Array | null] | null = null;
  #shape: [B: number, T: number] = [0, 0];
  #inputs: Int32Array | null = null;
  #targets: Int32Array | null = null;
  #weights: Float32Array | null = null;
  #weightSum = 0;

  /**
   * A freshly initialised model (GPT-2's scheme), seeded so that it is reproducible; seed null
   * skips the initialisation (seconds for GPT-2 small) for a loader that sets every weight.
   */
  constructor(config: GPTConfig, seed: number | null = 0, options: GPTOptions = {}) {
    this.config = resolveConfig(config);
    this.alloc = options.alloc ?? ((n) => new Float32Array(n));
    this.ops = { ...TWIN_OPS, ...options.ops };
    const size = tableSize(parameterShapes(this.config));
    this.params = this.alloc(size);
    this.grads = this.alloc(size);
    this.p = parameterViews(this.config, this.params);
    this.g = parameterViews(this.config, this.grads);
    const { blockSize, nEmbd } = this.config;
    this.pe = this.config.positional === "sinusoidal" ? this.alloc(blockSize * nEmbd) : null;
    this.pe?.set(sinusoidalTable(blockSize, nEmbd));
    if (seed !== null) initialize(this, seed);
  }

  /** Number of parameters (the tied output head counted once). */
  get numParameters(): number {
    return this.params.length;
  }

  /**
   * Runs the model on `inputs` (B, T) token ids. With `targets` (B, T) it also computes the
   * per-position losses and returns their mean; without, it returns null. Logits and
   * probabilities are in `acts.logits` and `acts.probs`, (B, T, V).
   *
   * `weights` (B, T), when given, turns the mean into a weighted mean, Σ wᵢ·lossᵢ / Σ wᵢ, and
   * backward follows it: a position of weight 0 (padding, or a prompt the model should not
   * learn to write) adds nothing to the loss nor to any gradient.
   */
  forward(
    inputs: Int32Array,
    targets: Int32Array | null,
    B: number,
    T: number,
    weights: Float32Array | null = null,
  ): number | null {
    const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C, blockSize } = this.config;
    if (T > blockSize) {
      throw new UserError(
        `A sequence of length ${T} exceeds the model's context of ${blockSize}: use at most ${blockSize} tokens.`,
      );
    }
    checkTokens("inputs", inputs, B * T, V);
    if (targets) checkTokens("targets", targets, B * T, V);
    const a = this.#activations(B, T), p = this.p, ops = this.ops, N = B * T;
    const attend = (h: BlockActivations) => { // qkv (B, T, 3C) → atty (B, T, C)
      if (h.qkvr !== h.qkv) ops.ropeForward(h.qkvr, h.qkv, B, T, C, NH);
      ops.attentionForward(h.atty, h.preatt, h.att, h.qkvr, B, T, C, NH);
    };
    // deno-fmt-ignore
    {
    ops.encoderForward(a.encoded, inputs, p.wte, p.wpe ?? this.pe, B, T, C); // encoded (B, T, C)
    for (let l = 0; l < L; l++) {
      blockForward(ops, p.h[l], a.h[l], l > 0 ? a.h[l - 1].residual3 : a.encoded, N, C, attend); // residual3 (B, T, C)
    }
    ops.layerNormForward(a.ln_f, a.ln_f_mean, a.ln_f_rstd, this.#last(a), p.ln_f.weight, p.ln_f.bias, N, C); // ln_f (B, T, C)
    ops.linearForward(a.logits, a.ln_f, p.wte, null, N, C, V); // logits (B, T, V), tied head
    ops.softmaxForward(a.probs, a.logits, N, V); // probs (B, T, V)
    }
    this.#inputs = inputs;
    this.#targets = targets;
    this.#weights = weights;
    if (!targets) return null;
    ops.crossEntropyForward(a.losses, a.probs, targets, N, V);
    if (!weights) {
      let sum = 0;
      for (let i = 0; i < N; i++) sum += a.losses[i];
      return sum / N;
    }
    if (weights.length < N) {
      throw new Error(`weights hold ${weights.length} values but B·T is ${N}.`);
    }
    let sum = 0, total = 0;
    for (let i = 0; i < N; i++) {
      sum += weights[i] * a.losses[i];
      total += weights[i];
    }
    if (!(total > 0)) throw new Error("Every loss weight is 0: there is nothing to learn from.");
    this.#weightSum = total;
    return sum / total;
  }

  /**
   * Adds the gradient of the last forward pass's mean loss to `grads` (call `zeroGrad` first
   * unless you mean to accumulate over several batches).
   */
  backward(): void {
    const a = this.acts, inputs = this.#inputs, targets = this.#targets, buffers = this.#actBuffers;
    if (!a || !buffers || !inputs || !targets) {
      throw new Error("backward() needs a forward pass with targets first.");
    }
    const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C } = this.config;
    const [B, T] = this.#shape;
    if (!buffers[1]) {
      buffers[1] = this.alloc(buffers[0].length);
      this.dacts = activationViews(this.config, B, T, buffers[1]);
    }
    const d = this.dacts!;
    const N = B * T, p = this.p, g = this.g, ops = this.ops;
    ops.zeroFill(buffers[1]);
    const weights = this.#weights;
    if (weights) { for (let i = 0; i < N; i++) d.losses[i] = weights[i] / this.#weightSum; }
    else d.losses.fill(1 / N); // the loss is the mean over positions
    const last = this.#last(a), dlast = this.#last(d);
    // deno-fmt-ignore
    {
    ops.crossEntropySoftmaxBackward(d.logits, d.losses, a.probs, targets, N, V); // dlogits (B, T, V)
    ops.linearBackward(d.ln_f, g.wte, null, d.logits, a.ln_f, p.wte, N, C, V); // dln_f (B, T, C), dwte (V, C)
    ops.layerNormBackward(dlast, g.ln_f.weight, g.ln_f.bias, d.ln_f, last, p.ln_f.weight, a.ln_f_mean, a.ln_f_rstd, N, C); // dresidual (B, T, C)
    for (let l = L - 1; l >= 0; l--) {
      const w = p.h[l], gw = g.h[l], h = a.h[l], dh = d.h[l];
      const x = l > 0 ? a.h[l - 1].residual3 : a.encoded, dx = l > 0 ? d.h[l - 1].residual3 : d.encoded;
      ops.residualBackward(dh.residual2, dh.fcproj, dh.residual3, N * C); // (B, T, C) each
      ops.linearBackward(dh.fch_gelu, gw.mlp.c_proj.weight, gw.mlp.c_proj.bias, dh.fcproj, h.fch_gelu, w.mlp.c_proj.weight, N, 4 * C, C); // dfch_gelu (B, T, 4C)
      ops.geluBackward(dh.fch, h.fch, dh.fch_gelu, N * 4 * C); // dfch (B, T, 4C)
      ops.linearBackward(dh.ln_2, gw.mlp.c_fc.weight, gw.mlp.c_fc.bias, dh.fch, h.ln_2, w.mlp.c_fc.weight, N, C, 4 * C); // dln_2 (B, T, C)
      ops.layerNormBackward(dh.residual2, gw.ln_2.weight, gw.ln_2.bias, dh.ln_2, h.residual2, w.ln_2.weight, h.ln_2_mean, h.ln_2_rstd, N, C); // dresidual2 (B, T, C)
      ops.residualBackward(dx, dh.attproj, dh.residual2, N * C); // (B, T, C) each
      ops.linearBackward(dh.atty, gw.attn.c_proj.weight, gw.attn.c_proj.bias, dh.attproj, h.atty, w.attn.c_proj.weight, N, C, C); // datty (B, T, C)
      ops.attentionBackward(dh.qkvr, dh.preatt, dh.att, dh.atty, h.qkvr, h.att, B, T, C, NH); // dqkv (B, T, 3C)
      if (h.qkvr !== h.qkv) ops.ropeBackward(dh.qkv, dh.qkvr, B, T, C, NH); // (B, T, 3C)
      ops.linearBackward(dh.ln_1, gw.attn.c_attn.weight, gw.attn.c_attn.bias, dh.qkv, h.ln_1, w.attn.c_attn.weight, N, C, 3 * C); // dln_1 (B, T, C)
      ops.layerNormBackward(dx, gw.ln_1.weight, gw.ln_1.bias, dh.ln_1, x, w.ln_1.weight, h.ln_1_mean, h.ln_1_rstd, N, C); // dx (B, T, C)
    }
    ops.encoderBackward(g.wte, g.wpe, d.encoded, inputs, B, T, C); // dwte (V, C), dwpe (T, C)
    }
  }

  /** The stream the last block leaves (the embeddings when there is no block), (B, T, C). */
  #last(a: ActivationViews): Float32Array {
    const L = this.config.nLayer;
    return L > 0 ? a.h[L - 1].residual3 : a.encoded;
  }

  /** Sets every parameter gradient to zero. */
  zeroGrad(): void {
    this.ops.zeroFill(this.grads);
  }

  /**
   * Activation views for B×T. The buffers are sized for B full contexts and made again only for
   * a larger B, so that generation, whose T grows by one each token, does not allocate (an arena
   * allocator never frees).
   */
  #activations(B: number, T: number): ActivationViews {
    if (!this.acts || this.#shape[0] !== B || this.#shape[1] !== T) {
      const size = tableSize(activationShapes(this.config, B, T));
      if (!this.#actBuffers || this.#actBuffers[0].length < size) {
        const capacity = tableSize(activationShapes(this.config, B, this.config.blockSize));
        this.#actBuffers = [this.alloc(capacity), null];
      }
      const [acts, dacts] = this.#actBuffers;
      this.acts = activationViews(this.config, B, T, acts);
      this.dacts = dacts && activationViews(this.config, B, T, dacts);
      this.#shape = [B, T];
    }
    return this.acts;
  }
}

/** The buffers one block writes for N positions: a forward pass's activations, or a KV cache's row. */
export type BlockBuffers = Omit<BlockActivations, "preatt" | "att">;

/**
 * One pre-norm transformer block over N positions, x (N, C) → h.residual3 (N, C), in llm.c's
 * order: x + attn(ln_1(x)), then + mlp(ln_2(·)) with the MLP linear → GELU → linear. `attend`
 * fills h.atty (N, C) from h.qkv (N, 3C): causal attention over the whole sequence for the
 * model, one query against the cached keys and values for the KV cache (lib/model/generate.ts).
 * x may be h.residual3 itself: it is read before that is written.
 */
// deno-fmt-ignore
export function blockForward<H extends BlockBuffers>(ops: LayerOps, w: BlockParams, h: H, x: Float32Array, N: number, C: number, attend: (h: H) => void): void {
  ops.layerNormForward(h.ln_1, h.ln_1_mean, h.ln_1_rstd, x, w.ln_1.weight, w.ln_1.bias, N, C); // ln_1 (N, C)
  ops.linearForward(h.qkv, h.ln_1, w.attn.c_attn.weight, w.attn.c_attn.bias, N, C, 3 * C); // qkv (N, 3C)
  attend(h);                                                                                             // atty (N, C)
  ops.linearForward(h.attproj, h.atty, w.attn.c_proj.weight, w.attn.c_proj.bias, N, C, C); // attproj (N, C)
  ops.residualForward(h.residual2, x, h.attproj, N * C); // residual2 (N, C)
  ops.layerNormForward(h.ln_2, h.ln_2_mean, h.ln_2_rstd, h.residual2, w.ln_2.weight, w.ln_2.bias, N, C); // ln_2 (N, C)
  ops.linearForward(h.fch, h.ln_2, w.mlp.c_fc.weight, w.mlp.c_fc.bias, N, C, 4 * C); // fch (N, 4C)
  ops.geluForward(h.fch_gelu, h.fch, N * 4 * C); // fch_gelu (N, 4C)
  ops.linearForward(h.fcproj, h.fch_gelu, w.mlp.c_proj.weight, w.mlp.c_proj.bias, N, 4 * C, C); // fcproj (N, C)
  ops.residualForward(h.residual3, h.residual2, h.fcproj, N * C); // residual3 (N, C)
}

function checkTokens(what: string, ids: Int32Array, n: number, V: number): void {
  if (ids.length < n) throw new Error(`${what} holds ${ids.length} token ids but B·T is ${n}.`);
  for (let i = 0; i < n; i++) {
    if (ids[i] < 0 || ids[i] >= V) {
      throw new UserError(
        `Token id ${ids[i]} at position ${i} of the ${what} is outside the vocabulary of ${V}: ` +
          `the tokenizer and the model disagree.`,
      );
    }
  }
}

/**
 * GPT-2's initialisation: weights N(0, 0.02), the two residual projections (c_proj) scaled down
 * by 1/√(2L) so the residual stream's variance does not grow with depth, biases 0, LayerNorm
 * gains 1. Tensors are drawn in table order from one seeded stream.
 */
function initialize(model: GPT, seed: number): void {
  const rng = new Rng(seed);
  const residualStd = INIT_STD / Math.sqrt(2 * Math.max(1, model.config.nLayer));
  for (const [name, view] of Object.entries(model.p.byName)) {
    if (/\.ln_(1|2|f)\.weight$/.test(name)) view.fill(1);
    else if (name.endsWith(".bias")) view.fill(0);
    else {
      const std = name.endsWith(".c_proj.weight") ? residualStd : INIT_STD;
      for (let i = 0; i < view.length; i++) view[i] = rng.normal() * std;
    }
  }
}
