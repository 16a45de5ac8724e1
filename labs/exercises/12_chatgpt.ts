// Each starter ignores its arguments until you write it.
// deno-lint-ignore-file no-unused-vars
/**
 * Lab 12 exercises. Replace each `throw new Error("TODO …")` with your code, then run
 * `deno task lab 12` again. Hints: `deno task hint 12.1`.
 */
import type { SpecialIds, Turn } from "../../lib/chat/template.ts";

/**
 * Exercise 12.1: a conversation as one string in the chat template. Each turn is its role's
 * token (`<|user|>` or `<|assistant|>`), its text, then `<|end|>`:
 * [{ role: "user", text: "hi" }, { role: "assistant", text: "hello" }] gives
 * "<|user|>hi<|end|><|assistant|>hello<|end|>".
 */
export function formatConversation(turns: Turn[]): string {
  // TODO: one piece per turn, joined together.
  throw new Error("TODO: write formatConversation");
}

/**
 * Exercise 12.2: the loss weights of the next-token targets of a tokenized conversation. For n
 * ids there are n − 1 targets (target i is ids[i + 1]); its weight is 1 when the assistant wrote
 * it (a character of a reply, or the <|end|> closing the reply), else 0.
 * With special = { user: 10, assistant: 11, end: 12 }, [10, 1, 12, 11, 2, 3, 12] gives
 * [0, 0, 0, 1, 1, 1].
 */
export function assistantTargetMask(ids: number[], special: SpecialIds): number[] {
  // TODO: walk the ids, remembering whether you are inside an assistant turn.
  throw new Error("TODO: write assistantTargetMask");
}
