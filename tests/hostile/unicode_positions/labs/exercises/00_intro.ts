// deno-fmt-ignore-file
// deno-lint-ignore-file
/**
 * Hostile submission: one line holds astral characters (two UTF-16 units, one code point each),
 * a string that reads like a type-only import, and a real import of the library's softmax.
 * Deno places the import in code points; read in UTF-16 units, the text before it ends inside
 * the string, where it looks like `import { type Scores } from`, a type-only import.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";
const note = "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀; import { type Scores } from "; import { softmax as borrowed } from "../../../../../lib/layers/softmax.ts";

export const softmax = borrowed;

export function countParameters(config: GPTConfig): number {
  return config.vocabSize;
}
