/**
 * `deno task bench kernels`: the SIMD matmul against its TypeScript twin, TensorFlow.js's
 * WebAssembly backend and the machine's 128-bit SIMD limit, all measured in the same run,
 * interleaved. Matmul rows are GFLOP/s of out (M, N) = a (M, K) · b (K, N); softmax and
 * attention rows come from `attention.ts`.
 *
 * The twin is timed on the first rows of a only (enough for ~40 MFLOP): its speed per row does
 * not depend on M, and the full products would take minutes. Leaves out the transposed forms,
 * which run the same microkernel and differ only in packing.
 * @module
 */
import { loadKernels, PARALLEL_MIN_MACS } from "../wasm/instance.ts";
import { matmul as matmulTwin } from "../layers/matmul.ts";
import { Rng } from "../random.ts";
import { paint, table } from "../term.ts";
import { benchSoftmaxAttention, type OpRow } from "./attention.ts";
import { medianTimes } from "./measure.ts";
import { loadTfjsWasm } from "./tfjs.ts";

/** The shapes (M, K, N) of the issue: GPT training products at batch·context 4096, and two more. */
export const MATMUL_SHAPES: [number, number, number][] = [
  [4096, 256, 768],
  [4096, 256, 256],
  [4096, 1024, 256],
  [4096, 256, 1024],
  [4096, 256, 5000],
  [1024, 1024, 1024],
  [128, 256, 256],
];

/** One row of the JSON output, in GFLOP/s. */
export interface MatmulRow {
  shape: [number, number, number];
  ours_1t: number;
  ours_2t: number;
  twin: number;
  tfjs: number;
  limit_1t: number;
}

const TWIN_FLOPS = 40e6;
/** How long the interleaved matmul rounds run, in all. */
const SECONDS = 40;

/** Rows of a the twin is timed on: enough for TWIN_FLOPS. */
function twinRows(M: number, K: number, N: number): number {
  return Math.max(1, Math.min(M, Math.round(TWIN_FLOPS / (2 * K * N))));
}
const FMA_ITERATIONS = 1 << 21; // ~4 ms at 45 GFLOP/s: short enough to sit between the others

/**
 * Measures every matmul shape, then softmax and attention (lib/bench/attention.ts), printing a
 * table for each; returns the rows for the JSON file, matmul rows first.
 *
 * @example
 * ```ts ignore
 * import { runKernelsBench } from "./kernels.ts";
 * const rows = await runKernelsBench();
 * console.log(rows[0].ours_2t / rows[0].tfjs);
 * ```
 */
export async function runKernelsBench(): Promise<(MatmulRow | OpRow)[]> {
  const k = await loadKernels();
  const tf = await loadTfjsWasm();
  const loadBefore = Deno.loadavg()[0];
  const workerBefore = k.workerTasks;
  const rng = new Rng(1);
  const rows: MatmulRow[] = [];
  const fmaFlops = k.fmaLoop(FMA_ITERATIONS);
  const saved = k.threads;
  const marks = k.arena.mark();
  const tensors: ReturnType<typeof tf.tensor2d>[] = [];
  try {
    // Every shape's contenders go into one interleaved list: the machine's slow spells, which
    // last seconds, then fall on all shapes alike instead of on whichever one was being timed.
    const contenders = MATMUL_SHAPES.flatMap(([M, K, N], i) => {
      const a = k.arena.alloc(M * K), b = k.arena.alloc(K * N), out = k.arena.alloc(M * N);
      a.set(rng.normalArray(M * K));
      b.set(rng.normalArray(K * N));
      const ta = tf.tensor2d(a, [M, K]), tb = tf.tensor2d(b, [K, N]);
      tensors.push(ta, tb);
      const twinOut = new Float32Array(twinRows(M, K, N) * N);
      return [
        { name: `${i} ours_1t`, run: () => withThreads(1, () => k.matmul(out, a, b, M, K, N)) },
        { name: `${i} ours_2t`, run: () => withThreads(2, () => k.matmul(out, a, b, M, K, N)) },
        { name: `${i} twin`, run: () => matmulTwin(twinOut, a, b, twinRows(M, K, N), K, N) },
        // The WebAssembly backend computes inside matMul; reading the result back would only
        // add a copy that our side does not make.
        { name: `${i} tfjs`, run: () => tf.matMul(ta, tb).dispose() },
        { name: `${i} limit_1t`, run: () => k.fmaLoop(FMA_ITERATIONS) },
      ];
    });
    console.error(`  ${MATMUL_SHAPES.length} matmul shapes, interleaved, for about ${SECONDS} s…`);
    const ms = medianTimes(contenders, { minRounds: 7, maxRounds: 100, seconds: SECONDS });
    for (const [i, [M, K, N]] of MATMUL_SHAPES.entries()) {
      const gflops = (flops: number, name: string) => round(flops / ms[`${i} ${name}`] / 1e6);
      const flops = 2 * M * K * N;
      rows.push({
        shape: [M, K, N],
        ours_1t: gflops(flops, "ours_1t"),
        ours_2t: gflops(flops, "ours_2t"),
        twin: gflops(2 * twinRows(M, K, N) * K * N, "twin"),
        tfjs: gflops(flops, "tfjs"),
        limit_1t: gflops(fmaFlops, "limit_1t"),
      });
    }
  } finally {
    k.threads = saved;
    tf.dispose(tensors);
    k.arena.release(marks);
  }
  printTable(rows, loadBefore, Deno.loadavg()[0], k.workerTasks - workerBefore);
  return [...rows, ...benchSoftmaxAttention(k, tf)];

  function withThreads(n: number, run: () => void): void {
    k.threads = n;
    run();
  }
}

function printTable(
  rows: MatmulRow[],
  loadBefore: number,
  loadAfter: number,
  workerTasks: number,
): void {
  console.log(`\n${paint("bold", "matmul A·B, GFLOP/s (medians of interleaved rounds)")}`);
  console.log(table([
    ["M×K×N", "ours 1t", "ours 2t", "twin", "tfjs-wasm", "limit 1t", "2t/tfjs", "1t/limit"],
    ...rows.map((r) => [
      r.shape.join("×"),
      r.ours_1t,
      r.ours_2t,
      r.twin,
      r.tfjs,
      r.limit_1t,
      `${(r.ours_2t / r.tfjs).toFixed(2)}×`,
      `${Math.round((100 * r.ours_1t) / r.limit_1t)}%`,
    ]),
  ]));
  console.log(
    "\n  Targets: 2t/tfjs ≥ 2.00× and 1t/limit ≥ 75% on the large shapes (all but 128×256×256).",
  );
  // Other processes on the machine take cores away from the second thread first.
  console.log(
    `  Load average (1 min) of the machine: ${loadBefore.toFixed(1)} before, ${
      loadAfter.toFixed(1)
    } after, for ${navigator.hardwareConcurrency} cores.`,
  );
  const alone = rows.filter(({ shape: [M, K, N] }) => M * K * N < PARALLEL_MIN_MACS);
  if (alone.length) {
    console.log(
      `  Products under ${PARALLEL_MIN_MACS} multiply-adds stay on one thread, so the 2t column of ` +
        `${alone.map((r) => r.shape.join("×")).join(", ")} is a second 1t sample.`,
    );
  }
  console.log(`  The worker thread took ${workerTasks} tasks during the two-thread rounds.`);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
