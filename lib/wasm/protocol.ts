/**
 * The control words the main thread and the kernel workers share, as indices into an Int32Array
 * over the shared memory. One job at a time:
 * - main: writes the job, sets `open`, bumps `gen` and notifies; works on the job itself; clears
 *   `open`; waits until `active` is 0, so no worker still reads the job when it returns.
 * - worker: sees `gen` change, increments `active`, works on the job only if `open` is still set
 *   (its tasks come from the job's own atomic counter), decrements `active` and notifies.
 * Sequentially consistent atomics make the `open`/`active` handshake safe in both orders.
 * A worker whose kernel throws sets `failed` (the main thread, blocked, cannot get messages).
 * `workerTasks` counts the tasks and chunks the worker has done, to show that it takes part.
 *
 * A job is either a matmul (`kind` 0: the task counter lives in the job at `job`, see
 * kernels/matmul.ts) or a range job (`kind` ≥ 1): a kernel from RANGE_KERNELS called with the
 * `nargs` words at `args` and then (first, last), over chunks of 0..total taken from `next`.
 *
 * Both sides set up an instance and work on a job with the same two functions, `instantiateOn`
 * and `workOnJob`: the worker (lib/wasm/worker.ts) and the main thread (lib/wasm/runtime.ts).
 * @module
 */

/** Indices of the control words. */
export const CTL = {
  gen: 0,
  open: 1,
  active: 2,
  job: 3,
  kind: 4,
  next: 5,
  total: 6,
  chunk: 7,
  nargs: 8,
  failed: 9,
  workerTasks: 10,
  args: 11,
  words: 24,
} as const;

/** Kernels that take (…args, first, last) and can split their work anywhere; kind = index + 1. */
export const RANGE_KERNELS = [
  "attentionForward",
  "attentionBackward",
  "softmaxForward",
  "geluForward",
  "geluBackward",
  "residualForward",
  "residualBackward",
  "zeroFill",
  "matvecTransB",
  "adamw",
  "layerNormForward",
  "layerNormBackward",
  "encoderForward",
  "encoderBackward",
  "sumOfSquares",
] as const;

/** A kernel over the half-open range first..last of its work items. */
export type RangeKernel = (...args: number[]) => void;

/** Atomic loads a waiting thread spins through before it sleeps in `Atomics.wait` (~50 µs). */
export const SPIN_BEFORE_WAIT = 20_000;

/**
 * Takes chunks of the open range job until none is left, on whichever thread calls it, and
 * returns how many it took.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CTL, takeRanges } from "./protocol.ts";
 * const ctl = new Int32Array(CTL.words);
 * ctl[CTL.total] = 10, ctl[CTL.chunk] = 4;
 * const seen: number[][] = [];
 * takeRanges((first, last) => seen.push([first, last]), ctl);
 * assert.ok(seen.length === 3 && seen[2][1] === 10);
 * ```
 */
export function takeRanges(kernel: RangeKernel, ctl: Int32Array): number {
  const args = Array.from(ctl.subarray(CTL.args, CTL.args + ctl[CTL.nargs]));
  const total = ctl[CTL.total], chunk = ctl[CTL.chunk];
  let taken = 0;
  for (let first; (first = Atomics.add(ctl, CTL.next, chunk)) < total; taken++) {
    kernel(...args, first, Math.min(total, first + chunk));
  }
  return taken;
}

/**
 * Instantiates the kernels' module on the shared memory for one thread (0 is the main thread),
 * with the imports every instance needs.
 */
export function instantiateOn(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  thread: number,
): WebAssembly.Instance {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, column: number) {
        throw new Error(`A kernel aborted at line ${line}:${column}.`);
      },
    },
  });
  (instance.exports.setThread as (t: number) => void)(thread);
  return instance;
}

/** The range kernels of an instance, in RANGE_KERNELS order (kind − 1). */
export function rangeKernelsOf(instance: WebAssembly.Instance): RangeKernel[] {
  return RANGE_KERNELS.map((name) => instance.exports[name] as RangeKernel);
}

/**
 * Works on the open job on this thread until no task is left: a matmul's tasks (`kind` 0) or a
 * range job's chunks. Returns how many it did.
 */
export function workOnJob(
  matmulWork: (job: number, thread: number) => number,
  ranges: RangeKernel[],
  ctl: Int32Array,
  thread: number,
): number {
  const kind = Atomics.load(ctl, CTL.kind);
  return kind === 0
    ? matmulWork(Atomics.load(ctl, CTL.job), thread)
    : takeRanges(ranges[kind - 1], ctl);
}
