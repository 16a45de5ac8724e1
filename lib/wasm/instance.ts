/**
 * The one module that touches WebAssembly: it builds the kernels if needed, instantiates them on a
 * shared memory, starts the worker thread that shares it, and exposes the kernels as typed
 * functions on `Float32Array`s with the same signatures as their plain twins (lib/layers/matmul.ts,
 * attention.ts, encoder.ts, crossentropy.ts, layernorm.ts, gelu.ts, linear.ts's bias gradient,
 * residual.ts, fill.ts, adamw.ts). Leaves out rotary positions, which have no kernel yet.
 *
 * Buffers that live in the kernels' memory (made with `arena.alloc`) are passed by pointer with no
 * copy; any other `Float32Array` is copied into a scratch area and back, which is convenient for
 * tests and labs and slow for training loops.
 *
 * Memory map, from the module's heap base: control words and the job description, per-thread
 * scratch (a packed block of A), the packed-B scratch, then the arena.
 * @module
 */
import { Worker } from "node:worker_threads";
import { alignUp, Arena } from "./arena.ts";
import { ensureKernelsBuilt, MEMORY_PAGES, WASM_URL } from "./build.ts";
import { CTL, RANGE_KERNELS, type RangeKernel, SPIN_BEFORE_WAIT, takeRanges } from "./protocol.ts";
import { checkHeads, checkSizes, type Kernels, type MatmulFn } from "./api.ts";
import { matmul as matmulTwin } from "../layers/matmul.ts";

interface KernelExports {
  matmulJob(
    job: number,
    M: number,
    K: number,
    N: number,
    a: number,
    rsA: number,
    csA: number,
    b: number,
    rsB: number,
    csB: number,
    c: number,
    ldc: number,
    bias: number,
    accumulate: number,
    packB: number,
    packA: number,
    parallel: number,
  ): number;
  matmulWork(job: number, thread: number): number;
  fmaLoop(n: number, seed: number, decay: number): number;
  FMA_LOOP_FLOPS: WebAssembly.Global;
  JOB_BYTES: WebAssembly.Global;
  THREAD_SCRATCH: WebAssembly.Global;
  layerNormReduce(
    dweight: number,
    dbias: number,
    partials: number,
    chunks: number,
    C: number,
  ): void;
  crossEntropySoftmaxBackward(...args: number[]): void;
  attentionStep(...args: number[]): void;
  attentionScratchFloats(T: number, hs: number): number;
  SQUARES_CHUNK: WebAssembly.Global;
  BIAS_CHANNELS: WebAssembly.Global;
  ENCODER_CHANNELS: WebAssembly.Global;
  scaleInPlace(x: number, alpha: number, N: number): void;
  heapBase(): number;
}

export { Arena };
export type { Kernels, MatmulFn };

/** Floats of packed B per job: a wider product is cut into column blocks that fit (16 MiB). */
const PACK_B_FLOATS = 1 << 22;
/** Most threads the kernels use; the machines this lab targets have two cores. */
const MAX_THREADS = 2;
/**
 * Work below this many multiply-adds (M·K·N for a product, or the equivalent for the other
 * kernels) stays on one thread. With the worker awake, two threads measured faster than one
 * down to small sizes: 32×64×64 products (131k) 29 → 27 µs, 64×64×128 (524k) 73 → 59 µs,
 * 256×128×128 (4.2M) 402 → 222 µs. Over four alternating runs of 80 baby training steps, this
 * threshold against 4.2M (which kept residual sums, bias gradients and the head's softmax on one
 * thread) gave a lower fastest step in all four (73–81 against 77–91 ms) and a lower median in
 * three. On a machine loaded by other processes, the worker's core is often taken, and small
 * products can then run slower on two threads than on one.
 *
 * @example
 * ```ts
 * import { PARALLEL_MIN_MACS } from "./instance.ts";
 * console.assert(32 * 32 * 32 < PARALLEL_MIN_MACS); // runs on one thread
 * ```
 */
export const PARALLEL_MIN_MACS = 1 << 18;

