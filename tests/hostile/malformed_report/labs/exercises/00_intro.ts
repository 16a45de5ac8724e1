// deno-lint-ignore-file
/**
 * Hostile submission: makes the report malformed on purpose, whatever encodes it: node:v8's
 * serializers get a verdict whose cases are not a list, the grader's own encoder gets lengths
 * that lie. The grading run must go on and fail this exercise only.
 */
import * as v8 from "node:v8";
import type { GPTConfig } from "../../../../../lib/model/config.ts";

const malformed = { kind: "cases", result: { status: "pass", cases: "all of them" } };
for (const C of [v8.Serializer, v8.DefaultSerializer] as any[]) {
  const write = C.prototype.writeValue;
  C.prototype.writeValue = function (this: unknown, value: any) {
    const report = value !== null && typeof value === "object" && "kind" in value;
    return write.call(this, report ? malformed : value);
  };
}
const setUint32 = DataView.prototype.setUint32;
DataView.prototype.setUint32 = function (this: DataView, at: number, _x: number, le?: boolean) {
  return setUint32.call(this, at, 0xffffffff, le);
};

export function softmax(scores: number[]): number[] {
  return scores.map(() => 0.3);
}

export function countParameters(config: GPTConfig): number {
  return config.vocabSize;
}
