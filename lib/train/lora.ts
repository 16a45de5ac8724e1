/**
 * LoRA, low-rank adaptation: each adapted weight W (OC, C) of a pretrained GPT becomes
 * W0 + s·B·A, with W0 frozen, A (r, C) and B (OC, r) trained, and s = alpha / r. A starts small
 * and random, B at zero, so the adapted model starts exactly where the pretrained one was.
 *
 * The update is merged into the model's own weight buffer before each forward pass, so every
 * fast kernel runs unchanged; the model's backward gives dW, and A and B get theirs by the chain
 * rule (exact, see {@link loraBackward}). Only A and B are trained, and only they get AdamW
 * moments: that is the memory LoRA saves. Adapters are saved apart (adapters.ts), or merged into
 * a normal checkpoint.
 *
 * Shapes: C input width of a matrix, OC its output width, r the rank. Weights are (OC, C), as
 * lib/model/layout.ts stores them. Leaves out dropout on the adapter path and adapters on the
 * embeddings.
 * @module
 */
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import type { GPT } from "../model/gpt.ts";
import { blockParamShape, carve, type TensorShape } from "../model/layout.ts";
import { Rng } from "../random.ts";
import type { Trainable } from "./step.ts";

/** The matrices of a block LoRA can adapt: attention's two and the MLP's two. */
export const LORA_TARGETS = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"] as const;
/** One of {@link LORA_TARGETS}. */
export type LoraTarget = typeof LORA_TARGETS[number];

/** Options of {@link LoRA}. */
export interface LoraOptions {
  /** Rank r of every update (default 4); between 1 and the smaller side of each matrix. */
  rank?: number;
  /** Updates are scaled by alpha / r (default 8), so a new rank needs no new learning rate. */
  alpha?: number;
  /** Which matrices of every block to adapt (default: all four). */
  targets?: readonly LoraTarget[];
  /** Seed of A's initial values (default 0). */
  seed?: number;
}

/** One adapted matrix: its name, sizes and views. */
export interface LoraAdapter {
  /** The module's name, "transformer.h.0.attn.c_attn"; its weight is `${name}.weight`. */
  name: string;
  OC: number;
  C: number;
  /** The pretrained weight, frozen. */
  base: Float32Array; // (OC, C)
  A: Float32Array; // (r, C), a view into LoRA.params
  B: Float32Array; // (OC, r), a view into LoRA.params
  dA: Float32Array; // (r, C), a view into LoRA.grads
  dB: Float32Array; // (OC, r), a view into LoRA.grads
}

/**
 * W (OC, C) = base + scale·B·A: a LoRA update merged into a weight. `out` may be `base` itself;
 * a negative scale takes a merged update back out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loraMerge } from "./lora.ts";
 * const w = new Float32Array(4);
 * // base 0, A (1, 2) = [1, 2], B (2, 1) = [3, 4], scale 0.5
 * loraMerge(w, w, new Float32Array([1, 2]), new Float32Array([3, 4]), 0.5, 2, 2, 1);
 * assert.equal(w.join(), "1.5,3,2,4");
 * ```
 */
export function loraMerge(
  out: Float32Array, // (OC, C)
  base: Float32Array, // (OC, C)
  A: Float32Array, // (r, C)
  B: Float32Array, // (OC, r)
  scale: number,
  OC: number,
  C: number,
  r: number,
): void {
  for (let o = 0; o < OC; o++) {
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let k = 0; k < r; k++) acc += B[o * r + k] * A[k * C + c];
      out[o * C + c] = base[o * C + c] + scale * acc;
    }
  }
}

/**
 * The gradients of A and B from the gradient dW of the merged weight W = W0 + s·B·A:
 * dA (r, C) = s·Bᵀ·dW and dB (OC, r) = s·dW·Aᵀ (overwritten, not accumulated).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loraBackward } from "./lora.ts";
 * const dA = new Float32Array(2), dB = new Float32Array(2);
 * const dW = new Float32Array([1, 0, 0, 1]); // (2, 2)
 * loraBackward(dA, dB, dW, new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 2, 1);
 * assert.ok(dA.join() === "3,4" && dB.join() === "1,2");
 * ```
 */
export function loraBackward(
  dA: Float32Array, // (r, C)
  dB: Float32Array, // (OC, r)
  dW: Float32Array, // (OC, C)
  A: Float32Array, // (r, C)
  B: Float32Array, // (OC, r)
  scale: number,
  OC: number,
  C: number,
  r: number,
): void {
  dA.fill(0);
  for (let o = 0; o < OC; o++) {
    for (let k = 0; k < r; k++) {
      const b = scale * B[o * r + k];
      let acc = 0;
      for (let c = 0; c < C; c++) {
        acc += dW[o * C + c] * A[k * C + c];
        dA[k * C + c] += b * dW[o * C + c];
      }
      dB[o * r + k] = scale * acc;
    }
  }
}

/**
 * Trainable parameters of LoRA on a model of width C and L blocks: r·(C + OC) for each adapted
 * matrix (A and B), where OC is 3C for c_attn, C for attn.c_proj, 4C for c_fc and C for the MLP's
 * c_proj (whose input is 4C wide).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loraParameterCount } from "./lora.ts";
 * assert.equal(loraParameterCount(8, 1, 2), 2 * (32 + 16 + 40 + 40));
 * ```
 */
export function loraParameterCount(
  C: number,
  L: number,
  rank: number,
  targets: readonly LoraTarget[] = LORA_TARGETS,
): number {
  return L * targets.reduce((n, t) => {
    const [OC, inC] = matrixShape(t, C);
    return n + rank * (OC + inC);
  }, 0);
}

