/**
 * Zeroing a buffer: every backward pass starts from zero gradients, because each layer adds its
 * share into them. A layer op like the others so that the fast backend can use the engine's
 * memset on its own memory.
 * @module
 */

/**
 * x = 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zeroFill } from "./fill.ts";
 * const x = new Float32Array([1, 2]);
 * zeroFill(x);
 * assert.ok(x[0] === 0 && x[1] === 0);
 * ```
 */
export function zeroFill(x: Float32Array): void {
  x.fill(0);
}
