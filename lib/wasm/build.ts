/**
 * Builds `kernels/*.ts` (AssemblyScript) into `kernels/build/kernels.wasm` when the sources,
 * the compiler flags or the compiler version changed. Labs, tests and the bench call
 * `ensureKernelsBuilt` first, so a fresh clone never needs a separate build step.
 *
 * The build output is never edited by hand and never committed.
 * @module
 */
import { writeFileAtomic } from "../atomic.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { formatDecimal } from "../term.ts";

const KERNEL_DIR = new URL("../../kernels/", import.meta.url);
const BUILD_DIR = new URL("build/", KERNEL_DIR);
/** Where the compiled module lives. */
export const WASM_URL: URL = new URL("kernels.wasm", BUILD_DIR);
const STAMP_URL = new URL("kernels.stamp", BUILD_DIR);

/** Initial and maximum pages (64 KiB each) of the shared memory the module imports. */
export const MEMORY_PAGES = { initial: 64, maximum: 65536 } as const;

const ASC_VERSION = "0.28.20";
const ASC_FLAGS = [
  "-O3",
  "--noAssert",
  "--runtime",
  "stub",
  "--enable",
  "simd",
  "--enable",
  "relaxed-simd",
  "--enable",
  "threads",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  String(MEMORY_PAGES.initial),
  "--maximumMemory",
  String(MEMORY_PAGES.maximum),
];

async function sourceFingerprint(): Promise<string> {
  const names: string[] = [];
  for await (const e of Deno.readDir(KERNEL_DIR)) {
    if (e.isFile && e.name.endsWith(".ts")) names.push(e.name);
  }
  names.sort();
  const enc = new TextEncoder();
  const parts = [ASC_VERSION, ...ASC_FLAGS];
  for (const n of names) parts.push(n, await Deno.readTextFile(new URL(n, KERNEL_DIR)));
  const digest = await crypto.subtle.digest("SHA-256", enc.encode(parts.join("\0")));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readStamp(): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(STAMP_URL)).trim();
  } catch {
    return undefined;
  }
}

/** Result of {@link ensureKernelsBuilt}. */
export interface BuildResult {
  /** True when this call compiled the module; false when the build was up to date. */
  built: boolean;
  /** Milliseconds spent compiling (0 when up to date). */
  ms: number;
}

/**
 * Compiles the kernels unless `kernels/build/` already holds a build of the current sources.
 *
 * @example
 * ```ts
 * import { ensureKernelsBuilt } from "./build.ts";
 * import assert from "node:assert/strict";
 * const { built } = await ensureKernelsBuilt({ quiet: true });
 * assert.equal((await ensureKernelsBuilt({ quiet: true })).built, false); // built once, then up to date
 * console.log(built ? "compiled" : "up to date");
 * ```
 */
export async function ensureKernelsBuilt(
  options: { quiet?: boolean; force?: boolean } = {},
): Promise<BuildResult> {
  const fingerprint = await sourceFingerprint();
  if (!options.force && await readStamp() === fingerprint) {
    try {
      await Deno.stat(WASM_URL);
      return { built: false, ms: 0 };
    } catch { /* stamp without module: rebuild */ }
  }
  const t0 = performance.now();
  if (!options.quiet) {
    console.error(tr({
      en: "Building the kernels (AssemblyScript → WebAssembly SIMD)…",
      fr: "Compilation des noyaux (AssemblyScript → WebAssembly SIMD)…",
    }));
  }
  // Loaded only when a build is needed: the compiler is large and most runs never touch it.
  const { default: asc } = await import("assemblyscript/dist/asc.js");
  let wasm: Uint8Array | undefined;
  const stderr: string[] = [];
  const entry = new URL("index.ts", KERNEL_DIR).pathname;
  const { error } = await asc.main(
    [entry, ...ASC_FLAGS, "--outFile", "kernels.wasm"],
    {
      writeFile(name: string, contents: Uint8Array | string) {
        if (name.endsWith(".wasm") && contents instanceof Uint8Array) wasm = contents;
      },
      stderr: {
        write(s: string | Uint8Array) {
          stderr.push(typeof s === "string" ? s : new TextDecoder().decode(s));
          return true;
        },
      },
      stdout: { write: () => true },
    } as Parameters<typeof asc.main>[1],
  );
  if (error || !wasm) {
    throw new UserError(
      tr({
        en: `The kernels in kernels/ did not compile; fix the AssemblyScript error below and ` +
          `run again.\n${stderr.join("")}`,
        fr:
          `Les noyaux de kernels/ ne compilent pas ; corrige l'erreur AssemblyScript ci-dessous ` +
          `et relance.\n${stderr.join("")}`,
      }),
      1,
    );
  }
  await Deno.mkdir(BUILD_DIR, { recursive: true });
  await writeFileAtomic(WASM_URL.pathname, wasm);
  await writeFileAtomic(STAMP_URL.pathname, fingerprint + "\n");
  const ms = performance.now() - t0;
  const seconds = formatDecimal(ms / 1000, 1);
  if (!options.quiet) {
    console.error(tr({
      en: `Kernels built in ${seconds} s.`,
      fr: `Noyaux compilés en ${seconds} s.`,
    }));
  }
  return { built: true, ms };
}
