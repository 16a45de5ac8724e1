/**
 * Lab 12 reference solutions, kept apart from the starters in labs/exercises/.
 */
import type { SpecialIds, Turn } from "../../lib/chat/template.ts";

const OPEN = { user: "<|user|>", assistant: "<|assistant|>" };

/** Exercise 12.1. */
export function formatConversation(turns: Turn[]): string {
  let out = "";
  for (const turn of turns) out += OPEN[turn.role] + turn.text + "<|end|>";
  return out;
}

/** Exercise 12.2. */
export function assistantTargetMask(ids: number[], special: SpecialIds): number[] {
  const weights: number[] = [];
  for (let i = 1; i < ids.length; i++) {
    // Who is speaking when ids[i] is written: the last role token before it, unless a turn ended.
    let speaker = -1;
    for (let j = i - 1; j >= 0 && speaker === -1; j--) {
      if (ids[j] === special.end) speaker = special.end;
      else if (ids[j] === special.user || ids[j] === special.assistant) speaker = ids[j];
    }
    weights.push(speaker === special.assistant ? 1 : 0);
  }
  return weights;
}
