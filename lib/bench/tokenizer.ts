/**
 * `deno task bench tokenizer`: how fast our BPE trains and encodes, beside tiktoken, in one run.
 *
 * On tiny shakespeare: training to 5,000 ids with GPT-4's pre-split (target ≤ 1.5 s); encoding
 * with GPT-2's tokenizer in MB/s for ours (cache emptied before each run), `npm:js-tiktoken`
 * (pure JavaScript) and `npm:tiktoken` (Rust compiled to WebAssembly), medians of several runs;
 * and whether all three give the same ids. Leaves out memory use.
 * @module
 */
import { getEncoding } from "js-tiktoken";
import { get_encoding } from "tiktoken";
import { findCorpus, supplyText } from "../train/corpus.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { paint, table } from "../term.ts";
import type { BenchOutcome } from "./mod.ts";
import { decodeUtf8, gpt2Tokenizer, trainBpe } from "../tokenizer/mod.ts";

/** The JSON the bench writes with `--json`. */
export interface TokenizerBenchResult {
  train_5000_s: number;
  encode_mb_s: { ours: number; js_tiktoken: number; tiktoken: number };
  parity_gpt2: boolean;
}

const TRAIN_TARGET_S = 1.5;
const RUNS = 5;
/** js-tiktoken takes seconds per run, so it gets fewer. */
const SLOW_RUNS = 3;

/**
 * Runs the tokenizer benchmark, prints a table and returns the results with whether the targets
 * were met.
 *
 * @example
 * ```ts ignore takes minutes
 * import { benchTokenizer } from "./tokenizer.ts";
 * const { json, targetsMet } = await benchTokenizer();
 * ```
 */
export async function benchTokenizer(): Promise<BenchOutcome> {
  const path = findCorpus("tinyshakespeare");
  if (!path) throw new UserError(tr(supplyText("tinyshakespeare")));
  const text = decodeUtf8(await Deno.readFile(path), path);
  const mb = new TextEncoder().encode(text).length / 1e6;
  console.log(paint("bold", `Tokenizer benchmark on tiny shakespeare (${mb.toFixed(2)} MB)`));

  const trainS = median(timeRuns(RUNS, "train to 5,000 ids (GPT-4 split)", () => {
    trainBpe(text, { vocabSize: 5000 });
  })) / 1000;

  const ours = await gpt2Tokenizer();
  const jsTiktoken = getEncoding("gpt2");
  const wasm = get_encoding("gpt2");
  try {
    const ids = { ours: [] as number[], js: [] as number[], wasm: [] as number[] };
    const oursMs = median(timeRuns(RUNS, "encode: ours", () => {
      ours.clearCache();
      ids.ours = ours.encodeOrdinary(text);
    }));
    const jsMs = median(timeRuns(SLOW_RUNS, "encode: js-tiktoken", () => {
      ids.js = jsTiktoken.encode(text, [], []);
    }));
    const wasmMs = median(timeRuns(RUNS, "encode: tiktoken (WASM)", () => {
      ids.wasm = Array.from(wasm.encode_ordinary(text));
    }));
    const parity = sameIds(ids.ours, ids.js) && sameIds(ids.ours, ids.wasm);
    const result: TokenizerBenchResult = {
      train_5000_s: round(trainS),
      encode_mb_s: {
        ours: round(mb / (oursMs / 1000)),
        js_tiktoken: round(mb / (jsMs / 1000)),
        tiktoken: round(mb / (wasmMs / 1000)),
      },
      parity_gpt2: parity,
    };
    report(result, ids.ours.length);
    const met = result.train_5000_s <= TRAIN_TARGET_S &&
      result.encode_mb_s.ours > result.encode_mb_s.js_tiktoken && parity;
    return { json: result, targetsMet: met };
  } finally {
    wasm.free();
  }
}

function report(r: TokenizerBenchResult, tokens: number): void {
  const { ours, js_tiktoken, tiktoken } = r.encode_mb_s;
  const mark = (ok: boolean) => ok ? paint("green", "met") : paint("red", "missed");
  console.log();
  console.log(table([
    ["measure", "value", "target", "result"],
    [
      "BPE training to 5,000 ids",
      `${r.train_5000_s} s`,
      `≤ ${TRAIN_TARGET_S} s`,
      mark(
        r.train_5000_s <= TRAIN_TARGET_S,
      ),
    ],
    ["encode GPT-2: ours", `${ours} MB/s`, "> js-tiktoken", mark(ours > js_tiktoken)],
    ["encode GPT-2: js-tiktoken", `${js_tiktoken} MB/s`, "", `ours: ×${ratio(ours, js_tiktoken)}`],
    ["encode GPT-2: tiktoken (WASM)", `${tiktoken} MB/s`, "", `ours: ×${ratio(ours, tiktoken)}`],
    ["same ids, all three", r.parity_gpt2 ? "yes" : "NO", "yes", mark(r.parity_gpt2)],
  ]));
  console.log(
    `  (${tokens.toLocaleString("en-US")} GPT-2 tokens; medians of ${RUNS} runs, ` +
      `${SLOW_RUNS} for js-tiktoken)`,
  );
}

function timeRuns(runs: number, label: string, fn: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  console.log(paint("dim", `  ${label}: ${times.map((t) => t.toFixed(0)).join(", ")} ms`));
  return times;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}

function ratio(a: number, b: number): string {
  return (a / b).toFixed(2);
}
