/**
 * Exercises of lab 01: the steps of byte-pair encoding, each checked on seeded inputs against
 * the library (pair counts and merges against basic.ts; training, encoding and decoding against
 * the fast tokenizer of lib/tokenizer).
 * @module
 */
import type { Exercise } from "../../lib/course/exercise.ts";
import { equalCase, show } from "../../lib/course/cases.ts";
import { Rng } from "../../lib/random.ts";
import {
  BpeTokenizer,
  countPairs,
  decodeWithMerges,
  encodeWithMerges,
  GPT4_SPLIT_PATTERN,
  mergePair,
  type Pair,
  splitText,
  trainBpe,
  trainMerges,
} from "../../lib/tokenizer/mod.ts";

const FILE = "labs/exercises/01_tokenization.ts";

/** Seeded ids from a small range, so that pairs repeat (and runs like 7 7 7 occur). */
function seededIds(rng: Rng, length: number, range: number): number[] {
  return Array.from({ length }, () => rng.int(range));
}

/** Seeded text mixing words, spaces, digits and accents, so pairs repeat and tie. */
function seededText(rng: Rng, length: number): string {
  const parts = ["le", " chat", " et", " la", " chatte", " été", "s", "  ", "\n", "12", "3", "!"];
  let text = "";
  while (text.length < length) text += parts[rng.int(parts.length)];
  return text;
}

/** A Map shown and compared as its entries, sorted by key. */
function entries(value: unknown): unknown {
  return value instanceof Map ? [...value].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0) : value;
}

const countPairsExercise: Exercise<(ids: number[]) => Map<string, number>> = {
  id: "01.1",
  title: { en: "Counting adjacent pairs", fr: "Compter les paires voisines" },
  file: FILE,
  symbol: "countPairs",
  hint: {
    en: "Which pairs does a list of n ids hold, and how do you walk over each of them exactly " +
      "once? What key can a Map use for a pair, given that two arrays are never equal as keys?",
    fr: "Quelles paires contient une liste de n identifiants, et comment les parcourir chacune " +
      "exactement une fois ? Quelle clé une Map peut-elle utiliser pour une paire, sachant que " +
      "deux tableaux ne sont jamais égaux en tant que clés ?",
  },
  prompt: {
    en:
      'how many times each adjacent pair occurs, keyed "a,b". countPairs([1, 2, 3, 1, 2]) → Map { "1,2" → 2, "2,3" → 1, "3,1" → 1 }.',
    fr:
      'combien de fois apparaît chaque paire voisine, avec la clé "a,b". countPairs([1, 2, 3, 1, 2]) → Map { "1,2" → 2, "2,3" → 1, "3,1" → 1 }.',
  },
  points: 2,
  reference: (ids) => countPairs(ids),
  check(impl) {
    const rng = new Rng(1);
    const inputs = [[1, 2, 3, 1, 2], [7, 7, 7], [], [5], seededIds(rng, 40, 4)];
    return inputs.map((ids) =>
      equalCase(`countPairs(${show(ids)})`, entries(impl([...ids])), entries(countPairs(ids)))
    );
  },
};

