/**
 * Your GPT: the model, its training loop and its generation loop, filled with the student's own
 * functions wherever their exercise passes and with lib/'s elsewhere. It says which of the
 * student's functions pass; their entries of the model's table go in through lib/wasm/backend.ts's
 * `loadBackend("ts", { own })`, the one place that fills that table, and the training loop's and
 * the generation loop's parts are handed to those loops.
 *
 * Student code is loaded and checked through lib/course/exercise.ts's `checkStudent`, or any
 * function with its signature (`options.check`), so that a sandboxed loader can take its place.
 * @module
 */
import { type AnyFunction, type CheckResult, checkStudent, type Exercise } from "./exercise.ts";
import type { GPT, ModelOps } from "../model/gpt.ts";
import type { generateTokens, SampleParts } from "../model/generation_loop.ts";
import type { LoopParts, trainLoop } from "../train/loop.ts";
import type { StudentCode } from "../train/run_train.ts";
import { type Text, tr } from "../i18n.ts";

/**
 * The exercises that make up your GPT, by what they fill; each one's symbol is the name of its
 * entry. The small layers with no exercise (linear forward, GELU, the residual add, softmax and
 * the cross-entropy forward) stay lib/'s.
 */
export const YOUR_GPT_PARTS = {
  /** Entries of the model's table (lib/model/gpt.ts's ModelOps). */
  model: [
    "02.1",
    "02.3",
    "04.1",
    "04.2",
    "06.1",
    "06.2",
    "06.3",
    "06.4",
    "07.1",
    "07.2",
    "07.3",
    "07.4",
  ],
  /** The training loop (09.4) and the parts it calls. */
  training: ["09.1", "09.2", "09.3", "09.4"],
  /** The generation loop (10.4) and the filters it calls. */
  generation: ["10.1", "10.2", "10.3", "10.4"],
} as const;

/** A group of {@link YOUR_GPT_PARTS}. */
export type PartGroup = keyof typeof YOUR_GPT_PARTS;

/** Your GPT, ready to build and run. */
export interface YourGPT {
  /** The student's entries of the model's table: `loadBackend("ts", { own: ops })`. */
  ops: Partial<ModelOps>;
  /** The training loop and the schedule, clipping and AdamW it calls. */
  trainLoop: typeof trainLoop;
  loopParts: LoopParts;
  /** The generation loop and its filters. */
  generateTokens: typeof generateTokens;
  sampleParts: SampleParts;
  /** The parts that are the student's, and those still lib/'s. */
  yours: Exercise[];
  library: Exercise[];
}

/** Options of {@link yourGPT}. */
export interface YourGPTOptions {
  /** Where the student's files are (default: this repository). */
  root?: string;
  /** Use lib/'s every part (a lab's `--reference`). */
  reference?: boolean;
  /** How a student's exercise is loaded and checked (default `checkStudent`; a lab's own check). */
  check?: (exercise: Exercise, root?: string) => Promise<CheckResult & { impl?: unknown }>;
}

/**
 * Your GPT from the `groups` of parts: each is the student's when their exercise passes its
 * check, lib/'s otherwise (not started, or failing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { describeYourGPT, yourGPT } from "./your_gpt.ts";
 * const mine = await yourGPT(CATALOG, ["model"], { reference: true });
 * assert.ok(describeYourGPT(mine).en.startsWith("your GPT: 0 of 12 parts are yours"));
 * ```
 */
export async function yourGPT(
  catalog: Exercise[],
  groups: PartGroup[],
  options: YourGPTOptions = {},
): Promise<YourGPT> {
  const check = options.check ?? checkStudent;
  const table: Record<string, AnyFunction> = {};
  const yours: Exercise[] = [], library: Exercise[] = [];
  for (const group of Object.keys(YOUR_GPT_PARTS) as PartGroup[]) {
    for (const id of YOUR_GPT_PARTS[group]) {
      const exercise = catalog.find((e) => e.id === id);
      if (!exercise) throw new Error(`The catalog has no exercise ${id}, a part of your GPT.`);
      table[exercise.symbol] = exercise.reference;
      // Only the groups asked for are looked at; the others stay lib/'s without a word.
      if (!groups.includes(group)) continue;
      const result = options.reference ? undefined : await check(exercise, options.root);
      const mine = result?.status === "pass" ? result.impl as AnyFunction | undefined : undefined;
      if (mine) table[exercise.symbol] = mine;
      (mine ? yours : library).push(exercise);
    }
  }
  const get = <F>(symbol: string) => table[symbol] as F;
  return {
    ops: Object.fromEntries(
      yours.filter((e) => (YOUR_GPT_PARTS.model as readonly string[]).includes(e.id))
        .map((e) => [e.symbol, table[e.symbol]]),
    ) as Partial<ModelOps>,
    trainLoop: get("trainLoop"),
    loopParts: {
      learningRate: get("learningRate"),
      clipGradNorm: get("clipGradNorm"),
      adamwStep: get("adamwStep"),
    },
    generateTokens: get("generateTokens"),
    sampleParts: {
      softmaxWithTemperature: get("softmaxWithTemperature"),
      topKFilter: get("topKFilter"),
      topPFilter: get("topPFilter"),
    },
    yours,
    library,
  };
}

