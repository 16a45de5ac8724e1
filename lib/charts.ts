/**
 * Charts as Vega-Lite specs: four builders (bar, line, heatmap, scatter), the loss curves that every
 * training lab draws, a headless SVG renderer (`npm:vega`), and `writeChart`, which saves
 * `<name>.vl.json` and `<name>.svg` side by side.
 *
 * Specs are plain JSON with their data inlined, so a student can paste one into any Vega-Lite
 * editor. Colours are Okabe and Ito's palette, told apart by readers with any common colour
 * blindness; a heatmap's value labels are black or white, whichever contrasts more with their cell;
 * legends and axis labels are never cut short. Leaves out interactivity: these are pictures for a
 * report.
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import { inkOn, OKABE_ITO } from "./colours.ts";
import { type Localized, tr } from "./i18n.ts";

/** A Vega-Lite spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;
/** One row of chart data. */
export type Datum = Record<string, string | number | boolean | null>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

function base(title: string | undefined, width: number, height: number): VegaLiteSpec {
  const one = { color: OKABE_ITO[0] };
  return {
    $schema: SCHEMA,
    ...(title ? { title } : {}),
    width,
    height,
    config: {
      font: "sans-serif",
      view: { stroke: null },
      range: { category: [...OKABE_ITO] },
      bar: one,
      line: one,
      point: one,
      // 0 lifts Vega's default limits (160 and 180 px), which cut long labels with an ellipsis.
      legend: { labelLimit: 0 },
      axis: { labelLimit: 0 },
    },
  };
}

/** Axis labels for a d3 format; SI formats say B (billion) rather than G (giga) for counts. */
function siLabel(format: string): string | undefined {
  return format.endsWith("s") ? `replace(format(datum.value, '${format}'), 'G', 'B')` : undefined;
}

/**
 * Powers of ten from strictly below the smallest value (so that even the shortest log bar shows)
 * to at or above the largest: the ticks and domain of a log axis.
 */
function logDecades(values: number[]): number[] {
  const positive = values.filter((v) => v > 0);
  const lo = Math.ceil(Math.log10(Math.min(...positive))) - 1;
  const hi = Math.ceil(Math.log10(Math.max(...positive)));
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
}

/** Options of {@link barChart}. */
export interface BarOptions {
  title?: string;
  data: Datum[];
  /** Field with the bar labels. */
  category: string;
  /** Field with the bar lengths. */
  value: string;
  categoryTitle?: string;
  valueTitle?: string;
  /** Bars grow to the right, labels down the side (default false: bars grow up). */
  horizontal?: boolean;
  /** Log scale on the value axis, for numbers spanning orders of magnitude (default false). */
  log?: boolean;
  /** d3 format of the value axis and labels, such as ".0%" (default: plain numbers). */
  format?: string;
  /** Field printed at the end of each bar (default: none). */
  label?: string;
  /** Field that colours the bars (default: one colour). */
  color?: string;
  /**
   * Field that splits each category into bars side by side, coloured and named in a legend, in
   * the order of `data` (default: one bar per category).
   */
  group?: string;
  /** The legend's title for `group` (default: the field's name). */
  groupTitle?: string;
  /** Fixed value-axis range (default: from the data). */
  domain?: [number, number];
  width?: number;
  height?: number;
}

/**
 * A bar chart; categories keep the order of `data`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { barChart } from "./charts.ts";
 * const spec = barChart({ data: [{ w: "chat", p: 0.8 }], category: "w", value: "p" });
 * assert.ok(spec.$schema !== undefined);
 * ```
 */