const mergePairExercise: Exercise<(ids: number[], a: number, b: number, id: number) => number[]> = {
  id: "01.2",
  title: { en: "Applying one merge", fr: "Appliquer une fusion" },
  file: FILE,
  symbol: "mergePair",
  hint: {
    en: "Walk left to right: when the id at i and the one after it are the pair, what do you " +
      "write, and how far do you jump? What should [7, 7, 7] give when merging (7, 7)?",
    fr: "Avance de gauche à droite : quand l'identifiant en i et le suivant forment la paire, " +
      "qu'écris-tu, et de combien sautes-tu ? Que doit donner [7, 7, 7] en fusionnant (7, 7) ?",
  },
  prompt: {
    en:
      "`ids` with every occurrence of the pair (a, b), scanned left to right, replaced by `id`. " +
      "mergePair([1, 2, 3, 1, 2], 1, 2, 256) → [256, 3, 256].",
    fr:
      "`ids` où chaque occurrence de la paire (a, b), lue de gauche à droite, est remplacée par " +
      "`id`. mergePair([1, 2, 3, 1, 2], 1, 2, 256) → [256, 3, 256].",
  },
  points: 2,
  reference: mergePair,
  check(impl) {
    const rng = new Rng(2);
    const cases: [number[], number, number][] = [
      [[1, 2, 3, 1, 2], 1, 2],
      [[7, 7, 7], 7, 7],
      [[7, 7, 7, 7], 7, 7],
      [[1, 2], 2, 1],
      [[], 1, 2],
      [seededIds(rng, 30, 3), 1, 2],
    ];
    return cases.map(([ids, a, b]) =>
      equalCase(
        `mergePair(${show(ids)}, ${a}, ${b}, 256)`,
        impl([...ids], a, b, 256),
        mergePair(ids, a, b, 256),
      )
    );
  },
};

const trainExercise: Exercise<(chunks: string[], vocabSize: number) => Pair[]> = {
  id: "01.3",
  title: { en: "The training loop", fr: "La boucle d'entraînement" },
  file: FILE,
  symbol: "trainMerges",
  hint: {
    en: "What list of ids does each chunk start as? In one round, which pairs do you count, " +
      "across which chunks, and which pair wins (what settles a tie)? What becomes of the winner " +
      "in every chunk, which id does it get, and when is the loop over?",
    fr: "Par quelle liste d'identifiants commence chaque morceau ? À chaque tour, quelles paires " +
      "comptes-tu, sur quels morceaux, et quelle paire l'emporte (qu'est-ce qui départage une " +
      "égalité) ? Que devient la gagnante dans chaque morceau, quel identifiant reçoit-elle, et " +
      "quand la boucle s'arrête-t-elle ?",
  },
  prompt: {
    en:
      'learn merges on pre-split `chunks` (pairs never cross two chunks) until the vocabulary has `vocabSize` ids, or no pair is left. Each round takes the most frequent pair; on a tie, the one with the smaller first id, then the smaller second id. trainMerges(["aaab"], 257) → [[97, 97]].',
    fr:
      "apprendre des fusions sur des `chunks` déjà découpés (une paire ne chevauche jamais deux " +
      "morceaux) jusqu'à ce que le vocabulaire compte `vocabSize` identifiants, ou qu'il ne " +
      "reste plus de paire. Chaque tour prend la paire la plus fréquente ; en cas d'égalité, " +
      "celle dont le premier identifiant est le plus petit, puis le second. " +
      'trainMerges(["aaab"], 257) → [[97, 97]].',
  },
  points: 4,
  reference: trainMerges,
  check(impl) {
    const rng = new Rng(3);
    const cases: [string, number][] = [
      ["aaab", 258],
      ["abab", 300],
      [seededText(rng, 300), 270],
      [seededText(rng, 1500), 300],
    ];
    return cases.map(([text, vocabSize]) => {
      const chunks = splitText(text, GPT4_SPLIT_PATTERN);
      const expected = trainBpe(text, { vocabSize }).merges;
      return equalCase(
        `trainMerges(splitText(${
          show(text.length > 24 ? text.slice(0, 24) + "…" : text)
        }), ${vocabSize})`,
        impl([...chunks], vocabSize),
        expected,
      );
    });
  },
};

