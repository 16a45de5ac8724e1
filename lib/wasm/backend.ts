/**
 * The one place that says which implementation fills the model's table of layer functions,
 * `LayerOps` (lib/model/ops.ts): the TypeScript twins are always underneath (the GPT starts from
 * them); the "wasm" backend lays the SIMD kernels over them, for every layer that has one
 * (`KERNEL_OPS` in lib/wasm/api.ts), and gives the model the kernels' allocator so that no layer
 * copies anything in or out; and a caller's own functions (a student's, say) go on top of
 * either, through `own`. Layers without a kernel (the loss of each position, rotary positions)
 * keep their twins, which work on the kernels' buffers just as well.
 * @module
 */
import type { GPTOptions, ModelOps } from "../model/gpt.ts";
import type { LayerOps } from "../model/ops.ts";
import { KERNEL_OPS, type Kernels } from "./api.ts";
import { loadKernels } from "./instance.ts";

/** The backends a model can run on: SIMD kernels, or the plain TypeScript twins. */
export const BACKENDS = ["wasm", "ts"] as const;
/** One of {@link BACKENDS}. */
export type BackendName = typeof BACKENDS[number];

/** What a model needs to run on one backend: pass it as the GPT's options. */
export interface Backend extends Required<GPTOptions> {
  name: BackendName;
  /** The kernels behind it, or null for the TypeScript twins. */
  kernels: Kernels | null;
}

/** Options of {@link loadBackend}. */
export interface BackendOptions {
  /**
   * Entries of the model's table that replace the backend's own, each with lib/'s signature:
   * layer functions, or the block's and the whole model's passes (your GPT's, say).
   */
  own?: Partial<ModelOps>;
}

/**
 * Loads a backend by name: "wasm" (the default everywhere) builds and starts the kernels once
 * per process; "ts" needs nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { geluForward } from "../layers/gelu.ts";
 * import { loadBackend } from "./backend.ts";
 * const backend = await loadBackend("wasm");
 * const model = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }, 0, backend);
 * assert.equal(model.ops.layerNormForward, backend.kernels!.layerNormForward);
 * const mine = await loadBackend("ts", { own: { geluForward } });
 * assert.equal(mine.ops.geluForward, geluForward);
 * ```
 */
export async function loadBackend(
  name: BackendName = "wasm",
  options: BackendOptions = {},
): Promise<Backend> {
  const own = options.own ?? {};
  if (name === "ts") {
    return { name, kernels: null, ops: { ...own }, alloc: (n) => new Float32Array(n) };
  }
  const k = await loadKernels({ quiet: true });
  const ops: Partial<LayerOps> = Object.fromEntries(KERNEL_OPS.map((op) => [op, k[op]]));
  return { name, kernels: k, ops: { ...ops, ...own }, alloc: (n) => k.arena.alloc(n) };
}
