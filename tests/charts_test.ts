import assert from "node:assert/strict";
import {
  barChart,
  heatmap,
  lineChart,
  lossCurves,
  renderSvg,
  scatter,
  writeChart,
} from "../lib/charts.ts";
import { contrastRatio, OKABE_ITO } from "../lib/colours.ts";
import { LabReport } from "../lib/course/report.ts";
import { chartProblems, svgErrors, vegaLiteErrors } from "./helpers.ts";

const SPECS = {
  bar: barChart({
    data: [{ w: "chat", p: 0.8, l: "80%" }, { w: "Le", p: 0.05, l: "5%" }],
    category: "w",
    value: "p",
    label: "l",
    horizontal: true,
  }),
  logbar: barChart({
    data: [{ m: "a", n: 1e6 }, { m: "b", n: 1e12 }],
    category: "m",
    value: "n",
    log: true,
  }),
  grouped: barChart({
    data: [
      { task: "new", model: "before", loss: 2.7 },
      { task: "new", model: "after", loss: 1.2 },
      { task: "old", model: "before", loss: 2.1 },
      { task: "old", model: "after", loss: 2.4 },
    ],
    category: "task",
    value: "loss",
    group: "model",
  }),
  line: lineChart({
    data: [{ s: 0, v: 1, k: "train" }, { s: 1, v: 0.5, k: "train" }, { s: 1, v: 0.7, k: "val" }],
    x: "s",
    y: "v",
    series: "k",
  }),
  loss: lossCurves({
    title: "two runs",
    curves: [
      ["full", [{ step: 0, loss: 4.2 }, { step: 1, loss: 3.1 }]],
      ["LoRA", [{ step: 0, loss: 4.2 }, { step: 1, loss: 3.5 }]],
    ],
    curveTitle: "method",
  }),
  heatmap: heatmap({
    values: [[1, 0, 0], [0.3, 0.7, 0]],
    rowLabels: ["a", "b"],
    cellFormat: ".1f",
  }),
  scatter: scatter({
    data: [{ x: 1, y: 2, w: "roi" }, { x: -1, y: 0, w: "reine" }],
    x: "x",
    y: "y",
    label: "w",
  }),
};

for (const [name, spec] of Object.entries(SPECS)) {
  Deno.test(`the ${name} builder makes a schema-valid Vega-Lite spec that renders to well-formed SVG`, async () => {
    assert.equal(await vegaLiteErrors(spec), "");
    const svg = await renderSvg(spec);
    assert.equal(svgErrors(svg), "");
  });
}

Deno.test("a grouped bar chart draws one bar per row, side by side, with a legend", async () => {
  const svg = await renderSvg(SPECS.grouped);
  const xs = [...svg.matchAll(/aria-roledescription="bar" d="M([-\d.]+),/g)].map((m) => +m[1]);
  assert.equal(xs.length, 4);
  assert.equal(new Set(xs).size, 4, "no two bars at the same place");
  assert.match(svg, /aria-roledescription="legend"/);
});

Deno.test("loss curves differ by dash as well as colour, under one legend", async () => {
  const svg = await renderSvg(SPECS.loss);
  assert.equal([...svg.matchAll(/aria-roledescription="legend"/g)].length, 1);
  const dashes = [
    ...svg.matchAll(/aria-roledescription="line mark" [^>]*stroke-dasharray="([^"]+)"/g),
  ]
    .map((m) => m[1]);
  assert.equal(new Set(dashes).size, 2, "each curve its own dash");
  const single = lossCurves({ title: "one", curves: [["one batch", [{ step: 0, loss: 1 }]]] });
  assert.doesNotMatch(await renderSvg(single), /aria-roledescription="legend"/);
});

Deno.test("a log-scale bar chart draws every bar with a positive height", async () => {
  const layer = (SPECS.logbar.layer as { encoding: { y: { scale: { type?: string } } } }[])[0];
  assert.equal(layer.encoding.y.scale.type, "log");
  const svg = await renderSvg(SPECS.logbar);
  const bars = [
    ...svg.matchAll(/aria-roledescription="bar" d="M[-\d.]+,[-\d.]+h[\d.]+v([-\d.]+)h/g),
  ].map((m) => Number(m[1]));
  assert.equal(bars.length, 2, svg.slice(0, 400));
  for (const h of bars) assert.ok(h > 1, `bar height ${h}`);
});

Deno.test("a heatmap has one cell per matrix entry and keeps the row order", async () => {
  const svg = await renderSvg(SPECS.heatmap);
  // Vega draws each rect mark as a path inside the mark-rect group.
  const group = svg.match(/<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)<\/g>/s)?.[1] ?? "";
  assert.equal(group.match(/<path/g)?.length, 6);
  const values = (SPECS.heatmap.data as { values: { row: string }[] }).values;
  assert.deepEqual([...new Set(values.map((v) => v.row))], ["a", "b"]);
});

Deno.test("writeChart writes the spec and the SVG side by side", async () => {
  const dir = await Deno.makeTempDir();
  const files = await writeChart(dir, "demo", SPECS.bar);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(files.spec)), SPECS.bar);
  assert.equal(svgErrors(await Deno.readTextFile(files.svg)), "");
});

