/**
 * A time limit on the student's code inside the lab's own process. Once an exercise passes its
 * sandboxed check, the lab calls the student's function for its later steps (and trains "your
 * GPT" on it); a loop that only inputs outside the check never leave would hang the lab there.
 *
 * JavaScript cannot interrupt a busy thread, so a worker thread keeps the clock: before each call
 * of a guarded function, the main thread writes a deadline into shared memory, and the worker,
 * polling it, prints the student's sentence and ends the process when the deadline passes. Only
 * the student's own time counts: while their code calls back into what the lab handed it (the
 * `ops` table, the model, the random generator), the clock stops, so a composition that drives a
 * long training is limited by its own loop, not by the library's work.
 *
 * Leaves out memory: a student function that allocates without end meets V8's heap limit.
 * @module
 */
import { type Text, tr } from "../i18n.ts";

/** How long one call of the student's code may run on its own, by default. */
export const LAB_CALL_LIMIT_MS = 30_000;

/**
 * The shared clock, two int32: the deadline in ms after the watchdog's start (0 when the student's
 * code is not running), and the index of the sentence of the call that owns it.
 */
const DEADLINE = 0, OWNER = 1;

/** One call on the stack: the student's (with its sentence), or the library's inside it. */
interface Frame {
  owner: number; // index of the sentence, or -1 for the library's code
  spentMs: number;
  resumedAt: number | null;
}

/** A time limit for the student's functions in this process. */
export class Watchdog {
  readonly limitMs: number;
  #clock = new Int32Array(new SharedArrayBuffer(8));
  #origin = Date.now() - 1;
  #worker: Worker | undefined;
  #sentences: string[] = [];
  #frames: Frame[] = [];

  /** A watchdog whose guarded calls may each run `limitMs` of their own time (1 ms to 600 s). */
  constructor(limitMs: number = LAB_CALL_LIMIT_MS) {
    if (!Number.isInteger(limitMs) || limitMs < 1 || limitMs > 600_000) {
      throw new RangeError(`The lab's time limit must be 1 ms to 600 s, not ${limitMs} ms.`);
    }
    this.limitMs = limitMs;
  }

  /**
   * `fn` under the limit: `said` is the sentence printed when a call overruns it. Function
   * arguments, and the methods of object arguments, become the lab's code again, off the clock.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Watchdog } from "./watchdog.ts";
   * const watchdog = new Watchdog(5_000);
   * const twice = watchdog.guard((f: () => number) => 2 * f(), { en: "late", fr: "en retard" });
   * assert.equal(twice(() => 21), 42);
   * watchdog.stop();
   * ```
   */
  guard<F extends (...args: never[]) => unknown>(fn: F, said: Text): F {
    const owner = this.#say(said);
    const run = (args: unknown[]) => fn(...args.map((a) => this.#offClock(a)) as Parameters<F>);
    return ((...args: unknown[]) => this.#timed(owner, () => run(args))) as unknown as F;
  }

  /** Runs `work` (the import of a student's module, whose top level is theirs) under the limit. */
  async within<T>(said: Text, work: () => Promise<T>): Promise<T> {
    const owner = this.#say(said);
    return await this.#timed(owner, work);
  }

  /** Ends the worker; a later guarded call starts it again. */
  stop(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  #say(said: Text): number {
    const owner = this.#sentences.push(tr(said)) - 1;
    this.#worker?.postMessage({ sentences: [this.#sentences[owner]] });
    return owner;
  }

  #start(): void {
    if (this.#worker) return;
    this.#worker = new Worker(new URL("./watchdog_worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.#worker.postMessage({
      clock: this.#clock,
      origin: this.#origin,
      sentences: this.#sentences,
    });
  }

  /** Calls `work` as `owner`'s frame; a promise keeps the frame until it settles. */
  #timed<T>(owner: number, work: () => T): T {
    if (owner >= 0) this.#start();
    const frame = this.#push(owner);
    let result: T;
    try {
      result = work();
    } catch (err) {
      this.#pop(frame);
      throw err;
    }
    if (result instanceof Promise) {
      return result.finally(() => this.#pop(frame)) as T;
    }
    this.#pop(frame);
    return result;
  }

  /** A value the student's code receives, with the lab's functions in it taken off the clock. */
  #offClock(value: unknown): unknown {
    if (typeof value === "function") {
      return (...args: unknown[]) => this.#timed(-1, () => value(...args));
    }
    if (typeof value !== "object" || value === null) return value;
    if (ArrayBuffer.isView(value) || Array.isArray(value) || value instanceof ArrayBuffer) {
      return value;
    }
    const methods = new Map<PropertyKey, unknown>();
    return new Proxy(value, {
      get: (target, key) => {
        const got = Reflect.get(target, key, target);
        if (typeof got !== "function") return got;
        if (!methods.has(key)) {
          methods.set(key, (...args: unknown[]) => this.#timed(-1, () => got.apply(target, args)));
        }
        return methods.get(key);
      },
    });
  }

  #push(owner: number): Frame {
    const now = Date.now();
    const top = this.#frames.at(-1);
    if (top?.resumedAt != null) {
      top.spentMs += now - top.resumedAt;
      top.resumedAt = null;
    }
    const frame = { owner, spentMs: 0, resumedAt: now };
    this.#frames.push(frame);
    this.#publish();
    return frame;
  }

  #pop(frame: Frame): void {
    // Frames of promises may settle out of order; each removes itself.
    const at = this.#frames.lastIndexOf(frame);
    if (at >= 0) this.#frames.splice(at, 1);
    const top = this.#frames.at(-1);
    if (top && top.resumedAt === null) top.resumedAt = Date.now();
    this.#publish();
  }

  #publish(): void {
    const top = this.#frames.at(-1);
    const student = top && top.owner >= 0 && top.resumedAt !== null;
    if (!student) {
      Atomics.store(this.#clock, DEADLINE, 0);
      return;
    }
    // The owner first: the worker reads the deadline, then whose it is.
    Atomics.store(this.#clock, OWNER, top.owner);
    Atomics.store(
      this.#clock,
      DEADLINE,
      Math.max(1, top.resumedAt! + this.limitMs - top.spentMs - this.#origin),
    );
  }
}
