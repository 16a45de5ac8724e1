/**
 * The benchmark suites behind `deno task bench <suite>`, one module per suite, loaded only when
 * asked for. A suite prints its own table (progress goes to stderr) and returns rows that
 * `--json` writes as they are. Leaves out timing helpers, which live in `measure.ts`.
 * @module
 */

/** One suite: what it measures and how to run it. */
export interface BenchSuite {
  summary: string;
  /** Runs the suite, prints its table and returns its JSON rows. */
  run(): Promise<unknown[]>;
}

/** Every suite, by the name given on the command line. */
export const SUITES: Record<string, BenchSuite> = {
  kernels: {
    summary: "matmul, softmax, attention: ours (1 and 2 threads), the twins, tfjs-wasm, the limit",
    async run() {
      const { runKernelsBench } = await import("./kernels.ts");
      return await runKernelsBench();
    },
  },
};

/**
 * Runs one suite by name and, when `json` is given, writes its rows there (folders created).
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./mod.ts";
 * await runBench("kernels", "out/bench/kernels.json");
 * ```
 */
export async function runBench(name: string, json?: string): Promise<void> {
  const suite = SUITES[name];
  const rows = await suite.run();
  if (json) {
    const dir = json.includes("/") ? json.slice(0, json.lastIndexOf("/")) : ".";
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(json, JSON.stringify(rows, null, 2) + "\n");
    console.error(`  Wrote ${json}.`);
  }
}
