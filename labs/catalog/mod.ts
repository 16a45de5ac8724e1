/**
 * The exercise catalog: every exercise of every lab, in order. `list`, `hint`, the labs and the
 * grader all read it from here.
 * @module
 */
import type { Exercise } from "../../lib/course/exercise.ts";
import { exercises as intro } from "./00_intro.ts";
import { exercises as tokenization } from "./01_tokenization.ts";
import { exercises as embeddings } from "./02_embeddings.ts";
import { exercises as attention } from "./03_attention.ts";
import { exercises as multihead } from "./04_multihead.ts";
import { exercises as positions } from "./05_positions.ts";
import { exercises as block } from "./06_block.ts";
import { exercises as gpt } from "./07_gpt.ts";
import { exercises as dataset } from "./08_dataset.ts";
import { exercises as training } from "./09_training.ts";
import { exercises as generation } from "./10_generation.ts";
import { exercises as finetuning } from "./11_finetuning.ts";
import { exercises as chatgpt } from "./12_chatgpt.ts";

/** Every exercise, lab by lab. */
export const CATALOG: Exercise[] = [
  ...intro,
  ...tokenization,
  ...embeddings,
  ...attention,
  ...multihead,
  ...positions,
  ...block,
  ...gpt,
  ...dataset,
  ...training,
  ...generation,
  ...finetuning,
  ...chatgpt,
];

/**
 * The exercise with this id, or undefined; the lab's number may drop its zero, as `lab 3` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findExercise } from "./mod.ts";
 * assert.equal(findExercise("00.1")?.symbol, "softmax");
 * assert.equal(findExercise("3.1")?.id, "03.1");
 * ```
 */
export function findExercise(id: string): Exercise | undefined {
  const key = id.trim().replace(/^(\d)\./, "0$1.");
  return CATALOG.find((e) => e.id === key);
}
