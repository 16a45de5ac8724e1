/**
 * The arena: float buffers carved out of the kernels' shared WebAssembly memory, so the kernels
 * read and write them in place. A bump allocator with mark/release, nothing more: no free list,
 * no per-buffer free.
 * @module
 */

const ALIGN = 64; // cache-line aligned buffers keep SIMD loads from straddling lines

/**
 * Rounds a byte count or offset up to the arena's alignment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alignUp } from "./arena.ts";
 * assert.equal(alignUp(1), 64);
 * ```
 */
export function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/**
 * A bump allocator over the kernels' memory (get one from `loadKernels().arena`). Views stay valid when the memory grows, because the
 * memory is shared (a growing SharedArrayBuffer never detaches its views).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Arena } from "./arena.ts";
 * const arena = new Arena(new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true }), 0);
 * const mark = arena.mark();
 * const x = arena.alloc(3);
 * assert.ok(arena.owns(x) && x.byteOffset % 64 === 0);
 * arena.release(mark);
 * ```
 */
export class Arena {
  readonly #memory: WebAssembly.Memory;
  readonly #base: number;
  #top: number;
  /**
   * The memory's buffer objects so far (growing a shared memory gives a new one), so that any view
   * of it, allocated here or a subarray of such, is recognised as in place.
   */
  readonly #buffers = new WeakSet<ArrayBufferLike>();

  constructor(memory: WebAssembly.Memory, base: number) {
    this.#memory = memory;
    this.#base = alignUp(base);
    this.#top = this.#base;
  }

  /** A zeroed `Float32Array` of `n` floats inside the kernels' memory. */
  alloc(n: number): Float32Array {
    const end = this.#top + alignUp(n * 4);
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / 65536));
    const view = new Float32Array(this.#memory.buffer, this.#top, n);
    view.fill(0);
    this.#top = end;
    this.#buffers.add(view.buffer);
    return view;
  }

  /** True when `view` lies in the kernels' memory past the arena's base, so a kernel can use it in place. */
  owns(view: Float32Array): boolean {
    return this.#buffers.has(view.buffer) && view.byteOffset >= this.#base;
  }

  /** Where the next allocation will start; pass it to `release` to free everything after it. */
  mark(): number {
    return this.#top;
  }

  /** Frees every allocation made after `mark` (views made since then must not be used again). */
  release(mark: number): void {
    this.#top = Math.max(this.#base, mark);
  }
}
