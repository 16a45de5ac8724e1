import assert from "node:assert/strict";
import { hasChromium, launchChromium } from "./chromium.ts";
import { findLab } from "../labs/mod.ts";
import { barChart } from "../lib/charts.ts";
import { type Lab, runLab, step } from "../lib/course/lab.ts";
import type { ReportSummary } from "../lib/course/report.ts";
import { setLang } from "../lib/i18n.ts";

/** A lab of `n` steps, each saying `word` and drawing one chart. */
function demoLab(n: number, word: string): Lab {
  return {
    id: "97",
    slug: "97_demo",
    title: { en: "Demo", fr: "Démo" },
    exercises: [],
    steps: Array.from(
      { length: n },
      (_, i) =>
        step({ en: `Part ${i + 1}`, fr: `Partie ${i + 1}` }, async (c) => {
          c.say({
            en: `${word} in English, step ${i + 1}.`,
            fr: `${word} en français, étape ${i + 1}.`,
          });
          c.table([[{ en: "name", fr: "nom" }, "value"], ["a", i]]);
          await c.chart(
            `chart_${i + 1}`,
            barChart({ data: [{ k: "x", v: i + 1 }], category: "k", value: "v" }),
          );
        }),
    ),
  };
}

Deno.test("the lesson page holds every step's title, narration, table and chart", async () => {
  const outRoot = await Deno.makeTempDir();
  await runLab(demoLab(3, "Hello"), { outRoot, print: () => {} });
  const html = await Deno.readTextFile(`${outRoot}/97_demo/index.html`);
  for (
    const s of [
      "Step 1 · Part 1",
      "Step 3 · Part 3",
      "<p>Hello in English, step 2.</p>",
      "<th>name</th>",
    ]
  ) {
    assert.ok(html.includes(s), s);
  }
  assert.equal(html.match(/<svg/g)?.length, 3);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "the page must not fetch anything");
  assert.doesNotMatch(html, /<script/);
});

Deno.test("a French table writes its decimals with a comma, in the terminal and on the page", async () => {
  const lab: Lab = {
    id: "96",
    slug: "96_decimals",
    title: { en: "Decimals", fr: "Décimales" },
    exercises: [],
    steps: [
      step({ en: "Numbers", fr: "Nombres" }, (c) => {
        c.table([[{ en: "loss", fr: "perte" }, "ratio"], ["0.659", 0.5], ["03.2", "[0.1, 0.2]"]]);
      }),
    ],
  };
  for (
    const [lang, decimals, kept] of [["fr", "0,659 +0,5", "03.2 +\\[0.1, 0.2\\]"], [
      "en",
      "0.659 +0.5",
      "03.2",
    ]]
  ) {
    const outRoot = await Deno.makeTempDir();
    const lines: string[] = [];
    setLang(lang as "fr" | "en");
    try {
      await runLab(lab, { outRoot, print: (l) => lines.push(l) });
    } finally {
      setLang("en");
    }
    const out = lines.join("\n");
    assert.match(out, new RegExp(decimals), out);
    assert.match(out, new RegExp(kept), "exercise numbers and lists keep their points");
    const html = await Deno.readTextFile(`${outRoot}/96_decimals/index.html`);
    assert.ok(html.includes(`<td>${decimals.split(" +")[0]}</td>`), html);
  }
});

Deno.test("--from adds to the lesson: earlier steps are kept and marked, the index counts every chart", async () => {
  const outRoot = await Deno.makeTempDir();
  await runLab(demoLab(3, "First"), { outRoot, print: () => {} });
  await runLab(demoLab(3, "Second"), { outRoot, from: 3, print: () => {} });
  const html = await Deno.readTextFile(`${outRoot}/97_demo/index.html`);
  assert.ok(
    html.includes("First in English, step 1.") && html.includes("First in English, step 2."),
  );
  assert.ok(
    html.includes("Second in English, step 3.") && !html.includes("First in English, step 3."),
  );
  assert.equal(html.match(/From an earlier run/g)?.length, 2);
  assert.equal(html.match(/<svg/g)?.length, 3);
  const summary: ReportSummary = JSON.parse(
    await Deno.readTextFile(`${outRoot}/97_demo/report.json`),
  );
  assert.deepEqual([summary.status, summary.charts, summary.stepsShown, summary.steps], [
    "complete",
    3,
    3,
    3,
  ]);
  const index = await Deno.readTextFile(`${outRoot}/index.html`);
  assert.match(index, /<td>complete<\/td><td>3\/3<\/td><td>3<\/td>/);
  // A run from step 1 starts the lesson over.
  await runLab(demoLab(3, "Third"), { outRoot, print: () => {} });
  const fresh = await Deno.readTextFile(`${outRoot}/97_demo/index.html`);
  assert.ok(!fresh.includes("Second in English") && !fresh.includes("From an earlier run"));
});

Deno.test({
  name:
    "lesson pages in headless Chromium, English and French: no console error, steps, narration, charts visible",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const lab = await findLab("00")!.load();
    const shots: Uint8Array[] = [];
    const chrome = await launchChromium();
    const browser = chrome.browser;
    try {
      for (const lang of ["en", "fr"] as const) {
        const outRoot = await Deno.makeTempDir();
        setLang(lang);
        try {
          await runLab(lab, { reference: true, outRoot, print: () => {} });
        } finally {
          setLang("en");
        }
        const page = await browser.newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("pageerror", (e) => errors.push(String(e)));
        page.on("request", (r) => !r.url().startsWith("file:") && requests.push(r.url()));
        await page.goto(`file://${outRoot}/${lab.slug}/index.html`);
        assert.deepEqual(errors, [], lang);
        assert.deepEqual(requests, [], lang);
        const heads = await page.locator("section.step h2").allTextContents();
        assert.equal(heads.length, lab.steps.length, lang);
        assert.match(heads[0], lang === "fr" ? /^Étape 1 · / : /^Step 1 · /);
        assert.ok((await page.locator("section.step p").count()) > lab.steps.length, lang);
        const charts = page.locator("figure svg");
        assert.ok((await charts.count()) >= 2, lang);
        for (const box of await Promise.all((await charts.all()).map((c) => c.boundingBox()))) {
          assert.ok(box && box.width > 100 && box.height > 50, `${lang}: a chart is not visible`);
        }
        shots.push(
          await page.screenshot({ fullPage: true, path: `${outRoot}/lesson_${lang}.png` }),
        );
        await page.close();
      }
      // Two real renderings, and not the same page twice.
      for (const png of shots) assert.ok(png.length > 20_000);
      assert.notDeepEqual(shots[0], shots[1]);
    } finally {
      await chrome.close();
    }
  },
});
