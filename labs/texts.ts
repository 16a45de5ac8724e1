/**
 * Small texts the labs carry with them, so that labs 02–07 run without any corpus.
 * @module
 */

/** A few French sentences in the course's style, for character-level examples. */
export const FRENCH_SAMPLE = "Le chat de Marie est mignon. Il aime jouer avec la souris grise. " +
  "La souris mange le fromage et le chat la regarde. Marie rit. " +
  "Le soir, le chat dort devant le feu et la souris sort de son trou.";

/** Word groups of the synthetic corpus: words of a group share their contexts. */
export const WORD_GROUPS: Record<string, string[]> = {
  royalty: ["king", "queen", "prince", "princess", "duke", "lord"],
  animals: ["cat", "dog", "horse", "mouse", "bird", "wolf"],
  food: ["bread", "cheese", "wine", "apple", "meat", "soup"],
  places: ["castle", "house", "forest", "field", "city", "village"],
  colours: ["red", "green", "blue", "white", "black", "golden"],
};

const TEMPLATES = [
  "the {royalty} rules the {places} and the {royalty} obeys",
  "a {colours} {animals} runs through the {places}",
  "the {royalty} eats {food} with the {royalty} in the {places}",
  "my {animals} likes {food} and sleeps in the {places}",
  "the {royalty} wears a {colours} crown",
  "a {animals} hunts a {animals} near the {places}",
  "we bought {colours} {food} in the {places}",
  "the {royalty} rides a {colours} {animals}",
];

/**
 * A seeded text of `sentences` sentences made from templates and word groups: small, but with
 * enough regularity that word2vec finds the groups. Used when no corpus is available.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { syntheticCorpus } from "./texts.ts";
 * assert.equal(syntheticCorpus(3, 1).split(".").length, 4);
 * ```
 */
export function syntheticCorpus(sentences: number, seed: number): string {
  let state = seed >>> 0;
  const next = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 4294967296) * n);
  };
  const out: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const template = TEMPLATES[next(TEMPLATES.length)];
    out.push(
      template.replace(
        /\{(\w+)\}/g,
        (_, g: string) => WORD_GROUPS[g][next(WORD_GROUPS[g].length)],
      ) + ".",
    );
  }
  return out.join(" ");
}
