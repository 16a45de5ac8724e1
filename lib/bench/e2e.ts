/**
 * `deno task bench e2e`: the run a user runs, beside PyTorch's. Ours is `deno task train --preset
 * baby` for its 2,000 steps and `--preset mini` for a fixed 100 steps, with their evaluations,
 * checkpoints and closing sample; PyTorch's is the same model trained the nanoGPT way on the same
 * characters, split, batch, schedule, AdamW, clipping and evaluation cadence
 * (lib/bench/torch_e2e.py, 2 threads). Each run is a child process timed from spawn to exit, so
 * both sides pay their start-up (Deno and the kernels; Python and torch's import). The rounds
 * alternate ours and PyTorch's; each reports medians over its rounds, and the wall-time ratio is
 * the median of the rounds' ratios. After each run, outside its time, the final model is scored
 * on the whole validation split (lib/bench/split_loss.ts; the same windows in Python).
 *
 * `MINIGPT_E2E_ROUNDS=N` sets the rounds of both presets (default: baby 2, mini 1);
 * `MINIGPT_E2E_STEPS=N` trains N steps of each instead, a trial whose targets are not judged.
 * @module
 */
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { corpusProblem, findCorpus, supplyText } from "../train/corpus.ts";
import type { PresetName } from "../train/presets.ts";
import { TRAIN_PRESETS } from "../train/presets.ts";
import { findTorch, INSTALL_TORCH } from "../train/pytorch.ts";
import { formatCount, paint, table } from "../term.ts";
import { loadBackend } from "../wasm/backend.ts";
import { runOurs, type RunResult, runTorchSide } from "./e2e_run.ts";
import { median } from "./measure.ts";
import type { BenchOutcome } from "./mod.ts";

const CORPUS = "tinyshakespeare";

/** The issue's targets: ours' wall time at most this share of PyTorch's, final losses this close. */
const TARGET = { wallRatio: 0.75, valDiff: 0.01 };

/** One preset to run. */
interface Case {
  preset: PresetName;
  steps: number;
  rounds: number;
  /** Whether the targets apply (the full baby run). */
  judged: boolean;
}

/** One row of the JSON output. */
export interface E2ERow {
  preset: string;
  steps: number;
  rounds: number;
  /** Medians over the rounds. */
  ours_wall_s: number;
  torch_wall_s: number | null;
  /** Median over the rounds of ours/PyTorch's wall time, each round's pair run back to back. */
  wall_ratio: number | null;
  ours_tok_s: number;
  torch_tok_s: number | null;
  /** Final models' mean loss over the whole validation split. */
  ours_val_loss: number;
  torch_val_loss: number | null;
  val_windows: number;
  /** Each round's values, in order: the spread behind the medians. */
  ours_rounds: RunResult[];
  torch_rounds: RunResult[] | null;
  targets: { wall_ratio: number; val_diff: number } | null;
}

/**
 * Runs the suite, prints its table and returns the JSON rows and whether the targets held.
 *
 * @example
 * ```ts ignore takes a quarter of an hour
 * import { benchE2e } from "./e2e.ts";
 * const { json } = await benchE2e();
 * ```
 */
