/**
 * A chat session, shared by the terminal and the web page: the turns so far, the sampling
 * temperature, and one method that answers a message as a stream of text pieces. It keeps the
 * conversation inside the model's context by dropping the oldest turns (and says so, the first
 * time), lets a reply run on into whatever context the prompt leaves, and turns every bad
 * message (empty, unknown characters, longer than the model reads) into a notice instead of an
 * error, in the session's language.
 *
 * Leaves out persistence: a session lives as long as its process.
 * @module
 */
import { UserError } from "../errors.ts";
import { type Lang, lang, tr } from "../i18n.ts";
import type { GPT } from "../model/gpt.ts";
import { checkSampling } from "../model/sampling.ts";
import { formatCount } from "../term.ts";
import { replyPieces } from "./eval.ts";
import { type ChatTokenizer, cleanMessage, encodePrompt, type Turn } from "./template.ts";

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
  /**
   * The least room, in tokens, the prompt leaves for a reply: older turns are dropped to keep it.
   * A reply may run on into all the context the prompt leaves.
   */
  readonly minReply: number;
  /** The language of the notices. */
  readonly lang: Lang;
  turns: Turn[] = [];
  #seed = 0;
  /** Whether this conversation has already been told that it outgrew the context. */
  #toldOutgrown = false;

  constructor(
    model: GPT,
    tok: ChatTokenizer,
    options: { temperature?: number; lang?: Lang } = {},
  ) {
    checkSampling({ temperature: options.temperature });
    this.model = model;
    this.tok = tok;
    this.temperature = options.temperature ?? 0.7;
    this.lang = options.lang ?? lang();
    this.minReply = Math.min(48, Math.floor(model.config.blockSize / 2));
  }

  /** Forgets the conversation. */
  reset(): void {
    this.turns = [];
    this.#toldOutgrown = false;
  }

  /**
   * Sets the temperature from what the user typed; a bad value is one sentence (the rule of
   * lib/model/sampling.ts's checkSampling, as everywhere).
   *
   * @example
   * ```ts ignore needs a chat model
   * import { ChatSession } from "./session.ts";
   * session.setTemperature("0.7")
   * ```
   */
  setTemperature(text: string): void {
    const t = text.trim() === "" ? NaN : Number(text);
    if (Number.isNaN(t)) {
      throw new UserError(tr({
        en: `The temperature must be a number of 0 (greedy) or more, not "${text.trim()}".`,
        fr: `La température est un nombre positif ou nul (0 : glouton), pas « ${text.trim()} ».`,
      }, this.lang));
    }
    checkSampling({ temperature: t });
    this.temperature = t;
  }

  /** Answers `message`: notices first (if any), the reply's pieces as they come, then done. */
  *send(message: string): Generator<ChatEvent> {
    if (message.trim() === "") {
      yield {
        kind: "notice",
        text: this.#say({
          en: "The message is empty: type a question first.",
          fr: "Le message est vide : tape d'abord une question.",
        }),
      };
      return;
    }
    const { text, unknown } = cleanMessage(this.tok, message);
    if (unknown.length > 0) {
      const chars = unknown.map((c) => JSON.stringify(c)).join(", ");
      const frChars = unknown.map((c) => `« ${c} »`).join(", ");
      const [one, them, le] = unknown.length > 1
        ? ["characters", "they are", "les"]
        : ["character", "it is", "le"];
      yield {
        kind: "notice",
        text: text === ""
          ? this.#say({
            en: `This model never saw the ${one} ${chars} and nothing else is left to read: ` +
              `it knows only ${JSON.stringify(this.tok.chars.join(""))}.`,
            fr: `Ce modèle n'a jamais vu ${frChars} et il ne reste rien d'autre à lire : il ne ` +
              `connaît que ${JSON.stringify(this.tok.chars.join(""))}.`,
          })
          : this.#say({
            en: `This model never saw the ${one} ${chars}: ${them} left out, the rest is read.`,
            fr: `Ce modèle n'a jamais vu ${frChars} : je ${le} laisse de côté et je lis le reste.`,
          }),
      };
      if (text === "") return;
    }
    const T = this.model.config.blockSize;
    const budget = T - this.minReply;
    let user: Turn = { role: "user", text };
    const fresh = encodePrompt(this.tok, [user]).length;
    if (fresh > budget) {
      // The message alone overflows: keep its end, which holds the question.
      const chars = Array.from(text);
      user = { role: "user", text: chars.slice(fresh - budget).join("") };
      const kept = chars.length - (fresh - budget);
      yield {
        kind: "notice",
        text: this.#say({
          en: `The message is ${formatCount(fresh)} tokens and the model reads ${budget} at ` +
            `most: only its last ${formatCount(kept)} characters are used.`,
          fr: `Le message fait ${formatCount(fresh)} tokens et le modèle en lit ${budget} au ` +
            `plus : seuls ses ${formatCount(kept)} derniers caractères sont lus.`,
        }),
      };
    }
    let turns = [...this.turns, user];
    let dropped = 0;
    while (encodePrompt(this.tok, turns).length > budget) {
      turns = turns.slice(2);
      dropped += 2;
    }
    if (dropped > 0 && !this.#toldOutgrown) {
      this.#toldOutgrown = true;
      yield {
        kind: "notice",
        text: this.#say({
          en: `The conversation outgrew the model's context of ${T} tokens: from now on its ` +
            `oldest turns are forgotten (${dropped} so far).`,
          fr: `La conversation dépasse le contexte du modèle (${T} tokens) : désormais, ses ` +
            `tours les plus anciens sont oubliés (${dropped} jusqu'ici).`,
        }),
      };
    }
    // The reply stops at <|end|> or when the context is full (replyPieces checks it).
    const pieces = replyPieces(this.model, this.tok, turns, {
      temperature: this.temperature,
      maxTokens: T,
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

  #say(text: { en: string; fr: string }): string {
    return text[this.lang];
  }
}
