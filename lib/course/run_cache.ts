/**
 * Reusing a lab's training run when nothing it depends on has changed: the run is keyed by a
 * SHA-256 of its inputs (settings, seed, the data itself) and of the library's source, and its
 * result is saved next to its checkpoint with that key. A student who reruns a lab to fix an
 * exercise then waits for the training once, not on every try.
 *
 * The key covers every file of lib/ and kernels/, not only those the run imports: an edit
 * anywhere in the library retrains, which can cost a run but never reuses a stale one.
 * Leaves out the checkpoint itself: the lab loads it, and retrains when it does not load.
 * @module
 */
import { writeFileAtomic } from "../atomic.ts";

const ROOT = new URL("../..", import.meta.url);

/** What a run's key is made of: any JSON-able inputs, and typed arrays as raw bytes. */
export type RunInput = unknown | ArrayBufferView;

/**
 * The SHA-256, in hex, of `inputs` and of the source of lib/ and kernels/.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runKey } from "./run_cache.ts";
 * const a = await runKey([{ steps: 10 }, new Int32Array([1, 2])]);
 * assert.ok(a !== await runKey([{ steps: 11 }, new Int32Array([1, 2])]));
 * ```
 */
export async function runKey(inputs: RunInput[]): Promise<string> {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const input of inputs) {
    parts.push(
      ArrayBuffer.isView(input)
        ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
        : enc.encode(JSON.stringify(input) ?? "undefined"),
    );
  }
  for (const path of await sourceFiles()) {
    parts.push(enc.encode(path), await Deno.readFile(new URL(path, ROOT)));
  }
  // Each part's length goes first, so that moving bytes from one part to the next changes the key.
  const total = parts.reduce((n, p) => n + 8 + p.length, 0);
  const all = new Uint8Array(total);
  const view = new DataView(all.buffer);
  let at = 0;
  for (const p of parts) {
    view.setBigUint64(at, BigInt(p.length));
    all.set(p, at + 8);
    at += 8 + p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The library's source files, relative to the repository, sorted. */
async function sourceFiles(): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && entry.name !== "build") await walk(path);
      else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
    }
  };
  await walk("lib");
  await walk("kernels");
  return files.sort();
}

/**
 * The result saved in `file` under `key`, or undefined when there is none, it is unreadable, or
 * it was saved under another key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadRun, saveRun } from "./run_cache.ts";
 * const file = `${await Deno.makeTempDir()}/run.json`;
 * await saveRun(file, "k1", { loss: 1.5 });
 * assert.equal((await loadRun<{ loss: number }>(file, "k1"))?.loss, 1.5);
 * assert.equal(await loadRun(file, "k2"), undefined);
 * ```
 */
export async function loadRun<R>(file: string, key: string): Promise<R | undefined> {
  try {
    const saved = JSON.parse(await Deno.readTextFile(file));
    return saved?.key === key ? saved.result as R : undefined;
  } catch {
    return undefined; // never saved, or damaged: the run is done again
  }
}

/** Saves `result` under `key` in `file`, atomically. */
export async function saveRun(file: string, key: string, result: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify({ key, result }) + "\n");
}