export async function benchE2e(): Promise<BenchOutcome> {
  const path = findCorpus(CORPUS);
  const problem = path ? await corpusProblem(CORPUS, path) : supplyText(CORPUS);
  if (!path || problem) {
    // The JSON stays English whatever the language, as a file other programs read.
    console.error(paint("yellow", `  bench e2e is skipped: ${tr(problem!)}`));
    return { json: { skipped: problem!.en }, targetsMet: true };
  }
  const python = await findTorch();
  if (!python) {
    console.error(paint(
      "yellow",
      `  PyTorch is not importable from python3 or /usr/bin/python3, so ours runs alone.\n` +
        `  To compare: ${INSTALL_TORCH}`,
    ));
  }
  const cases = plan();
  await loadBackend("wasm"); // builds the kernels if they are stale, before a run is timed
  const ours = cases.map(() => [] as RunResult[]);
  const torch = cases.map(() => [] as RunResult[]);
  const most = Math.max(...cases.map((c) => c.rounds));
  for (let round = 0; round < most; round++) {
    for (const [i, c] of cases.entries()) {
      if (round >= c.rounds) continue;
      const label = `${c.preset} ${round + 1}/${c.rounds}`;
      const spec = (side: string) => ({
        preset: c.preset,
        steps: c.steps,
        corpusPath: path,
        onLine: (line: string) => console.error(`  ${side} ${label} │ ${line}`),
      });
      // Deno.mainModule is the CLI this suite runs in (main.ts): its `train` is the user's command.
      ours[i].push(await runOurs(Deno.mainModule, spec("ours ")));
      report("ours ", label, ours[i][round]);
      if (python) {
        torch[i].push(await runTorchSide(python, spec("torch")));
        report("torch", label, torch[i][round]);
      }
    }
  }

  const rows = cases.map((c, i): E2ERow => {
    const t = python ? torch[i] : null;
    const of = (runs: RunResult[], key: keyof RunResult) => median(runs.map((r) => r[key]));
    return {
      preset: c.preset,
      steps: c.steps,
      rounds: c.rounds,
      ours_wall_s: fixed(of(ours[i], "wallS"), 1),
      torch_wall_s: t && fixed(of(t, "wallS"), 1),
      wall_ratio: t && fixed(median(ours[i].map((r, k) => r.wallS / t[k].wallS)), 3),
      ours_tok_s: Math.round(of(ours[i], "tokS")),
      torch_tok_s: t && Math.round(of(t, "tokS")),
      ours_val_loss: fixed(of(ours[i], "valLoss"), 4),
      torch_val_loss: t && fixed(of(t, "valLoss"), 4),
      val_windows: ours[i][0].windows,
      ours_rounds: ours[i],
      torch_rounds: t,
      targets: c.judged ? { wall_ratio: TARGET.wallRatio, val_diff: TARGET.valDiff } : null,
    };
  });
  printTable(rows, python !== null);
  const judged = rows.filter((r) => r.targets && r.wall_ratio !== null);
  const met = judged.every((r) =>
    r.wall_ratio! <= r.targets!.wall_ratio &&
    Math.abs(r.ours_val_loss - r.torch_val_loss!) <= r.targets!.val_diff
  );
  if (judged.length) console.log(`  targets ${met ? "met" : "missed"}.`);
  return { json: { rows }, targetsMet: met };
}

/** The presets to run, their steps and rounds, with the environment's overrides. */
function plan(): Case[] {
  const rounds = knob("MINIGPT_E2E_ROUNDS");
  const steps = knob("MINIGPT_E2E_STEPS");
  return [
    {
      preset: "baby",
      steps: steps ?? TRAIN_PRESETS.baby.steps,
      rounds: rounds ?? 2,
      judged: !steps,
    },
    { preset: "mini", steps: steps ?? 100, rounds: rounds ?? 1, judged: false },
  ];
}

/** A positive whole number from the environment, or undefined when unset. */
function knob(name: string): number | undefined {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new UserError(tr({
      en: `${name} must be a positive whole number, not "${raw}".`,
      fr: `${name} doit être un entier positif, pas « ${raw} ».`,
    }));
  }
  return n;
}

function report(side: string, label: string, r: RunResult): void {
  console.error(
    `  ${side} ${label}: ${r.wallS.toFixed(1)} s · ${formatCount(Math.round(r.tokS))} tok/s · ` +
      `val ${r.valLoss.toFixed(4)} over the whole split (the run's estimate ${
        r.lastEstimate.toFixed(4)
      })`,
  );
}

function fixed(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

function printTable(rows: E2ERow[], withTorch: boolean): void {
  const dash = (x: number | null, f: (x: number) => string) => x === null ? "–" : f(x);
  const s = (x: number) => `${x.toFixed(1)} s`;
  console.log(table([
    [
      "run",
      "ours wall",
      "torch wall",
      "ours/torch",
      "ours tok/s",
      "torch tok/s",
      "ours val",
      "torch val",
      "target",
    ],
    ...rows.map((r) => [
      `${r.preset}, ${formatCount(r.steps)} steps ×${r.rounds}`,
      s(r.ours_wall_s),
      dash(r.torch_wall_s, s),
      dash(r.wall_ratio, (x) => `${x.toFixed(2)}×`),
      formatCount(r.ours_tok_s),
      dash(r.torch_tok_s, formatCount),
      r.ours_val_loss.toFixed(4),
      dash(r.torch_val_loss, (x) => x.toFixed(4)),
      r.targets ? `≤ ${r.targets.wall_ratio}×, val ±${r.targets.val_diff}` : "",
    ]),
  ]));
  const windows = rows.map((r) => `${r.preset} ${formatCount(r.val_windows)}`).join(", ");
  console.log(
    "  wall: spawn to exit of `deno task train --preset P` and of the PyTorch run (start-up, " +
      "evaluations and checkpoints included; ours also samples 200 tokens at the end).\n" +
      "  val: the final model's mean loss over every window of the validation split " +
      `(${windows} windows of the context's length), scored after the run.\n` +
      (withTorch
        ? "  medians over the rounds; ours/torch: the median of the rounds' ratios, each round " +
          "running ours then PyTorch's."
        : "  medians over the rounds."),
  );
  if (!rows[0].targets) {
    console.log("  a trial (MINIGPT_E2E_STEPS): the targets are judged on the full baby run only.");
  }
}
