// deno-lint-ignore-file
/**
 * Placeholder: the test replaces this file by a symbolic link to /, through which it imports the solutions (git holds neither links nor pipes, and
 * the course's own tools should not follow them).
 */
export function softmax(scores: number[]): number[] {
  throw new Error("TODO: the test prepares this submission");
}

export function countParameters(): number {
  throw new Error("TODO: the test prepares this submission");
}
