/**
 * A new style for fine-tuning, written by the project: weather forecasts for made-up towns, one
 * week each, all lowercase, one day per line, in a fixed order and a small vocabulary. Regular
 * enough for a small character-level model to pick up in a few hundred steps, and unlike anything
 * in tiny shakespeare, so samples show at a glance which style a model writes.
 *
 * Seeded and reproducible. The held-out split is forecasts for towns training never mentions.
 * Uses only lowercase letters, space, newline and ":,." — characters every lab corpus has.
 * Leaves out any meaning: the weather is drawn at random, day by day.
 * @module
 */
import { Rng } from "../random.ts";

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const SKIES = ["sunny", "cloudy", "foggy", "rainy", "windy", "clear", "grey", "stormy"];
const TEMPERATURES = ["warm", "cool", "cold", "mild", "hot", "chilly"];
const DIRECTIONS = ["north", "south", "east", "west"];
const TIMES = ["morning", "afternoon", "evening", "night"];
const SYLLABLES = ["bel", "mor", "ton", "ash", "wick", "dun", "fal", "rim", "oak", "les", "bro"];
const ENDINGS = ["ford", "by", "wick", "ton", "mouth", "field", "dale", "stead"];

/** Which towns a forecast may be for. */
export type StyleSplit = "train" | "heldOut";

/** Options of {@link forecastText}. */
export interface ForecastOptions {
  /** Forecasts (weeks) to write. */
  count: number;
  split: StyleSplit;
  /** Seed of the weather and of the towns drawn (default 0). */
  seed?: number;
}

/** One day's line: "tuesday: cloudy and cool, with rain in the evening." */
function day(name: string, rng: Rng): string {
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)];
  const extras = [
    () => `a light wind from the ${pick(DIRECTIONS)}`,
    () => `rain in the ${pick(TIMES)}`,
    () => `sun in the ${pick(TIMES)}`,
    () => `a strong wind from the ${pick(DIRECTIONS)}`,
  ];
  return `${name}: ${pick(SKIES)} and ${pick(TEMPERATURES)}, with ${pick(extras)()}.`;
}

/**
 * `count` weekly forecasts, each a heading line, seven day lines and a blank line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecastText } from "./style_data.ts";
 * const text = forecastText({ count: 2, split: "train", seed: 1 });
 * assert.ok(text.startsWith("forecast for ") && text.includes("\nmonday: "));
 * ```
 */
export function forecastText(options: ForecastOptions): string {
  const rng = new Rng(options.seed ?? 0);
  const names = forecastTowns(options.split);
  let text = "";
  for (let i = 0; i < options.count; i++) {
    text += `forecast for ${names[rng.int(names.length)]}:\n`;
    for (const d of DAYS) text += day(d, rng) + "\n";
    text += "\n";
  }
  return text;
}

/**
 * The towns of a split: every fifth of all names (in a fixed order) is held out, so held-out
 * forecasts are for towns training never mentions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecastTowns } from "./style_data.ts";
 * const held = new Set(forecastTowns("heldOut"));
 * assert.ok(forecastTowns("train").every((t) => !held.has(t)));
 * ```
 */
export function forecastTowns(split: StyleSplit): string[] {
  const all = SYLLABLES.flatMap((s) => ENDINGS.map((e) => s + e));
  return all.filter((_, i) => (i % 5 === 4) === (split === "heldOut"));
}
