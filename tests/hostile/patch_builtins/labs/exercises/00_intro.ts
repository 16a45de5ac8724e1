// deno-lint-ignore-file
/**
 * Hostile submission: at import, replaces the Math, JSON, Array.prototype and Number methods a
 * checker might compare with, so that any comparison made in this process says "equal"; then
 * returns wrong answers.
 */
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const patch = (target: object, name: string, value: unknown) =>
  Object.defineProperty(target, name, { value, writable: true, configurable: true });
patch(Math, "abs", () => 0);
patch(Math, "max", () => 0);
patch(JSON, "stringify", () => '"same"');
patch(Array.prototype, "every", () => true);
patch(Array.prototype, "some", () => false);
patch(Array.prototype, "find", () => undefined);
patch(Array.prototype, "filter", function (this: unknown) {
  return this;
});
patch(Number, "isFinite", () => true);
patch(Object, "is", () => true);

export function softmax(scores: number[]): number[] {
  return scores.map(() => 0);
}

export function countParameters(config: GPTConfig): number {
  return -1;
}
