/**
 * A chat session, shared by the terminal and the web page: the turns so far, the sampling
 * temperature, and one method that answers a message as a stream of text pieces. It keeps the
 * conversation inside the model's context by dropping the oldest turns (and says so), and turns
 * every bad message (empty, unknown characters) into a notice instead of an error.
 *
 * Leaves out persistence: a session lives as long as its process.
 * @module
 */
import { UserError } from "../errors.ts";
import type { GPT } from "../model/gpt.ts";
import { replyPieces } from "./eval.ts";
import { type ChatTokenizer, encodePrompt, type Turn } from "./template.ts";

/** What happened while answering, as the interface shows it. */
export type ChatEvent =
  | { kind: "piece"; text: string }
  | { kind: "notice"; text: string }
  | { kind: "done"; text: string; ended: boolean };

/**
 * One conversation with a chat model.
 *
 * @example
 * ```ts ignore needs a chat model
 * import { ChatSession } from "./session.ts";
 * const session = new ChatSession(model, tok);
 * for (const e of session.send("what is 12+34?")) if (e.kind === "piece") write(e.text);
 * ```
 */
export class ChatSession {
  readonly model: GPT;
  readonly tok: ChatTokenizer;
  temperature: number;
  /** Longest reply, in tokens; the prompt keeps this much of the context free. */
  readonly maxReply: number;
  turns: Turn[] = [];
  #seed = 0;

  constructor(model: GPT, tok: ChatTokenizer, options: { temperature?: number } = {}) {
    this.model = model;
    this.tok = tok;
    this.temperature = options.temperature ?? 0.7;
    this.maxReply = Math.min(48, Math.floor(model.config.blockSize / 2));
  }

  /** Forgets the conversation. */
  reset(): void {
    this.turns = [];
  }

  /**
   * Sets the temperature from what the user typed; a bad value is one sentence.
   *
   * @example
   * ```ts ignore needs a chat model
   * import { ChatSession } from "./session.ts";
   * session.setTemperature("0.7")
   * ```
   */
  setTemperature(text: string): void {
    const t = Number(text);
    if (text.trim() === "" || !Number.isFinite(t) || t < 0 || t > 5) {
      throw new UserError(`The temperature must be a number from 0 (greedy) to 5, not "${text}".`);
    }
    this.temperature = t;
  }

  /** Answers `message`: notices first (if any), the reply's pieces as they come, then done. */
  *send(message: string): Generator<ChatEvent> {
    const text = message.trim();
    if (text === "") {
      yield { kind: "notice", text: "The message is empty: type a question first." };
      return;
    }
    try {
      this.tok.encodeText(text);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      yield { kind: "notice", text: err.message };
      return;
    }
    const budget = this.model.config.blockSize - this.maxReply;
    let user: Turn = { role: "user", text };
    const fresh = encodePrompt(this.tok, [user]).length;
    if (fresh > budget) {
      // The message alone overflows: keep its end, which holds the question.
      user = { role: "user", text: text.slice(fresh - budget) };
      yield {
        kind: "notice",
        text: `The message is ${fresh} tokens and the model reads ${budget} at most: ` +
          `only its last ${user.text.length} characters are used.`,
      };
    }
    let turns = [...this.turns, user];
    let dropped = 0;
    while (encodePrompt(this.tok, turns).length > budget) {
      turns = turns.slice(2);
      dropped += 2;
    }
    if (dropped > 0) {
      yield {
        kind: "notice",
        text: `The conversation outgrew the model's context of ${this.model.config.blockSize} ` +
          `tokens: the ${dropped} oldest turns are forgotten.`,
      };
    }
    const pieces = replyPieces(this.model, this.tok, turns, {
      temperature: this.temperature,
      maxTokens: this.maxReply,
      seed: this.#seed++,
    });
    for (;;) {
      const next = pieces.next();
      if (next.done) {
        this.turns = [...turns, { role: "assistant", text: next.value.text }];
        yield { kind: "done", ...next.value };
        return;
      }
      yield { kind: "piece", text: next.value };
    }
  }
}
