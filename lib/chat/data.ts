/**
 * Conversations the project writes itself, for supervised fine-tuning: a few task families a
 * small model can truly learn, each with a held-out split that training never sees.
 *
 * - addition: two-digit sums ("what is 23+45?", "combien font 23 + 45 ?" → "68"); a pair is held
 *   out by a hash of (a, b);
 * - reverse and spell: a made-up lowercase word written backwards, or letter by letter;
 * - count: how many times a letter occurs in a word;
 * - concept: one-line answers about the course's own ideas; the held-out split asks them in a
 *   phrasing training never uses, so it measures whether the question was understood.
 *
 * Every conversation is in English or in French (one in two), the same families in both, so a
 * French-speaking student can talk to the model in French.
 *
 * Words are random letter strings, held out by a hash of the word, so a held-out word was never
 * seen in any family. Leaves out open-ended chit-chat: nothing in it could be scored exactly.
 * @module
 */
import { type Lang, LANGS } from "../i18n.ts";
import { Rng } from "../random.ts";
import type { Turn } from "./template.ts";

/** The task families, in the order charts show them. */
export const FAMILIES = ["addition", "reverse", "spell", "count", "concept"] as const;
export type Family = typeof FAMILIES[number];

/** One question and its one right answer. */
export interface Exchange {
  family: Family;
  /** The language of the question and of the answer. */
  lang: Lang;
  question: string;
  answer: string;
}

/** A conversation: one or more exchanges, in order. */
export type Conversation = Exchange[];

/** Which side of the split. */
export type Split = "train" | "heldout";

/** Options of {@link generateConversations}. */
export interface GenerateOptions {
  count: number;
  split: Split;
  seed: number;
  /** Most exchanges in one conversation (default 3; 1 gives single-turn data only). */
  maxExchanges?: number;
  /** Families to draw from (default all). */
  families?: readonly Family[];
  /** Languages to draw from, one per conversation (default both, one in two). */
  langs?: readonly Lang[];
}

/** One language's phrasings; capitals are placeholders (A, B a sum's terms, W a word, L a letter). */
interface Phrasings {
  concepts: { name: string; answer: string }[];
  conceptTrain: string[];
  conceptHeldOut: string[];
  addition: string[];
  reverse: string[];
  spell: string[];
  count: string[];
}

const PHRASINGS: Record<Lang, Phrasings> = {
  en: {
    concepts: [
      { name: "a token", answer: "a piece of text read as one id" },
      { name: "attention", answer: "each token looks back at earlier ones" },
      { name: "softmax", answer: "it turns scores into probabilities" },
      { name: "an embedding", answer: "a vector standing for a token" },
      { name: "temperature", answer: "it makes sampling safer or wilder" },
      { name: "bpe", answer: "it merges frequent pairs into tokens" },
      { name: "the loss", answer: "how surprised the model is" },
      { name: "a gpt", answer: "a decoder-only transformer" },
    ],
    conceptTrain: ["what is NAME?", "define NAME.", "tell me about NAME."],
    conceptHeldOut: ["explain NAME."],
    addition: ["what is A+B?", "A+B=?", "add A and B."],
    reverse: ["reverse W.", "write W backwards."],
    spell: ["spell W.", "spell out W."],
    count: ["how many L in W?", "count the L in W."],
  },
  fr: {
    concepts: [
      { name: "un token", answer: "un morceau de texte lu comme un seul id" },
      { name: "l'attention", answer: "chaque token regarde ceux d'avant" },
      { name: "le softmax", answer: "il transforme des scores en probabilités" },
      { name: "un embedding", answer: "un vecteur qui représente un token" },
      { name: "la température", answer: "elle rend le tirage plus sage ou plus fou" },
      { name: "le bpe", answer: "il fusionne les paires fréquentes en tokens" },
      { name: "la perte", answer: "à quel point le modèle est surpris" },
      { name: "un gpt", answer: "un transformer à décodeur seul" },
    ],
    conceptTrain: ["c'est quoi NAME ?", "définis NAME.", "dis-moi ce qu'est NAME."],
    conceptHeldOut: ["explique NAME."],
    addition: ["combien font A + B ?", "A + B = ?", "additionne A et B.", "calcule A + B."],
    reverse: ["écris W à l'envers.", "inverse les lettres de W."],
    spell: ["épelle le mot W.", "épelle W."],
    count: ["combien de « L » dans W ?", "combien y a-t-il de L dans W ?"],
  },
};
/** Letters of French a user may type: the alphabet holds them even where no template does. */
const FRENCH_LETTERS = "àâçéèêëîïôùûüÿœæ«»'";
const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/**
 * Every character the generated conversations can contain, for the chat tokenizer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chatAlphabet } from "./data.ts";
 * assert.ok(chatAlphabet().includes("+") && chatAlphabet().includes("é"));
 * ```
 */
