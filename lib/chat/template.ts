/**
 * The chat template: how a conversation becomes one stream of tokens a GPT can continue.
 * Each turn opens with a role token and closes with an end-of-turn token:
 *
 *   <|user|>What is 12+34?<|end|><|assistant|>46<|end|><|user|>…
 *
 * The special tokens get one id each, after the characters of a character-level vocabulary, so
 * no text a user types can forge them. To answer, the model is given the conversation so far and
 * a final `<|assistant|>`, and writes until it emits `<|end|>`.
 *
 * Leaves out system prompts and tool calls; byte-level BPE (lib/tokenizer/bpe.ts) has special
 * tokens too, but a character vocabulary is what a model this small learns fastest.
 * @module
 */
import type { SavedTokenizer } from "../train/checkpoint.ts";
import { CharTokenizer } from "../tokenizer/char.ts";
import { UserError } from "../errors.ts";
import { type Text, tr } from "../i18n.ts";

/** Who speaks a turn. */
export type Role = "user" | "assistant";

/** One turn of a conversation. */
export interface Turn {
  role: Role;
  text: string;
}

/** The special tokens' text, as they are displayed (never typed: they have their own ids). */
export const SPECIAL_TOKENS = {
  user: "<|user|>",
  assistant: "<|assistant|>",
  end: "<|end|>",
} as const;

/** The ids of the three special tokens in a vocabulary. */
export interface SpecialIds {
  user: number;
  assistant: number;
  end: number;
}

/**
 * A character-level tokenizer with the chat template's three special tokens after its characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChatTokenizer } from "./template.ts";
 * const tok = ChatTokenizer.fromText("abc");
 * assert.ok(tok.vocabSize === 6 && tok.special.end === 5);
 * assert.equal(tok.decode([...tok.encodeText("cab"), tok.special.end]), "cab<|end|>");
 * ```
 */
export class ChatTokenizer {
  /** The characters, id order; the special tokens follow them. */
  readonly chars: readonly string[];
  readonly special: SpecialIds;
  readonly #text: CharTokenizer;

  constructor(chars: string[]) {
    this.#text = new CharTokenizer(chars);
    this.chars = this.#text.chars;
    const n = chars.length;
    this.special = { user: n, assistant: n + 1, end: n + 2 };
  }

  /** The tokenizer of every distinct character of `text`, in code-point order. */
  static fromText(text: string): ChatTokenizer {
    return new ChatTokenizer([...CharTokenizer.fromText(text).chars]);
  }

  get vocabSize(): number {
    return this.chars.length + 3;
  }

  /** Ids of plain text; a character outside the vocabulary is one sentence naming it. */
  encodeText(text: string): number[] {
    return Array.from(text, (c) => {
      const id = this.#text.idOf(c);
      if (id === undefined) {
        const known = JSON.stringify(this.chars.join(""));
        throw new UserError(tr({
          en: `This model never saw the character ${JSON.stringify(c)}: it knows only ${known}.`,
          fr: `Ce modèle n'a jamais vu le caractère « ${c} » : il ne connaît que ${known}.`,
        }));
      }
      return id;
    });
  }

  /** Text of `ids`, special tokens written as their names. */
  decode(ids: ArrayLike<number>): string {
    const names = [SPECIAL_TOKENS.user, SPECIAL_TOKENS.assistant, SPECIAL_TOKENS.end];
    let text = "";
    for (let i = 0; i < ids.length; i++) {
      const c = this.chars[ids[i]] ?? names[ids[i] - this.chars.length];
      if (c === undefined) {
        throw new UserError(tr({
          en: `Token id ${ids[i]} is outside this vocabulary of ${this.vocabSize}.`,
          fr: `L'id de token ${ids[i]} est hors de ce vocabulaire de ${this.vocabSize}.`,
        }));
      }
      text += c;
    }
    return text;
  }

  /** The saved form, as a checkpoint keeps it. */
  save(): SavedTokenizer {
    return {
      kind: "chat",
      data: JSON.stringify({ chars: this.chars, special: Object.values(SPECIAL_TOKENS) }) + "\n",
    };
  }

  /**
   * The tokenizer a checkpoint saved; anything else is one sentence saying what to do, naming
   * `source` (in French, after « dans »).
   */
  static restore(
    saved: SavedTokenizer,
    source: Text = { en: "the checkpoint", fr: "le checkpoint" },
  ): ChatTokenizer {
    if (saved.kind !== "chat") {
      throw new UserError(tr({
        en: `${source.en} has no chat tokens (its tokenizer is ${saved.kind}-level, without ` +
          `<|user|>, <|assistant|> and <|end|>): fine-tune a chat model first with \`deno task sft\`.`,
        fr: `Il n'y a pas de tokens de chat dans ${source.fr} (son tokenizer est de niveau ` +
          `${saved.kind}, sans <|user|>, <|assistant|> ni <|end|>) : fais d'abord le fine-tuning ` +
          `d'un modèle de chat avec \`deno task sft\`.`,
      }));
    }
    let parsed: { chars?: unknown } | undefined;
    try {
      parsed = JSON.parse(saved.data);
    } catch {
      parsed = undefined;
    }
    const chars = parsed?.chars;
    if (!Array.isArray(chars) || !chars.every((c) => typeof c === "string")) {
      throw new UserError(tr({
        en: `The chat tokenizer of ${source.en} is damaged: train it again.`,
        fr: `Le tokenizer de chat dans ${source.fr} est endommagé : entraîne-le à nouveau.`,
      }));
    }
    return new ChatTokenizer(chars);
  }
}

