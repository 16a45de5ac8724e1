/**
 * The lab registry: every lab that exists, loaded on demand so that running one lab does not
 * load the others.
 * @module
 */
import type { Lab } from "../lib/course/lab.ts";

/** A lab's number, name and loader. */
export interface LabEntry {
  id: string;
  slug: string;
  title: string;
  load(): Promise<Lab>;
}

/** Every lab, in course order. */
export const LABS: LabEntry[] = [
  {
    id: "00",
    slug: "00_intro",
    title: "Introduction: what an LLM is",
    load: async () => (await import("./00_intro.ts")).lab,
  },
  {
    id: "01",
    slug: "01_tokenization",
    title: "Tokenization: characters, bytes and BPE",
    load: async () => (await import("./01_tokenization.ts")).lab,
  },
  {
    id: "02",
    slug: "02_embeddings",
    title: "Embeddings: words as vectors",
    load: async () => (await import("./02_embeddings.ts")).lab,
  },
  {
    id: "03",
    slug: "03_attention",
    title: "Attention: queries, keys and values",
    load: async () => (await import("./03_attention.ts")).lab,
  },
  {
    id: "04",
    slug: "04_multihead",
    title: "Multi-head attention",
    load: async () => (await import("./04_multihead.ts")).lab,
  },
  {
    id: "05",
    slug: "05_positions",
    title: "Positional encodings",
    load: async () => (await import("./05_positions.ts")).lab,
  },
  {
    id: "06",
    slug: "06_block",
    title: "The transformer block",
    load: async () => (await import("./06_block.ts")).lab,
  },
  {
    id: "07",
    slug: "07_gpt",
    title: "The complete GPT",
    load: async () => (await import("./07_gpt.ts")).lab,
  },
  {
    id: "08",
    slug: "08_dataset",
    title: "The dataset: tokens, splits and batches",
    load: async () => (await import("./08_dataset.ts")).lab,
  },
  {
    id: "09",
    slug: "09_training",
    title: "Training: AdamW, schedule, checkpoints",
    load: async () => (await import("./09_training.ts")).lab,
  },
  {
    id: "10",
    slug: "10_generation",
    title: "Generation: sampling and the KV cache",
    load: async () => (await import("./10_generation.ts")).lab,
  },
  {
    id: "11",
    slug: "11_finetuning",
    title: "Fine-tuning: full and LoRA, side by side",
    load: async () => (await import("./11_finetuning.ts")).lab,
  },
  {
    id: "12",
    slug: "12_chatgpt",
    title: "A mini-ChatGPT: chat template, masked fine-tuning, evaluation",
    load: async () => (await import("./12_chatgpt.ts")).lab,
  },
];

/**
 * The registry entry for `id` ("3", "03" and "03_attention" all work), or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findLab } from "./mod.ts";
 * assert.ok(findLab("0")?.slug === "00_intro");
 * ```
 */
export function findLab(id: string): LabEntry | undefined {
  const key = /^\d$/.test(id) ? `0${id}` : id;
  return LABS.find((l) => l.id === key || l.slug === key);
}
