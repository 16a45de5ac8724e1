/**
 * The layer functions a GPT calls, gathered in one table, `LayerOps`, so that other versions (the
 * SIMD kernels, a student's own) can stand in for the plain TypeScript ones without a change to
 * lib/model/gpt.ts. Every entry has the signature of its TypeScript twin, which stays the default
 * and the reference; the kernels' types are taken from this table (lib/wasm/api.ts).
 *
 * Which implementation fills each entry is said in one place, lib/wasm/backend.ts.
 * @module
 */
import { adamwStep, clipGradNorm } from "../layers/adamw.ts";
import { attentionBackward, attentionForward } from "../layers/attention.ts";
import { attentionStep } from "../layers/attention_step.ts";
import {
  crossEntropyForward,
  crossEntropySoftmaxBackward,
  softmaxForward,
} from "../layers/crossentropy.ts";
import { encoderBackward, encoderForward } from "../layers/encoder.ts";
import { zeroFill } from "../layers/fill.ts";
import { geluBackward, geluForward } from "../layers/gelu.ts";
import { layerNormBackward, layerNormForward } from "../layers/layernorm.ts";
import { linearBackward, linearForward } from "../layers/linear.ts";
import { ropeBackward, ropeForward } from "../layers/positional.ts";
import { residualBackward, residualForward } from "../layers/residual.ts";

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
  /** The KV cache's attention (lib/model/generate.ts), with the arithmetic of attentionForward. */
  attentionStep: typeof attentionStep;
  ropeForward: typeof ropeForward;
  ropeBackward: typeof ropeBackward;
  geluForward: typeof geluForward;
  geluBackward: typeof geluBackward;
  residualForward: typeof residualForward;
  residualBackward: typeof residualBackward;
  softmaxForward: typeof softmaxForward;
  crossEntropyForward: typeof crossEntropyForward;
  crossEntropySoftmaxBackward: typeof crossEntropySoftmaxBackward;
  /** The optimizer's update, on the same backend as the layers (lib/train/trainer.ts calls it). */
  adamwStep: typeof adamwStep;
  /** Gradient clipping before the update, on the same backend. */
  clipGradNorm: typeof clipGradNorm;
  /** Zeroes gradients before a backward pass. */
  zeroFill: typeof zeroFill;
}

/**
 * The TypeScript twins of lib/layers: the table every GPT starts from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attentionForward } from "../layers/attention.ts";
 * import { TWIN_OPS } from "./ops.ts";
 * assert.equal(TWIN_OPS.attentionForward, attentionForward);
 * ```
 */
export const TWIN_OPS: LayerOps = {
  encoderForward,
  encoderBackward,
  layerNormForward,
  layerNormBackward,
  linearForward,
  linearBackward,
  attentionForward,
  attentionBackward,
  attentionStep,
  ropeForward,
  ropeBackward,
  geluForward,
  geluBackward,
  residualForward,
  residualBackward,
  softmaxForward,
  crossEntropyForward,
  crossEntropySoftmaxBackward,
  adamwStep,
  clipGradNorm,
  zeroFill,
};
