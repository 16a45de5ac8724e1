/**
 * The grader's own encoding of the plain data that crosses the sandbox: undefined, null,
 * booleans, numbers, strings, dense arrays, plain objects, maps, sets, typed arrays (bit for bit,
 * so NaN and -0 survive) and the library's seeded `Rng` (by its state). Nothing else can be written, and
 * the decoder reads only that, strictly: every length is checked against the bytes left, nesting
 * is bounded, and anything unexpected throws WireError. Decoding costs time and memory in
 * proportion to the input's size, whatever its content, which is what makes a report from
 * untrusted code safe to read.
 * @module
 */
import { Rng } from "../random.ts";

/** The bytes are not a value this encoding can hold, or the value is not plain data. */
export class WireError extends Error {
  override name = "WireError";
}

const Tag = {
  Undefined: 0,
  Null: 1,
  False: 2,
  True: 3,
  Number: 4,
  String: 5,
  Array: 6,
  Object: 7,
  Typed: 8,
  Rng: 9,
  Map: 10,
  Set: 11,
} as const;

const TYPED = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
] as const;

/** How deeply values may nest. */
const MAX_DEPTH = 64;

/**
 * Encodes `value`; throws WireError for what is not plain data (functions, class instances,
 * cycles, values nested deeper than 64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, encode } from "./wire.ts";
 * const back = decode(encode({ x: new Float32Array([1, -0]), n: NaN }));
 * assert.ok(Number.isNaN((back as { n: number }).n));
 * ```
 */
export function encode(value: unknown): Uint8Array {
  const out = new Writer();
  write(out, value, 0);
  return out.bytes();
}

function write(out: Writer, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new WireError(`values nest deeper than ${MAX_DEPTH}`);
  if (value === undefined) return out.u8(Tag.Undefined);
  if (value === null) return out.u8(Tag.Null);
  if (value === false) return out.u8(Tag.False);
  if (value === true) return out.u8(Tag.True);
  if (typeof value === "number") return out.u8(Tag.Number), out.f64(value);
  if (typeof value === "string") return out.u8(Tag.String), out.text(value);
  if (typeof value !== "object") throw new WireError(`a ${typeof value} is not plain data`);
  const kind = TYPED.findIndex((T) => value instanceof T && value.constructor === T);
  if (kind >= 0) {
    const view = value as Uint8Array;
    out.u8(Tag.Typed), out.u8(kind), out.u32(view.length);
    return out.raw(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
  if (value instanceof Rng && value.constructor === Rng) {
    return out.u8(Tag.Rng), out.f64(value.state);
  }
  if (value instanceof Map && value.constructor === Map) {
    out.u8(Tag.Map), out.u32(value.size);
    for (const [k, v] of value) write(out, k, depth + 1), write(out, v, depth + 1);
    return;
  }
  if (value instanceof Set && value.constructor === Set) {
    out.u8(Tag.Set), out.u32(value.size);
    for (const v of value) write(out, v, depth + 1);
    return;
  }
  if (Array.isArray(value)) {
    out.u8(Tag.Array), out.u32(value.length);
    for (let i = 0; i < value.length; i++) write(out, value[i], depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new WireError(`a ${proto?.constructor?.name ?? "class"} instance is not plain data`);
  }
  const keys = Object.keys(value);
  out.u8(Tag.Object), out.u32(keys.length);
  for (const key of keys) {
    out.text(key);
    write(out, (value as Record<string, unknown>)[key], depth + 1);
  }
}

/**
 * Decodes bytes written by `encode`; throws WireError on anything else, including trailing bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, encode } from "./wire.ts";
 * assert.equal((decode(encode([1, "a"])) as unknown[])[1], "a");
 * ```
 */
export function decode(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  let value: unknown;
  try {
    value = read(reader, 0);
  } catch (err) {
    // TextDecoder's TypeError for bad UTF-8 included.
    throw err instanceof WireError ? err : new WireError((err as Error).message);
  }
  if (reader.at !== bytes.length) throw new WireError("bytes follow the value");
  return value;
}

function read(r: Reader, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new WireError(`values nest deeper than ${MAX_DEPTH}`);
  const tag = r.u8();
  switch (tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Number:
      return r.f64();
    case Tag.String:
      return r.text();
    case Tag.Array: {
      // Every item takes at least one byte: a count beyond the bytes left is a lie.
      const n = r.count(1);
      const items = new Array(n);
      for (let i = 0; i < n; i++) items[i] = read(r, depth + 1);
      return items;
    }
    case Tag.Object: {
      const n = r.count(6);
      const object: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = r.text();
        if (Object.hasOwn(object, key)) throw new WireError(`key ${JSON.stringify(key)} twice`);
        // defineProperty, so that a key named __proto__ stays a plain key.
        Object.defineProperty(object, key, {
          value: read(r, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
    case Tag.Typed: {
      const T = TYPED[r.u8()];
      if (!T) throw new WireError("unknown typed array");
      const n = r.count(T.BYTES_PER_ELEMENT);
      const copy = r.raw(n * T.BYTES_PER_ELEMENT).slice();
      return new T(copy.buffer, 0, n);
    }
    case Tag.Map: {
      const n = r.count(2);
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) map.set(read(r, depth + 1), read(r, depth + 1));
      return map;
    }
    case Tag.Set: {
      const n = r.count(1);
      const set = new Set<unknown>();
      for (let i = 0; i < n; i++) set.add(read(r, depth + 1));
      return set;
    }
    case Tag.Rng: {
      const state = r.f64();
      if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
        throw new WireError("an Rng state that is not a 32-bit integer");
      }
      return new Rng(state);
    }
    default:
      throw new WireError(`unknown tag ${tag}`);
  }
}

class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #at = 0;

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#at + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#at));
    this.#buf = grown;
    this.#view = new DataView(grown.buffer);
  }
  u8(x: number): void {
    this.#room(1);
    this.#buf[this.#at++] = x;
  }
  u32(x: number): void {
    this.#room(4);
    this.#view.setUint32(this.#at, x, true);
    this.#at += 4;
  }
  f64(x: number): void {
    this.#room(8);
    this.#view.setFloat64(this.#at, x, true);
    this.#at += 8;
  }
  raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#at);
    this.#at += bytes.length;
  }
  text(s: string): void {
    const bytes = new TextEncoder().encode(s);
    this.u32(bytes.length);
    this.raw(bytes);
  }
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }
}

class Reader {
  at = 0;
  #view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  #need(n: number): void {
    if (this.at + n > this.buf.length) throw new WireError("the bytes end early");
  }
  u8(): number {
    this.#need(1);
    return this.buf[this.at++];
  }
  u32(): number {
    this.#need(4);
    const x = this.#view.getUint32(this.at, true);
    this.at += 4;
    return x;
  }
  f64(): number {
    this.#need(8);
    const x = this.#view.getFloat64(this.at, true);
    this.at += 8;
    return x;
  }
  /** A count of items that take at least `size` bytes each, checked against the bytes left. */
  count(size: number): number {
    const n = this.u32();
    if (n * size > this.buf.length - this.at) throw new WireError("a count beyond the bytes");
    return n;
  }
  raw(n: number): Uint8Array {
    this.#need(n);
    const bytes = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return bytes;
  }
  text(): string {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(this.raw(this.u32()));
  }
}
