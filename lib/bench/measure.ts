/**
 * Timing for the benchmarks: contenders run in turn, round after round (interleaved), so a swing
 * in the machine's speed hits all of them alike; each reports the median of its rounds. Leaves out
 * any statistics past the median: the benchmarks compare ratios measured in one run.
 * @module
 */

/** Something to time: one call of `run` is one sample. */
export interface Contender {
  name: string;
  run(): void;
}

/** How long to keep sampling (defaults in brackets). */
export interface RoundOptions {
  /** At least this many rounds [5]. */
  minRounds?: number;
  /** At most this many rounds [40]. */
  maxRounds?: number;
  /** Stop after the round that passes this many seconds, once `minRounds` are done [3]. */
  seconds?: number;
}

/**
 * Runs every contender once to warm up, then in rounds, and returns each one's median time in
 * milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { medianTimes } from "./measure.ts";
 * const ms = medianTimes([{ name: "noop", run() {} }], { minRounds: 3, seconds: 0 });
 * assert.ok(ms.noop >= 0);
 * ```
 */
export function medianTimes(
  contenders: Contender[],
  options: RoundOptions = {},
): Record<string, number> {
  const { minRounds = 5, maxRounds = 40, seconds = 3 } = options;
  for (const c of contenders) c.run();
  const samples: number[][] = contenders.map(() => []);
  const start = performance.now();
  for (let round = 0; round < maxRounds; round++) {
    contenders.forEach((c, i) => {
      const t0 = performance.now();
      c.run();
      samples[i].push(performance.now() - t0);
    });
    if (round + 1 >= minRounds && performance.now() - start > seconds * 1000) break;
  }
  return Object.fromEntries(contenders.map((c, i) => [c.name, median(samples[i])]));
}

/**
 * The middle value (mean of the two middle values for an even count).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { median } from "./measure.ts";
 * assert.equal(median([3, 1, 2]), 2);
 * ```
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The JSON object on the last line of a program's output (its progress lines come before).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastJson } from "./measure.ts";
 * assert.deepEqual(lastJson('warming up\n{"tok_s": 5}\n'), { tok_s: 5 });
 * ```
 */
export function lastJson(text: string): Record<string, unknown> {
  return JSON.parse(text.trim().split("\n").pop()!);
}
