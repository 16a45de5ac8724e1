/**
 * The benchmark suites behind `deno task bench <suite>`, one module per suite, loaded only when
 * asked for. A suite prints its own table (progress goes to stderr) and returns rows that
 * `--json` writes as they are. Leaves out timing helpers, which live in `measure.ts`.
 *
 * Imports: lib/train, lib/wasm, lib/model, lib/layers, lib/tokenizer and the root utilities.
 * @module
 */
import { writeFileAtomic } from "../atomic.ts";

/** What a suite found: the JSON `--json` writes, and whether every target was met. */
export interface BenchOutcome {
  json: unknown;
  targetsMet: boolean;
}

/** One suite: what it measures and how to run it. */
export interface BenchSuite {
  summary: string;
  /** Runs the suite and prints its table. */
  run(): Promise<BenchOutcome>;
}

/** Every suite, by the name given on the command line. */
export const SUITES: Record<string, BenchSuite> = {
  kernels: {
    summary: "matmul, softmax, attention: ours (1 and 2 threads), the twins, tfjs-wasm, the limit",
    async run() {
      const { runKernelsBench } = await import("./kernels.ts");
      return { json: await runKernelsBench(), targetsMet: true };
    },
  },
  train: {
    summary:
      "training tokens/s: ours beside PyTorch (2 threads) on baby and mini, and logits parity",
    async run() {
      const { benchTrain } = await import("./train.ts");
      return await benchTrain();
    },
  },
  profile: {
    summary:
      "a training step's time by layer, forward and backward, on two threads and one, beside PyTorch's",
    async run() {
      const { benchProfile } = await import("./profile.ts");
      return await benchProfile();
    },
  },
  e2e: {
    summary:
      "the run a user runs: train --preset baby (2,000 steps) and mini (100) beside PyTorch's, " +
      "wall time and final val loss",
    async run() {
      const { benchE2e } = await import("./e2e.ts");
      return await benchE2e();
    },
  },
  generate: {
    summary:
      "sampling tokens/s at batch 1 on nano and a GPT-2-small shape, with and without the KV cache",
    async run() {
      const { benchGenerate } = await import("./generate.ts");
      return await benchGenerate();
    },
  },
  tokenizer: {
    summary: "BPE training time to 5,000 tokens and encoding MB/s beside js-tiktoken and tiktoken",
    async run() {
      const { benchTokenizer } = await import("./tokenizer.ts");
      return await benchTokenizer();
    },
  },
};

/**
 * Runs one suite by name and, when `json` is given, writes its results there (folders created).
 * Returns the exit code: 0 when the suite met its targets, 1 when it missed one.
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./mod.ts";
 * await runBench("kernels", "out/bench/kernels.json");
 * ```
 */
export async function runBench(name: string, json?: string): Promise<number> {
  const suite = SUITES[name];
  const { json: rows, targetsMet } = await suite.run();
  if (json) {
    await writeFileAtomic(json, JSON.stringify(rows, null, 2) + "\n");
    console.error(`  Wrote ${json}.`);
  }
  return targetsMet ? 0 : 1;
}
