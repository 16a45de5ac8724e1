/**
 * Answering and grading: one reply generated after the conversation so far (stopping at the
 * end-of-turn token), and the evaluation of a model on held-out conversations — exact-match
 * accuracy per task family, and the share of replies that end their turn properly.
 *
 * Leaves out partial credit: a reply is right only when it is exactly the expected answer.
 * @module
 */
import { generate } from "../generate.ts";
import type { GPT } from "../gpt.ts";
import { type Conversation, FAMILIES, type Family, turnsOf } from "./data.ts";
import { type ChatTokenizer, encodePrompt, type Turn } from "./template.ts";

/** Options of {@link reply}. */
export interface ReplyOptions {
  /** 0 is greedy (default 0). */
  temperature?: number;
  /** Longest reply in tokens (default 64). */
  maxTokens?: number;
  seed?: number;
  /** Called with the text of each new token, as it comes. */
  onText?: (text: string) => void;
}

/** A generated reply. */
export interface Reply {
  text: string;
  /** True when the model closed its turn with `<|end|>` (false: it ran out of tokens). */
  ended: boolean;
}

/**
 * The model's reply to the conversation `turns` (which ends with a user turn).
 *
 * @example
 * ```ts
 * import { reply } from "./eval.ts";
 * // const { text, ended } = reply(model, tok, [{ role: "user", text: "what is 12+34?" }]);
 * ```
 */
export function reply(
  model: GPT,
  tok: ChatTokenizer,
  turns: Turn[],
  options: ReplyOptions = {},
): Reply {
  const { end, user, assistant } = tok.special;
  let text = "", ended = false;
  generate(model, encodePrompt(tok, turns), {
    maxTokens: options.maxTokens ?? 64,
    temperature: options.temperature ?? 0,
    seed: options.seed,
    onToken(id) {
      // A role token inside a reply means the turn is over too, only not properly.
      if (id === end) ended = true;
      if (id === end || id === user || id === assistant) return false;
      const piece = tok.decode([id]);
      text += piece;
      options.onText?.(piece);
    },
  });
  return { text, ended };
}

/** Scores of one task family. */
export interface FamilyScore {
  family: Family;
  correct: number;
  total: number;
  accuracy: number;
}

/** What {@link evaluateChat} measured. */
export interface ChatEvaluation {
  families: FamilyScore[];
  /** Replies in all, and how many ended with `<|end|>`. */
  replies: number;
  ended: number;
  endedShare: number;
}

/**
 * Greedy replies to every question of `conversations` (each after the true earlier turns), scored
 * by exact match per family.
 *
 * @example
 * ```ts
 * import { evaluateChat } from "./eval.ts";
 * // const { families, endedShare } = evaluateChat(model, tok, heldOut);
 * ```
 */
export function evaluateChat(
  model: GPT,
  tok: ChatTokenizer,
  conversations: Conversation[],
  maxTokens = 32,
): ChatEvaluation {
  const tally = new Map<Family, { correct: number; total: number }>();
  let replies = 0, ended = 0;
  for (const c of conversations) {
    const turns = turnsOf(c);
    c.forEach((e, i) => {
      const r = reply(model, tok, turns.slice(0, 2 * i + 1), { maxTokens });
      const t = tally.get(e.family) ?? { correct: 0, total: 0 };
      t.total++;
      if (r.ended && r.text === e.answer) t.correct++;
      tally.set(e.family, t);
      replies++;
      if (r.ended) ended++;
    });
  }
  const families = FAMILIES.filter((f) => tally.has(f)).map((family) => {
    const { correct, total } = tally.get(family)!;
    return { family, correct, total, accuracy: correct / total };
  });
  return { families, replies, ended, endedShare: replies ? ended / replies : 0 };
}
