/**
 * Terminal output: colours that switch themselves off when nobody is looking (pipes, NO_COLOR),
 * paragraph wrapping, aligned tables and command lines to paste. Nothing here writes files.
 * @module
 */
import { lang } from "./i18n.ts";
import { styleText } from "node:util";

type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan" | "magenta" | "underline";

/** Whether stdout is a terminal that wants colour. */
export const useColor: boolean = !Deno.noColor && Deno.stdout.isTerminal();

/**
 * Styles `text` for the terminal, or returns it unchanged when colour is off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paint } from "./term.ts";
 * assert.ok(paint("bold", "Step 1").includes("Step 1"));
 * ```
 */
export function paint(style: Style | Style[], text: string): string {
  return useColor ? styleText(style, text, { validateStream: false }) : text;
}

/**
 * Wraps a paragraph to `width` columns, keeping existing line breaks and indenting each line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wrap } from "./term.ts";
 * assert.equal(wrap("a b c", 3), "a b\nc");
 * ```
 */
export function wrap(text: string, width = 88, indent = ""): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      out.push("");
      continue;
    }
    let current = indent;
    // Only plain spaces break a line: a no-break space (French « … », 2 000) holds its words.
    for (const word of line.split(/[ \t]+/).filter((w) => w !== "")) {
      if (current.trim() !== "" && current.length + 1 + word.length > width) {
        out.push(current);
        current = indent + word;
      } else {
        current = current.trim() === "" ? indent + word : `${current} ${word}`;
      }
    }
    out.push(current);
  }
  return out.join("\n");
}

/**
 * Formats rows as a plain-text table with aligned columns; numbers align right.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { table } from "./term.ts";
 * assert.match(table([["model", "params"], ["GPT-2", "124M"]]), /GPT-2 +124M/);
 * ```
 */
export function table(rows: (string | number)[][], indent = "  "): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((c, i) => widths[i] = Math.max(widths[i] ?? 0, [...c].length));
  }
  return cells.map((row, r) => {
    const line = row.map((c, i) => {
      const pad = " ".repeat(widths[i] - [...c].length);
      return typeof rows[r][i] === "number" ? pad + c : c + pad;
    }).join("  ");
    return indent + (r === 0 && rows.length > 1 ? paint("bold", line) : line).trimEnd();
  }).join("\n");
}

/**
 * Formats a count with thousands separators, or compactly (1.2M, 175B) when `compact` is set,
 * in the way of the process's language (in French: 1 234, 1,2 M).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatCount } from "./term.ts";
 * assert.equal(formatCount(175e9, true), "175B");
 * ```
 */
export function formatCount(n: number, compact = false): string {
  return numberFormat(compact ? { notation: "compact" } : {}).format(n);
}

/** Numbers the reader's own way: in French, 1 234 567, 1,2 M, 2,3456, 45,9 %. */
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return new Intl.NumberFormat(lang() === "fr" ? "fr-FR" : "en-US", options);
}

/**
 * Formats a number with `digits` decimals in the way of the process's language (in French, a
 * decimal comma: 2,3456), for the lines a run prints; files and reports keep the point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDecimal } from "./term.ts";
 * import { setLang } from "./i18n.ts";
 * assert.equal(formatDecimal(2.34567, 4), "2.3457");
 * setLang("fr");
 * assert.equal(formatDecimal(2.34567, 4), "2,3457");
 * setLang("en");
 * ```
 */
export function formatDecimal(x: number, digits: number): string {
  return numberFormat({
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: false,
  }).format(x);
}

/**
 * Formats a share (0.459) as a percentage with one decimal, in the way of the process's language
 * (in French, 45,9 %).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPercent } from "./term.ts";
 * assert.equal(formatPercent(0.459), "45.9%");
 * ```
 */
export function formatPercent(share: number): string {
  return numberFormat({ style: "percent", minimumFractionDigits: 1 }).format(share);
}

/**
 * A duration for a progress line, to the second under an hour: 45s, 13m05s, 2h07m, 3d04h.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./term.ts";
 * assert.equal(formatDuration(59.6), "1m00s");
 * assert.equal(formatDuration(3_599.6), "1h00m");
 * assert.equal(formatDuration(7_620), "2h07m");
 * ```
 */
export function formatDuration(seconds: number): string {
  // Rounded once, to the unit shown last, so that 59.6 s reads 1m00s and never 0m60s.
  const two = (n: number) => String(n).padStart(2, "0");
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  const m = Math.round(seconds / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${two(m % 60)}m`;
  const h = Math.round(seconds / 3_600);
  return `${formatCount(Math.floor(h / 24))}d${two(h % 24)}h`;
}

/**
 * The first `lines` lines of `text`, each behind a margin bar, so that blank lines of generated
 * text show.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { margin } from "./term.ts";
 * assert.equal(margin("a\n\nb\nc", 3), "│ a\n│ \n│ b");
 * ```
 */
export function margin(text: string, lines: number): string {
  return text.split("\n").slice(0, lines).map((l) => `│ ${l}`).join("\n");
}

/**
 * `words` as a command line that works when pasted into bash or zsh: plain words as they are,
 * others in single quotes, and text with a newline or tab as `$'…'`, where `\n` is a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellCommand } from "./term.ts";
 * assert.equal(shellCommand(["echo", "it's", "a:\n"]), `echo 'it'\\''s' $'a:\\n'`);
 * ```
 */
export function shellCommand(words: string[]): string {
  return words.map((w) => {
    if (/^[\w@%+=:,./-]+$/.test(w)) return w;
    if (/\p{Cc}/u.test(w)) {
      const escaped = w.replace(/[\\']/g, (c) => `\\${c}`).replace(
        /\p{Cc}/gu,
        (c) =>
          ({ "\n": "\\n", "\t": "\\t", "\r": "\\r" })[c] ??
            `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
      return `$'${escaped}'`;
    }
    return `'${w.replaceAll("'", `'\\''`)}'`;
  }).join(" ");
}
