/**
 * The layer functions a GPT calls, gathered in one table so that faster versions (the SIMD
 * kernels) can stand in for the plain TypeScript ones without a change to lib/gpt.ts. Every
 * entry keeps the signature of its TypeScript twin, which stays the default and the reference.
 *
 * `kernelOps` swaps in the SIMD kernels for the layers that cost (the matmuls of the linear
 * layers, attention, LayerNorm, GELU, softmax); the rest stays TypeScript. For the kernels to
 * work without copies, give the model the kernels' allocator too:
 * `new GPT(config, seed, { ops: kernelOps(k), alloc: (n) => k.arena.alloc(n) })`.
 * @module
 */
import { attentionBackward, attentionForward } from "./attention.ts";
import {
  crossEntropyForward,
  crossEntropySoftmaxBackward,
  softmaxForward,
} from "./crossentropy.ts";
import { encoderBackward, encoderForward } from "./encoder.ts";
import { geluBackward, geluForward } from "./gelu.ts";
import { layerNormBackward, layerNormForward } from "./layernorm.ts";
import type { Kernels } from "./kernels_api.ts";
import { biasBackward, linearBackward, linearForward } from "./linear.ts";
import { ropeBackward, ropeForward } from "./positional.ts";
import { residualBackward, residualForward } from "./residual.ts";

/** Every layer function the model uses, forward and backward. */
export interface LayerOps {
  encoderForward: typeof encoderForward;
  encoderBackward: typeof encoderBackward;
  layerNormForward: typeof layerNormForward;
  layerNormBackward: typeof layerNormBackward;
  linearForward: typeof linearForward;
  linearBackward: typeof linearBackward;
  attentionForward: typeof attentionForward;
  attentionBackward: typeof attentionBackward;
  ropeForward: typeof ropeForward;
  ropeBackward: typeof ropeBackward;
  geluForward: typeof geluForward;
  geluBackward: typeof geluBackward;
  residualForward: typeof residualForward;
  residualBackward: typeof residualBackward;
  softmaxForward: typeof softmaxForward;
  crossEntropyForward: typeof crossEntropyForward;
  crossEntropySoftmaxBackward: typeof crossEntropySoftmaxBackward;
}

/**
 * The plain TypeScript layers of lib/: the default ops of every GPT.
 *
 * @example
 * ```ts
 * import { TYPESCRIPT_OPS } from "./gpt_ops.ts";
 * console.assert(typeof TYPESCRIPT_OPS.attentionForward === "function");
 * ```
 */
export const TYPESCRIPT_OPS: LayerOps = {
  encoderForward,
  encoderBackward,
  layerNormForward,
  layerNormBackward,
  linearForward,
  linearBackward,
  attentionForward,
  attentionBackward,
  ropeForward,
  ropeBackward,
  geluForward,
  geluBackward,
  residualForward,
  residualBackward,
  softmaxForward,
  crossEntropyForward,
  crossEntropySoftmaxBackward,
};

/**
 * The layer ops with the SIMD kernels of `k` wherever one exists (same signatures, results
 * equal to float32 rounding), the TypeScript twins elsewhere.
 *
 * @example
 * ```ts
 * import { kernelOps } from "./gpt_ops.ts";
 * import { loadKernels } from "./kernels.ts";
 * const ops = kernelOps(await loadKernels({ quiet: true }));
 * console.assert(typeof ops.linearBackward === "function");
 * ```
 */
export function kernelOps(k: Kernels): LayerOps {
  return {
    ...TYPESCRIPT_OPS,
    linearForward(out, inp, weight, bias, N, C, OC) {
      k.matmulTransB(out, inp, weight, N, C, OC, { bias });
    },
    linearBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC) {
      k.matmul(dinp, dout, weight, N, OC, C, { accumulate: true });
      k.matmulTransA(dweight, dout, inp, OC, N, C, { accumulate: true });
      if (dbias) biasBackward(dbias, dout, N, OC);
    },
    attentionForward: k.attentionForward.bind(k),
    attentionBackward: k.attentionBackward.bind(k),
    layerNormForward: k.layerNormForward.bind(k),
    layerNormBackward: k.layerNormBackward.bind(k),
    geluForward: k.geluForward.bind(k),
    geluBackward: k.geluBackward.bind(k),
    softmaxForward: k.softmaxForward.bind(k),
  };
}