export function chatAlphabet(): string {
  const text = Object.values(PHRASINGS).map((p) => {
    const templates = [...p.addition, ...p.reverse, ...p.spell, ...p.count, ...p.conceptTrain];
    // The templates' placeholders are their only capitals, and never reach a conversation.
    return templates.join("").replace(/[A-Z]/g, "") +
      p.concepts.map((c) => c.name + c.answer).join("");
  }).join("") + LETTERS + FRENCH_LETTERS + "0123456789 -";
  return [...new Set(text)].sort().join("");
}

/**
 * `count` seeded conversations of one split. The same options give the same conversations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateConversations } from "./data.ts";
 * const [c] = generateConversations({ count: 1, split: "train", seed: 1, families: ["addition"] });
 * const [a, b] = c[0].question.match(/\d+/g)!.map(Number);
 * assert.equal(Number(c[0].answer), a + b);
 * ```
 */
export function generateConversations(options: GenerateOptions): Conversation[] {
  const rng = new Rng(options.seed);
  const families = options.families ?? FAMILIES;
  const most = options.maxExchanges ?? 3;
  const langs = options.langs ?? LANGS;
  const out: Conversation[] = [];
  for (let i = 0; i < options.count; i++) {
    // Most conversations are single questions; some go on, so the model learns to read history.
    const n = most > 1 && rng.uniform() < 0.3 ? 2 + rng.int(most - 1) : 1;
    // One language draws nothing, so English-only data is what it was before French came.
    const lang = langs.length === 1 ? langs[0] : langs[rng.uniform() < 0.5 ? 0 : 1];
    out.push(
      Array.from(
        { length: n },
        () => exchange(families[rng.int(families.length)], lang, options.split, rng),
      ),
    );
  }
  return out;
}

/**
 * The turns of a conversation, user and assistant alternating.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { turnsOf } from "./data.ts";
 * const turns = turnsOf([{ family: "addition", lang: "en", question: "1+1=?", answer: "2" }]);
 * assert.ok(turns[1].role === "assistant" && turns[1].text === "2");
 * ```
 */
export function turnsOf(conversation: Conversation): Turn[] {
  return conversation.flatMap((e): Turn[] => [
    { role: "user", text: e.question },
    { role: "assistant", text: e.answer },
  ]);
}

/**
 * True when an item (a sum's operands, a word) belongs to the held-out split: one in ten, by hash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isHeldOut } from "./data.ts";
 * assert.equal(isHeldOut("12+34"), isHeldOut("12+34"));
 * ```
 */
export function isHeldOut(key: string): boolean {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % 10 === 0;
}

function exchange(family: Family, lang: Lang, split: Split, rng: Rng): Exchange {
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)];
  const p = PHRASINGS[lang];
  switch (family) {
    case "addition": {
      let a: number, b: number;
      do [a, b] = [10 + rng.int(90), 10 + rng.int(90)]; while (!inSplit(`${a}+${b}`, split));
      return {
        family,
        lang,
        question: pick(p.addition).replace("A", String(a)).replace("B", String(b)),
        answer: String(a + b),
      };
    }
    case "reverse":
    case "spell": {
      const w = word(split, rng);
      return family === "reverse"
        ? {
          family,
          lang,
          question: pick(p.reverse).replace("W", w),
          answer: [...w].reverse().join(""),
        }
        : { family, lang, question: pick(p.spell).replace("W", w), answer: [...w].join("-") };
    }
    case "count": {
      const w = word(split, rng);
      // Half the time a letter of the word, else any letter (often absent: the answer 0).
      const letter = rng.uniform() < 0.5 ? w[rng.int(w.length)] : LETTERS[rng.int(26)];
      return {
        family,
        lang,
        question: pick(p.count).replace("L", letter).replace("W", w),
        answer: String([...w].filter((c) => c === letter).length),
      };
    }
    case "concept": {
      const c = pick(p.concepts);
      return {
        family,
        lang,
        question: pick(split === "train" ? p.conceptTrain : p.conceptHeldOut).replace(
          "NAME",
          c.name,
        ),
        answer: c.answer,
      };
    }
  }
}

function inSplit(key: string, split: Split): boolean {
  return isHeldOut(key) === (split === "heldout");
}

/** A made-up word of 3 to 6 letters from the split. */
function word(split: Split, rng: Rng): string {
  for (;;) {
    const n = 3 + rng.int(4);
    let w = "";
    for (let i = 0; i < n; i++) w += LETTERS[rng.int(26)];
    if (inSplit(w, split)) return w;
  }
}
