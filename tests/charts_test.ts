import assert from "node:assert/strict";
import { barChart, heatmap, lineChart, renderSvg, scatter, writeChart } from "../lib/charts.ts";
import { LabReport } from "../lib/course/report.ts";
import { svgErrors, vegaLiteErrors } from "./helpers.ts";

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
