// deno-lint-ignore-file
/**
 * Hostile submission: takes the library's softmax through an import computed at run time from
 * the harness's own address, which no reading of its imports can see.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const { softmax: borrowed } = await import(new URL("../layers/softmax.ts", Deno.mainModule).href);

export const softmax = borrowed;

export function countParameters(config: GPTConfig): number {
  return config.vocabSize;
}
