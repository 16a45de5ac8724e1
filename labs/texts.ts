/**
 * Small texts the labs carry with them, so that labs 02–07 run without any corpus.
 * @module
 */

/** A few French sentences in the course's style, for character-level examples. */
export const FRENCH_SAMPLE = "Le chat de Marie est mignon. Il aime jouer avec la souris grise. " +
  "La souris mange le fromage et le chat la regarde. Marie rit. " +
  "Le soir, le chat dort devant le feu et la souris sort de son trou.";
