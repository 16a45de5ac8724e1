/**
 * `deno task bench profile`: where a training step's time goes, layer by layer, on the kernels,
 * beside PyTorch's profile of the same model (lib/bench/torch_profile.py, `torch.profiler`), for
 * baby (B = 12 and 32) and mini (B = 32). Every entry of the model's layer table is timed on its
 * way through (the table is the one seam every call crosses), so a row is one layer of the
 * block, named by its weights, forward and backward apart, plus the optimizer, the zeroing and
 * the TypeScript between the calls. The same steps run once more on one thread: a row's
 * 1-to-2-thread speed-up, and the step's idle share of the second core, 1 − t₁ / (2·t₂), say where
 * the threads wait.
 *
 * Leaves out data loading and evaluation (one fixed random batch), like `bench train`.
 * @module
 */
import { PRESETS } from "../train/presets.ts";
import { fixedBatchStep, torchCase } from "./fixed_step.ts";
import { GPT } from "../model/gpt.ts";
import type { LayerOps } from "../model/ops.ts";
import { loadBackend } from "../wasm/backend.ts";
import type { Kernels } from "../wasm/api.ts";
import { findTorch, runTorch } from "../train/pytorch.ts";
import { lastJson } from "./measure.ts";
import { table } from "../term.ts";
import type { BenchOutcome } from "./mod.ts";

const SCRIPT = new URL("./torch_profile.py", import.meta.url).pathname;
const VOCAB = 65;
/** Profiled steps per case and thread count, after warm-up steps; the rows are the median step's. */
const STEPS = 9;

/** A model and batch to profile. */
export interface Case {
  preset: "baby" | "mini";
  batch: number;
}

const CASES: Case[] = [
  { preset: "baby", batch: 12 },
  { preset: "baby", batch: 32 },
  { preset: "mini", batch: 32 },
];

/** One row: a layer (or the optimizer, the zeroing, the glue) and its time in the median step. */
export interface ProfileRow {
  name: string;
  forward_ms: number;
  backward_ms: number;
  /** Of the two-thread step. */
  share: number;
  /** Time on one thread over time on two. */
  speedup: number;
  /** For a product: its multiply-adds ×2 over its time on two threads; else null. */
  gflops: number | null;
}

/** One case's profile: ours, and PyTorch's top operators. */
export interface ProfileCase {
  preset: string;
  batch: number;
  step_ms: number;
  step_ms_one_thread: number;
  /** 1 − t₁ / (2·t₂) over the whole step. */
  idle_share: number;
  /** The two cores' 128-bit FMA limit (twice one thread's, measured by kernels/fma_peak.ts). */
  fma_limit_gflops: number;
  /**
   * The step's products at that limit, every other layer free: the fastest step these kernels
   * could reach, and its ratio to PyTorch's step.
   */
  bound_ms: number;
  bound_ratio: number | null;
  rows: ProfileRow[];
  torch: TorchProfile | null;
}

/** What torch_profile.py answers for one case. */
export interface TorchProfile {
  step_ms: number;
  ops: { name: string; ms: number; share: number }[];
}

/** Per step: milliseconds by row name and direction, and a product's flops. */
type Row = [forward: number, backward: number, flops: number];
type Times = Map<string, Row>;

/** A linear layer's flops: 2·N·C·OC forward; backward twice that (dinp and dweight). */
function linearFlops(op: string, args: unknown[]): number {
  if (op === "linearForward") {
    return 2 * (args[4] as number) * (args[5] as number) * (args[6] as number);
  }
  if (op === "linearBackward") {
    return 4 * (args[6] as number) * (args[7] as number) * (args[8] as number);
  }
  return 0;
}

/** One thread's 128-bit FMA limit in GFLOP/s: the best of five timed runs of its loop. */
function fmaGflops(k: Kernels): number {
  let best = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const flops = k.fmaLoop(1 << 21);
    best = Math.max(best, flops / (performance.now() - t0) / 1e6);
  }
  return best;
}

