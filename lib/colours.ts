/**
 * Colours for charts a colour-blind reader can read: Okabe and Ito's palette, and WCAG 2's
 * relative luminance and contrast ratio, with which a label picks black or white ink for the
 * colour behind it. Leaves out colour-space conversions beyond what WCAG needs.
 * @module
 */

/**
 * Okabe and Ito's colour-blind-safe palette, blue and orange first (the pair most often shown
 * together, and the easiest to tell apart); yellow, faint on white, comes last but one.
 */
export const OKABE_ITO: readonly string[] = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
];

/** The [r, g, b] (0–255) of "#rrggbb" or "rgb(r, g, b)", the forms Vega writes. */
function parseColour(colour: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (hex) return [1, 2, 3].map((i) => parseInt(hex[i], 16)) as [number, number, number];
  const rgb = /^rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\s*\)$/.exec(colour);
  if (rgb) return [1, 2, 3].map((i) => Number(rgb[i])) as [number, number, number];
  const named: Record<string, [number, number, number]> = {
    black: [0, 0, 0],
    white: [255, 255, 255],
  };
  if (named[colour]) return named[colour];
  throw new Error(`Unreadable colour "${colour}": expected #rrggbb or rgb(r, g, b).`);
}

/**
 * WCAG 2's relative luminance of a colour, from 0 (black) to 1 (white).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relativeLuminance } from "./colours.ts";
 * assert.ok(relativeLuminance("#ffffff") === 1 && relativeLuminance("black") === 0);
 * ```
 */
export function relativeLuminance(colour: string): number {
  const [r, g, b] = parseColour(colour).map((c) => {
    const x = c / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * WCAG 2's contrast ratio of two colours, from 1 (the same) to 21 (black on white); text needs
 * 4.5 to be read comfortably.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contrastRatio } from "./colours.ts";
 * assert.equal(contrastRatio("#000000", "#ffffff"), 21);
 * ```
 */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Black or white, whichever reads better on `background`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inkOn } from "./colours.ts";
 * assert.ok(inkOn("#08306b") === "white" && inkOn("#f7fbff") === "black");
 * ```
 */
export function inkOn(background: string): "black" | "white" {
  return contrastRatio(background, "black") >= contrastRatio(background, "white")
    ? "black"
    : "white";
}
