/**
 * The loss of a model over a whole split rather than over random batches: the split cut into
 * consecutive windows of T inputs (T = the model's context), window w starting at token w·T with
 * the next T tokens as its targets, every window counted once and every position of it alike.
 * `bench e2e` scores both sides' final models so (lib/bench/torch_e2e.py's `val` job is the
 * PyTorch twin), because the trainer's estimate of a few random batches moves by more than the
 * 0.01 the two runs are compared at. Leaves out the tail of fewer than T tokens after the last
 * window.
 * @module
 */
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import type { GPT } from "../model/gpt.ts";

/**
 * How many windows of `T` inputs (each with its `T` targets) a split of `tokens` tokens holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowCount } from "./split_loss.ts";
 * assert.equal(windowCount(129, 64), 2); // tokens 0..127 in, 1..128 as targets
 * assert.equal(windowCount(128, 64), 1);
 * ```
 */
export function windowCount(tokens: number, T: number): number {
  return Math.max(0, Math.floor((tokens - 1) / T));
}

/**
 * Mean cross-entropy of `model` over every window of `tokens` (see the module), computed
 * `batch` windows per forward pass; the result does not depend on `batch`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT } from "../model/gpt.ts";
 * import { splitLoss } from "./split_loss.ts";
 * const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 8 }, 1);
 * const tokens = Int32Array.from({ length: 30 }, (_, i) => i % 5);
 * const { loss, windows } = splitLoss(model, tokens, 3);
 * assert.ok(windows === 7 && Math.abs(loss - Math.log(5)) < 0.1); // untrained: about ln V
 * ```
 */
export function splitLoss(
  model: GPT,
  tokens: Int32Array,
  batch = 32,
): { loss: number; windows: number } {
  const T = model.config.blockSize;
  const windows = windowCount(tokens.length, T);
  if (windows === 0) {
    throw new UserError(tr({
      en:
        `The split has ${tokens.length} tokens, too few for one window of ${T} and its targets: ` +
        `use a longer corpus.`,
      fr:
        `Cette partie n'a que ${tokens.length} tokens, trop peu pour une fenêtre de ${T} et ses ` +
        `cibles : prends un corpus plus long.`,
    }));
  }
  let sum = 0;
  for (let first = 0; first < windows; first += batch) {
    const B = Math.min(batch, windows - first);
    const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = (first + b) * T;
      inputs.set(tokens.subarray(start, start + T), b * T);
      targets.set(tokens.subarray(start + 1, start + T + 1), b * T);
    }
    // The forward pass returns the mean over its B·T positions; weighted by B, the batches add
    // up to the mean over all windows.
    sum += model.forward(inputs, targets, B, T)! * B;
  }
  return { loss: sum / windows, windows };
}
