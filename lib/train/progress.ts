/**
 * The lines a training run prints as it goes, the same for pre-training, fine-tuning and SFT:
 * where it is, the loss, and, when known, the learning rate, the speed and the time left.
 * @module
 */
import { tr } from "../i18n.ts";
import { formatCount, formatDuration } from "../term.ts";

/** What one step's progress line says; the optional parts are left out when undefined. */
export interface StepProgress {
  /** Steps done, counting this one. */
  step: number;
  total: number;
  loss: number;
  lr?: number;
  tokPerSec?: number;
  secondsLeft?: number;
}

/**
 * One step's line: `step 12/100 · loss 2.3456 · lr 1.00e-3 · 3,200 tok/s · 1m05s left`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepLine } from "./progress.ts";
 * assert.equal(stepLine({ step: 3, total: 10, loss: 2 }), "step 3/10 · loss 2.0000");
 * assert.equal(
 *   stepLine({ step: 3, total: 10, loss: 2, tokPerSec: 1500, secondsLeft: 75 }),
 *   "step 3/10 · loss 2.0000 · 1,500 tok/s · 1m15s left",
 * );
 * ```
 */
export function stepLine(p: StepProgress): string {
  const loss = p.loss.toFixed(4);
  const parts = [
    tr({ en: `step ${p.step}/${p.total}`, fr: `pas ${p.step}/${p.total}` }),
    tr({ en: `loss ${loss}`, fr: `perte ${loss}` }),
  ];
  if (p.lr !== undefined) parts.push(`lr ${p.lr.toExponential(2)}`);
  if (p.tokPerSec !== undefined) parts.push(`${formatCount(Math.round(p.tokPerSec))} tok/s`);
  if (p.secondsLeft !== undefined) {
    const left = formatDuration(p.secondsLeft);
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
  const shown = loss.toFixed(4);
  return tr({
    en: `step ${step}/${total} · held-out loss ${shown}`,
    fr: `pas ${step}/${total} · perte de validation ${shown}`,
  });
}
