// deno-lint-ignore-file
/**
 * Placeholder: the test replaces this file by the solutions, in a folder named "Doe, Jane" (git holds neither links nor pipes, and
 * the course's own tools should not follow them).
 */
export function softmax(scores: number[]): number[] {
  throw new Error("TODO: the test prepares this submission");
}

export function countParameters(): number {
  throw new Error("TODO: the test prepares this submission");
}
