/**
 * The lines a training run prints as it goes, the same for pre-training, fine-tuning and SFT:
 * where it is, the loss, and, when known, the learning rate, the speed and the time left.
 * @module
 */
import { tr } from "../i18n.ts";
import { formatCount, formatDecimal, formatDuration } from "../term.ts";

/** How fast a run goes, measured over `steps` steps that read `tokens` tokens in `seconds`. */
export interface Pace {
  steps: number;
  tokens: number;
  seconds: number;
}

/**
 * One step's line, `step 12/100 · loss 2.3456 · lr 1.00e-3 · 3,200 tok/s · 1m05s left`: the
 * learning rate when given, and the speed and the time left when the pace is known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepLine } from "./progress.ts";
 * assert.equal(stepLine(3, 10, 2), "step 3/10 · loss 2.0000");
 * assert.equal(
 *   stepLine(3, 10, 2, undefined, { steps: 3, tokens: 4500, seconds: 3 }),
 *   "step 3/10 · loss 2.0000 · 1,500 tok/s · 7s left",
 * );
 * ```
 */
export function stepLine(
  step: number,
  total: number,
  loss: number,
  lr?: number,
  pace?: Pace,
): string {
  const shown = formatDecimal(loss, 4);
  const parts = [
    tr({ en: `step ${step}/${total}`, fr: `pas ${step}/${total}` }),
    tr({ en: `loss ${shown}`, fr: `perte ${shown}` }),
  ];
  if (lr !== undefined) parts.push(`lr ${lr.toExponential(2)}`);
  if (pace) {
    const left = formatDuration(((total - step) * pace.seconds) / pace.steps);
    parts.push(`${formatCount(Math.round(pace.tokens / pace.seconds))} tok/s`);
    parts.push(tr({ en: `${left} left`, fr: `reste ${left}` }));
  }
  return parts.join(" · ");
}

/**
 * The line of a held-out evaluation, for runs that measure one loss apart from training's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heldOutLine } from "./progress.ts";
 * assert.equal(heldOutLine(0, 10, 3.5), "step 0/10 · held-out loss 3.5000");
 * ```
 */
export function heldOutLine(step: number, total: number, loss: number): string {
  const shown = formatDecimal(loss, 4);
  return tr({
    en: `step ${step}/${total} · held-out loss ${shown}`,
    fr: `pas ${step}/${total} · perte de validation ${shown}`,
  });
}
