/**
 * The one module that touches WebAssembly: it builds the kernels if needed, instantiates them on a
 * shared memory, and exposes them as typed functions on `Float32Array`s.
 *
 * Buffers that live in the kernels' memory (made with `arena.alloc`) are passed by pointer with no
 * copy; any other `Float32Array` is copied into a scratch area and back, which is convenient for
 * tests and labs and slow for training loops.
 * @module
 */
import { ensureKernelsBuilt, MEMORY_PAGES, WASM_URL } from "./kernels_build.ts";

interface KernelExports {
  matmul(out: number, a: number, b: number, M: number, K: number, N: number): void;
  heapBase(): number;
}

const ALIGN = 64; // cache-line aligned buffers keep SIMD loads from straddling lines

/**
 * A bump allocator over the kernels' memory. Views stay valid when the memory grows, because the
 * memory is shared (a growing SharedArrayBuffer never detaches its views).
 */
export class Arena {
  readonly #memory: WebAssembly.Memory;
  readonly #base: number;
  #top: number;
  readonly #owned = new WeakSet<Float32Array>();

  constructor(memory: WebAssembly.Memory, base: number) {
    this.#memory = memory;
    this.#base = Math.ceil(base / ALIGN) * ALIGN;
    this.#top = this.#base;
  }

  /** A zeroed `Float32Array` of `n` floats inside the kernels' memory. */
  alloc(n: number): Float32Array {
    const bytes = Math.ceil((n * 4) / ALIGN) * ALIGN;
    const end = this.#top + bytes;
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / 65536));
    const view = new Float32Array(this.#memory.buffer, this.#top, n);
    view.fill(0);
    this.#top = end;
    this.#owned.add(view);
    return view;
  }

  /** True when `view` was allocated here, so a kernel can use it in place. */
  owns(view: Float32Array): boolean {
    return this.#owned.has(view);
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

/** The compiled kernels, as typed functions. */
export interface Kernels {
  /** The shared memory every kernel reads and writes. */
  readonly memory: WebAssembly.Memory;
  /** Allocator for buffers the kernels use without copying. */
  readonly arena: Arena;
  /** out (M, N) = a (M, K) · b (K, N), row-major; see `lib/matmul.ts` for the plain twin. */
  matmul(
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
    M: number,
    K: number,
    N: number,
  ): void;
}

let loading: Promise<Kernels> | undefined;

/**
 * Builds (when the sources changed) and instantiates the kernels, once per process.
 *
 * @example
 * ```ts
 * import { loadKernels } from "./kernels.ts";
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
  const { instance } = await WebAssembly.instantiate(await Deno.readFile(WASM_URL), {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, column: number) {
        throw new Error(`A kernel aborted at line ${line}:${column}.`);
      },
    },
  });
  const wasm = instance.exports as unknown as KernelExports;
  const arena = new Arena(memory, wasm.heapBase());

  /** Pointers for `inputs` (copied in when not arena-owned) and a way to copy `out` back. */
  function withPointers(
    out: Float32Array,
    inputs: Float32Array[],
    run: (outPtr: number, ptrs: number[]) => void,
  ): void {
    const mark = arena.mark();
    try {
      const ptrs = inputs.map((x) => {
        if (arena.owns(x)) return x.byteOffset;
        const copy = arena.alloc(x.length);
        copy.set(x);
        return copy.byteOffset;
      });
      if (arena.owns(out)) {
        run(out.byteOffset, ptrs);
      } else {
        const tmp = arena.alloc(out.length);
        run(tmp.byteOffset, ptrs);
        out.set(tmp);
      }
    } finally {
      arena.release(mark);
    }
  }

  return {
    memory,
    arena,
    matmul(out, a, b, M, K, N) {
      checkSize("matmul", "out", out, M * N);
      checkSize("matmul", "a", a, M * K);
      checkSize("matmul", "b", b, K * N);
      withPointers(out, [a, b], (o, [pa, pb]) => wasm.matmul(o, pa, pb, M, K, N));
    },
  };
}

function checkSize(kernel: string, name: string, x: Float32Array, want: number): void {
  if (x.length < want) {
    throw new RangeError(
      `${kernel}: ${name} holds ${x.length} floats but the shape needs ${want}.`,
    );
  }
}
