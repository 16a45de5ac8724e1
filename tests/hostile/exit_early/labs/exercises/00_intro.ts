// deno-lint-ignore-file
/** Hostile submission: softmax ends the process with a success code before anything is reported. */
// The library's own function, a correct answer to show that the other exercise still counts,
// taken through an import computed at run time: the grader's reading of imports cannot see it.
export const { countParameters } = await import(
  ["../../../../..", "lib", "model", "config.ts"].join("/")
);

export function softmax(scores: number[]): number[] {
  console.log("PASS 00.1 softmax: 5/5 cases pass");
  Deno.exit(0);
}
