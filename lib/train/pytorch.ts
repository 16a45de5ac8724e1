/**
 * Finding and running PyTorch beside us: which python3 imports torch (Debian's python3-torch is
 * often only in /usr/bin/python3), the environment it runs well in (OpenMP OpenBLAS instead of
 * the reference BLAS, two threads), and the programs of `pytorch/` that continue a run or check
 * an exported model.
 * @module
 */

/** Where Debian's OpenMP OpenBLAS lives: torch must load it instead of the reference BLAS. */
export const OPENBLAS_OPENMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

/** The environment torch runs in: OpenMP OpenBLAS, two threads. */
export const TORCH_ENV: Record<string, string> = {
  LD_LIBRARY_PATH: OPENBLAS_OPENMP,
  OMP_NUM_THREADS: "2",
};

/** The PyTorch programs of the project, by name. */
export const PYTORCH_SCRIPTS = {
  /** Continues training an exported HF folder, on one process or under torchrun. */
  train: new URL("../../pytorch/train_gpt2.py", import.meta.url).pathname,
  /** An independent GPT-2 forward over an HF folder, compared with our logits. */
  forward: new URL("../../pytorch/hf_forward.py", import.meta.url).pathname,
};

/** How to install PyTorch where Debian packages are reachable, for one-line hints. */
export const INSTALL_TORCH = "sudo apt-get install python3-torch libopenblas0-openmp";

let found: Promise<string | null> | undefined;

/**
 * The first of python3, /usr/bin/python3 that imports torch, or null; looked up once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findTorch } from "./pytorch.ts";
 * const python = await findTorch(); // null where torch is not installed
 * assert.ok(python === null || python.includes("python3"));
 * ```
 */
export function findTorch(): Promise<string | null> {
  found ??= (async () => {
    for (const python of ["python3", "/usr/bin/python3"]) {
      try {
        const { success } = await new Deno.Command(python, {
          args: ["-c", "import torch"],
          env: { LD_LIBRARY_PATH: OPENBLAS_OPENMP },
          stdout: "null",
          stderr: "null",
        }).output();
        if (success) return python;
      } catch { /* not installed */ }
    }
    return null;
  })();
  return found;
}

/**
 * Runs a program with torch's environment and returns its stdout; a failure is an Error with the
 * last line of its stderr.
 *
 * @example
 * ```ts ignore
 * import { findTorch, PYTORCH_SCRIPTS, runTorch } from "./pytorch.ts";
 * const out = await runTorch((await findTorch())!, [PYTORCH_SCRIPTS.forward, "out/hf", "--inputs", "case.json"]);
 * ```
 */
export async function runTorch(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    env: { ...TORCH_ENV, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n");
    throw new Error(`${command} ${args[0]} failed: ${err.slice(-3).join(" / ")}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * Runs the independent GPT-2 forward of `pytorch/hf_forward.py` on an exported folder and returns
 * the largest difference between its logits and `logits` (ours, (T, V) flattened).
 *
 * @example
 * ```ts ignore
 * import { findTorch, torchLogitsDiff } from "./pytorch.ts";
 * const diff = await torchLogitsDiff((await findTorch())!, "out/hf", [0, 1], logits);
 * ```
 */
export async function torchLogitsDiff(
  python: string,
  folder: string,
  tokens: number[],
  logits: ArrayLike<number>,
): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-logits-" });
  try {
    const inputs = `${dir}/case.json`;
    await Deno.writeTextFile(inputs, JSON.stringify({ tokens, logits: Array.from(logits) }));
    const out = await runTorch(python, [PYTORCH_SCRIPTS.forward, folder, "--inputs", inputs]);
    return JSON.parse(out.trim().split("\n").pop()!).max_abs_diff;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
