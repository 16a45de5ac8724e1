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
import type { Exercise } from "../../lib/course/exercise.ts";
import { closeCase, equalCase, show } from "../../lib/course/cases.ts";

const FILE = "labs/exercises/12_chatgpt.ts";

const formatExercise: Exercise<typeof formatConversation> = {
  id: "12.1",
  title: {
    en: "A conversation in the chat template",
    fr: "Une conversation dans le modèle de conversation",
  },
  file: FILE,
  symbol: "formatConversation",
  hint: {
    en: "What opens a turn, and does it depend on who speaks? What closes every turn, whoever " +
      "speaks? Is there anything between two turns?",
    fr:
      "Qu'est-ce qui ouvre un tour, et cela dépend-il de qui parle ? Qu'est-ce qui ferme chaque " +
      "tour, quel que soit l'interlocuteur ? Y a-t-il quelque chose entre deux tours ?",
  },
  prompt: {
    en:
      'a conversation as one string in the chat template. Each turn is its role\'s token (`<|user|>` or `<|assistant|>`), its text, then `<|end|>`: [{ role: "user", text: "hi" }, { role: "assistant", text: "hello" }] gives "<|user|>hi<|end|><|assistant|>hello<|end|>".',
    fr:
      'une conversation en une seule chaîne, au format du modèle de conversation. Chaque tour est le token de son rôle (`<|user|>` ou `<|assistant|>`), son texte, puis `<|end|>` : [{ role: "user", text: "hi" }, { role: "assistant", text: "hello" }] donne "<|user|>hi<|end|><|assistant|>hello<|end|>".',
  },
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
  title: {
    en: "The loss mask: learn the assistant's tokens only",
    fr: "Le masque de la perte : n'apprendre que les tokens de l'assistant",
  },
  file: FILE,
  symbol: "assistantTargetMask",
  hint: {
    en: "Target i is token i + 1. Walk along the ids keeping one yes/no: am I inside an " +
      "assistant turn? Which token switches it on, and which two switch it off? Does the " +
      "<|end|> that closes the assistant's turn belong to what it should learn to write?",
    fr: "La cible i est le token i + 1. Parcours les identifiants en gardant un seul oui/non : " +
      "suis-je dans un tour de l'assistant ? Quel token l'allume, et quels deux tokens " +
      "l'éteignent ? Le <|end|> qui ferme le tour de l'assistant fait-il partie de ce qu'il " +
      "doit apprendre à écrire ?",
  },
  prompt: {
    en: "the loss weights of the next-token targets of a tokenized conversation. For n ids there " +
      "are n − 1 targets (target i is ids[i + 1]); its weight is 1 when the assistant wrote it " +
      "(a character of a reply, or the <|end|> closing the reply), else 0. With special = { " +
      "user: 10, assistant: 11, end: 12 }, [10, 1, 12, 11, 2, 3, 12] gives [0, 0, 0, 1, 1, 1].",
    fr: "les poids de perte des cibles (le token suivant) d'une conversation tokenisée. Pour n " +
      "identifiants, il y a n − 1 cibles (la cible i est ids[i + 1]) ; son poids vaut 1 quand " +
      "l'assistant l'a écrite (un caractère d'une réponse, ou le <|end|> qui la ferme), 0 " +
      "sinon. Avec special = { user: 10, assistant: 11, end: 12 }, [10, 1, 12, 11, 2, 3, 12] " +
      "donne [0, 0, 0, 1, 1, 1].",
  },
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