// What the other kernels cost, in the matmul's multiply-adds, for the same threshold. Measured
// on one thread against a 768×128×512 matmul in the same run: a GELU of one float took as long
// as 28 (forward) and 37 (backward) multiply-adds, for it is a polynomial exp and a division;
// attention's forward about 3 per (t, t2, c) of B·T·T·C (half of them masked, plus the
// softmax), its backward about twice that.
const GELU_MACS = 32;
const ATTENTION_MACS = 3;
/** LayerNorm of one value measured 23 multiply-adds the same way (forward), 28 (backward). */
const LAYERNORM_MACS = 24;
/** Rows of LayerNorm per chunk of work: about 4k values, whatever the width. */
const rowsFor = (C: number) => Math.max(1, Math.ceil(4096 / C));
/** An AdamW update of one parameter measured 21–23 multiply-adds the same way (a division, a root). */
const ADAMW_MACS = 20;
/** Passes that only stream memory (residual sums, zeroing) go to two threads from 64k floats. */
const STREAM_MACS = 4;
/**
 * A one-row product reads each weight once, at memory speed rather than from cache. Counted at
 * 16, the KV cache's products of nano (384×1152 and up) go to two threads: sampling went from 99
 * to 162 tokens/s (`deno task bench generate`).
 */
const MATVEC_MACS = 16;

let loading: Promise<Kernels> | undefined;

/**
 * Builds (when the sources changed) and instantiates the kernels, once per process, and starts
 * the worker thread. The worker is unref'd: it never keeps a process alive.
 *
 * @example
 * ```ts
 * import { loadKernels } from "./instance.ts";
 * const k = await loadKernels();
 * const out = new Float32Array(1);
 * k.matmul(out, new Float32Array([2]), new Float32Array([3]), 1, 1, 1);
 * console.assert(out[0] === 6);
 * ```
 */
export function loadKernels(options: { quiet?: boolean } = {}): Promise<Kernels> {
  loading ??= instantiate(options.quiet ?? false);
  return loading;
}

