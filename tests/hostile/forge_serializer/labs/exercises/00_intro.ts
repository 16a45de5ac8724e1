// deno-lint-ignore-file
/**
 * Hostile submission: patches the prototypes a report is serialized through (node:v8's
 * serializers, DataView, TextEncoder), so that whatever the harness sends becomes a verdict of
 * passes, or garbage; then returns wrong answers.
 */
import * as v8 from "node:v8";
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const forged = {
  kind: "cases",
  result: { status: "pass", cases: [{ what: "forged", expected: "x", got: "x", passed: true }] },
};
for (const C of [v8.Serializer, v8.DefaultSerializer] as any[]) {
  const write = C.prototype.writeValue;
  C.prototype.writeValue = function (this: unknown, value: any) {
    const report = value !== null && typeof value === "object" && "kind" in value;
    return write.call(this, report ? forged : value);
  };
}
const setFloat64 = DataView.prototype.setFloat64;
DataView.prototype.setFloat64 = function (this: DataView, at: number, _x: number, le?: boolean) {
  return setFloat64.call(this, at, 0.5, le);
};

export function softmax(scores: number[]): number[] {
  return scores.map(() => 0.3);
}

export function countParameters(config: GPTConfig): number {
  return config.vocabSize;
}
