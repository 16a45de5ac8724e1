/**
 * The kernels' runtime on the main thread: the instance's exports, the memory map, the arena, and
 * the three ways a kernel runs — `run` (a range kernel over 0..total, on both threads when its
 * cost makes that pay), `runParallel` (the job in the control words, this thread and the worker),
 * and `withBuffers` (pointers for `Float32Array`s, copying those that live outside the arena).
 * The kernels themselves (lib/wasm/matmul.ts, lib/wasm/layers.ts) are functions of a Runtime.
 *
 * Memory map, from the module's heap base: control words and the job description, per-thread
 * scratch (a packed block of A), the packed-B scratch, then the arena.
 * @module
 */
import { alignUp, Arena } from "./arena.ts";
import {
  CTL,
  RANGE_KERNELS,
  type RangeKernel,
  rangeKernelsOf,
  SPIN_BEFORE_WAIT,
  workOnJob,
} from "./protocol.ts";

/** The module's own exports that the TypeScript side calls directly (the rest are range kernels). */
export interface KernelExports {
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
    sums: number,
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
  ENCODER_CHANNELS: WebAssembly.Global;
  scaleInPlace(x: number, alpha: number, N: number): void;
  heapBase(): number;
}

/** Floats of packed B per job: a wider product is cut into column blocks that fit (16 MiB). */
export const PACK_B_FLOATS = 1 << 22;
/** Most threads the kernels use; the machines this lab targets have two cores. */
export const MAX_THREADS = 2;
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
 * import assert from "node:assert/strict";
 * import { PARALLEL_MIN_MACS } from "./runtime.ts";
 * assert.ok(32 * 32 * 32 < PARALLEL_MIN_MACS); // runs on one thread
 * ```
 */
export const PARALLEL_MIN_MACS = 1 << 18;

/** Passes that only stream memory (residual sums, zeroing) go to two threads from 64k floats. */
export const STREAM_MACS = 4;

/** A buffer a kernel reads ("in") or writes ("out"), or null for an absent one (a bias). */
export type KernelBuffer = [Float32Array | Int32Array | null, "in" | "out"];

/** One instance of the kernels on its shared memory, with the worker threads that share it. */
export class Runtime {
  readonly wasm: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  /** The control words (lib/wasm/protocol.ts). */
  readonly ctl: Int32Array;
  readonly jobPtr: number;
  readonly packAPtr: number;
  readonly packBPtr: number;
  /** Threads that can take part: this one and the workers started for it. */
  readonly maxThreads: number;
  /** Threads the kernels use now, 1 ≤ threads ≤ maxThreads. */
  threads: number;
  readonly #ranges: RangeKernel[];

  /** Lays out the memory map from the module's heap base and grows the memory to hold it. */
  constructor(instance: WebAssembly.Instance, memory: WebAssembly.Memory, workers: number) {
    this.wasm = instance.exports as unknown as KernelExports;
    this.memory = memory;
    const ctlPtr = alignUp(this.wasm.heapBase());
    this.jobPtr = ctlPtr + alignUp(CTL.words * 4);
    this.packAPtr = this.jobPtr + alignUp(this.wasm.JOB_BYTES.value);
    this.packBPtr = this.packAPtr + alignUp(this.wasm.THREAD_SCRATCH.value * 4) * MAX_THREADS;
    this.arena = new Arena(memory, this.packBPtr + PACK_B_FLOATS * 4);
    memory.grow(Math.max(0, Math.ceil((this.arena.mark() - memory.buffer.byteLength) / 65536)));
    this.ctl = new Int32Array(memory.buffer, ctlPtr, CTL.words);
    this.ctl[CTL.job] = this.jobPtr; // the one matmul job description, rewritten for every product
    this.maxThreads = Math.min(MAX_THREADS, 1 + workers);
    this.threads = this.maxThreads;
    this.#ranges = rangeKernelsOf(instance);
  }

  /** Byte offset of the control words, for the workers. */
  get ctlPtr(): number {
    return this.ctl.byteOffset;
  }

  /**
   * Opens the job described in the control words, works on it on this thread with the worker
   * joining if it is awake, and returns once no thread still touches it.
   */
  runParallel(kind: number): void {
    const ctl = this.ctl;
    Atomics.store(ctl, CTL.kind, kind);
    Atomics.store(ctl, CTL.open, 1);
    Atomics.add(ctl, CTL.gen, 1);
    Atomics.notify(ctl, CTL.gen);
    workOnJob(this.wasm.matmulWork, this.#ranges, ctl, 0);
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
  run(
    name: typeof RANGE_KERNELS[number],
    args: number[],
    total: number,
    macs: number,
    chunk = 1,
  ): void {
    const kind = RANGE_KERNELS.indexOf(name) + 1;
    if (this.threads === 1 || total < 2 || macs < PARALLEL_MIN_MACS) {
      return this.#ranges[kind - 1](...args, 0, total);
    }
    const ctl = this.ctl;
    ctl.set(args, CTL.args);
    ctl[CTL.nargs] = args.length;
    ctl[CTL.total] = total;
    ctl[CTL.chunk] = chunk;
    ctl[CTL.next] = 0;
    this.runParallel(kind);
  }

  /**
   * Pointers for `buffers`: arena-owned ones as they are, others copied into the arena first
   * and, unless "in", back afterwards (whole, so values a kernel leaves alone survive); 0 for a
   * null buffer (an absent bias or position table). Int32 arrays (token ids) are read-only and
   * copied bit for bit into arena floats. Scratch that `run` takes from the arena is released
   * with the copies.
   */
  withBuffers(buffers: KernelBuffer[], run: (ptrs: number[]) => void): void {
    const arena = this.arena, mark = arena.mark();
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
}
