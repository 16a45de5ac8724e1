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
import { tr } from "../i18n.ts";
import {
  activationShapes,
  type ActivationViews,
  activationViews,
  parameterShapes,
  type ParameterViews,
  parameterViews,
  tableSize,
} from "./layout.ts";
import { blockBackward, blockForward } from "./block.ts";
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
      throw new UserError(tr({
        en: `${name} must be a positive integer, not ${value}.`,
        fr: `${name} doit être un entier positif, pas ${value}.`,
      }));
    }
  }
  if (nEmbd % nHead !== 0) {
    throw new UserError(tr({
      en: `nEmbd ${nEmbd} must be a multiple of nHead ${nHead}: pick another pair.`,
      fr: `nEmbd ${nEmbd} doit être un multiple de nHead ${nHead} : choisis une autre paire.`,
    }));
  }
  if (!["learned", "sinusoidal", "rope"].includes(positional)) {
    throw new UserError(tr({
      en: `Unknown positional encoding "${positional}"; use learned, sinusoidal or rope.`,
      fr: `Encodage positionnel inconnu « ${positional} » ; utilise learned, sinusoidal ou rope.`,
    }));
  }
  if (positional === "rope" && (nEmbd / nHead) % 2 !== 0) {
    const headSize = nEmbd / nHead;
    throw new UserError(tr({
      en:
        `RoPE rotates pairs of channels, so the head size nEmbd/nHead = ${headSize} must be even.`,
      fr: `RoPE fait tourner des paires de canaux : la taille de tête nEmbd/nHead = ${headSize} ` +
        `doit être paire.`,
    }));
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
  /** Layer implementations, or passes, to use instead of lib/'s (default: none replaced). */
  ops?: Partial<ModelOps>;
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
  /** The layer functions and passes forward and backward call. */
  readonly ops: ModelOps;
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
  /** `p` with the position table in use: learned wpe, the fixed sinusoidal one, or none. */
  #tables: ParameterViews;
  /** What `ops.gptForward` and `ops.gptBackward` are handed: `ops` without themselves. */
  #parts: GPTParts;

  /**
   * A freshly initialised model (GPT-2's scheme), seeded so that it is reproducible; seed null
   * skips the initialisation (seconds for GPT-2 small) for a loader that sets every weight.
   */
  constructor(config: GPTConfig, seed: number | null = 0, options: GPTOptions = {}) {
    this.config = resolveConfig(config);
    this.alloc = options.alloc ?? ((n) => new Float32Array(n));
    this.ops = { ...TWIN_OPS, ...MODEL_PASSES, ...options.ops };
    this.#parts = gptParts(this.ops);
    const size = tableSize(parameterShapes(this.config));
    this.params = this.alloc(size);
    this.grads = this.alloc(size);
    this.p = parameterViews(this.config, this.params);
    this.g = parameterViews(this.config, this.grads);
    const { blockSize, nEmbd } = this.config;
    this.pe = this.config.positional === "sinusoidal" ? this.alloc(blockSize * nEmbd) : null;
    this.pe?.set(sinusoidalTable(blockSize, nEmbd));
    this.#tables = { ...this.p, wpe: this.p.wpe ?? this.pe };
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
    const { vocabSize: V, blockSize } = this.config;
    if (T > blockSize) {
      throw new UserError(tr({
        en: `A sequence of length ${T} exceeds the model's context of ${blockSize}: ` +
          `use at most ${blockSize} tokens.`,
        fr: `Une séquence de longueur ${T} dépasse le contexte du modèle, ${blockSize} : ` +
          `utilise au plus ${blockSize} tokens.`,
      }));
    }
    checkTokens("inputs", inputs, B * T, V);
    if (targets) checkTokens("targets", targets, B * T, V);
    const a = this.#activations(B, T), N = B * T;
    const mean = this.ops.gptForward(
      this.#parts,
      this.#tables,
      a,
      inputs,
      targets,
      B,
      T,
      this.config,
    );
    this.#inputs = inputs;
    this.#targets = targets;
    this.#weights = weights;
    if (!targets || !weights) return mean;
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
    const [B, T] = this.#shape;
    if (!buffers[1]) {
      buffers[1] = this.alloc(buffers[0].length);
      this.dacts = activationViews(this.config, B, T, buffers[1]);
    }
    const d = this.dacts!;
    const N = B * T, ops = this.ops;
    ops.zeroFill(buffers[1]);
    const weights = this.#weights;
    if (weights) { for (let i = 0; i < N; i++) d.losses[i] = weights[i] / this.#weightSum; }
    else d.losses.fill(1 / N); // the loss is the mean over positions
    this.ops.gptBackward(
      this.#parts,
      this.g,
      d,
      this.#tables,
      a,
      inputs,
      targets,
      B,
      T,
      this.config,
    );
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

/** The model's dimensions a pass needs. */
export type GPTDims = Pick<GPTConfig, "vocabSize" | "nLayer" | "nHead" | "nEmbd">;

/**
 * The whole model's forward pass on the views `p` (the position table in `p.wpe`, null for
 * RoPE) and `a`: embeddings, the L blocks, ln_f, the tied head, softmax. With `targets` it fills
 * `a.losses` and returns their mean over the B·T positions; without, it returns null. It calls
 * only the parts in `ops` (the layers and the block), never a whole-model pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "./gpt.ts";
 * const model = new GPT({ vocabSize: 7, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
 * const loss = model.forward(new Int32Array([1, 2]), new Int32Array([2, 3]), 1, 2)!; // calls gptForward
 * assert.ok(Math.abs(loss - Math.log(7)) < 0.1);
 * ```
 */
// deno-fmt-ignore
export function gptForward(ops: GPTParts, p: ParameterViews, a: ActivationViews, inputs: Int32Array, targets: Int32Array | null, B: number, T: number, config: GPTDims): number | null {
  const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C } = config, N = B * T;
  ops.encoderForward(a.encoded, inputs, p.wte, p.wpe, B, T, C); // encoded (B, T, C)
  for (let l = 0; l < L; l++) {
    ops.blockForward(ops, a.h[l], p.h[l], l > 0 ? a.h[l - 1].residual3 : a.encoded, B, T, C, NH); // residual3 (B, T, C)
  }
  ops.layerNormForward(a.ln_f, a.ln_f_mean, a.ln_f_rstd, lastStream(a, L), p.ln_f.weight, p.ln_f.bias, N, C); // ln_f (B, T, C)
  ops.linearForward(a.logits, a.ln_f, p.wte, null, N, C, V); // logits (B, T, V), the head tied to wte
  ops.softmaxForward(a.probs, a.logits, N, V); // probs (B, T, V)
  if (!targets) return null;
  ops.crossEntropyForward(a.losses, a.probs, targets, N, V); // losses (B, T)
  let sum = 0;
  for (let i = 0; i < N; i++) sum += a.losses[i];
  return sum / N;
}

/**
 * The whole model's backward pass, the forward's calls in reverse: from `d.losses`, the gradient
 * of the loss with respect to each position's loss (1/N for the mean), it adds every parameter's
 * gradient into `g`. Every other entry of `d` must start at zero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "./gpt.ts";
 * const model = new GPT({ vocabSize: 7, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
 * model.forward(new Int32Array([1, 2]), new Int32Array([2, 3]), 1, 2);
 * model.zeroGrad();
 * model.backward(); // calls gptBackward
 * assert.ok(model.g.wte.some((g) => g !== 0));
 * ```
 */
// deno-fmt-ignore
export function gptBackward(ops: GPTParts, g: ParameterViews, d: ActivationViews, p: ParameterViews, a: ActivationViews, inputs: Int32Array, targets: Int32Array, B: number, T: number, config: GPTDims): void {
  const { vocabSize: V, nLayer: L, nHead: NH, nEmbd: C } = config, N = B * T;
  ops.crossEntropySoftmaxBackward(d.logits, d.losses, a.probs, targets, N, V); // dlogits (B, T, V)
  ops.linearBackward(d.ln_f, g.wte, null, d.logits, a.ln_f, p.wte, N, C, V); // dln_f (B, T, C), dwte (V, C) from the head
  ops.layerNormBackward(lastStream(d, L), g.ln_f.weight, g.ln_f.bias, d.ln_f, lastStream(a, L), p.ln_f.weight, a.ln_f_mean, a.ln_f_rstd, N, C); // dresidual (B, T, C)
  for (let l = L - 1; l >= 0; l--) {
    const x = l > 0 ? a.h[l - 1].residual3 : a.encoded, dx = l > 0 ? d.h[l - 1].residual3 : d.encoded;
    ops.blockBackward(ops, dx, g.h[l], d.h[l], x, p.h[l], a.h[l], B, T, C, NH); // dx (B, T, C)
  }
  ops.encoderBackward(g.wte, g.wpe, d.encoded, inputs, B, T, C); // dwte (V, C) from the table, dwpe (T, C)
}

/** The stream the last block leaves (the embeddings when there is no block), (B, T, C). */
function lastStream(a: ActivationViews, L: number): Float32Array {
  return L > 0 ? a.h[L - 1].residual3 : a.encoded;
}

/**
 * What the whole-model passes may call: the layer table and the block's forward and backward.
 * The whole-model passes themselves are not in it, so a student's gptForward cannot hand its
 * work to lib/'s.
 */
export interface GPTParts extends LayerOps {
  blockForward: typeof blockForward;
  blockBackward: typeof blockBackward;
}

/**
 * The model's table: the parts and the whole model's forward and backward built on them. Your
 * GPT (lib/course/your_gpt.ts) fills any of them with a student's function, through
 * lib/wasm/backend.ts's `own`.
 */
export interface ModelOps extends GPTParts {
  gptForward: typeof gptForward;
  gptBackward: typeof gptBackward;
}

/** lib/'s passes, the default of every GPT. */
export const MODEL_PASSES: Pick<
  ModelOps,
  "blockForward" | "blockBackward" | "gptForward" | "gptBackward"
> = { blockForward, blockBackward, gptForward, gptBackward };

/**
 * The table a whole-model pass is handed: `ops` without the whole-model passes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gptParts, GPT } from "./gpt.ts";
 * const parts = gptParts(new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }).ops);
 * assert.ok(!("gptForward" in parts) && "blockForward" in parts);
 * ```
 */
export function gptParts(ops: ModelOps): GPTParts {
  const { gptForward: _forward, gptBackward: _backward, ...parts } = ops;
  return parts;
}

function checkTokens(what: string, ids: Int32Array, n: number, V: number): void {
  if (ids.length < n) throw new Error(`${what} holds ${ids.length} token ids but B·T is ${n}.`);
  for (let i = 0; i < n; i++) {
    if (ids[i] < 0 || ids[i] >= V) {
      throw new UserError(tr({
        en:
          `Token id ${ids[i]} at position ${i} of the ${what} is outside the vocabulary of ${V}: ` +
          `the tokenizer and the model disagree.`,
        fr: `L'id de token ${ids[i]} à la position ${i} de ${what} sort du vocabulaire de ${V} : ` +
          `le tokenizer et le modèle ne s'accordent pas.`,
      }));
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
