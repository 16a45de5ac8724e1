// AssemblyScript entry point: every kernel is compiled into one module that shares one memory.
// Kernels allocate nothing; `heapBase` tells the host where its own buffers may start.

export { attentionBackward, attentionForward, attentionScratchFloats } from "./attention";
export { adamw } from "./adamw";
export { attentionStep } from "./attention_step";
export { ENCODER_CHANNELS, encoderBackward, encoderForward } from "./encoder";
export { geluBackward, geluForward } from "./gelu";
export { layerNormBackward, layerNormForward, layerNormReduce } from "./layernorm";
export { crossEntropySoftmaxBackward } from "./crossentropy";
export { FMA_LOOP_FLOPS, fmaLoop } from "./fma_peak";
export { JOB_BYTES, matmulJob, matmulWork, THREAD_SCRATCH } from "./matmul";
export { matvecTransB } from "./matvec";
export { residualBackward, residualForward, SQUARES_CHUNK, sumOfSquares, zeroFill } from "./residual";
export { scale as scaleInPlace } from "./simd";
export { softmaxForward } from "./softmax";
export { setThread } from "./thread";

/** First byte after the module's static data: the host's arena starts at or above it. */
export function heapBase(): usize {
  return __heap_base;
}
