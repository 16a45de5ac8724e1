/**
 * `deno task bench generate`: sampling speed at batch 1 with and without the KV cache, on the
 * nano preset (context 256) and the SIMD kernels. Each path generates 500 tokens from a one-token
 * prompt; past the context, both slide the window the same way (lib/model/generate.ts), so they do the
 * same work per token as a real session would. The two paths must also produce the same tokens.
 *
 * Leaves out rounds: one 500-token run per path already averages over the whole context range.
 * @module
 */
import { PRESETS } from "../train/presets.ts";
import { generate } from "../model/generate.ts";
import { GPT } from "../model/gpt.ts";
import { loadBackend } from "../wasm/backend.ts";
import { table } from "../term.ts";
import type { BenchOutcome } from "./mod.ts";

const TOKENS = 500;
const VOCAB = 65;
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
  const model = new GPT(config, 1, await loadBackend("wasm"));
  const time = (kvCache: boolean) => {
    console.error(`  ${TOKENS} tokens ${kvCache ? "with" : "without"} the KV cache…`);
    const t0 = performance.now();
    const ids = generate(model, [0], { maxTokens: TOKENS, temperature: 1, seed: 1, kvCache });
    return { ids, tokS: (TOKENS * 1000) / (performance.now() - t0) };
  };
  const cached = time(true), full = time(false);
  const same = cached.ids.every((id, i) => id === full.ids[i]);
  const speedup = cached.tokS / full.tokS;
  console.log(table([
    ["nano, context 256, batch 1", "tok/s"],
    ["with the KV cache", cached.tokS.toFixed(1)],
    ["without (full recomputation)", full.tokS.toFixed(1)],
    ["speedup", `${speedup.toFixed(1)}× (target ≥ ${TARGET}×)`],
    ["same tokens", same ? "yes" : "NO"],
  ]));
  return {
    json: {
      preset: "nano",
      context: config.blockSize,
      tokens: TOKENS,
      cached_tok_s: Number(cached.tokS.toFixed(2)),
      uncached_tok_s: Number(full.tokS.toFixed(2)),
      speedup: Number(speedup.toFixed(2)),
      same_tokens: same,
    },
    targetsMet: same && speedup >= TARGET,
  };
}
