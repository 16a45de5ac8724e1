/**
 * `deno task bench train`: training throughput of our GPT (SIMD kernels) beside the same model in
 * PyTorch (lib/bench/torch_gpt.py, 2 threads, OpenMP OpenBLAS), on baby (B = 12 and 32) and mini
 * (B = 32), measured in rounds that alternate the two so that a swing in the machine's load hits
 * both alike; each reports the median over rounds of its median step, and the ratio is the median
 * over rounds of the ratio within each round (ours and PyTorch timed back to back, seconds apart:
 * the machine's speed changes from one stretch of seconds to the next, up to 1.4× for both).
 * Also checks that PyTorch, loading one of our safetensors checkpoints, computes our logits (max
 * abs difference ≤ 1e-4).
 *
 * Leaves out data loading and evaluation: both sides train on one fixed random batch.
 * @module
 */
import { PRESETS } from "../train/presets.ts";
import { fixedBatchStep, torchCase } from "./fixed_step.ts";
import { GPT } from "../model/gpt.ts";
import { loadBackend } from "../wasm/backend.ts";
import { Rng } from "../random.ts";
import { findTorch, INSTALL_TORCH, runTorch, TORCH_ENV } from "../train/pytorch.ts";
import { saveGPT } from "../train/safetensors.ts";
import { paint, table } from "../term.ts";
import { lastJson, median } from "./measure.ts";
import type { BenchOutcome } from "./mod.ts";

const SCRIPT = new URL("./torch_gpt.py", import.meta.url).pathname;
const VOCAB = 65; // tiny shakespeare's characters
/**
 * Rounds per case, ours then PyTorch's in each: short rounds, so that both sides of a round
 * mostly fall in the same stretch of the machine's speed, and many, for a steady median.
 */
const ROUNDS = 11;

/** One configuration to compare, and the throughput targets of the issue. */
interface Case {
  preset: "baby" | "mini";
  batch: number;
  /** Smallest ours/torch ratio that meets the target (0: no target). */
  target: number;
  /** Timed steps per round (after one warmup step). */
  steps: number;
}

const CASES: Case[] = [
  { preset: "baby", batch: 12, target: 1.2, steps: 6 },
  { preset: "baby", batch: 32, target: 1.0, steps: 3 },
  { preset: "mini", batch: 32, target: 0.85, steps: 3 },
];

/** One row of the JSON output. */
export interface TrainRow {
  preset: string;
  batch: number;
  ours_tok_s: number;
  torch_tok_s: number | null;
  ratio: number | null;
  /** Tokens/s of each round, in order: the spread behind the medians. */
  ours_rounds: number[];
  torch_rounds: number[] | null;
}

/** What the torch script's `bench` job answers. */
interface TorchBench {
  tok_s: number;
  threads: number;
  blas: string;
  matmul_gflops: number;
  torch: string;
}

/**
 * Runs the comparison, prints its table and returns the JSON rows and whether the targets held.
 *
 * @example
 * ```ts ignore
 * import { benchTrain } from "./train.ts";
 * const { json } = await benchTrain();
 * ```
 */
export async function benchTrain(): Promise<BenchOutcome> {
  const python = await findTorch();
  if (!python) {
    console.error(paint(
      "yellow",
      "  PyTorch is not importable from python3 or /usr/bin/python3, so ours is measured alone.\n" +
        `  To compare: ${INSTALL_TORCH}`,
    ));
  }
  const ours = CASES.map(() => [] as number[]);
  const torch = CASES.map(() => [] as number[]);
  let info: TorchBench | null = null;
  const runners = await Promise.all(CASES.map(oursRunner));
  const server = python ? new TorchServer(python) : null;
  try {
    await server?.ready();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, c] of CASES.entries()) {
        console.error(`  round ${round + 1}/${ROUNDS}: ${c.preset} B=${c.batch}…`);
        ours[i].push(runners[i]());
        if (server) {
          info = await server.round(c);
          torch[i].push(info.tok_s);
        }
      }
    }
  } finally {
    await server?.close();
  }
  // Each round's ours/torch, the two timed back to back.
  const ratios = CASES.map((_, i) => python ? ours[i].map((x, r) => x / torch[i][r]) : null);
  const rows: TrainRow[] = CASES.map((c, i) => {
    const o = median(ours[i]), t = python ? median(torch[i]) : null;
    return {
      preset: c.preset,
      batch: c.batch,
      ours_tok_s: Math.round(o),
      torch_tok_s: t === null ? null : Math.round(t),
      ratio: ratios[i] === null ? null : Number(median(ratios[i]).toFixed(3)),
      ours_rounds: ours[i].map(Math.round),
      torch_rounds: python ? torch[i].map(Math.round) : null,
    };
  });
  const logitsDiff = python ? await logitsCheck(python) : null;

  const spread = (r: number[]) => `${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}`;
  console.log(table([
    ["preset", "batch", "ours tok/s", "torch tok/s", "ours/torch", "rounds' range", "target"],
    ...rows.map((r, i) => [
      r.preset,
      String(r.batch),
      String(r.ours_tok_s),
      r.torch_tok_s === null ? "–" : String(r.torch_tok_s),
      r.ratio === null ? "–" : `${r.ratio.toFixed(2)}×`,
      ratios[i] === null ? "" : spread(ratios[i]),
      CASES[i].target ? `≥ ${CASES[i].target}×` : "",
    ]),
  ]));
  if (python) {
    console.log(
      `  tok/s: medians over ${ROUNDS} rounds; ours/torch: the median of the ${ROUNDS} rounds' ` +
        "ratios, each round timing ours then PyTorch back to back.",
    );
  }
  if (info) {
    console.log(
      `  torch ${info.torch}, ${info.threads} threads, BLAS ${info.blas}: ` +
        `${info.matmul_gflops.toFixed(1)} GFLOP/s on a 1024³ matmul`,
    );
  }
  if (logitsDiff !== null) {
    console.log(
      `  logits of our checkpoint in PyTorch: max abs difference ${
        logitsDiff.toExponential(2)
      } (≤ 1e-4)`,
    );
  }
  const targetsMet = rows.every((r, i) => r.ratio === null || r.ratio >= CASES[i].target) &&
    (logitsDiff === null || logitsDiff <= 1e-4);
  return {
    json: {
      rows,
      logits_max_abs_diff: logitsDiff,
      rounds: ROUNDS,
      ...(info
        ? { torch_version: info.torch, blas: info.blas, torch_matmul_gflops: info.matmul_gflops }
        : {}),
    },
    targetsMet,
  };
}

