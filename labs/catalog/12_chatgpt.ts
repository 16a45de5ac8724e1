/**
 * Exercises of lab 12: writing a conversation with the chat template, and the loss mask that
 * keeps supervised fine-tuning to the assistant's tokens.
 * @module
 */
import { chatAlphabet, generateConversations, turnsOf } from "../../lib/chat/data.ts";
import {
  assistantTargetMask,
  ChatTokenizer,
  encodeConversation,
  formatConversation,
  type SpecialIds,
  type Turn,
} from "../../lib/chat/template.ts";
import { closeCase, equalCase, type Exercise, show } from "../../lib/course/exercise.ts";

const FILE = "labs/exercises/12_chatgpt.ts";

const formatExercise: Exercise<typeof formatConversation> = {
  id: "12.1",
  title: "A conversation in the chat template",
  file: FILE,
  symbol: "formatConversation",
  hint: "What opens a turn, and does it depend on who speaks? What closes every turn, whoever " +
    "speaks? Is there anything between two turns?",
  points: 2,
  reference: formatConversation,
  check(impl) {
    const cases: Turn[][] = [
      [{ role: "user", text: "hi" }],
      [{ role: "user", text: "what is 12+34?" }, { role: "assistant", text: "46" }],
      turnsOf(generateConversations({ count: 1, split: "train", seed: 4, maxExchanges: 3 })[0]),
      [{ role: "user", text: "" }, { role: "assistant", text: "" }],
    ];
    return cases.map((turns) =>
      equalCase(
        `formatConversation(${show(turns, 4)})`,
        impl(structuredClone(turns)),
        formatConversation(turns),
      )
    );
  },
};

/** The mask as plain numbers, the form the exercise returns. */
function mask(ids: number[], special: SpecialIds): number[] {
  return Array.from(assistantTargetMask(ids, special));
}

const maskExercise: Exercise<typeof mask> = {
  id: "12.2",
  title: "The loss mask: learn the assistant's tokens only",
  file: FILE,
  symbol: "assistantTargetMask",
  hint: "Target i is token i + 1. Walk along the ids keeping one yes/no: am I inside an " +
    "assistant turn? Which token switches it on, and which two switch it off? Does the " +
    "<|end|> that closes the assistant's turn belong to what it should learn to write?",
  points: 3,
  reference: mask,
  check(impl) {
    const tok = new ChatTokenizer([...chatAlphabet()]);
    const s = tok.special;
    const convs = generateConversations({ count: 40, split: "train", seed: 12, maxExchanges: 3 });
    const multi = convs.find((c) => c.length >= 2)!;
    const inputs: number[][] = [
      [s.user, 0, s.end, s.assistant, 1, 2, s.end],
      encodeConversation(tok, turnsOf(convs[0])),
      encodeConversation(tok, turnsOf(multi)),
      [s.user, 3, s.end, s.assistant], // a prompt waiting for its reply
      [s.assistant],
    ];
    return inputs.map((ids) =>
      closeCase(
        `assistantTargetMask(${show(ids, 12)}, ${show(s)})`,
        impl([...ids], { ...s }),
        mask(ids, s),
        0,
      )
    );
  },
};

/** Lab 12's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [formatExercise, maskExercise] as Exercise[];
