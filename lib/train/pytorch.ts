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
          // An import that hangs counts as no torch rather than a wait without end.
          signal: AbortSignal.timeout(TORCH_TIMEOUT_MS),
        }).output();
        if (success) return python;
      } catch { /* not installed */ }
    }
    return null;
  })();
  return found;
}

/** How long {@link runTorch} lets a program run before it stops it (default 120 s). */
export const TORCH_TIMEOUT_MS = 120_000;

/**
 * Runs a program with torch's environment and returns its stdout; a failure is an Error with the
 * last line of its stderr. A program still running after `timeoutMs` (a torchrun process stuck
 * in its process group, say) is killed and the Error says so, so that nothing waits on it forever.
 *
 * @example
 * ```ts ignore needs torch
 * import { findTorch, PYTORCH_SCRIPTS, runTorch } from "./pytorch.ts";
 * const out = await runTorch((await findTorch())!, [PYTORCH_SCRIPTS.forward, "out/hf", "--inputs", "case.json"]);
 * ```
 */
export async function runTorch(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs: number = TORCH_TIMEOUT_MS,
): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    env: { ...TORCH_ENV, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(child.stderr).text();
  const status = await within(child.status, timeoutMs, null);
  if (!status) {
    // SIGTERM first: torchrun passes it on to its workers; SIGKILL if that is not enough.
    child.kill("SIGTERM");
    if (!(await within(child.status, 5_000, null))) child.kill("SIGKILL");
    const last = (await within(stderr, 2_000, "")).trim().split("\n").slice(-3).join(" / ");
    throw new Error(
      `${command} ${args[0]} did not finish in ${timeoutMs / 1000} s and was stopped${
        last ? `: ${last}` : ""
      }`,
    );
  }
  const [out, err] = await Promise.all([stdout, stderr]);
  if (!status.success) {
    throw new Error(
      `${command} ${args[0]} failed: ${err.trim().split("\n").slice(-3).join(" / ")}`,
    );
  }
  return out;
}

/** `promise`'s value, or `fallback` once `ms` have passed without one. */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
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
