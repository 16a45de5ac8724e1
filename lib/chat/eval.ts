/**
 * Answering and grading: one reply generated after the conversation so far (stopping at the
 * end-of-turn token), and the evaluation of a model on held-out conversations — exact-match
 * accuracy per task family and per language, and the share of replies that end their turn properly.
 *
 * Leaves out partial credit: a reply is right only when it is exactly the expected answer.
 * @module
 */
import { UserError } from "../errors.ts";
import { KVCache } from "../model/generate.ts";
import type { GPT } from "../model/gpt.ts";
import { type Lang, LANGS, tr } from "../i18n.ts";
import { Rng } from "../random.ts";
import { sampleToken } from "../model/sampling.ts";
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
 * The model's reply to the conversation `turns` (which ends with a user turn), piece by piece:
 * each yield is the text of one new token, and the generator returns the whole reply. Stops at
 * `<|end|>`, at `maxTokens`, or when the context is full. A caller that awaits between pieces
 * (a web server) lets each one reach the page as soon as it exists.
 *
 * @example
 * ```ts ignore needs a chat model
 * import { replyPieces } from "./eval.ts";
 * for (const piece of replyPieces(model, tok, turns)) Deno.stdout.writeSync(enc.encode(piece));
 * ```
 */
export function* replyPieces(
  model: GPT,
  tok: ChatTokenizer,
  turns: Turn[],
  options: ReplyOptions = {},
): Generator<string, Reply> {
  const { end, user, assistant } = tok.special;
  const tokens = encodePrompt(tok, turns);
  const T = model.config.blockSize;
  if (tokens.length >= T) {
    throw new UserError(tr({
      en: `The conversation is ${tokens.length} tokens, too long for the model's context of ${T}.`,
      fr: `La conversation fait ${tokens.length} tokens, trop pour le contexte du modèle (${T}).`,
    }));
  }
  const cache = new KVCache(model);
  const rng = new Rng(options.seed ?? 0);
  const sampling = { temperature: options.temperature ?? 0 };
  let text = "";
  for (let n = 0; n < (options.maxTokens ?? 64) && tokens.length < T; n++) {
    const next = sampleToken(cache.logitsAfter(tokens, 0), sampling, rng);
    if (next === end) return { text, ended: true };
    // A role token inside a reply means the turn is over too, only not properly.
    if (next === user || next === assistant) break;
    tokens.push(next);
    const piece = tok.decode([next]);
    text += piece;
    yield piece;
  }
  return { text, ended: false };
}

/**
 * The model's whole reply to `turns` (greedy unless a temperature is given).
 *
 * @example
 * ```ts ignore needs a chat model
 * import { reply } from "./eval.ts";
 * const { text, ended } = reply(model, tok, [{ role: "user", text: "what is 12+34?" }]);
 * ```
 */
export function reply(
  model: GPT,
  tok: ChatTokenizer,
  turns: Turn[],
  options: ReplyOptions = {},
): Reply {
  const pieces = replyPieces(model, tok, turns, options);
  for (;;) {
    const next = pieces.next();
    if (next.done) return next.value;
    options.onText?.(next.value);
  }
}

/** Scores of one task family. */
export interface FamilyScore {
  family: Family;
  correct: number;
  total: number;
  accuracy: number;
}

/** Scores of one task family in one language. */
export interface LanguageScore extends FamilyScore {
  lang: Lang;
}

/** What {@link evaluateChat} measured. */
export interface ChatEvaluation {
  /** Per family, both languages together. */
  families: FamilyScore[];
  /** Per family and language, English first. */
  byLanguage: LanguageScore[];
  /** Replies in all, and how many ended with `<|end|>`. */
  replies: number;
  ended: number;
  endedShare: number;
}

/**
 * Greedy replies to every question of `conversations` (each after the true earlier turns), scored
 * by exact match per family, and per family and language.
 *
 * @example
 * ```ts ignore needs a chat model
 * import { evaluateChat } from "./eval.ts";
 * const { families, endedShare } = evaluateChat(model, tok, heldOut);
 * ```
 */
export function evaluateChat(
  model: GPT,
  tok: ChatTokenizer,
  conversations: Conversation[],
  maxTokens = 64,
): ChatEvaluation {
  // Keyed "family" and "family/lang".
  const tally = new Map<string, { correct: number; total: number }>();
  const count = (key: string, right: boolean) => {
    const t = tally.get(key) ?? { correct: 0, total: 0 };
    t.total++;
    if (right) t.correct++;
    tally.set(key, t);
  };
  let replies = 0, ended = 0;
  for (const c of conversations) {
    const turns = turnsOf(c);
    c.forEach((e, i) => {
      const r = reply(model, tok, turns.slice(0, 2 * i + 1), { maxTokens });
      const right = r.ended && r.text === e.answer;
      count(e.family, right);
      count(`${e.family}/${e.lang}`, right);
      replies++;
      if (r.ended) ended++;
    });
  }
  const score = (family: Family, key: string) => {
    const { correct, total } = tally.get(key)!;
    return { family, correct, total, accuracy: correct / total };
  };
  const families = FAMILIES.filter((f) => tally.has(f)).map((f) => score(f, f));
  const byLanguage = LANGS.flatMap((lang) =>
    FAMILIES.filter((f) => tally.has(`${f}/${lang}`)).map((f) => ({
      ...score(f, `${f}/${lang}`),
      lang,
    }))
  );
  return { families, byLanguage, replies, ended, endedShare: replies ? ended / replies : 0 };
}