Deno.test("a lab report inlines its charts and samples and the top index links the lab", async () => {
  const root = await Deno.makeTempDir();
  const report = new LabReport(root, "42_demo", "42 · Demo");
  report.step(1, "First");
  await report.chart("first", SPECS.line);
  report.step(2, "Second");
  await report.sample("text_sample", "A sample", "To be, <or> not");
  await report.finish("complete");
  const html = await Deno.readTextFile(`${root}/42_demo/index.html`);
  assert.match(html, /<svg/);
  assert.match(html, /first\.vl\.json/);
  assert.match(html, /To be, &lt;or&gt; not/);
  assert.match(html, /<h2>Step 2 · Second<\/h2>/);
  assert.match(await Deno.readTextFile(`${root}/index.html`), /42_demo\/index\.html/);
});

Deno.test("report names must be safe file names", async () => {
  const report = new LabReport(await Deno.makeTempDir(), "42_demo", "Demo");
  await assert.rejects(() => report.sample("../escape", "t", "x"), /must use only/);
});

Deno.test("contrast ratios are WCAG's: 21 for black on white, 4.5 about mid-grey #767676 on white", () => {
  assert.equal(contrastRatio("#000000", "#ffffff"), 21);
  assert.equal(contrastRatio("white", "white"), 1);
  assert.ok(Math.abs(contrastRatio("#767676", "#ffffff") - 4.54) < 0.01);
});

Deno.test("heatmap labels contrast 4.5 or more with their cells, in every scheme and domain the labs use", async () => {
  const ramp = (
    n: number,
    lo: number,
    hi: number,
  ) => [Array.from({ length: n }, (_, i) => lo + (hi - lo) * i / (n - 1))];
  const cases = [
    heatmap({ values: ramp(21, 0, 1), cellFormat: ".2f" }), // attention weights: 0 to 1, "blues"
    heatmap({ values: ramp(21, -1, 1), scheme: "redblue", domain: [-1, 1], cellFormat: ".1f" }),
    heatmap({ values: ramp(11, 0, 400), cellFormat: ".0f" }), // counts
    heatmap({ values: [[0.5, 0.5]], cellFormat: ".1f" }), // one value: no range
  ];
  for (const spec of cases) {
    const svg = await renderSvg(spec);
    const labels = svg.match(/aria-roledescription="text mark"/g)?.length ?? 0;
    assert.ok(labels >= 2, "the labels are drawn");
    assert.deepEqual(chartProblems(svg), []);
  }
});

Deno.test("the chart check catches black labels on the darkest cells, cut legends and crowded axes", async () => {
  // What the heatmaps did before: every label black, whatever its cell.
  const spec = heatmap({ values: [[0, 1]], cellFormat: ".1f" });
  const layers = spec.layer as { encoding: Record<string, unknown> }[];
  layers[1].encoding.color = { value: "black" };
  const dark = chartProblems(await renderSvg(spec));
  assert.equal(dark.length, 1, dark.join("; "));
  assert.match(dark[0], /"1\.0" in black on rgb\(10, 74, 144\): contrast [0-3]\./);
  // Vega's default legend limit cuts a long series name.
  const line = lineChart({
    data: [{ s: 0, v: 1, k: "learned, at initialisation (cosine similarity)" }],
    x: "s",
    y: "v",
    series: "k",
  });
  assert.deepEqual(chartProblems(await renderSvg(line)), []);
  (line.config as Record<string, unknown>).legend = { labelLimit: 160 };
  assert.match(chartProblems(await renderSvg(line)).join(), /cut short/);
  // 32 channels in cells of 10 px: the builder keeps every third label, and the check agrees.
  const channels = heatmap({
    values: [Array.from({ length: 32 }, (_, i) => i / 31)],
    cellSize: 10,
  });
  assert.deepEqual(chartProblems(await renderSvg(channels)), []);
  const x = (channels.layer as { encoding: { x: { axis: Record<string, unknown> } } }[])[0]
    .encoding.x;
  delete x.axis.values;
  assert.match(chartProblems(await renderSvg(channels)).join(), /overlap/);
});

Deno.test("series and groups take Okabe and Ito's colour-blind-safe palette, in order", async () => {
  const svg = await renderSvg(SPECS.grouped);
  const fills = [...svg.matchAll(/aria-roledescription="bar" d="[^"]*" fill="([^"]+)"/g)]
    .map((m) => m[1].toUpperCase());
  assert.deepEqual([...new Set(fills)], OKABE_ITO.slice(0, 2));
});

Deno.test("a line chart's series keep the order of the data in its legend and colours", async () => {
  const spec = lineChart({
    data: [{ s: 0, v: 1, k: "zeta" }, { s: 0, v: 2, k: "alpha" }],
    x: "s",
    y: "v",
    series: "k",
  });
  const svg = await renderSvg(spec);
  const names = [...svg.matchAll(/>(zeta|alpha)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(names, ["zeta", "alpha"]);
});
