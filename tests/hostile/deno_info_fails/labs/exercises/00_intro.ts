// deno-lint-ignore-file
/**
 * Placeholder: the test writes here a file that imports the library's softmax by its absolute
 * path, next to a deno.json that does not parse (so that the course's own tools never read it):
 * a `deno info` run from the submission's folder fails on it, and an import check that then
 * concludes "nothing borrowed" fails open.
 */
export function softmax(scores: number[]): number[] {
  throw new Error("TODO: the test prepares this submission");
}

export function countParameters(): number {
  throw new Error("TODO: the test prepares this submission");
}
