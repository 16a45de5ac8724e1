/**
 * A graded submission in three forms: a table for the terminal, `results.json` (described by
 * RESULTS_SCHEMA) and JUnit XML (testsuites › testsuite per lab › testcase per exercise, with a
 * failure or error element), the format CI systems display.
 * @module
 */
import { type Text, tr } from "../i18n.ts";
import { formatDecimal, paint, table } from "../term.ts";
import type { GradeReport, TestResult } from "./grade.ts";

/**
 * What the two files can weigh for the catalog's 32 exercises, in bytes. Every text in them is
 * capped in grade.ts (a message at 600 characters, the output at 500, five failing cases of three
 * 300-character fields) and escaping makes at most six bytes of a character (`&quot;`,
 * `\u001b`): under 8 KiB an exercise in results.json, under 40 KiB in JUnit, whatever the
 * student's code printed or returned.
 */
export const RESULTS_MAX_BYTES = 512 * 1024;
export const JUNIT_MAX_BYTES = 2 * 1024 * 1024;

/** A result's status as the terminal shows it (results.json and JUnit keep pass, fail, error). */
export const STATUS_WORDS: Record<TestResult["status"], Text> = {
  pass: { en: "pass", fr: "réussi" },
  fail: { en: "fail", fr: "échec" },
  error: { en: "error", fr: "erreur" },
};

/**
 * The terminal table: exercise, status, points, message, then the total. A message is the
 * student's text in part, so it is escaped (`escapeCell`) before it is cut to `messageWidth`: no
 * cell can start a line, move the cursor or close the job summary's code fence.
 *
 * @example
 * ```ts
 * import { renderTable } from "./report.ts";
 * console.log(renderTable({ submission: ".", startedAt: "", tests: [], points: 0, maxPoints: 0, ms: 0 }));
 * ```
 */
export function renderTable(report: GradeReport, messageWidth = 72): string {
  const rows: (string | number)[][] = [
    tr({ en: "exercise|status|points|message", fr: "exercice|état|points|message" }).split("|"),
  ];
  for (const t of report.tests) {
    const word = tr(STATUS_WORDS[t.status]);
    const status = t.status === "pass"
      ? paint("green", word)
      : t.status === "fail"
      ? paint("red", word)
      : paint(["red", "bold"], word);
    const text = escapeCell(t.message);
    const message = text.length > messageWidth ? text.slice(0, messageWidth - 1) + "…" : text;
    rows.push([t.id, status, `${t.points}/${t.maxPoints}`, message]);
  }
  const passed = report.tests.filter((t) => t.status === "pass").length;
  const seconds = formatDecimal(report.ms / 1000, 1);
  return `${table(rows)}\n\n  ` + tr({
    en: `${passed} of ${report.tests.length} exercises pass; ` +
      `${report.points} of ${report.maxPoints} points (${seconds} s).`,
    fr: `${passed} exercices réussis sur ${report.tests.length} ; ` +
      `${report.points} points sur ${report.maxPoints} (${seconds} s).`,
  });
}

/**
 * `text` on one line with nothing a terminal or Markdown acts on: line breaks, tabs, ESC and the
 * other control and bidirectional characters become visible escapes (`\n`, `\x1b`, `\u202e`),
 * and a run of backticks becomes quotes, so no fence can open or close.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeCell } from "./report.ts";
 * assert.equal(escapeCell("a\r\nb\x1b[2J"), "a\\r\\nb\\x1b[2J");
 * ```
 */