/** What {@link cleanMessage} made of a message. */
export interface CleanMessage {
  /** The message in the tokenizer's characters only. */
  text: string;
  /** Characters the vocabulary lacks, left out, each once. */
  unknown: string[];
}

// Typographic variants a keyboard gives, mapped to the plain character the model was taught.
const VARIANTS: Record<string, string> = {
  "\u2019": "'", // ’ (French keyboards and phones write it for ')
  "\u2018": "'",
  "\u02bc": "'",
  "\u00a0": " ", // no-break spaces, as French typography puts before ? ! : ; and inside « »
  "\u202f": " ",
  "\u2009": " ",
  "\t": " ",
};

/**
 * A message a user typed, made readable by the tokenizer: typographic apostrophes and spaces made
 * plain, a capital the model never saw lowered, and every character still unknown left out (and
 * listed), so one stray character does not cost the whole line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChatTokenizer, cleanMessage } from "./template.ts";
 * const tok = ChatTokenizer.fromText("abc' ?");
 * const m = cleanMessage(tok, "Ab’c ?😀");
 * assert.ok(m.text === "ab'c ?" && m.unknown.join() === "😀");
 * ```
 */
export function cleanMessage(tok: ChatTokenizer, message: string): CleanMessage {
  const known = new Set(tok.chars);
  const unknown = new Set<string>();
  let text = "";
  for (const raw of message.normalize("NFC")) {
    const c = VARIANTS[raw] ?? raw;
    if (known.has(c)) text += c;
    else if (known.has(c.toLowerCase())) text += c.toLowerCase();
    else unknown.add(c);
  }
  return { text: text.replace(/ {2,}/g, " ").trim(), unknown: [...unknown] };
}

/**
 * A conversation as text, with the special tokens spelled out (what the model sees, for people).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatConversation } from "./template.ts";
 * const text = formatConversation([{ role: "user", text: "hi" }, { role: "assistant", text: "hello" }]);
 * assert.equal(text, "<|user|>hi<|end|><|assistant|>hello<|end|>");
 * ```
 */
export function formatConversation(turns: Turn[]): string {
  return turns.map((t) => `${SPECIAL_TOKENS[t.role]}${t.text}${SPECIAL_TOKENS.end}`).join("");
}

/**
 * The token ids of a conversation, following {@link formatConversation}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChatTokenizer, encodeConversation } from "./template.ts";
 * const tok = ChatTokenizer.fromText("hi");
 * const ids = encodeConversation(tok, [{ role: "user", text: "hi" }]);
 * assert.ok(ids.length === 4 && ids[0] === tok.special.user && ids[3] === tok.special.end);
 * ```
 */
export function encodeConversation(tok: ChatTokenizer, turns: Turn[]): number[] {
  const ids: number[] = [];
  for (const t of turns) {
    ids.push(tok.special[t.role]);
    // One push per id: spreading a long message into push's arguments overflows the stack.
    for (const id of tok.encodeText(t.text)) ids.push(id);
    ids.push(tok.special.end);
  }
  return ids;
}

/**
 * What the model reads before it answers: the conversation so far and an opening `<|assistant|>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChatTokenizer, encodePrompt } from "./template.ts";
 * const tok = ChatTokenizer.fromText("hi");
 * const ids = encodePrompt(tok, [{ role: "user", text: "hi" }]);
 * assert.equal(ids[ids.length - 1], tok.special.assistant);
 * ```
 */
export function encodePrompt(tok: ChatTokenizer, turns: Turn[]): number[] {
  return [...encodeConversation(tok, turns), tok.special.assistant];
}

/**
 * The loss weights of a conversation's next-token targets: for `ids` of length n, the n − 1
 * targets ids[1..n-1], weight 1 where the assistant wrote the target (the characters of its
 * replies and the `<|end|>` closing each), 0 elsewhere — the user's words and the role tokens
 * the template inserts are context, not something the model should learn to produce.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assistantTargetMask } from "./template.ts";
 * const s = { user: 10, assistant: 11, end: 12 };
 * // <|user|> h <|end|> <|assistant|> o k <|end|>
 * const w = assistantTargetMask([10, 1, 12, 11, 2, 3, 12], s);
 * assert.equal(w.join(","), "0,0,0,1,1,1");
 * ```
 */
export function assistantTargetMask(ids: ArrayLike<number>, special: SpecialIds): Float32Array {
  const weights = new Float32Array(Math.max(0, ids.length - 1));
  let speaking = false; // inside an assistant turn
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (i > 0) weights[i - 1] = speaking ? 1 : 0;
    if (id === special.assistant) speaking = true;
    else if (id === special.user || id === special.end) speaking = false;
  }
  return weights;
}