/** (OC, C) of a target's weight in a model of width C. */
function matrixShape(target: LoraTarget, C: number): [number, number] {
  const [OC, inC] = blockParamShape(`${target}.weight`, C);
  return [OC, inC];
}

/**
 * LoRA adapters on a GPT: trainable A and B for each adapted matrix in one buffer (and their
 * gradients in another, same layout), the frozen pretrained weights, and the two moves of a
 * training step: {@link LoRA.gather} turns the model's weight gradients into theirs, and
 * {@link LoRA.scatter} writes W0 + s·B·A into the model. As a {@link Trainable}, it is what
 * lib/train/trainer.ts's `trainStep` updates instead of the whole model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { LoRA } from "./lora.ts";
 * const model = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }, 0);
 * const lora = new LoRA(model, { rank: 2, alpha: 4 });
 * assert.ok(lora.numParameters === 2 * (32 + 16 + 40 + 40) && lora.scale === 2);
 * ```
 */
export class LoRA implements Trainable {
  readonly model: GPT;
  readonly rank: number;
  readonly alpha: number;
  /** alpha / rank. */
  readonly scale: number;
  readonly targets: readonly LoraTarget[];
  /** Every A and B, adapter by adapter, in the order of `adapters`. */
  readonly params: Float32Array;
  /** Their gradients, same layout. */
  readonly grads: Float32Array;
  readonly adapters: LoraAdapter[];

  /**
   * Adapters on `model`'s current weights, which become the frozen W0. Buffers come from the
   * model's allocator, so the optimizer's kernel reaches them without copies.
   */
  constructor(model: GPT, options: LoraOptions = {}) {
    const { rank = 4, alpha = 8, targets = LORA_TARGETS, seed = 0 } = options;
    const C = model.config.nEmbd;
    for (const t of targets) {
      if (!LORA_TARGETS.includes(t)) {
        const targets = LORA_TARGETS.join(", ");
        throw new UserError(tr({
          en: `"${t}" is not a LoRA target: use ${targets}.`,
          fr: `« ${t} » n'est pas une cible de LoRA : utilise ${targets}.`,
        }));
      }
      const [OC, inC] = matrixShape(t, C);
      if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(OC, inC)) {
        const most = Math.min(OC, inC);
        throw new UserError(tr({
          en: `A LoRA rank of ${rank} does not fit ${t}.weight (${OC}×${inC}): use an integer ` +
            `from 1 to ${most}.`,
          fr: `Un rang LoRA de ${rank} ne convient pas à ${t}.weight (${OC}×${inC}) : ` +
            `utilise un entier de 1 à ${most}.`,
        }));
      }
    }
    if (!(alpha > 0)) {
      throw new UserError(tr({
        en: `LoRA's alpha must be positive, not ${alpha}.`,
        fr: `L'alpha de LoRA doit être positif, pas ${alpha}.`,
      }));
    }
    this.model = model;
    this.rank = rank;
    this.alpha = alpha;
    this.scale = alpha / rank;
    this.targets = [...targets];
    const table: TensorShape[] = [];
    const names: [string, number, number][] = [];
    for (let l = 0; l < model.config.nLayer; l++) {
      for (const t of targets) {
        const name = `transformer.h.${l}.${t}`, [OC, inC] = matrixShape(t, C);
        names.push([name, OC, inC]);
        table.push([`${name}.lora_A.weight`, [rank, inC]], [`${name}.lora_B.weight`, [OC, rank]]);
      }
    }
    const size = loraParameterCount(C, model.config.nLayer, rank, targets);
    this.params = model.alloc(size);
    this.grads = model.alloc(size);
    const p = carve(this.params, table), g = carve(this.grads, table);
    const rng = new Rng(seed);
    this.adapters = names.map(([name, OC, inC]) => {
      const A = p[`${name}.lora_A.weight`];
      // PEFT's init (Kaiming-uniform with a = √5): U(−1/√C, 1/√C). B stays 0.
      A.set(rng.uniformArray(A.length, -1 / Math.sqrt(inC), 1 / Math.sqrt(inC)));
      return {
        name,
        OC,
        C: inC,
        base: model.p.byName[`${name}.weight`].slice(),
        A,
        B: p[`${name}.lora_B.weight`],
        dA: g[`${name}.lora_A.weight`],
        dB: g[`${name}.lora_B.weight`],
      };
    });
  }

  /** Trainable parameters: r·(C + OC) per adapted matrix. */
  get numParameters(): number {
    return this.params.length;
  }

  /** Writes W0 + s·B·A into every adapted weight of the model. */
  scatter(): void {
    for (const a of this.adapters) {
      const w = this.model.p.byName[`${a.name}.weight`];
      loraMerge(w, a.base, a.A, a.B, this.scale, a.OC, a.C, this.rank);
    }
  }

  /** Fills `grads` from the model's weight gradients (after its backward pass). */
  gather(): void {
    for (const a of this.adapters) {
      const dW = this.model.g.byName[`${a.name}.weight`];
      loraBackward(a.dA, a.dB, dW, a.A, a.B, this.scale, a.OC, a.C, this.rank);
    }
  }

  /**
   * Takes the update back out of the model's weights (W − s·B·A), leaving the pretrained model:
   * equal to W0 up to float rounding.
   */
  unmerge(): void {
    for (const a of this.adapters) {
      const w = this.model.p.byName[`${a.name}.weight`];
      loraMerge(w, w, a.A, a.B, -this.scale, a.OC, a.C, this.rank);
    }
  }
}
