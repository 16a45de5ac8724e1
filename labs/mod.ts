/**
 * The lab registry: every lab that exists, loaded on demand so that running one lab does not
 * load the others.
 * @module
 */
import type { Localized } from "../lib/i18n.ts";
import type { Lab } from "../lib/course/lab.ts";

/** A lab's number, name and loader. */
export interface LabEntry {
  id: string;
  slug: string;
  title: Localized;
  load(): Promise<Lab>;
}

/** Every lab, in course order. */
export const LABS: LabEntry[] = [
  {
    id: "00",
    slug: "00_intro",
    title: {
      en: "Introduction: what an LLM is",
      fr: "Introduction : qu'est-ce qu'un LLM ?",
    },
    load: async () => (await import("./00_intro.ts")).lab,
  },
  {
    id: "01",
    slug: "01_tokenization",
    title: {
      en: "Tokenization: characters, bytes and BPE",
      fr: "La tokenization : caractères, octets et BPE",
    },
    load: async () => (await import("./01_tokenization.ts")).lab,
  },
  {
    id: "02",
    slug: "02_embeddings",
    title: {
      en: "Embeddings: words as vectors",
      fr: "Les embeddings : les mots comme vecteurs",
    },
    load: async () => (await import("./02_embeddings.ts")).lab,
  },
  {
    id: "03",
    slug: "03_attention",
    title: {
      en: "Attention: queries, keys and values",
      fr: "L'attention : requêtes, clés et valeurs",
    },
    load: async () => (await import("./03_attention.ts")).lab,
  },
  {
    id: "04",
    slug: "04_multihead",
    title: {
      en: "Multi-head attention",
      fr: "L'attention multi-têtes",
    },
    load: async () => (await import("./04_multihead.ts")).lab,
  },
  {
    id: "05",
    slug: "05_positions",
    title: {
      en: "Positional encodings",
      fr: "Les encodages de position",
    },
    load: async () => (await import("./05_positions.ts")).lab,
  },
  {
    id: "06",
    slug: "06_block",
    title: {
      en: "The transformer block",
      fr: "Le bloc transformer",
    },
    load: async () => (await import("./06_block.ts")).lab,
  },
  {
    id: "07",
    slug: "07_gpt",
    title: {
      en: "The complete GPT",
      fr: "Le GPT complet",
    },
    load: async () => (await import("./07_gpt.ts")).lab,
  },
  {
    id: "08",
    slug: "08_dataset",
    title: {
      en: "The dataset: tokens, splits and batches",
      fr: "Le jeu de données : tokens, découpage et batchs",
    },
    load: async () => (await import("./08_dataset.ts")).lab,
  },
  {
    id: "09",
    slug: "09_training",
    title: {
      en: "Training: AdamW, schedule, checkpoints",
      fr: "L'entraînement : AdamW, planning du taux d'apprentissage, checkpoints",
    },
    load: async () => (await import("./09_training.ts")).lab,
  },
  {
    id: "10",
    slug: "10_generation",
    title: {
      en: "Generation: sampling and the KV cache",
      fr: "La génération : l'échantillonnage et le cache KV",
    },
    load: async () => (await import("./10_generation.ts")).lab,
  },
  {
    id: "11",
    slug: "11_finetuning",
    title: {
      en: "Fine-tuning: full and LoRA, side by side",
      fr: "Le fine-tuning : complet et LoRA, côte à côte",
    },
    load: async () => (await import("./11_finetuning.ts")).lab,
  },
  {
    id: "12",
    slug: "12_chatgpt",
    title: {
      en: "A mini-ChatGPT: chat template, masked fine-tuning, evaluation",
      fr: "Un mini-ChatGPT : modèle de conversation, fine-tuning masqué, évaluation",
    },
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
