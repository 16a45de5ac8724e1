/**
 * What a training run checks before it writes anything, so that a refused command leaves every
 * file of the run as it was: that its counts are whole numbers, that a batch fits in memory, and
 * that the metrics log a resume
 * continues is whole (a torn last line aside). The checkpoint's own files are checked where they
 * are read (lib/train/checkpoint.ts).
 * @module
 */
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import type { GPT } from "../model/gpt.ts";
import { activationShapes, tableSize } from "../model/layout.ts";
import { formatCount } from "../term.ts";
import { MEMORY_PAGES } from "../wasm/build.ts";
import type { Metric } from "./trainer.ts";

/**
 * Refuses a count (`--steps`, `--batch-size`, `--tokens`) that is not a whole number from 1 to
 * 2^53 − 1, in one sentence naming the flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCount } from "./preflight.ts";
 * checkCount("--steps", 100);
 * assert.throws(() => checkCount("--tokens", 0), /^UserError: --tokens must be a positive whole number/);
 * ```
 */
export function checkCount(flag: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UserError(tr({
      en: `${flag} must be a positive whole number below 2^53, not ${n}.`,
      fr: `${flag} doit être un entier positif inférieur à 2^53, pas ${n}.`,
    }));
  }
}

/**
 * The lines of `metrics.jsonl` logged before `step` (those after it, the resumed run logs again).
 * A torn last line (a kill or a full disk mid-write) is dropped, and `progress` says so; a
 * damaged line elsewhere is one sentence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricsBefore } from "./preflight.ts";
 * const path = `${await Deno.makeTempDir()}/metrics.jsonl`;
 * await Deno.writeTextFile(path, '{"kind":"eval","step":0}\n{"kind":"eval","step":8}\n{"kind":"tr');
 * const kept = await metricsBefore(path, 8, console.log);
 * assert.equal(kept.length, 1);
 * ```
 */
export async function metricsBefore(
  path: string,
  step: number,
  progress: (line: string, final: boolean) => void,
): Promise<string[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch { /* no metrics yet */ }
  const lines = text.split("\n");
  const kept: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (line === "") continue;
    let metric: Partial<Metric> | null = null;
    try {
      metric = JSON.parse(line);
    } catch { /* torn or damaged: see below */ }
    if (!Number.isInteger(metric?.step)) {
      const last = lines.slice(i + 1).every((rest) => rest === "");
      if (last && !text.endsWith("\n")) {
        progress(
          tr({
            en: `dropped the torn last line of ${path} (${line.length} characters)`,
            fr: `dernière ligne déchirée de ${path} écartée (${line.length} caractères)`,
          }),
          true,
        );
        continue;
      }
      throw new UserError(tr({
        en: `Line ${i + 1} of ${path} is not a metric: the log is damaged; remove that line ` +
          `and resume again.`,
        fr: `La ligne ${i + 1} de ${path} n'est pas une métrique : le journal est abîmé ; ` +
          `supprime cette ligne et reprends.`,
      }));
    }
    if (metric!.step! < step) kept.push(line);
  }
  return kept;
}

/**
 * Refuses a batch whose activations cannot be allocated, in one sentence saying what fits: the
 * fast backend works in one WebAssembly memory of at most 4 GiB, the TypeScript one in the
 * machine's memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { checkBatchFits } from "./preflight.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 });
 * checkBatchFits(model, 8);
 * assert.throws(() => checkBatchFits(model, 1e12), /batch/i);
 * ```
 */
export function checkBatchFits(model: GPT, B: number): void {
  const T = model.config.blockSize;
  const inWasm = model.params.buffer instanceof SharedArrayBuffer;
  const limit = inWasm ? MEMORY_PAGES.maximum * 65536 : Deno.systemMemoryInfo().total;
  // Parameters, gradients and AdamW's two moments; then activations and their gradients.
  const fixed = 4 * 4 * model.params.length;
  const perSequence = 2 * 4 * tableSize(activationShapes(model.config, 1, T));
  // A 32nd of the memory stays free for the kernels' own buffers and scratch.
  const room = limit - limit / 32 - fixed;
  const need = fixed + B * perSequence;
  if (B * perSequence <= room) return;
  const most = Math.floor(room / perSequence);
  const [batch, fewer] = [formatCount(B), formatCount(most)];
  const where = inWasm
    ? { en: "the WebAssembly memory of the kernels", fr: "la mémoire WebAssembly des noyaux" }
    : { en: "this machine's memory", fr: "la mémoire de cette machine" };
  throw new UserError(tr({
    en: `--batch-size ${batch} needs ${gib(need)} for this model, more than the ` +
      `${gib(limit)} of ${where.en}: ` +
      (most >= 1 ? `use --batch-size ${fewer} or less.` : `use a smaller model.`),
    fr: `--batch-size ${batch} demande ${gib(need)} pour ce modèle, plus que les ` +
      `${gib(limit)} de ${where.fr} : ` +
      (most >= 1 ? `utilise --batch-size ${fewer} ou moins.` : `utilise un modèle plus petit.`),
  }));
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toLocaleString("en-US", { maximumFractionDigits: 1 })} GiB`;
}
