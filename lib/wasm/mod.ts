/**
 * The WebAssembly kernels, loaded and driven: build.ts compiles `kernels/` (AssemblyScript) when
 * its sources change; instance.ts instantiates them on a shared memory with arena.ts's allocator
 * and starts the worker thread (worker.ts, speaking protocol.ts); api.ts types the kernels from
 * their twins in lib/layers; backend.ts is the one place that says which implementation fills the
 * model's `LayerOps` table: the twins, the kernels, or functions given by the caller.
 *
 * instance.ts binds the kernels to a runtime (runtime.ts: the memory map, the threads, the
 * copies), the products in matmul.ts and the other layers in layers.ts.
 *
 * Imports: lib/model, lib/layers and the root utilities.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadKernels } from "./mod.ts";
 * const k = await loadKernels({ quiet: true });
 * const out = new Float32Array(1);
 * k.geluForward(out, new Float32Array([0]), 1);
 * assert.equal(out[0], 0);
 * ```
 * @module
 */
export * from "./api.ts";
export * from "./arena.ts";
export * from "./backend.ts";
export * from "./build.ts";
export * from "./instance.ts";
export * from "./layers.ts";
export * from "./matmul.ts";
export * from "./protocol.ts";
export * from "./runtime.ts";
