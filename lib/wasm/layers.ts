/**
 * The layers on the kernels, other than the products (lib/wasm/matmul.ts): embeddings,
 * LayerNorm, attention (and the KV cache's step), GELU, softmax and the loss gradient, residual
 * sums, zeroing, and the optimizer's update and clipping. Each checks its buffers' sizes, then
 * runs its kernel in kernels/ on one thread or two, with the signature of its twin in lib/layers
 * after the runtime.
 * @module
 */
import { checkHeads, checkSizes, type KernelFunctions, type OnRuntime } from "./api.ts";
import { alignUp } from "./arena.ts";
import type { MatmulKernels } from "./matmul.ts";
import { MAX_THREADS, type Runtime, STREAM_MACS } from "./runtime.ts";

// What the other kernels cost, in the matmul's multiply-adds, for the threshold of two threads
// (PARALLEL_MIN_MACS). Measured on one thread against a 768×128×512 matmul in the same run: a
// GELU of one float took as long as 28 (forward) and 37 (backward) multiply-adds, for it is a
// polynomial exp and a division; attention's forward about 3 per (t, t2, c) of B·T·T·C (half of
// them masked, plus the softmax), its backward about twice that.
const GELU_MACS = 32;
const ATTENTION_MACS = 3;
/** LayerNorm of one value measured 23 multiply-adds the same way (forward), 28 (backward). */
const LAYERNORM_MACS = 24;
/** Rows of LayerNorm per chunk of work: about 4k values, whatever the width. */
const rowsFor = (C: number) => Math.max(1, Math.ceil(4096 / C));
/** An AdamW update of one parameter measured 21–23 multiply-adds the same way (a division, a root). */
const ADAMW_MACS = 20;

type LayerKernels = OnRuntime<Omit<KernelFunctions, keyof MatmulKernels>>;

