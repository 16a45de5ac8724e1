/**
 * A hash table from a pair of ids (a, b) to a number, on typed arrays with open addressing:
 * the lookup at the heart of encoding, with no allocation and no boxed keys. Leaves out removal
 * and growth: the tables are built once with a known size.
 * @module
 */

/**
 * Pair → value, for at most `capacity` pairs; ids and values are non-negative 32-bit integers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PairTable } from "./pair_table.ts";
 * const t = new PairTable(4);
 * t.set(104, 105, 0);
 * assert.ok(t.get(104, 105) === 0 && t.get(105, 104) === -1);
 * ```
 */
export class PairTable {
  readonly #a: Int32Array;
  readonly #b: Int32Array;
  readonly #value: Int32Array;
  readonly #mask: number;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.#mask = size - 1;
    this.#a = new Int32Array(size).fill(-1);
    this.#b = new Int32Array(size);
    this.#value = new Int32Array(size);
  }

  /** Stores `value` for (a, b); the table must not be full. */
  set(a: number, b: number, value: number): void {
    let h = hashPair(a, b) & this.#mask;
    while (this.#a[h] !== -1 && !(this.#a[h] === a && this.#b[h] === b)) h = (h + 1) & this.#mask;
    this.#a[h] = a;
    this.#b[h] = b;
    this.#value[h] = value;
  }

  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    let h = hashPair(a, b) & this.#mask;
    for (;;) {
      const ta = this.#a[h];
      if (ta === -1) return -1;
      if (ta === a && this.#b[h] === b) return this.#value[h];
      h = (h + 1) & this.#mask;
    }
  }
}

function hashPair(a: number, b: number): number {
  return Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b);
}