async function instantiate(quiet: boolean): Promise<Kernels> {
  await ensureKernelsBuilt({ quiet });
  const memory = new WebAssembly.Memory({ ...MEMORY_PAGES, shared: true });
  const module = await WebAssembly.compile(await Deno.readFile(WASM_URL));
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, column: number) {
        throw new Error(`A kernel aborted at line ${line}:${column}.`);
      },
    },
  });
  const wasm = instance.exports as unknown as KernelExports;

  const ctlPtr = alignUp(wasm.heapBase());
  const jobPtr = ctlPtr + alignUp(CTL.words * 4);
  const packAPtr = jobPtr + alignUp(wasm.JOB_BYTES.value);
  const packBPtr = packAPtr + alignUp(wasm.THREAD_SCRATCH.value * 4) * MAX_THREADS;
  const arena = new Arena(memory, packBPtr + PACK_B_FLOATS * 4);
  memory.grow(Math.max(0, Math.ceil((arena.mark() - memory.buffer.byteLength) / 65536)));
  const ctl = new Int32Array(memory.buffer, ctlPtr, CTL.words);
  ctl[CTL.job] = jobPtr; // the one matmul job description, rewritten for every product

  const cores = navigator.hardwareConcurrency ?? 1;
  const workers = cores > 1 ? [await startWorker(module, memory, ctlPtr, 1)] : [];
  let threads = Math.min(MAX_THREADS, 1 + workers.length);

  const ranges = RANGE_KERNELS.map((name) =>
    (instance.exports as Record<string, unknown>)[name] as RangeKernel
  );

  /**
   * Opens the job described in the control words, works on it on this thread with the worker
   * joining if it is awake, and returns once no thread still touches it.
   */
  function runParallel(kind: number): void {
    Atomics.store(ctl, CTL.kind, kind);
    Atomics.store(ctl, CTL.open, 1);
    Atomics.add(ctl, CTL.gen, 1);
    Atomics.notify(ctl, CTL.gen);
    if (kind === 0) wasm.matmulWork(jobPtr, 0);
    else takeRanges(ranges[kind - 1], ctl);
    Atomics.store(ctl, CTL.open, 0);
    for (let spins = 0, n; (n = Atomics.load(ctl, CTL.active)) !== 0;) {
      if (++spins > SPIN_BEFORE_WAIT) Atomics.wait(ctl, CTL.active, n, 1);
    }
    if (Atomics.exchange(ctl, CTL.failed, 0)) {
      throw new Error("A kernel failed on the worker thread (see above); its results are wrong.");
    }
  }

  /**
   * Runs a range kernel over 0..total, on both threads when its `macs` (or operations of similar
   * cost) make that pay, handing out `chunk` items at a time.
   */
  function runRanges(
    name: typeof RANGE_KERNELS[number],
    args: number[],
    total: number,
    macs: number,
    chunk = 1,
  ): void {
    const kind = RANGE_KERNELS.indexOf(name) + 1;
    if (threads === 1 || total < 2 || macs < PARALLEL_MIN_MACS) {
      return ranges[kind - 1](...args, 0, total);
    }
    ctl.set(args, CTL.args);
    ctl[CTL.nargs] = args.length;
    ctl[CTL.total] = total;
    ctl[CTL.chunk] = chunk;
    ctl[CTL.next] = 0;
    runParallel(kind);
  }

  /**
   * Pointers for `buffers`: arena-owned ones as they are, others copied into the arena first
   * and, unless "in", back afterwards (whole, so values a kernel leaves alone survive); 0 for a
   * null buffer (an absent bias or position table). Int32 arrays (token ids) are read-only and
   * copied bit for bit into arena floats. Scratch that `run` takes from the arena is released
   * with the copies.
   */
  function withBuffers(
    buffers: [Float32Array | Int32Array | null, "in" | "out"][],
    run: (ptrs: number[]) => void,
  ) {
    const mark = arena.mark();
    try {
      const views = buffers.map(([x]) => {
        if (x === null || (x instanceof Float32Array && arena.owns(x))) return x;
        const copy = arena.alloc(x.length);
        if (x instanceof Int32Array) new Int32Array(copy.buffer, copy.byteOffset, x.length).set(x);
        else copy.set(x);
        return copy;
      });
      run(views.map((v) => v?.byteOffset ?? 0));
      buffers.forEach(([x, mode], i) => {
        if (mode === "out" && x && views[i] !== x) x.set(views[i]!);
      });
    } finally {
      arena.release(mark);
    }
  }

  /**
   * [pointer, bytes per thread] of arena scratch for the attention kernels' packed panels, one
   * slice per thread (each finds its own by its thread number). Take it inside withBuffers.
   */
  function attentionScratch(T: number, hs: number): number[] {
    const bytes = alignUp(wasm.attentionScratchFloats(T, hs) * 4);
    return [arena.alloc((bytes / 4) * MAX_THREADS).byteOffset, bytes];
  }

  /**
   * One product through the strided kernel (see kernels/matmul.ts for rsA/csA/rsB/csB). Columns
   * are cut into blocks whose packed B fits the scratch.
   */
  function gemm(name: string, transA: boolean, transB: boolean): MatmulFn {
    return (out, a, b, M, K, N, options = {}) => {
      checkSizes(name, { out: [out, M * N], a: [a, M * K], b: [b, K * N] });
      const bias = options.bias ?? null;
      if (bias) checkSizes(name, { bias: [bias, N] });
      const accumulate = options.accumulate ?? false;
      if (K === 0) return matmulTwin(out, a, b, M, K, N, options); // nothing to multiply
      if (transB && M === 1) return matvec(out, a, b, K, N, bias, accumulate);
      const panelsFit = Math.floor(PACK_B_FLOATS / (K * 8));
      if (panelsFit === 0) {
        throw new RangeError(`${name}: K = ${K} is too deep for the kernels' packing scratch.`);
      }
      const [rsA, csA] = transA ? [1, M] : [K, 1];
      const [rsB, csB] = transB ? [1, K] : [N, 1];
      withBuffers([[out, "out"], [a, "in"], [b, "in"], [bias, "in"]], ([pc, pa, pb, pbias]) => {
        for (let j0 = 0; j0 < N; j0 += panelsFit * 8) {
          const nc = Math.min(panelsFit * 8, N - j0);
          const parallel = threads > 1 && M * K * nc >= PARALLEL_MIN_MACS;
          wasm.matmulJob(
            jobPtr,
            M,
            K,
            nc,
            pa,
            rsA,
            csA,
            pb + j0 * csB * 4,
            rsB,
            csB,
            pc + j0 * 4,
            N,
            bias ? pbias + j0 * 4 : 0,
            accumulate ? 1 : 0,
            packBPtr,
            packAPtr,
            parallel ? 1 : 0,
          );
          if (parallel) runParallel(0);
          else wasm.matmulWork(jobPtr, 0);
        }
      });
    };
  }

  /**
   * The one-row product a (1, K) · bᵀ (b stored (N, K)): each output a dot product with a row of
   * b read in place, with no packing (kernels/matvec.ts). Sampling with a KV cache makes only these.
   */
  function matvec(
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
    K: number,
    N: number,
    bias: Float32Array | null,
    accumulate: boolean,
  ): void {
    withBuffers(
      [[out, "out"], [a, "in"], [b, "in"], [bias, "in"]],
      ([pc, pa, pb, pbias]) =>
        runRanges(
          "matvecTransB",
          [pc, pa, pb, K, N, pbias, accumulate ? 1 : 0],
          Math.ceil(N / 4),
          MATVEC_MACS * K * N,
          64,
        ),
    );
  }

  return {
    memory,
    arena,
    get threads() {
      return threads;
    },
    get workerTasks() {
      return Atomics.load(ctl, CTL.workerTasks);
    },
    set threads(n: number) {
      if (!Number.isInteger(n) || n < 1) {
        throw new RangeError(`threads must be a positive integer, not ${n}.`);
      }
      threads = Math.min(n, 1 + workers.length);
    },
    matmul: gemm("matmul", false, false),
    matmulTransB: gemm("matmulTransB", false, true),
    matmulTransA: gemm("matmulTransA", true, false),
    softmaxForward(probs, logits, N, V) {
      checkSizes("softmaxForward", { probs: [probs, N * V], logits: [logits, N * V] });
      // An exp costs about as much as 8 multiply-adds; chunks of ≥ 4k floats keep the atomics rare.
      withBuffers(
        [[probs, "out"], [logits, "in"]],
        (ptrs) => runRanges("softmaxForward", [...ptrs, N, V], N, 8 * N * V, Math.ceil(4096 / V)),
      );
    },
    attentionForward(out, preatt, att, inp, B, T, C, NH) {
      checkHeads("attentionForward", C, NH);
      checkSizes("attentionForward", {
        out: [out, B * T * C],
        preatt: [preatt, B * NH * T * T],
        att: [att, B * NH * T * T],
        inp: [inp, B * T * 3 * C],
      });
      withBuffers(
        [[out, "out"], [preatt, "out"], [att, "out"], [inp, "in"]],
        (ptrs) =>
          runRanges(
            "attentionForward",
            [...ptrs, B, T, C, NH, ...attentionScratch(T, C / NH)],
            B * NH,
            ATTENTION_MACS * B * T * T * C,
          ),
      );
    },
    attentionBackward(dinp, dpreatt, datt, dout, inp, att, B, T, C, NH) {
      checkHeads("attentionBackward", C, NH);
      checkSizes("attentionBackward", {
        dinp: [dinp, B * T * 3 * C],
        dpreatt: [dpreatt, B * NH * T * T],
        datt: [datt, B * NH * T * T],
        dout: [dout, B * T * C],
        inp: [inp, B * T * 3 * C],
        att: [att, B * NH * T * T],
      });
      withBuffers(
        [
          [dinp, "out"],
          [dpreatt, "out"],
          [datt, "out"],
          [dout, "in"],
          [inp, "in"],
          [att, "in"],
        ],
        (ptrs) =>
          runRanges(
            "attentionBackward",
            [...ptrs, B, T, C, NH, ...attentionScratch(T, C / NH)],
            B * NH,
            2 * ATTENTION_MACS * B * T * T * C,
          ),
      );
    },
    layerNormForward(out, mean, rstd, inp, weight, bias, N, C) {
      checkSizes("layerNormForward", {
        out: [out, N * C],
        mean: [mean, N],
        rstd: [rstd, N],
        inp: [inp, N * C],
        weight: [weight, C],
        bias: [bias, C],
      });
      withBuffers(
        [[out, "out"], [mean, "out"], [rstd, "out"], [inp, "in"], [weight, "in"], [bias, "in"]],
        (ptrs) =>
          runRanges("layerNormForward", [...ptrs, N, C], N, LAYERNORM_MACS * N * C, rowsFor(C)),
      );
    },
    layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C) {
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
      withBuffers(
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
          const partials = arena.alloc(chunks * 2 * C).byteOffset;
          runRanges(
            "layerNormBackward",
            [pdinp, partials, ...rest, N, C, rows],
            chunks,
            LAYERNORM_MACS * N * C,
          );
          wasm.layerNormReduce(pdweight, pdbias, partials, chunks, C);
        },
      );
    },
    encoderForward(out, inp, wte, wpe, B, T, C) {
      const N = B * T;
      checkSizes("encoderForward", { out: [out, N * C], inp: [inp, N] });
      checkTables("encoderForward", inp, N, wte, wpe, T, C);
      withBuffers(
        [[out, "out"], [inp, "in"], [wte, "in"], [wpe, "in"]],
        ([po, pi, pw, pp]) =>
          runRanges(
            "encoderForward",
            [po, pi, pw, pp, B, T, C],
            N,
            STREAM_MACS * N * C,
            rowsFor(C),
          ),
      );
    },
    encoderBackward(dwte, dwpe, dout, inp, B, T, C) {
      const N = B * T;
      checkSizes("encoderBackward", { dout: [dout, N * C], inp: [inp, N] });
      checkTables("encoderBackward", inp, N, dwte, dwpe, T, C);
      withBuffers(
        [[dwte, "out"], [dout, "in"], [inp, "in"], [dwpe, "out"]],
        ([pw, pd, pi, pp]) =>
          runRanges(
            "encoderBackward",
            [pw, pp, pd, pi, B, T, C],
            Math.ceil(C / wasm.ENCODER_CHANNELS.value),
            2 * STREAM_MACS * N * C,
          ),
      );
    },
    geluForward(out, inp, N) {
      checkSizes("geluForward", { out: [out, N], inp: [inp, N] });
      withBuffers(
        [[out, "out"], [inp, "in"]],
        (ptrs) => runRanges("geluForward", [...ptrs, N], Math.ceil(N / 4), GELU_MACS * N, 1024),
      );
    },
    geluBackward(dinp, inp, dout, N) {
      checkSizes("geluBackward", { dinp: [dinp, N], inp: [inp, N], dout: [dout, N] });
      withBuffers(
        [[dinp, "out"], [inp, "in"], [dout, "in"]],
        (ptrs) => runRanges("geluBackward", [...ptrs, N], Math.ceil(N / 4), GELU_MACS * N, 1024),
      );
    },
    crossEntropySoftmaxBackward(dlogits, dlosses, probs, targets, N, V) {
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
      withBuffers(
        [[dlogits, "out"], [dlosses, "in"], [probs, "in"], [targets, "in"]],
        (ptrs) => wasm.crossEntropySoftmaxBackward(...ptrs, N, V),
      );
    },
    residualForward(out, inp1, inp2, N) {
      checkSizes("residualForward", { out: [out, N], inp1: [inp1, N], inp2: [inp2, N] });
      withBuffers(
        [[out, "out"], [inp1, "in"], [inp2, "in"]],
        (ptrs) =>
          runRanges("residualForward", [...ptrs, N], Math.ceil(N / 4), STREAM_MACS * N, 4096),
      );
    },
    residualBackward(dinp1, dinp2, dout, N) {
      checkSizes("residualBackward", { dinp1: [dinp1, N], dinp2: [dinp2, N], dout: [dout, N] });
      withBuffers(
        [[dinp1, "out"], [dinp2, "out"], [dout, "in"]],
        (ptrs) =>
          runRanges("residualBackward", [...ptrs, N], Math.ceil(N / 4), STREAM_MACS * N, 4096),
      );
    },
    zeroFill(x) {
      const N = x.length;
      withBuffers(
        [[x, "out"]],
        (ptrs) => runRanges("zeroFill", [...ptrs, N], Math.ceil(N / 4), STREAM_MACS * N, 1 << 16),
      );
    },
    clipGradNorm(grads, maxNorm) {
      let norm = 0;
      withBuffers([[grads, "out"]], ([pg]) => {
        const n = grads.length, chunks = Math.ceil(n / wasm.SQUARES_CHUNK.value);
        const partials = arena.alloc(2 * chunks);
        runRanges("sumOfSquares", [partials.byteOffset, pg, n], chunks, STREAM_MACS * n);
        const sums = new Float64Array(partials.buffer, partials.byteOffset, chunks);
        norm = Math.sqrt(sums.reduce((a, b) => a + b, 0)); // in chunk order, on any thread count
        if (norm > maxNorm) wasm.scaleInPlace(pg, maxNorm / (norm + 1e-6), grads.length);
      });
      return norm;
    },
    biasBackward(dbias, dout, N, OC) {
      checkSizes("biasBackward", { dbias: [dbias, OC], dout: [dout, N * OC] });
      withBuffers(
        [[dbias, "out"], [dout, "in"]],
        ([pb, pd]) =>
          runRanges(
            "biasBackward",
            [pb, pd, N, OC],
            Math.ceil(OC / wasm.BIAS_CHANNELS.value),
            STREAM_MACS * N * OC,
          ),
      );
    },
    attentionStep(out, q, kv, pos, C, NH, scores) {
      checkHeads("attentionStep", C, NH);
      checkSizes("attentionStep", {
        out: [out, C],
        q: [q, C],
        kv: [kv, (pos + 1) * 2 * C],
        scores: [scores, pos + 1],
      });
      withBuffers(
        [[out, "out"], [q, "in"], [kv, "in"], [scores, "out"]],
        (ptrs) => wasm.attentionStep(ptrs[0], ptrs[1], ptrs[2], pos, C, NH, ptrs[3]),
      );
    },
    adamwStep(params, grads, m, v, t, options, groups) {
      const n = params.length;
      checkSizes("adamwStep", { grads: [grads, n], m: [m, n], v: [v, n] });
      const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
      const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
      withBuffers(
        [[params, "out"], [grads, "in"], [m, "out"], [v, "out"]],
        ([pp, pg, pm, pv]) => {
          const hyper = arena.alloc(7);
          for (const { start, end, weightDecay } of groups) {
            hyper.set([lr, beta1, beta2, eps, c1, c2, lr * weightDecay]);
            const at = start * 4, n = end - start;
            const args = [pp + at, pg + at, pm + at, pv + at, n, hyper.byteOffset];
            runRanges("adamw", args, Math.ceil(n / 4), ADAMW_MACS * n, 4096);
          }
        },
      );
    },
    fmaLoop(iterations) {
      if (!Number.isFinite(wasm.fmaLoop(iterations, 1, 0.999))) {
        throw new Error("fmaLoop diverged.");
      }
      return iterations * wasm.FMA_LOOP_FLOPS.value;
    },
  };
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

/** Starts a worker on the shared memory and resolves once it waits for jobs. */
async function startWorker(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  ctl: number,
  thread: number,
): Promise<Worker> {
  const worker = new Worker(new URL("./worker.ts", import.meta.url));
  const ready = new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  worker.postMessage({ module, memory, ctl, thread });
  await ready;
  worker.unref();
  return worker;
}
