/**
 * The second thread of the kernels: it instantiates the same module on the same shared memory and
 * then loops, taking tasks from whatever job the main thread opens (see `lib/wasm/instance.ts` for the
 * protocol). It never allocates in the shared memory and never posts results: the memory is the
 * channel. Leaves out any scheduling: the tasks come from one atomic counter.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { CTL, RANGE_KERNELS, type RangeKernel, SPIN_BEFORE_WAIT, takeRanges } from "./protocol.ts";

interface Setup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: number; // byte offset of the control words
  thread: number;
}

parentPort!.once("message", (setup: Setup) => {
  const instance = new WebAssembly.Instance(setup.module, {
    env: {
      memory: setup.memory,
      abort(_msg: number, _file: number, line: number, column: number) {
        throw new Error(`A kernel aborted at line ${line}:${column}.`);
      },
    },
  });
  (instance.exports.setThread as (t: number) => void)(setup.thread);
  const matmulWork = instance.exports.matmulWork as (job: number, thread: number) => number;
  const ranges = RANGE_KERNELS.map((name) => instance.exports[name] as RangeKernel);
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
        const kind = Atomics.load(ctl, CTL.kind);
        const done = kind === 0
          ? matmulWork(Atomics.load(ctl, CTL.job), setup.thread)
          : takeRanges(ranges[kind - 1], ctl);
        Atomics.add(ctl, CTL.workerTasks, done);
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