/**
 * Profiles every case, prints the tables and returns the JSON. No targets: it informs.
 *
 * @example
 * ```ts ignore runs minutes
 * import { benchProfile } from "./profile.ts";
 * const { json } = await benchProfile();
 * ```
 */
export async function benchProfile(): Promise<BenchOutcome> {
  const python = await findTorch();
  const cases: ProfileCase[] = [];
  for (const c of CASES) {
    console.error(`  profiling ${c.preset} B=${c.batch}…`);
    const ours = await profileOurs(c);
    const torch = python ? await profileTorch(python, c) : null;
    const bound_ratio = torch ? torch.step_ms / ours.bound_ms : null;
    cases.push({ preset: c.preset, batch: c.batch, ...ours, bound_ratio, torch });
  }
  for (const p of cases) printCase(p);
  return { json: { steps: STEPS, cases }, targetsMet: true };
}

/** The name of a row for a layer call: the weights it uses, without the layer's index (a row sums the L layers). */
function rowNamer(model: GPT): (op: string, args: unknown[]) => string {
  const names = new Map<number, string>();
  for (const [name, view] of Object.entries(model.p.byName)) {
    names.set(view.byteOffset, name.replace(/^(transformer\.)?(h\.\d+\.)?|\.weight$/g, ""));
  }
  names.set(model.p.wte.byteOffset, "wte / lm_head");
  const weightArg: Partial<Record<string, number>> = {
    layerNormForward: 4,
    layerNormBackward: 5,
    linearForward: 2,
    linearBackward: 5,
  };
  return (op, args) => {
    const i = weightArg[op];
    if (i === undefined) return op.replace(/(Forward|Backward)$/, "");
    return names.get((args[i] as Float32Array).byteOffset) ?? op;
  };
}

/**
 * Profiles our training step for one case: the rows of the median of {@link STEPS} steps on two
 * threads, and of the median step on one thread.
 *
 * @example
 * ```ts ignore runs seconds
 * import { profileOurs } from "./profile.ts";
 * const { rows } = await profileOurs({ preset: "baby", batch: 12 });
 * ```
 */
export async function profileOurs(
  c: Case,
  steps = STEPS,
): Promise<Omit<ProfileCase, "preset" | "batch" | "torch" | "bound_ratio">> {
  const config = { ...PRESETS[c.preset], vocabSize: VOCAB };
  const backend = await loadBackend("wasm");
  const times: Times = new Map();
  let namer: (op: string, args: unknown[]) => string = (op) => op;
  const timed: Partial<LayerOps> = {};
  for (const [op, f] of Object.entries(backend.ops) as [string, (...a: unknown[]) => unknown][]) {
    const dir = op.endsWith("Backward") || op === "zeroFill" ? 1 : 0;
    (timed as Record<string, unknown>)[op] = (...args: unknown[]) => {
      const t0 = performance.now();
      const out = f(...args);
      const name = op === "zeroFill"
        ? ((args[0] as Float32Array).length === model.grads.length ? "zero grads" : "zero dacts")
        : op === "clipGradNorm" || op === "adamwStep"
        ? "optimizer"
        : namer(op, args);
      const row = times.get(name) ?? [0, 0, 0];
      row[dir] += performance.now() - t0;
      row[2] += linearFlops(op, args);
      times.set(name, row);
      return out;
    };
  }
  const model = new GPT(config, 1, { alloc: backend.alloc, ops: timed });
  namer = rowNamer(model);
  const once = fixedBatchStep(model, c.batch);
  // The median step (by its total) of `steps`, whose rows then add up to it exactly.
  const profile = (threads: number) => {
    backend.kernels!.threads = threads;
    for (let i = 0; i < 3; i++) once();
    const perStep: { total: number; times: Times }[] = [];
    for (let i = 0; i < steps; i++) {
      times.clear();
      const t0 = performance.now();
      once();
      const total = performance.now() - t0;
      // A copy of each row: the live ones go on counting whatever runs next.
      perStep.push({ total, times: new Map([...times].map(([k, v]) => [k, [...v] as Row])) });
    }
    perStep.sort((a, b) => a.total - b.total);
    const mid = perStep[(perStep.length - 1) >> 1];
    const glue = mid.total - [...mid.times.values()].reduce((s, r) => s + r[0] + r[1], 0);
    mid.times.set("between calls", [0, Math.max(0, glue), 0]);
    return mid;
  };
  const two = profile(2);
  const one = profile(1);
  backend.kernels!.threads = 2;
  const rows: ProfileRow[] = [...two.times].map(([name, [f2, b2, flops]]) => {
    const [f1, b1] = one.times.get(name) ?? [0, 0];
    return {
      name,
      forward_ms: f2,
      backward_ms: b2,
      share: (f2 + b2) / two.total,
      speedup: name === "between calls" ? NaN : (f1 + b1) / (f2 + b2),
      gflops: flops ? flops / (f2 + b2) / 1e6 : null,
    };
  });
  const fmaLimit = 2 * fmaGflops(backend.kernels!);
  const productFlops = [...two.times.values()].reduce((s, r) => s + r[2], 0);
  rows.sort((a, b) => b.share - a.share);
  return {
    step_ms: two.total,
    step_ms_one_thread: one.total,
    idle_share: 1 - one.total / (2 * two.total),
    fma_limit_gflops: fmaLimit,
    bound_ms: productFlops / fmaLimit / 1e6,
    rows,
  };
}