export function barChart(o: BarOptions): VegaLiteSpec {
  const order = [...new Set(o.data.map((d) => d[o.category]))];
  const decades = o.log ? logDecades(o.data.map((d) => Number(d[o.value]))) : [];
  const cat = {
    field: o.category,
    type: "nominal",
    sort: order,
    title: o.categoryTitle ?? o.category,
    axis: { labelAngle: 0 },
  };
  const val: Record<string, unknown> = {
    field: o.value,
    type: "quantitative",
    title: o.valueTitle ?? o.value,
    axis: {
      ...(o.format ? { format: o.format, labelExpr: siLabel(o.format) } : {}),
      ...(o.log ? { values: decades } : {}),
    },
    scale: {
      ...(o.log ? { type: "log", domain: [decades[0], decades[decades.length - 1]] } : {}),
      ...(o.domain ? { domain: o.domain } : {}),
    },
    stack: null, // one bar per category: colouring by a field must not stack them
  };
  const groups = o.group ? [...new Set(o.data.map((d) => d[o.group!]))] : [];
  const offset = o.group
    ? { [o.horizontal ? "yOffset" : "xOffset"]: { field: o.group, sort: groups } }
    : {};
  const enc = { ...(o.horizontal ? { y: cat, x: val } : { x: cat, y: val }), ...offset };
  const color = o.group
    ? { color: { field: o.group, type: "nominal", sort: groups, title: o.groupTitle ?? o.group } }
    : o.color
    ? { color: { field: o.color, type: "nominal", legend: null } }
    : {};
  const bars = {
    mark: { type: "bar", stroke: "#333", strokeWidth: 1 },
    encoding: { ...enc, ...color },
  };
  const layers: VegaLiteSpec[] = [bars];
  if (o.label) {
    layers.push({
      mark: o.horizontal
        ? { type: "text", align: "left", dx: 4, fontWeight: "bold" }
        : { type: "text", baseline: "bottom", dy: -3, fontWeight: "bold" },
      encoding: { ...enc, text: { field: o.label, type: "nominal" } },
    });
  }
  return {
    ...base(o.title, o.width ?? 480, o.height ?? 280),
    data: { values: o.data },
    layer: layers,
  };
}

/**
 * Colour (and dash) by series. Series keep the order of `data`, so that a lab lists them, and
 * colours them, as it means; dash and colour share field, order and title, so Vega-Lite draws one
 * legend for both.
 */
function seriesEncoding(field: string, title: string | undefined, data: Datum[], dashed?: boolean) {
  const channel = {
    field,
    type: "nominal",
    sort: [...new Set(data.map((d) => d[field]))],
    title: title ?? field,
  };
  return dashed ? { color: channel, strokeDash: channel } : { color: channel };
}

/** Options of {@link lineChart}. */
export interface LineOptions {
  title?: string;
  data: Datum[];
  x: string;
  y: string;
  /** Field that splits the data into one line per value (default: a single line). */
  series?: string;
  /** The legend's title (default: the `series` field's name). */
  seriesTitle?: string;
  /** Tell the series apart by dash pattern as well as by colour (default false). */
  dashed?: boolean;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** Draw a dot on each point (default true when there are fewer than 60 points). */
  points?: boolean;
  width?: number;
  height?: number;
}

/**
 * A line chart, one line per `series` value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "./charts.ts";
 * const spec = lineChart({ data: [{ step: 0, loss: 4.2 }, { step: 1, loss: 3.9 }], x: "step", y: "loss" });
 * assert.ok(spec.mark !== undefined);
 * ```
 */
export function lineChart(o: LineOptions): VegaLiteSpec {
  return {
    ...base(o.title, o.width ?? 520, o.height ?? 280),
    data: { values: o.data },
    mark: { type: "line", point: o.points ?? o.data.length < 60 },
    encoding: {
      x: {
        field: o.x,
        type: "quantitative",
        title: o.xTitle ?? o.x,
        scale: o.logX ? { type: "log" } : { zero: false },
        // Steps, layers and positions are counts: no "2.5" ticks between them.
        ...(o.data.every((d) => Number.isInteger(d[o.x]))
          ? { axis: { format: "d", tickMinStep: 1 } }
          : {}),
      },
      y: {
        field: o.y,
        type: "quantitative",
        title: o.yTitle ?? o.y,
        scale: o.logY ? { type: "log" } : { zero: false },
      },
      ...(o.series ? seriesEncoding(o.series, o.seriesTitle, o.data, o.dashed) : {}),
    },
  };
}

/** One curve of {@link lossCurves}: its name in the legend and its points. */
export type LossCurve = readonly [
  name: Localized,
  points: readonly { readonly step: number; readonly loss: number }[],
];

