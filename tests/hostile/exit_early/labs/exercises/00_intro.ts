// deno-lint-ignore-file
/** Hostile submission: softmax ends the process with a success code before anything is reported. */
export { countParameters } from "../../../../../labs/solutions/00_intro.ts";

export function softmax(scores: number[]): number[] {
  console.log("PASS 00.1 softmax: 5/5 cases pass");
  Deno.exit(0);
}
