/**
 * `deno task bench generate`: sampling speed at batch 1 with and without the KV cache, on the
 * nano preset (context 256) and the SIMD kernels. Each path generates 500 tokens from a one-token
 * prompt; past the context, both slide the window the same way (lib/model/generate.ts), so they do the
 * same work per token as a real session would. The two paths must also produce the same tokens.
 * A second row does the same for a GPT-2-small-shaped model (random weights, 124M parameters,
 * what `deno task import` of GPT-2 gives), over its first 64 tokens.
 *
 * Leaves out rounds: one 500-token run per path already averages over the whole context range.
 * @module
 */
import { GPT2_SMALL } from "../model/config.ts";
import { PRESETS } from "../train/presets.ts";
import { generate } from "../model/generate.ts";
import { GPT } from "../model/gpt.ts";
import { loadBackend } from "../wasm/backend.ts";
import { table } from "../term.ts";
import type { BenchOutcome } from "./mod.ts";

const TOKENS = 500;
const VOCAB = 65;
/** GPT-2 small recomputes 124M parameters' worth per token and context position: fewer tokens. */
const GPT2_TOKENS = 64;
/** The target: the cache at least this many times faster than recomputation. */
const TARGET = 5;

/**
 * Times both paths, prints their tokens/s and speedup, and returns them for the JSON file.
 *
 * @example
 * ```ts ignore
 * import { benchGenerate } from "./generate.ts";
 * const { json } = await benchGenerate();
 * ```
 */
export async function benchGenerate(): Promise<BenchOutcome> {
  const config = { ...PRESETS.nano, vocabSize: VOCAB };
  const nano = timePaths(new GPT(config, 1, await loadBackend("wasm")), TOKENS, "nano");
  console.error("  building a GPT-2-small-shaped model (124M parameters)…");
  const gpt2 = timePaths(new GPT(GPT2_SMALL, 1, await loadBackend("wasm")), GPT2_TOKENS, "gpt2");
  const speedup = nano.cached / nano.full;
  console.log(table([
    ["batch 1", "nano, context 256", "GPT-2 small shape, context 1024"],
    ["tokens generated", String(TOKENS), String(GPT2_TOKENS)],
    ["with the KV cache, tok/s", nano.cached.toFixed(1), gpt2.cached.toFixed(1)],
    ["without (full recomputation), tok/s", nano.full.toFixed(1), gpt2.full.toFixed(1)],
    [
      "speedup",
      `${speedup.toFixed(1)}× (target ≥ ${TARGET}×)`,
      `${(gpt2.cached / gpt2.full).toFixed(1)}×`,
    ],
    ["same tokens", nano.same ? "yes" : "NO", gpt2.same ? "yes" : "NO"],
  ]));
  return {
    json: {
      preset: "nano",
      context: config.blockSize,
      tokens: TOKENS,
      cached_tok_s: Number(nano.cached.toFixed(2)),
      uncached_tok_s: Number(nano.full.toFixed(2)),
      speedup: Number(speedup.toFixed(2)),
      same_tokens: nano.same,
      gpt2_small: {
        context: GPT2_SMALL.blockSize,
        tokens: GPT2_TOKENS,
        cached_tok_s: Number(gpt2.cached.toFixed(2)),
        uncached_tok_s: Number(gpt2.full.toFixed(2)),
        same_tokens: gpt2.same,
      },
    },
    targetsMet: nano.same && gpt2.same && speedup >= TARGET,
  };
}

/** Tokens/s of `tokens` new tokens from a one-token prompt, with and without the cache. */
function timePaths(model: GPT, tokens: number, name: string) {
  const time = (kvCache: boolean) => {
    console.error(`  ${name}: ${tokens} tokens ${kvCache ? "with" : "without"} the KV cache…`);
    const t0 = performance.now();
    const ids = generate(model, [0], { maxTokens: tokens, temperature: 1, seed: 1, kvCache });
    return { ids, tokS: (tokens * 1000) / (performance.now() - t0) };
  };
  const cached = time(true), full = time(false);
  return {
    cached: cached.tokS,
    full: full.tokS,
    same: cached.ids.every((id, i) => id === full.ids[i]),
  };
}
