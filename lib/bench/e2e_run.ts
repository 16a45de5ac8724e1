/**
 * One run of each side of `bench e2e`, each a child process timed from its spawn to its exit:
 * ours is `deno task train` itself (the CLI with `train --preset P --out DIR`), PyTorch's is
 * lib/bench/torch_e2e.py's `train` job. After the run, outside its time, both final models are
 * scored on the whole validation split: ours in TypeScript (lib/bench/split_loss.ts), PyTorch's in
 * Python (the `val` job). The children's progress lines are handed on as they come.
 * @module
 */
import { loadCheckpoint } from "../train/checkpoint.ts";
import { TokenDataset } from "../train/dataset.ts";
import type { PresetName } from "../train/presets.ts";
import { PRESETS, TRAIN_PRESETS } from "../train/presets.ts";
import { runTorch, TORCH_ENV } from "../train/pytorch.ts";
import type { Metric } from "../train/trainer.ts";
import { restoreTokenizer } from "../tokenizer/saved.ts";
import { loadBackend } from "../wasm/backend.ts";
import { lastJson, median } from "./measure.ts";
import { splitLoss } from "./split_loss.ts";

/** PyTorch's side of the suite. */
export const TORCH_E2E = new URL("./torch_e2e.py", import.meta.url).pathname;

/** Windows per forward pass when scoring the validation split, on both sides. */
export const EVAL_WINDOWS = 32;

/** A child still running after this long is stopped: nothing waits on a stuck run for ever. */
const RUN_TIMEOUT_MS = 40 * 60_000;

/** One run to time. */
export interface RunSpec {
  preset: PresetName;
  steps: number;
  /** The corpus file: PyTorch reads it, and ours' final model is scored on its split. */
  corpusPath: string;
  /** `--corpus` for ours; none trains on the default corpus, as the user's command does. */
  corpusFlag?: string;
  /** A line of the child's progress (stderr), as it comes. */
  onLine?: (line: string) => void;
}

/** What a run measured. */
export interface RunResult {
  /** Seconds from the child's spawn to its exit. */
  wallS: number;
  /** Median tokens/s of its training steps (batch, forward, backward, clipping, AdamW). */
  tokS: number;
  /** Mean loss of the final model over the whole validation split. */
  valLoss: number;
  /** Windows that loss is over. */
  windows: number;
  /** The run's own last estimate (random validation batches), for reference. */
  lastEstimate: number;
}

/**
 * Times `cli train` (the path or URL of main.ts) on `spec`, then scores its final checkpoint.
 *
 * @example
 * ```ts ignore takes minutes
 * import { runOurs } from "./e2e_run.ts";
 * const r = await runOurs(Deno.mainModule, { preset: "baby", steps: 2000, corpusPath });
 * ```
 */
export async function runOurs(cli: string, spec: RunSpec): Promise<RunResult> {
  const out = await Deno.makeTempDir({ prefix: "minigpt-e2e-ours-" });
  try {
    const args = ["run", "-A", cli, "train", "--preset", spec.preset, "--out", out];
    if (spec.steps !== TRAIN_PRESETS[spec.preset].steps) args.push("--steps", String(spec.steps));
    if (spec.corpusFlag) args.push("--corpus", spec.corpusFlag);
    const { wallS } = await timedChild(Deno.execPath(), args, {}, spec.onLine);
    const metrics: Metric[] = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n")
      .map((line) => JSON.parse(line));
    const steps = metrics.flatMap((m) => m.kind === "train" ? [m.tokPerSec] : []);
    const evals = metrics.flatMap((m) => m.kind === "eval" ? [m.valLoss] : []);
    const backend = await loadBackend("wasm");
    const mark = backend.kernels!.arena.mark();
    try {
      const ckpt = await loadCheckpoint(`${out}/latest`, backend);
      // The run's own tokenizer and cut, so that the split is the one it validated on.
      const tokenizer = restoreTokenizer(ckpt.tokenizer, `${out}/latest`);
      const ids = Int32Array.from(tokenizer.encode(await Deno.readTextFile(spec.corpusPath)));
      const { loss, windows } = splitLoss(ckpt.model, new TokenDataset(ids, 0.1).val, EVAL_WINDOWS);
      return {
        wallS,
        tokS: median(steps),
        valLoss: loss,
        windows,
        lastEstimate: evals[evals.length - 1],
      };
    } finally {
      backend.kernels!.arena.release(mark);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/**
 * Times torch_e2e.py's `train` on `spec` with our preset's shape and settings, then scores its
 * final weights with the `val` job.
 *
 * @example
 * ```ts ignore takes minutes
 * import { runTorchSide } from "./e2e_run.ts";
 * const r = await runTorchSide("/usr/bin/python3", { preset: "baby", steps: 2000, corpusPath });
 * ```
 */
export async function runTorchSide(python: string, spec: RunSpec): Promise<RunResult> {
  const out = await Deno.makeTempDir({ prefix: "minigpt-e2e-torch-" });
  try {
    const config = { ...PRESETS[spec.preset], ...TRAIN_PRESETS[spec.preset], steps: spec.steps };
    const { wallS, stdout } = await timedChild(
      python,
      [
        TORCH_E2E,
        "train",
        "--corpus",
        spec.corpusPath,
        "--config",
        JSON.stringify(config),
        "--out",
        out,
        "--threads",
        "2",
      ],
      TORCH_ENV,
      spec.onLine,
    );
    const run = lastJson(stdout) as { tok_s: number; evals: { val: number }[] };
    const scored = lastJson(
      await runTorch(
        python,
        [
          TORCH_E2E,
          "val",
          "--corpus",
          spec.corpusPath,
          "--ckpt",
          `${out}/final`,
          "--batch",
          String(EVAL_WINDOWS),
          "--threads",
          "2",
        ],
        {},
        RUN_TIMEOUT_MS,
      ),
    ) as { val_loss: number; windows: number };
    return {
      wallS,
      tokS: run.tok_s,
      valLoss: scored.val_loss,
      windows: scored.windows,
      lastEstimate: run.evals[run.evals.length - 1].val,
    };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/**
 * Runs `command` to its end, handing each line of its stderr to `onLine` as it comes, and returns
 * its wall time and stdout; a failure, or a run past {@link RUN_TIMEOUT_MS} (stopped then), is an
 * Error with the last lines of its stderr.
 */
async function timedChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  onLine: (line: string) => void = () => {},
): Promise<{ wallS: number; stdout: string }> {
  const signal = AbortSignal.timeout(RUN_TIMEOUT_MS);
  const t0 = performance.now();
  const child = new Deno.Command(command, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const tail: string[] = [];
  const lines = (async () => {
    let pending = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      for (let end; (end = pending.search(/[\r\n]/)) >= 0; pending = pending.slice(end + 1)) {
        const line = pending.slice(0, end).trim();
        if (!line) continue;
        onLine(line);
        tail.push(line);
        if (tail.length > 3) tail.shift();
      }
    }
    if (pending.trim()) tail.push(pending.trim());
  })();
  const status = await child.status;
  const wallS = (performance.now() - t0) / 1000;
  await lines;
  const text = await stdout;
  if (!status.success) {
    const why = signal.aborted
      ? `did not finish in ${RUN_TIMEOUT_MS / 60_000} min and was stopped`
      : "failed";
    throw new Error(`${command} ${args.slice(0, 4).join(" ")} ${why}: ${tail.join(" / ")}`);
  }
  return { wallS, stdout: text };
}