/**
 * Everything of your GPT, for `deno task train --mine` and `sample --mine`, with the line that
 * names whose parts it runs.
 *
 * @example
 * ```ts
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { studentCode } from "./your_gpt.ts";
 * console.log((await studentCode(CATALOG, { reference: true })).summary);
 * ```
 */
export async function studentCode(
  catalog: Exercise[],
  options: YourGPTOptions = {},
): Promise<StudentCode> {
  const mine = await yourGPT(catalog, ["model", "training", "generation"], options);
  return { ...mine, summary: tr(describeYourGPT(mine)) };
}

/**
 * One line saying whose parts your GPT runs: "your GPT: 14 of 20 parts are yours: … still the
 * library's: …".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeYourGPT } from "./your_gpt.ts";
 * const e = { id: "06.1", symbol: "layerNormForward" } as never;
 * assert.ok(describeYourGPT({ yours: [e], library: [] } as never).fr.includes("1 partie sur 1"));
 * ```
 */
export function describeYourGPT(mine: Pick<YourGPT, "yours" | "library">): Text {
  const name = (e: Exercise) => `${e.symbol} (${e.id})`;
  const n = mine.yours.length, total = n + mine.library.length;
  const yours = n ? `: ${mine.yours.map(name).join(", ")}` : "";
  const library = mine.library.map(name).join(", ");
  return {
    en: `your GPT: ${n} of ${total} parts are yours${yours}` +
      (library ? `; still the library's: ${library}` : ""),
    fr: `ton GPT : ${n} partie${n > 1 ? "s" : ""} sur ${total} ${n > 1 ? "sont" : "est"} à toi` +
      (n ? ` : ${mine.yours.map(name).join(", ")}` : "") +
      (library ? ` ; encore celles de la bibliothèque : ${library}` : ""),
  };
}

/** The largest differences between two models' outputs on one batch. */
export interface ModelDifference {
  logits: number;
  loss: number;
  /** Over every parameter's gradient; `worst` names the tensor where it is. */
  grads: number;
  worst: string;
}

/**
 * Runs `a` and `b` (same config, same weights) forward and backward on one batch and returns how
 * far apart their logits, losses and gradients are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { compareModels } from "./your_gpt.ts";
 * const config = { vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 };
 * const ids = new Int32Array([1, 2, 3, 4]);
 * const d = compareModels(new GPT(config, 0), new GPT(config, 0), ids, ids, 1, 4);
 * assert.ok(d.logits === 0 && d.grads === 0);
 * ```
 */
export function compareModels(
  a: GPT,
  b: GPT,
  inputs: Int32Array,
  targets: Int32Array,
  B: number,
  T: number,
): ModelDifference {
  const run = (m: GPT) => {
    const loss = m.forward(inputs, targets, B, T)!;
    m.zeroGrad();
    m.backward();
    return { loss, logits: m.acts!.logits };
  };
  const x = run(a), y = run(b);
  let grads = 0, worst = "";
  for (const [name, view] of Object.entries(a.g.byName)) {
    const d = maxAbsDiff(view, b.g.byName[name]);
    if (d >= grads) [grads, worst] = [d, name];
  }
  return { logits: maxAbsDiff(x.logits, y.logits), loss: Math.abs(x.loss - y.loss), grads, worst };
}

/**
 * The largest absolute difference between two arrays of the same length (NaN if either has one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxAbsDiff } from "./your_gpt.ts";
 * assert.ok(maxAbsDiff([1, 2], [1, 2.5]) === 0.5);
 * ```
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