/** A function that times one round of our training steps for `c` and returns tokens/s. */
async function oursRunner(c: Case): Promise<() => number> {
  const config = { ...PRESETS[c.preset], vocabSize: VOCAB };
  const model = new GPT(config, 1, await loadBackend("wasm"));
  const B = c.batch, T = config.blockSize;
  const once = fixedBatchStep(model, B);
  // Like the PyTorch side, two steps before any round: they allocate and warm the caches (and
  // here let V8 optimize the TypeScript around the kernels; the first round ran at half speed).
  once();
  once();
  return () => {
    once(); // warmup: the first step of a round may meet cold caches
    const ms: number[] = [];
    for (let i = 0; i < c.steps; i++) {
      const t0 = performance.now();
      once();
      ms.push(performance.now() - t0);
    }
    return (B * T * 1000) / median(ms);
  };
}

/**
 * PyTorch started once (`torch_gpt.py serve`) and asked for one round of a case at a time, so
 * that its rounds interleave with ours without paying Python's start-up in each.
 */
class TorchServer {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<string>;
  #pending = "";

  constructor(python: string) {
    this.#child = new Deno.Command(python, {
      args: [SCRIPT, "serve", "--threads", "2"],
      env: TORCH_ENV,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#reader = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Resolves once Python has imported torch, which takes seconds of CPU that must not overlap a round. */
  async ready(): Promise<void> {
    await this.#line();
  }

  async round(c: Case): Promise<TorchBench> {
    const request = torchCase(c.preset, VOCAB, c.batch, c.steps);
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    return JSON.parse(await this.#line()) as TorchBench;
  }

  async #line(): Promise<string> {
    while (!this.#pending.includes("\n")) {
      const { value, done } = await this.#reader.read();
      if (done) {
        const err = await new Response(this.#child.stderr).text();
        throw new Error(`The PyTorch script failed: ${err.trim().split("\n").pop()}`);
      }
      this.#pending += value;
    }
    const end = this.#pending.indexOf("\n");
    const line = this.#pending.slice(0, end);
    this.#pending = this.#pending.slice(end + 1);
    return line;
  }

  async close(): Promise<void> {
    await this.#writer.close();
    await this.#reader.cancel();
    await this.#child.stderr.cancel();
    await this.#child.status;
  }
}

/**
 * Saves a baby-shaped model with its weights scaled 3× from init, so that its logits spread like a
 * trained char model's (up to ~7), computes its logits on one context, and asks PyTorch for the
 * same: the largest absolute difference. (At 5× attention turns so sharp that float32 rounding
 * alone moves logits by ~5e-4, in our TypeScript twins as much as in the kernels.)
 */
async function logitsCheck(python: string): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-logits-" });
  try {
    const config = { ...PRESETS.baby, vocabSize: VOCAB };
    const model = new GPT(config, 3, await loadBackend("wasm"));
    for (let i = 0; i < model.params.length; i++) model.params[i] *= 3;
    await saveGPT(`${dir}/model.safetensors`, model);
    const rng = new Rng(11);
    const tokens = Array.from({ length: config.blockSize }, () => rng.int(VOCAB));
    model.forward(Int32Array.from(tokens), null, 1, tokens.length);
    const logits = Array.from(model.acts!.logits.subarray(0, tokens.length * VOCAB));
    await Deno.writeTextFile(`${dir}/case.json`, JSON.stringify({ tokens, logits }));
    const answer = lastJson(
      await runTorch(python, [
        SCRIPT,
        "logits",
        "--ckpt",
        dir,
        "--inputs",
        `${dir}/case.json`,
        "--threads",
        "2",
      ]),
    );
    return answer.max_abs_diff as number;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