/** Options of {@link lossCurves}. */
export interface LossCurveOptions {
  title: Localized;
  /** In the legend's order. */
  curves: readonly LossCurve[];
  /** What the y axis measures (default "loss"). */
  lossTitle?: Localized;
  /** The legend's title (default "curve"). */
  curveTitle?: Localized;
}

/**
 * Loss against training step, one line per curve. Each curve has a dash pattern as well as a
 * colour, so that two curves drawn over each other, or printed in grey, still tell apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lossCurves } from "./charts.ts";
 * const spec = lossCurves({
 *   title: "Two runs",
 *   curves: [["a", [{ step: 0, loss: 4.2 }]], ["b", [{ step: 0, loss: 4.1 }]]],
 * });
 * const encoding = spec.encoding as Record<string, { field: string }>;
 * assert.equal(encoding.color.field, "curve");
 * assert.equal(encoding.strokeDash.field, "curve");
 * assert.deepEqual(spec.data, { values: [{ step: 0, loss: 4.2, curve: "a" }, { step: 0, loss: 4.1, curve: "b" }] });
 * ```
 */
export function lossCurves(o: LossCurveOptions): VegaLiteSpec {
  const several = o.curves.length > 1;
  return lineChart({
    title: tr(o.title),
    data: o.curves.flatMap(([name, points]) =>
      points.map(({ step, loss }) => ({ step, loss, curve: tr(name) }))
    ),
    x: "step",
    y: "loss",
    series: several ? "curve" : undefined,
    seriesTitle: tr(o.curveTitle ?? { en: "curve", fr: "courbe" }),
    xTitle: tr({ en: "step", fr: "pas" }),
    yTitle: tr(o.lossTitle ?? { en: "loss", fr: "perte" }),
    dashed: several,
  });
}

/** Width of one character of a 10 px axis label: a sans-serif digit is 5.56 px, most letters less. */
const LABEL_CHAR_WIDTH = 5.8;

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  title?: string;
  /** values[row][column] */
  values: ArrayLike<number>[];
  rowLabels?: string[];
  columnLabels?: string[];
  rowTitle?: string;
  columnTitle?: string;
  /** Vega colour scheme (default "blues"; use a diverging one such as "redblue" for signed data). */
  scheme?: string;
  /** Fixed colour range (default: from the data). */
  domain?: [number, number];
  /** Print each value in its cell, with this d3 format (default: no text). */
  cellFormat?: string;
  cellSize?: number;
}

/**
 * A heatmap of a matrix, rows top to bottom; labels default to indices.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatmap } from "./charts.ts";
 * const spec = heatmap({ values: [[1, 0], [0.5, 0.5]], rowLabels: ["a", "b"] });
 * assert.ok(spec.layer !== undefined);
 * ```
 */
export function heatmap(o: HeatmapOptions): VegaLiteSpec {
  const rows = o.rowLabels ?? o.values.map((_, i) => String(i));
  const cols = o.columnLabels ??
    Array.from({ length: o.values[0]?.length ?? 0 }, (_, j) => String(j));
  const scheme = o.scheme ?? "blues";
  const flat = o.values.flatMap((row) => Array.from(row));
  // The domain is set, not left to Vega, so that each label's ink can be chosen for its cell.
  const [lo, hi] = o.domain ?? [Math.min(...flat), Math.max(...flat)];
  const fill = vega.scheme(scheme) as ((t: number) => string) | undefined;
  if (typeof fill !== "function") throw new Error(`Unknown Vega colour scheme "${scheme}".`);
  const data: Datum[] = [];
  o.values.forEach((row, i) => {
    for (let j = 0; j < row.length; j++) {
      const t = hi > lo ? Math.min(1, Math.max(0, (row[j] - lo) / (hi - lo))) : 0;
      data.push({ row: rows[i], column: cols[j], value: row[j], ink: inkOn(fill(t)) });
    }
  });
  const size = o.cellSize ??
    Math.max(8, Math.min(40, Math.floor(480 / Math.max(rows.length, cols.length))));
  // Column labels wider than a cell would run together: numbers (positions, channels) keep
  // every k-th, words turn upright so that each still shows.
  const widest = Math.max(...cols.map((c) => [...c].length)) * LABEL_CHAR_WIDTH + 2;
  const every = Math.ceil(widest / size);
  const numbers = cols.every((c) => /^-?\d+$/.test(c));
  const enc = {
    x: {
      field: "column",
      type: "ordinal",
      sort: cols,
      title: o.columnTitle ?? "",
      axis: every <= 1
        ? { labelAngle: 0 }
        : numbers
        ? { labelAngle: 0, values: cols.filter((_, j) => j % every === 0) }
        : { labelAngle: -90 },
    },
    y: { field: "row", type: "ordinal", sort: rows, title: o.rowTitle ?? "" },
  };
  const layers: VegaLiteSpec[] = [{
    mark: "rect",
    encoding: {
      ...enc,
      color: { field: "value", type: "quantitative", scale: { scheme, domain: [lo, hi] } },
    },
  }];
  if (o.cellFormat) {
    layers.push({
      mark: { type: "text", fontSize: 9 },
      encoding: {
        ...enc,
        text: { field: "value", type: "quantitative", format: o.cellFormat },
        color: { condition: { test: "datum.ink === 'white'", value: "white" }, value: "black" },
      },
    });
  }
  return {
    ...base(o.title, size * cols.length, size * rows.length),
    data: { values: data },
    layer: layers,
  };
}

