/**
 * TensorFlow.js with its WebAssembly backend, the peer the kernels are measured against. Loaded
 * offline: its .wasm files are read from the npm package's own directory, never fetched. Under
 * Deno it runs on one thread (no cross-origin isolation, so no threaded build).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** The tfjs-core namespace, type only, for callers that hold the loaded library. */
export type Tf = typeof tf;

/**
 * Selects the WebAssembly backend (SIMD build) and returns tfjs-core.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTfjsWasm } from "./tfjs.ts";
 * const tf = await loadTfjsWasm();
 * assert.equal(tf.getBackend(), "wasm");
 * ```
 */
export async function loadTfjsWasm(): Promise<Tf> {
  if (tf.getBackend() === "wasm") return tf;
  const dir = new URL("./", import.meta.resolve("@tensorflow/tfjs-backend-wasm"));
  setWasmPaths(dir.pathname);
  if (!await tf.setBackend("wasm")) {
    throw new Error(`TensorFlow.js could not start its WebAssembly backend from ${dir.pathname}.`);
  }
  return tf;
}