const encodeExercise: Exercise<(text: string, merges: Pair[]) => number[]> = {
  id: "01.4",
  title: { en: "Encoding with learnt merges", fr: "Encoder avec les fusions apprises" },
  file: FILE,
  symbol: "encode",
  hint: {
    en: "Start from the bytes. Of all adjacent pairs, which one was learnt first? Merge it, " +
      "and repeat until no adjacent pair is a merge. Why must it be the earliest merge, and not " +
      "the leftmost pair?",
    fr: "Pars des octets. Parmi toutes les paires voisines, laquelle a été apprise en premier ? " +
      "Fusionne-la, et recommence jusqu'à ce qu'aucune paire voisine ne soit une fusion. " +
      "Pourquoi faut-il la fusion la plus ancienne, et non la paire la plus à gauche ?",
  },
  prompt: {
    en:
      'the ids of `text` (one chunk, no pre-split) under `merges`. encode("aab", [[97, 97]]) → [256, 98].',
    fr:
      'les identifiants de `text` (un seul morceau, sans découpage préalable) avec les fusions `merges`. encode("aab", [[97, 97]]) → [256, 98].',
  },
  points: 3,
  reference: encodeWithMerges,
  check(impl) {
    const rng = new Rng(4);
    const training = seededText(rng, 2000);
    const tok = trainBpe(training, { vocabSize: 320, pattern: "" });
    const merges = tok.merges.map(([a, b]) => [a, b] as Pair);
    const texts = ["le chat", "", "é", seededText(rng, 60), "la chatte était là 😀"];
    const cases: [string, Pair[], BpeTokenizer][] = texts.map((t) => [t, merges, tok]);
    // "b"+"c" was learnt before "a"+"b": taking the leftmost pair first gets "abc" wrong.
    const handmade: Pair[] = [[98, 99], [97, 98], [257, 99]];
    cases.push(["abcabc", handmade, new BpeTokenizer({ pattern: "", merges: handmade })]);
    // The whole merge list in the call, so that a failing case can be rerun by hand.
    return cases.map(([text, m, reference]) =>
      equalCase(
        `encode(${show(text)}, ${JSON.stringify(m)})`,
        impl(text, m.map(([a, b]) => [a, b] as Pair)),
        reference.encode(text),
      )
    );
  },
};

const decodeExercise: Exercise<(ids: number[], merges: Pair[]) => string> = {
  id: "01.5",
  title: { en: "Decoding back to text", fr: "Décoder pour retrouver le texte" },
  file: FILE,
  symbol: "decode",
  hint: {
    en: "Which bytes does each id stand for? Ids below 256 are one byte; merge i made id " +
      "256 + i from two earlier ids. Join the bytes of every id, then turn bytes into text.",
    fr: "Quels octets chaque identifiant représente-t-il ? Un identifiant inférieur à 256 est un " +
      "octet ; la fusion i a créé l'identifiant 256 + i à partir de deux identifiants plus " +
      "anciens. Mets bout à bout les octets de chaque identifiant, puis change les octets en " +
      "texte.",
  },
  prompt: {
    en:
      'the text that `ids` stand for under `merges`; bytes that are not valid UTF-8 become "\\uFFFD", as TextDecoder does. decode([256, 98], [[97, 97]]) → "aab".',
    fr:
      'le texte que représentent `ids` avec les fusions `merges` ; les octets qui ne forment pas de l\'UTF-8 valide deviennent "\\uFFFD", comme avec TextDecoder. decode([256, 98], [[97, 97]]) → "aab".',
  },
  points: 2,
  reference: decodeWithMerges,
  check(impl) {
    const rng = new Rng(5);
    const tok = trainBpe(seededText(rng, 2000), { vocabSize: 320, pattern: "" });
    const merges = tok.merges.map(([a, b]) => [a, b] as Pair);
    const inputs = [
      tok.encode("le chat et la chatte"),
      [],
      [0xc3, 0xa9],
      tok.encode("été 2026 😀"),
      seededIds(rng, 12, 320),
    ];
    return inputs.map((ids) =>
      equalCase(`decode(${show(ids)}, <64 merges>)`, impl([...ids], merges), tok.decode(ids))
    );
  },
};

/** Lab 01's exercises, in the order the lab uses them. */
export const exercises: Exercise[] = [
  countPairsExercise,
  mergePairExercise,
  trainExercise,
  encodeExercise,
  decodeExercise,
] as Exercise[];