/** Options of {@link scatter}. */
export interface ScatterOptions {
  title?: string;
  data: Datum[];
  x: string;
  y: string;
  /** Field written next to each point (default: none). */
  label?: string;
  /** Field that colours the points (default: one colour). */
  color?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
}

/**
 * A scatter plot, optionally with a text label beside each point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatter } from "./charts.ts";
 * const spec = scatter({ data: [{ x: 1, y: 2, w: "king" }], x: "x", y: "y", label: "w" });
 * assert.ok(spec.layer !== undefined);
 * ```
 */
export function scatter(o: ScatterOptions): VegaLiteSpec {
  const enc = {
    x: { field: o.x, type: "quantitative", title: o.xTitle ?? o.x, scale: { zero: false } },
    y: { field: o.y, type: "quantitative", title: o.yTitle ?? o.y, scale: { zero: false } },
  };
  const layers: VegaLiteSpec[] = [{
    mark: { type: "point", filled: true, size: 50 },
    encoding: { ...enc, ...(o.color ? { color: { field: o.color, type: "nominal" } } : {}) },
  }];
  if (o.label) {
    layers.push({
      mark: { type: "text", align: "left", dx: 6, fontSize: 10 },
      encoding: { ...enc, text: { field: o.label, type: "nominal" } },
    });
  }
  return {
    ...base(o.title, o.width ?? 480, o.height ?? 360),
    data: { values: o.data },
    layer: layers,
  };
}

/**
 * Compiles a Vega-Lite spec and renders it to an SVG string, headlessly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { barChart, renderSvg } from "./charts.ts";
 * const svg = await renderSvg(barChart({ data: [{ a: "x", b: 1 }], category: "a", value: "b" }));
 * assert.ok(svg.startsWith("<svg"));
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // Vega tags the data objects it ingests; render a copy so the caller's spec stays plain JSON.
  const compiled = vl.compile(structuredClone(spec) as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Paths written by {@link writeChart}. */
export interface ChartFiles {
  spec: string;
  svg: string;
}

/**
 * Writes `<dir>/<name>.vl.json` and `<dir>/<name>.svg`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { barChart, writeChart } from "./charts.ts";
 * const dir = await Deno.makeTempDir();
 * const spec = barChart({ data: [{ a: "x", b: 1 }], category: "a", value: "b" });
 * const files = await writeChart(dir, "demo", spec);
 * assert.match(await Deno.readTextFile(files.svg), /^<svg/);
 * ```
 */
export async function writeChart(
  dir: string,
  name: string,
  spec: VegaLiteSpec,
): Promise<ChartFiles> {
  await Deno.mkdir(dir, { recursive: true });
  const files = { spec: `${dir}/${name}.vl.json`, svg: `${dir}/${name}.svg` };
  await Deno.writeTextFile(files.spec, JSON.stringify(spec, null, 2) + "\n");
  await Deno.writeTextFile(files.svg, await renderSvg(spec));
  return files;
}
