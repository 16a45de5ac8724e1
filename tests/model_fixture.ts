/**
 * Small seeded models for the export and PyTorch tests: weights spread like a trained model's,
 * saved as a checkpoint, exported with a corpus, and the logits a forward pass gives.
 * @module
 */
import type { GPTConfig } from "../lib/model/config.ts";
import { GPT } from "../lib/model/gpt.ts";
import { type Checkpoint, saveCheckpoint } from "../lib/train/checkpoint.ts";
import { runExport } from "../lib/train/export.ts";

/** Saves in `dir` a model of `config` from `seed`, its weights tripled, and returns it. */
export async function spreadCheckpoint(
  dir: string,
  config: GPTConfig,
  seed: number,
  tokenizer: Checkpoint["tokenizer"],
): Promise<GPT> {
  const model = new GPT(config, seed);
  for (let i = 0; i < model.params.length; i++) model.params[i] *= 3;
  await saveCheckpoint(dir, { model, tokenizer, optimizer: null, state: null });
  return model;
}

/** The logits (T, V) of one sequence. */
export function logitsOf(model: GPT, tokens: number[]): Float32Array {
  model.forward(Int32Array.from(tokens), null, 1, tokens.length);
  return model.acts!.logits.slice(0, tokens.length * model.config.vocabSize);
}

/** Exports `dir/ckpt` to `dir/hf`, with `text` (written to `dir/corpus.txt`) in its tokens. */
export async function exportWithCorpus(dir: string, text: string): Promise<void> {
  const corpus = `${dir}/corpus.txt`;
  await Deno.writeTextFile(corpus, text);
  await runExport({
    ckpt: `${dir}/ckpt`,
    to: "hf",
    out: `${dir}/hf`,
    data: true,
    corpus,
    print: () => {},
  });
}
