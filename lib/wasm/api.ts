/**
 * The types of the SIMD kernels' TypeScript face: what `loadKernels()` in `lib/wasm/instance.ts`
 * returns, and the checks of their arguments. Kept apart so that code which only passes the
 * kernels around needs no WebAssembly.
 * Every function has the signature of its plain twin and the shapes documented there.
 * @module
 */
import type { adamwStep, clipGradNorm } from "../layers/adamw.ts";
import type { Arena } from "./arena.ts";
import type { MatmulOptions } from "../layers/matmul.ts";

/**
 * A matmul with the signature of its twin in `lib/layers/matmul.ts`.
 *
 * @example
 * ```ts
 * import type { MatmulFn } from "./api.ts";
 * import { matmul } from "../layers/matmul.ts";
 * const f: MatmulFn = matmul;
 * ```
 */
export type MatmulFn = (
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  options?: MatmulOptions,
) => void;

/**
 * The compiled kernels, as typed functions with the signatures of their plain twins (get them
 * from `loadKernels()` in `lib/wasm/instance.ts`).
 *
 * @example
 * ```ts
 * import type { Kernels } from "./api.ts";
 * function linear(k: Kernels, y: Float32Array, x: Float32Array, w: Float32Array) {
 *   k.matmulTransB(y, x, w, 1, x.length, y.length);
 * }
 * ```
 */
export interface Kernels {
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
  /** out (M, N) = a (M, K) · b (K, N) [+ bias]; twin: `matmul` in `lib/layers/matmul.ts`. */
  matmul: MatmulFn;
  /** out (M, N) = a (M, K) · bᵀ with b stored (N, K) [+ bias]; twin: `matmulTransB`. */
  matmulTransB: MatmulFn;
  /** out (M, N) = aᵀ · b with a stored (K, M), b (K, N) [+ bias]; twin: `matmulTransA`. */
  matmulTransA: MatmulFn;
  /** Row softmax, probs (N, V) = softmax(logits (N, V)); twin: `softmaxForward` (crossentropy). */
  softmaxForward(probs: Float32Array, logits: Float32Array, N: number, V: number): void;
  /** Causal multi-head attention forward; twin: `attentionForward` in `lib/layers/attention.ts`. */
  attentionForward(
    out: Float32Array, // (B, T, C)
    preatt: Float32Array, // (B, NH, T, T)
    att: Float32Array, // (B, NH, T, T)
    inp: Float32Array, // (B, T, 3C)
    B: number,
    T: number,
    C: number,
    NH: number,
  ): void;
  /** Its backward pass, adding into dinp, dpreatt, datt; twin: `attentionBackward`. */
  attentionBackward(
    dinp: Float32Array, // (B, T, 3C)
    dpreatt: Float32Array, // (B, NH, T, T)
    datt: Float32Array, // (B, NH, T, T)
    dout: Float32Array, // (B, T, C)
    inp: Float32Array, // (B, T, 3C)
    att: Float32Array, // (B, NH, T, T)
    B: number,
    T: number,
    C: number,
    NH: number,
  ): void;
  /** Layer norm forward over rows; twin: `layerNormForward` in `lib/layers/layernorm.ts`. */
  layerNormForward(
    out: Float32Array, // (N, C)
    mean: Float32Array, // (N)
    rstd: Float32Array, // (N)
    inp: Float32Array, // (N, C)
    weight: Float32Array, // (C)
    bias: Float32Array, // (C)
    N: number,
    C: number,
  ): void;
  /** Its backward pass, adding into dinp, dweight, dbias; twin: `layerNormBackward`. */
  layerNormBackward(
    dinp: Float32Array, // (N, C)
    dweight: Float32Array, // (C)
    dbias: Float32Array, // (C)
    dout: Float32Array, // (N, C)
    inp: Float32Array, // (N, C)
    weight: Float32Array, // (C)
    mean: Float32Array, // (N)
    rstd: Float32Array, // (N)
    N: number,
    C: number,
  ): void;
  /** Token plus position embeddings; twin: `encoderForward` in `lib/layers/encoder.ts`. */
  encoderForward(
    out: Float32Array, // (B, T, C)
    inp: Int32Array, // (B, T)
    wte: Float32Array, // (V, C)
    wpe: Float32Array | null, // (≥ T, C)
    B: number,
    T: number,
    C: number,
  ): void;
  /** Its backward pass, adding into dwte and dwpe; twin: `encoderBackward`. */
  encoderBackward(
    dwte: Float32Array, // (V, C)
    dwpe: Float32Array | null, // (≥ T, C)
    dout: Float32Array, // (B, T, C)
    inp: Int32Array, // (B, T)
    B: number,
    T: number,
    C: number,
  ): void;
  /** GELU (tanh form) elementwise; twin: `geluForward` in `lib/layers/gelu.ts`. */
  geluForward(out: Float32Array, inp: Float32Array, N: number): void; // (N), (N)
  /** Its backward pass, adding into dinp; twin: `geluBackward`. */
  geluBackward(dinp: Float32Array, inp: Float32Array, dout: Float32Array, N: number): void;
  /** Bias gradient of a linear layer, dbias (OC) += column sums of dout (N, OC); twin: `biasBackward`. */
  biasBackward(dbias: Float32Array, dout: Float32Array, N: number, OC: number): void;
  /** One AdamW update in place, group by group; twin: `adamwStep` in `lib/layers/adamw.ts`. */
  adamwStep: typeof adamwStep;
  /** Scales gradients to a global L2 norm of at most maxNorm; twin: `clipGradNorm`. */
  clipGradNorm: typeof clipGradNorm;
  /** out = inp1 + inp2; twin: `residualForward` in `lib/layers/residual.ts`. */
  residualForward(out: Float32Array, inp1: Float32Array, inp2: Float32Array, N: number): void;
  /** dinp1 += dout, dinp2 += dout; twin: `residualBackward`. */
  residualBackward(dinp1: Float32Array, dinp2: Float32Array, dout: Float32Array, N: number): void;
  /** x = 0; twin: `zeroFill` in `lib/layers/fill.ts`. */
  zeroFill(x: Float32Array): void;
  /** The newest query against a KV cache; twin: `attentionStep` in `lib/layers/attention_step.ts`. */
  attentionStep(
    out: Float32Array, // (C)
    q: Float32Array, // (C)
    kv: Float32Array, // (≥ pos+1, 2C)
    pos: number,
    C: number,
    NH: number,
    scores: Float32Array, // (≥ pos+1)
  ): void;
  /** dlogits += (probs − one_hot(targets)) · dlosses; twin: `crossEntropySoftmaxBackward`. */
  crossEntropySoftmaxBackward(
    dlogits: Float32Array, // (N, V)
    dlosses: Float32Array, // (N)
    probs: Float32Array, // (N, V)
    targets: Int32Array, // (N)
    N: number,
    V: number,
  ): void;
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
 * import { checkHeads } from "./api.ts";
 * checkHeads("attentionForward", 128, 4);
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
 * import { checkSizes } from "./api.ts";
 * checkSizes("geluForward", { out: [new Float32Array(4), 4] });
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