/** The layers, as functions of the runtime. */
export const LAYER_KERNELS: LayerKernels = {
  softmaxForward(rt, probs, logits, N, V) {
    checkSizes("softmaxForward", { probs: [probs, N * V], logits: [logits, N * V] });
    // An exp costs about as much as 8 multiply-adds; chunks of ≥ 4k floats keep the atomics rare.
    rt.withBuffers(
      [[probs, "out"], [logits, "in"]],
      (ptrs) => rt.run("softmaxForward", [...ptrs, N, V], N, 8 * N * V, Math.ceil(4096 / V)),
    );
  },
  attentionForward(rt, out, preatt, att, inp, B, T, C, NH) {
    checkHeads("attentionForward", C, NH);
    checkSizes("attentionForward", {
      out: [out, B * T * C],
      preatt: [preatt, B * NH * T * T],
      att: [att, B * NH * T * T],
      inp: [inp, B * T * 3 * C],
    });
    rt.withBuffers(
      [[out, "out"], [preatt, "out"], [att, "out"], [inp, "in"]],
      (ptrs) =>
        rt.run(
          "attentionForward",
          [...ptrs, B, T, C, NH, ...attentionScratch(rt, T, C / NH)],
          B * NH,
          ATTENTION_MACS * B * T * T * C,
        ),
    );
  },
  attentionBackward(rt, dinp, dpreatt, datt, dout, inp, att, B, T, C, NH) {
    checkHeads("attentionBackward", C, NH);
    checkSizes("attentionBackward", {
      dinp: [dinp, B * T * 3 * C],
      dpreatt: [dpreatt, B * NH * T * T],
      datt: [datt, B * NH * T * T],
      dout: [dout, B * T * C],
      inp: [inp, B * T * 3 * C],
      att: [att, B * NH * T * T],
    });
    rt.withBuffers(
      [
        [dinp, "out"],
        [dpreatt, "out"],
        [datt, "out"],
        [dout, "in"],
        [inp, "in"],
        [att, "in"],
      ],
      (ptrs) =>
        rt.run(
          "attentionBackward",
          [...ptrs, B, T, C, NH, ...attentionScratch(rt, T, C / NH)],
          B * NH,
          2 * ATTENTION_MACS * B * T * T * C,
        ),
    );
  },
  layerNormForward(rt, out, mean, rstd, inp, weight, bias, N, C) {
    checkSizes("layerNormForward", {
      out: [out, N * C],
      mean: [mean, N],
      rstd: [rstd, N],
      inp: [inp, N * C],
      weight: [weight, C],
      bias: [bias, C],
    });
    rt.withBuffers(
      [[out, "out"], [mean, "out"], [rstd, "out"], [inp, "in"], [weight, "in"], [bias, "in"]],
      (ptrs) => rt.run("layerNormForward", [...ptrs, N, C], N, LAYERNORM_MACS * N * C, rowsFor(C)),
    );
  },
  layerNormBackward(rt, dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C) {
    checkSizes("layerNormBackward", {
      dinp: [dinp, N * C],
      dweight: [dweight, C],
      dbias: [dbias, C],
      dout: [dout, N * C],
      inp: [inp, N * C],
      weight: [weight, C],
      mean: [mean, N],
      rstd: [rstd, N],
    });
    rt.withBuffers(
      [
        [dinp, "out"],
        [dweight, "out"],
        [dbias, "out"],
        [dout, "in"],
        [inp, "in"],
        [weight, "in"],
        [mean, "in"],
        [rstd, "in"],
      ],
      ([pdinp, pdweight, pdbias, ...rest]) => {
        // Fixed chunks of rows, each summing its own share of dweight and dbias, then added in
        // chunk order: the same result on one thread or two.
        const rows = rowsFor(C), chunks = Math.ceil(N / rows);
        const partials = rt.arena.alloc(chunks * 2 * C).byteOffset;
        rt.run(
          "layerNormBackward",
          [pdinp, partials, ...rest, N, C, rows],
          chunks,
          LAYERNORM_MACS * N * C,
        );
        rt.wasm.layerNormReduce(pdweight, pdbias, partials, chunks, C);
      },
    );
  },
  encoderForward(rt, out, inp, wte, wpe, B, T, C) {
    const N = B * T;
    checkSizes("encoderForward", { out: [out, N * C], inp: [inp, N] });
    checkTables("encoderForward", inp, N, wte, wpe, T, C);
    rt.withBuffers(
      [[out, "out"], [inp, "in"], [wte, "in"], [wpe, "in"]],
      ([po, pi, pw, pp]) =>
        rt.run(
          "encoderForward",
          [po, pi, pw, pp, B, T, C],
          N,
          STREAM_MACS * N * C,
          rowsFor(C),
        ),
    );
  },
  encoderBackward(rt, dwte, dwpe, dout, inp, B, T, C) {
    const N = B * T;
    checkSizes("encoderBackward", { dout: [dout, N * C], inp: [inp, N] });
    checkTables("encoderBackward", inp, N, dwte, dwpe, T, C);
    rt.withBuffers(
      [[dwte, "out"], [dout, "in"], [inp, "in"], [dwpe, "out"]],
      ([pw, pd, pi, pp]) =>
        rt.run(
          "encoderBackward",
          [pw, pp, pd, pi, B, T, C],
          Math.ceil(C / rt.wasm.ENCODER_CHANNELS.value),
          2 * STREAM_MACS * N * C,
        ),
    );
  },
  geluForward(rt, out, inp, N) {
    checkSizes("geluForward", { out: [out, N], inp: [inp, N] });
    rt.withBuffers(
      [[out, "out"], [inp, "in"]],
      (ptrs) => rt.run("geluForward", [...ptrs, N], Math.ceil(N / 4), GELU_MACS * N, 1024),
    );
  },
  geluBackward(rt, dinp, inp, dout, N) {
    checkSizes("geluBackward", { dinp: [dinp, N], inp: [inp, N], dout: [dout, N] });
    rt.withBuffers(
      [[dinp, "out"], [inp, "in"], [dout, "in"]],
      (ptrs) => rt.run("geluBackward", [...ptrs, N], Math.ceil(N / 4), GELU_MACS * N, 1024),
    );
  },
  crossEntropySoftmaxBackward(rt, dlogits, dlosses, probs, targets, N, V) {
    checkSizes("crossEntropySoftmaxBackward", {
      dlogits: [dlogits, N * V],
      dlosses: [dlosses, N],
      probs: [probs, N * V],
      targets: [targets, N],
    });
    for (let n = 0; n < N; n++) {
      if (!(targets[n] >= 0 && targets[n] < V)) {
        throw new RangeError(
          `crossEntropySoftmaxBackward: target ${
            targets[n]
          } at row ${n} is not a token id below V = ${V}.`,
        );
      }
    }
    rt.withBuffers(
      [[dlogits, "out"], [dlosses, "in"], [probs, "in"], [targets, "in"]],
      (ptrs) => rt.wasm.crossEntropySoftmaxBackward(...ptrs, N, V),
    );
  },
  residualForward(rt, out, inp1, inp2, N) {
    checkSizes("residualForward", { out: [out, N], inp1: [inp1, N], inp2: [inp2, N] });
    rt.withBuffers(
      [[out, "out"], [inp1, "in"], [inp2, "in"]],
      (ptrs) => rt.run("residualForward", [...ptrs, N], Math.ceil(N / 4), STREAM_MACS * N, 4096),
    );
  },
  residualBackward(rt, dinp1, dinp2, dout, N) {
    checkSizes("residualBackward", { dinp1: [dinp1, N], dinp2: [dinp2, N], dout: [dout, N] });
    rt.withBuffers(
      [[dinp1, "out"], [dinp2, "out"], [dout, "in"]],
      (ptrs) => rt.run("residualBackward", [...ptrs, N], Math.ceil(N / 4), STREAM_MACS * N, 4096),
    );
  },
  zeroFill(rt, x) {
    const N = x.length;
    rt.withBuffers(
      [[x, "out"]],
      (ptrs) => rt.run("zeroFill", [...ptrs, N], Math.ceil(N / 4), STREAM_MACS * N, 1 << 16),
    );
  },
  clipGradNorm(rt, grads, maxNorm) {
    let norm = 0;
    rt.withBuffers([[grads, "out"]], ([pg]) => {
      const n = grads.length, chunks = Math.ceil(n / rt.wasm.SQUARES_CHUNK.value);
      const partials = rt.arena.alloc(2 * chunks);
      rt.run("sumOfSquares", [partials.byteOffset, pg, n], chunks, STREAM_MACS * n);
      const sums = new Float64Array(partials.buffer, partials.byteOffset, chunks);
      norm = Math.sqrt(sums.reduce((a, b) => a + b, 0)); // in chunk order, on any thread count
      if (norm > maxNorm) rt.wasm.scaleInPlace(pg, maxNorm / (norm + 1e-6), grads.length);
    });
    return norm;
  },
  attentionStep(rt, out, q, kv, pos, C, NH, scores) {
    checkHeads("attentionStep", C, NH);
    checkSizes("attentionStep", {
      out: [out, C],
      q: [q, C],
      kv: [kv, (pos + 1) * 2 * C],
      scores: [scores, pos + 1],
    });
    rt.withBuffers(
      [[out, "out"], [q, "in"], [kv, "in"], [scores, "out"]],
      (ptrs) => rt.wasm.attentionStep(ptrs[0], ptrs[1], ptrs[2], pos, C, NH, ptrs[3]),
    );
  },
  adamwStep(rt, params, grads, m, v, t, options, groups) {
    const n = params.length;
    checkSizes("adamwStep", { grads: [grads, n], m: [m, n], v: [v, n] });
    const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
    const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
    const sorted = [...groups].sort((a, b) => a.start - b.start);
    sorted.forEach((g, i) => {
      if (g.start < 0 || g.end > n || g.start > g.end || (i > 0 && g.start < sorted[i - 1].end)) {
        throw new RangeError(
          `adamwStep: group ${g.start}..${g.end} is outside 0..${n} or overlaps.`,
        );
      }
    });
    rt.withBuffers(
      [[params, "out"], [grads, "in"], [m, "out"], [v, "out"]],
      ([pp, pg, pm, pv]) => {
        const hyper = rt.arena.alloc(6);
        hyper.set([lr, beta1, beta2, eps, c1, c2]);
        const table = rt.arena.alloc(3 * sorted.length);
        const bounds = new Int32Array(table.buffer, table.byteOffset, table.length);
        sorted.forEach((g, i) => {
          bounds[3 * i] = g.start;
          bounds[3 * i + 1] = g.end;
          table[3 * i + 2] = lr * g.weightDecay;
        });
        const span = sorted.length ? sorted[sorted.length - 1].end : 0;
        const args = [pp, pg, pm, pv, table.byteOffset, sorted.length, hyper.byteOffset];
        rt.run("adamw", args, Math.ceil(span / 4), ADAMW_MACS * span, 4096);
      },
    );
  },
};

/**
 * [pointer, bytes per thread] of arena scratch for the attention kernels' packed panels, one
 * slice per thread (each finds its own by its thread number). Take it inside withBuffers.
 */
function attentionScratch(rt: Runtime, T: number, hs: number): number[] {
  const bytes = alignUp(rt.wasm.attentionScratchFloats(T, hs) * 4);
  return [rt.arena.alloc((bytes / 4) * MAX_THREADS).byteOffset, bytes];
}

/**
 * Throws unless the position table holds T rows of C floats and each of the first n token ids
 * is a row of the token table: the embedding kernels would otherwise read other buffers.
 */
function checkTables(
  kernel: string,
  inp: Int32Array,
  n: number,
  tokens: Float32Array,
  positions: Float32Array | null,
  T: number,
  C: number,
): void {
  if (positions) checkSizes(kernel, { positions: [positions, T * C] });
  const V = tokens.length / C;
  for (let i = 0; i < n; i++) {
    if (!(inp[i] >= 0 && inp[i] < V)) {
      throw new RangeError(
        `${kernel}: token id ${inp[i]} at position ${i} is outside the vocabulary of ${V}.`,
      );
    }
  }
}
