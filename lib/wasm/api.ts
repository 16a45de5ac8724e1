/**
 * The types of the SIMD kernels' TypeScript face: what `loadKernels()` in lib/wasm/instance.ts
 * returns, and the checks of their arguments. Every kernel's signature is its twin's
 * (`typeof layerNormForward` …), taken from lib/layers, so that a twin and its kernel cannot
 * drift apart; the shapes are documented there. Kept apart so that code which only passes the
 * kernels around needs no WebAssembly.
 * @module
 */
import type { LayerOps } from "../model/ops.ts";
import type { matmul, matmulTransA, matmulTransB } from "../layers/matmul.ts";
import type { Arena } from "./arena.ts";
import type { Runtime } from "./runtime.ts";

/**
 * The layer functions of the model's table (lib/model/ops.ts) that have a kernel. The others
 * (the loss of each position, rotary positions) keep their twins, which work on the kernels'
 * buffers just as well.
 */
export const KERNEL_OPS = [
  "encoderForward",
  "encoderBackward",
  "layerNormForward",
  "layerNormBackward",
  "linearForward",
  "linearBackward",
  "attentionForward",
  "attentionBackward",
  "attentionStep",
  "geluForward",
  "geluBackward",
  "residualForward",
  "residualBackward",
  "softmaxForward",
  "crossEntropySoftmaxBackward",
  "adamwStep",
  "clipGradNorm",
  "zeroFill",
] as const satisfies readonly (keyof LayerOps)[];

/** A matmul with the signature of its twin in lib/layers/matmul.ts. */
export type MatmulFn = typeof matmul;

/** Every function the kernels compute, each with the signature of its twin. */
export type KernelFunctions = Pick<LayerOps, typeof KERNEL_OPS[number]> & {
  /** out (M, N) = a (M, K) · b (K, N) [+ bias]. */
  matmul: typeof matmul;
  /** out (M, N) = a (M, K) · bᵀ with b stored (N, K) [+ bias]. */
  matmulTransB: typeof matmulTransB;
  /** out (M, N) = aᵀ · b with a stored (K, M), b (K, N) [+ bias]. */
  matmulTransA: typeof matmulTransA;
};

/**
 * Kernels written as functions of the runtime they run on: `f(rt, ...the twin's arguments)`.
 * lib/wasm/matmul.ts and lib/wasm/layers.ts define them so; lib/wasm/instance.ts binds them.
 */
export type OnRuntime<F> = {
  [K in keyof F]: F[K] extends (...args: infer A) => infer R ? (rt: Runtime, ...args: A) => R
    : never;
};

/**
 * The compiled kernels, as typed functions with the signatures of their plain twins (get them
 * from `loadKernels()` in lib/wasm/instance.ts).
 *
 * @example
 * ```ts
 * import type { Kernels } from "./api.ts";
 * function linear(k: Kernels, y: Float32Array, x: Float32Array, w: Float32Array) {
 *   k.matmulTransB(y, x, w, 1, x.length, y.length);
 * }
 * ```
 */
export interface Kernels extends KernelFunctions {
  /** The shared memory every kernel reads and writes. */
  readonly memory: WebAssembly.Memory;
  /** Allocator for buffers the kernels use without copying. */
  readonly arena: Arena;
  /** Threads the kernels may use, 1 or 2 (default: 2 where the machine has two cores). */
  threads: number;
  /**
   * Tasks (matmul blocks, chunks of rows or heads) the worker thread has done since loading: how
   * to see that the second core takes part. 0 on one thread.
   */
  readonly workerTasks: number;
  /**
   * Runs the machine's 128-bit FMA limit loop (`kernels/fma_peak.ts`) for `iterations` and returns
   * the flops it performed: time it to get the one-thread SIMD limit.
   */
  fmaLoop(iterations: number): number;
}

/**
 * Throws unless C channels split into NH equal heads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHeads } from "./api.ts";
 * checkHeads("attentionForward", 128, 4);
 * assert.throws(() => checkHeads("attentionForward", 128, 3), /does not split/);
 * ```
 */
export function checkHeads(kernel: string, C: number, NH: number): void {
  if (!(NH > 0 && C % NH === 0)) {
    throw new RangeError(`${kernel}: C = ${C} does not split into NH = ${NH} equal heads.`);
  }
}

/**
 * Throws when a buffer is smaller than its shape needs, naming the kernel, buffer and sizes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSizes } from "./api.ts";
 * checkSizes("geluForward", { out: [new Float32Array(4), 4] });
 * assert.throws(() => checkSizes("geluForward", { out: [new Float32Array(3), 4] }), /holds 3/);
 * ```
 */
export function checkSizes(
  kernel: string,
  buffers: Record<string, [Float32Array | Int32Array, number]>,
): void {
  for (const [name, [x, want]] of Object.entries(buffers)) {
    if (x.length < want) {
      throw new RangeError(
        `${kernel}: ${name} holds ${x.length} values but the shape needs ${want}.`,
      );
    }
  }
}