/**
 * PyTorch's profile of the same step (lib/bench/torch_profile.py): its unprofiled step time and
 * its operators' self CPU time per step.
 *
 * @example
 * ```ts ignore needs PyTorch
 * import { profileTorch } from "./profile.ts";
 * const { ops } = await profileTorch("/usr/bin/python3", { preset: "baby", batch: 12 });
 * ```
 */
export async function profileTorch(python: string, c: Case, steps = STEPS): Promise<TorchProfile> {
  const request = torchCase(c.preset, VOCAB, c.batch, steps);
  const answer = await runTorch(python, [SCRIPT, JSON.stringify(request), "--threads", "2"]);
  return lastJson(answer) as unknown as TorchProfile;
}

const ms = (x: number) => x === 0 ? "" : x.toFixed(2);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function printCase(p: ProfileCase): void {
  console.log(
    `\n${p.preset} B=${p.batch}: a step takes ${p.step_ms.toFixed(1)} ms on two threads, ` +
      `${p.step_ms_one_thread.toFixed(1)} ms on one; the second core idles ${
        pct(p.idle_share)
      } of the step.`,
  );
  console.log(table([
    ["ours", "forward ms", "backward ms", "share", "2 threads", "GFLOP/s"],
    ...p.rows.map((r) => [
      r.name,
      ms(r.forward_ms),
      ms(r.backward_ms),
      pct(r.share),
      Number.isNaN(r.speedup) ? "" : `${r.speedup.toFixed(2)}×`,
      r.gflops === null ? "" : r.gflops.toFixed(0),
    ]),
  ]));
  console.log(
    `  The products alone, at the two cores' 128-bit FMA limit (${
      p.fma_limit_gflops.toFixed(0)
    } GFLOP/s) with every other layer free, would take ${p.bound_ms.toFixed(1)} ms` +
      (p.bound_ratio === null
        ? "."
        : `: at best ${p.bound_ratio.toFixed(2)}× PyTorch's step on these kernels.`),
  );
  if (!p.torch) return;
  console.log(
    `  PyTorch: a step takes ${p.torch.step_ms.toFixed(1)} ms unprofiled; its operators ` +
      "under torch.profiler (self CPU time per step):",
  );
  console.log(table([
    ["PyTorch", "ms", "share"],
    ...p.torch.ops.map((o) => [o.name, o.ms.toFixed(2), pct(o.share)]),
  ]));
}
