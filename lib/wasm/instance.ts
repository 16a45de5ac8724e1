/**
 * The one module that touches WebAssembly's loading: it builds the kernels if needed,
 * instantiates them on a shared memory (lib/wasm/runtime.ts lays it out), starts the worker
 * thread that shares it, and binds the kernels of lib/wasm/matmul.ts and lib/wasm/layers.ts to
 * that runtime: typed functions on `Float32Array`s with the same signatures as their plain twins
 * in lib/layers (lib/wasm/api.ts). Leaves out rotary positions, which have no kernel yet.
 *
 * Buffers that live in the kernels' memory (made with `arena.alloc`) are passed by pointer with no
 * copy; any other `Float32Array` is copied into a scratch area and back, which is convenient for
 * tests and labs and slow for training loops.
 * @module
 */
import { Worker } from "node:worker_threads";
import { Arena } from "./arena.ts";
import type { KernelFunctions, Kernels, MatmulFn, OnRuntime } from "./api.ts";
import { ensureKernelsBuilt, MEMORY_PAGES, WASM_URL } from "./build.ts";
import { LAYER_KERNELS } from "./layers.ts";
import { MATMUL_KERNELS } from "./matmul.ts";
import { CTL, instantiateOn } from "./protocol.ts";
import { PARALLEL_MIN_MACS, Runtime } from "./runtime.ts";
import type { WorkerSetup } from "./worker.ts";

export { Arena, PARALLEL_MIN_MACS };
export type { Kernels, MatmulFn };

let loading: Promise<Kernels> | undefined;
/** The worker threads started, kept for the process's lifetime. */
const workers: Worker[] = [];

/**
 * Builds (when the sources changed) and instantiates the kernels, once per process, and starts
 * the worker thread. The worker is unref'd: it never keeps a process alive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadKernels } from "./instance.ts";
 * const k = await loadKernels({ quiet: true });
 * const out = new Float32Array(1);
 * k.matmul(out, new Float32Array([2]), new Float32Array([3]), 1, 1, 1);
 * assert.equal(out[0], 6);
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
  const cores = navigator.hardwareConcurrency ?? 1;
  const rt = new Runtime(instantiateOn(module, memory, 0), memory, cores > 1 ? 1 : 0);
  if (rt.maxThreads > 1) {
    workers.push(await startWorker({ module, memory, ctl: rt.ctlPtr, thread: 1 }));
  }
  return {
    ...bind(rt, { ...MATMUL_KERNELS, ...LAYER_KERNELS }),
    memory,
    arena: rt.arena,
    get threads() {
      return rt.threads;
    },
    set threads(n: number) {
      if (!Number.isInteger(n) || n < 1) {
        throw new RangeError(`threads must be a positive integer, not ${n}.`);
      }
      rt.threads = Math.min(n, rt.maxThreads);
    },
    get workerTasks() {
      return Atomics.load(rt.ctl, CTL.workerTasks);
    },
    fmaLoop(iterations) {
      if (!Number.isFinite(rt.wasm.fmaLoop(iterations, 1, 0.999))) {
        throw new Error("fmaLoop diverged.");
      }
      return iterations * rt.wasm.FMA_LOOP_FLOPS.value;
    },
  };
}

/** The kernels bound to one runtime: each takes its twin's arguments. */
function bind(rt: Runtime, kernels: OnRuntime<KernelFunctions>): KernelFunctions {
  const bound: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(kernels)) {
    bound[name] = (...args: unknown[]) =>
      (f as (rt: Runtime, ...a: unknown[]) => unknown)(rt, ...args);
  }
  return bound as unknown as KernelFunctions;
}

/** Starts a worker on the shared memory and resolves once it waits for jobs. */
async function startWorker(setup: WorkerSetup): Promise<Worker> {
  const worker = new Worker(new URL("./worker.ts", import.meta.url));
  const ready = new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  worker.postMessage(setup);
  await ready;
  worker.unref();
  return worker;
}
