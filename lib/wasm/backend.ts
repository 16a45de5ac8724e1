/**
 * The fast backend of the GPT: its layer functions on the SIMD kernels, and its buffers in the
 * kernels' WebAssembly memory so that no layer copies anything in or out. Layers without a
 * kernel of their own (the loss of each position, rotary positions) keep their TypeScript twins,
 * which work on those buffers just as well.
 *
 * The optimizer's update and gradient clipping run on the kernels too (the moments come from
 * {@link Backend.alloc}).
 * @module
 */
import type { GPTOptions } from "../model/gpt.ts";
import type { LayerOps } from "../model/ops.ts";
import type { Kernels } from "./api.ts";
import { loadKernels } from "./instance.ts";

/** The backends a model can run on: SIMD kernels, or the plain TypeScript twins. */
export const BACKENDS = ["wasm", "ts"] as const;
/** One of {@link BACKENDS}. */
export type BackendName = typeof BACKENDS[number];

/** What a model needs to run on one backend. */
export interface Backend extends Required<GPTOptions> {
  name: BackendName;
  /** The kernels behind it, or null for the TypeScript twins. */
  kernels: Kernels | null;
}

/**
 * The layer functions of lib/model/ops.ts that have a kernel, on that kernel.
 *
 * @example
 * ```ts
 * import { loadKernels } from "./instance.ts";
 * import { kernelOps } from "./backend.ts";
 * import { GPT } from "../model/gpt.ts";
 * const k = await loadKernels({ quiet: true });
 * const cfg = { vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };
 * const model = new GPT(cfg, 0, { ops: kernelOps(k), alloc: (n) => k.arena.alloc(n) });
 * ```
 */
export function kernelOps(k: Kernels): Partial<LayerOps> {
  return {
    linearForward(out, inp, weight, bias, N, C, OC) {
      k.matmulTransB(out, inp, weight, N, C, OC, { bias });
    },
    linearBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC) {
      k.matmul(dinp, dout, weight, N, OC, C, { accumulate: true });
      k.matmulTransA(dweight, dout, inp, OC, N, C, { accumulate: true });
      if (dbias) k.biasBackward(dbias, dout, N, OC);
    },
    encoderForward: k.encoderForward,
    encoderBackward: k.encoderBackward,
    layerNormForward: k.layerNormForward,
    layerNormBackward: k.layerNormBackward,
    attentionForward: k.attentionForward,
    attentionBackward: k.attentionBackward,
    attentionStep: k.attentionStep,
    geluForward: k.geluForward,
    geluBackward: k.geluBackward,
    softmaxForward: k.softmaxForward,
    crossEntropySoftmaxBackward: k.crossEntropySoftmaxBackward,
    adamwStep: k.adamwStep,
    clipGradNorm: k.clipGradNorm,
    residualForward: k.residualForward,
    residualBackward: k.residualBackward,
    zeroFill: k.zeroFill,
  };
}

/**
 * Loads a backend by name: "wasm" (the default everywhere) builds and starts the kernels once
 * per process; "ts" needs nothing.
 *
 * @example
 * ```ts
 * import { GPT } from "../model/gpt.ts";
 * import { loadBackend } from "./backend.ts";
 * const backend = await loadBackend("wasm");
 * const model = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }, 0, backend);
 * ```
 */
export async function loadBackend(name: BackendName = "wasm"): Promise<Backend> {
  if (name === "ts") {
    return { name, kernels: null, ops: {}, alloc: (n) => new Float32Array(n) };
  }
  const k = await loadKernels({ quiet: true });
  return { name, kernels: k, ops: kernelOps(k), alloc: (n) => k.arena.alloc(n) };
}