export function escapeCell(text: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return text
    .replace(
      // deno-lint-ignore no-control-regex
      /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g,
      (c) =>
        named[c] ??
          (c.charCodeAt(0) < 0x100
            ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
            : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    )
    .replace(/`{3,}/g, (run) => "'".repeat(run.length));
}

/** The shape of results.json. */
export interface ResultsJson {
  tool: "minigpt-lab grade";
  version: 1;
  tests: {
    name: string;
    id: string;
    status: TestResult["status"];
    message: string;
    output: string;
    points: number;
    maxPoints: number;
    cases: { passed: number; total: number };
    seconds: number;
  }[];
  total: { points: number; maxPoints: number; passed: number; failed: number; errors: number };
}

/**
 * results.json's content for `report`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toResultsJson } from "./report.ts";
 * const json = toResultsJson({ submission: ".", startedAt: "", tests: [], points: 0, maxPoints: 0, ms: 0 });
 * assert.equal(json.total.points, 0);
 * ```
 */
export function toResultsJson(report: GradeReport): ResultsJson {
  const count = (s: TestResult["status"]) => report.tests.filter((t) => t.status === s).length;
  return {
    tool: "minigpt-lab grade",
    version: 1,
    tests: report.tests.map((t) => ({
      name: t.name,
      id: t.id,
      status: t.status,
      message: t.message,
      output: t.output,
      points: t.points,
      maxPoints: t.maxPoints,
      cases: { passed: t.passedCases, total: t.totalCases },
      seconds: Number((t.ms / 1000).toFixed(3)),
    })),
    total: {
      points: report.points,
      maxPoints: report.maxPoints,
      passed: count("pass"),
      failed: count("fail"),
      errors: count("error"),
    },
  };
}

/** JSON Schema (draft-07) of results.json. */
export const RESULTS_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "minigpt-lab grading results",
  type: "object",
  required: ["tool", "version", "tests", "total"],
  additionalProperties: false,
  properties: {
    tool: { const: "minigpt-lab grade" },
    version: { const: 1 },
    tests: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: [
          "name",
          "id",
          "status",
          "message",
          "output",
          "points",
          "maxPoints",
          "cases",
          "seconds",
        ],
        properties: {
          name: { type: "string", minLength: 1 },
          id: { type: "string", pattern: "^\\d{2}\\.\\d+$" },
          status: { enum: ["pass", "fail", "error"] },
          message: { type: "string" },
          output: { type: "string", maxLength: 500 },
          points: { type: "number", minimum: 0 },
          maxPoints: { type: "number", minimum: 0 },
          cases: {
            type: "object",
            additionalProperties: false,
            required: ["passed", "total"],
            properties: {
              passed: { type: "integer", minimum: 0 },
              total: { type: "integer", minimum: 0 },
            },
          },
          seconds: { type: "number", minimum: 0 },
        },
      },
    },
    total: {
      type: "object",
      additionalProperties: false,
      required: ["points", "maxPoints", "passed", "failed", "errors"],
      properties: {
        points: { type: "number", minimum: 0 },
        maxPoints: { type: "number", minimum: 0 },
        passed: { type: "integer", minimum: 0 },
        failed: { type: "integer", minimum: 0 },
        errors: { type: "integer", minimum: 0 },
      },
    },
  },
} as const;

/**
 * JUnit XML for `report`: one testsuite per lab (its points as properties), one testcase per
 * exercise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toJunitXml } from "./report.ts";
 * const xml = toJunitXml({ submission: ".", startedAt: "", tests: [], points: 0, maxPoints: 0, ms: 0 });
 * assert.ok(xml.includes("<testsuites"));
 * ```
 */
export function toJunitXml(report: GradeReport): string {
  const labs = [...new Set(report.tests.map((t) => t.id.split(".")[0]))];
  const counts = (tests: TestResult[]) =>
    `tests="${tests.length}" failures="${tests.filter((t) => t.status === "fail").length}" ` +
    `errors="${tests.filter((t) => t.status === "error").length}" ` +
    `time="${(tests.reduce((s, t) => s + t.ms, 0) / 1000).toFixed(3)}"`;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="minigpt-lab grade" ${counts(report.tests)}>`,
  ];
  for (const lab of labs) {
    const tests = report.tests.filter((t) => t.id.split(".")[0] === lab);
    // JUnit's timestamp is local-style (no zone letter); ours is UTC.
    const stamp = report.startedAt.replace(/\.\d+Z$|Z$/, "");
    lines.push(
      `  <testsuite name="lab ${lab}" ${counts(tests)} skipped="0" ` +
        `timestamp="${stamp}" hostname="${xml(hostname())}">`,
    );
    const points = tests.reduce((s, t) => s + t.points, 0);
    const maxPoints = tests.reduce((s, t) => s + t.maxPoints, 0);
    lines.push(
      `    <properties><property name="points" value="${Math.round(points * 100) / 100}"/>` +
        `<property name="maxPoints" value="${maxPoints}"/></properties>`,
    );
    for (const t of tests) {
      lines.push(
        `    <testcase classname="lab${lab}" name="${xml(t.name)}" ` +
          `time="${(t.ms / 1000).toFixed(3)}">`,
      );
      if (t.status !== "pass") {
        const tag = t.status === "fail" ? "failure" : "error";
        // The body lists each failing case, for the instructor reading the CI report.
        const detail = t.failures.length === 0
          ? t.message
          : t.failures.map((c) => `${c.what}\n  expected ${c.expected}\n  got      ${c.got}`).join(
            "\n",
          );
        lines.push(
          `      <${tag} message="${xml(t.message)}" type="${t.status}">${xml(detail)}</${tag}>`,
        );
      }
      if (t.output) lines.push(`      <system-out>${xml(t.output)}</system-out>`);
      lines.push(`    </testcase>`);
    }
    lines.push(`  </testsuite>`);
  }
  lines.push(`</testsuites>`, "");
  return lines.join("\n");
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

/** Escapes text for XML and drops the characters XML 1.0 cannot hold at all. */
function xml(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
