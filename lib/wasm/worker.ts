/**
 * The second thread of the kernels: it instantiates the same module on the same shared memory and
 * then loops, taking tasks from whatever job the main thread opens (see lib/wasm/protocol.ts for
 * the protocol). It never allocates in the shared memory and never posts results: the memory is
 * the channel. Leaves out any scheduling: the tasks come from one atomic counter.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { CTL, instantiateOn, rangeKernelsOf, SPIN_BEFORE_WAIT, workOnJob } from "./protocol.ts";

/** What the main thread sends to start a worker (lib/wasm/instance.ts). */
export interface WorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: number; // byte offset of the control words
  thread: number;
}

parentPort?.once("message", (setup: WorkerSetup) => {
  const instance = instantiateOn(setup.module, setup.memory, setup.thread);
  const matmulWork = instance.exports.matmulWork as (job: number, thread: number) => number;
  const ranges = rangeKernelsOf(instance);
  const ctl = new Int32Array(setup.memory.buffer, setup.ctl, CTL.words);
  parentPort!.postMessage("ready");
  let seen = Atomics.load(ctl, CTL.gen);
  for (;;) {
    // Spin a little before sleeping: a training step calls the kernels back to back, and waking
    // from Atomics.wait costs tens of microseconds.
    for (let spins = 0; Atomics.load(ctl, CTL.gen) === seen;) {
      if (++spins > SPIN_BEFORE_WAIT) {
        Atomics.wait(ctl, CTL.gen, seen);
        spins = 0;
      }
    }
    seen = Atomics.load(ctl, CTL.gen);
    Atomics.add(ctl, CTL.active, 1);
    // The job may already be closed (the main thread did every task alone): then skip it.
    try {
      if (Atomics.load(ctl, CTL.open)) {
        Atomics.add(ctl, CTL.workerTasks, workOnJob(matmulWork, ranges, ctl, setup.thread));
      }
    } catch (err) {
      // The main thread cannot receive messages while it waits for us: say it in memory.
      Atomics.store(ctl, CTL.failed, 1);
      console.error(`A kernel failed on the worker thread: ${(err as Error)?.message ?? err}`);
    } finally {
      if (Atomics.sub(ctl, CTL.active, 1) === 1) Atomics.notify(ctl, CTL.active);
    }
  }
});
