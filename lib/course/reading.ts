/**
 * The course's reading list: the papers the labs follow and the tutorials that explain them
 * best, in the order a student would read them. Lab 00 gives it at the start, lab 12 at the end.
 * @module
 */
import type { Text } from "../i18n.ts";

/** One thing to read or watch. */
export interface Reading {
  title: string;
  /** Authors, or the publisher for a tutorial. */
  by: string;
  year: number;
  /** What the labs took from it. */
  why: string;
  /** Where to find it: an arXiv number or the name to search for. */
  where: string;
}

/** The course's reading list. */
export const READING_LIST: readonly Reading[] = [
  {
    title: "Attention Is All You Need",
    by: "Vaswani et al.",
    year: 2017,
    why: "the Transformer: attention, multi-head, positions (labs 03–06)",
    where: "arXiv 1706.03762",
  },
  {
    title: "Improving Language Understanding by Generative Pre-Training",
    by: "Radford et al. (GPT-1)",
    year: 2018,
    why: "a decoder-only Transformer pretrained on text, then fine-tuned (labs 07, 11)",
    where: "OpenAI report",
  },
  {
    title: "Language Models are Unsupervised Multitask Learners",
    by: "Radford et al. (GPT-2)",
    year: 2019,
    why: "pre-norm blocks, byte-level BPE, the model our names follow (labs 01, 06, 07)",
    where: "OpenAI report",
  },
  {
    title: "Language Models are Few-Shot Learners",
    by: "Brown et al. (GPT-3)",
    year: 2020,
    why: "the same recipe at 175B parameters: scale, and prompting without fine-tuning",
    where: "arXiv 2005.14165",
  },
  {
    title: "The Illustrated Transformer",
    by: "Jay Alammar",
    year: 2018,
    why: "the Transformer drawn step by step, before or beside labs 03–06",
    where: "jalammar.github.io",
  },
  {
    title: "The Annotated Transformer",
    by: "Harvard NLP",
    year: 2018,
    why: "the paper, line by line, as runnable PyTorch",
    where: "nlp.seas.harvard.edu",
  },
  {
    title: "Let's build GPT: from scratch, in code, spelled out",
    by: "Andrej Karpathy",
    year: 2023,
    why: "a GPT written live in PyTorch, the same path as labs 01–10",
    where: "YouTube",
  },
];

/**
 * The reading list as table rows, header first, for a lab's `ctx.table`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { READING_LIST, readingRows } from "./reading.ts";
 * assert.equal(readingRows().length, READING_LIST.length + 1);
 * ```
 */
export function readingRows(): (string | number | Text)[][] {
  return [
    [
      { en: "year", fr: "année" },
      { en: "title", fr: "titre" },
      { en: "by", fr: "auteurs" },
      { en: "where", fr: "où le trouver" },
    ],
    ...READING_LIST.map((r) => [r.year, r.title, r.by, r.where]),
  ];
}
