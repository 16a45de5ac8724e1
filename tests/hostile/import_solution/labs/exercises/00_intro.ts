/** Hostile submission: hands in the grader's own reference solutions. */
export { countParameters, softmax } from "../../../../../labs/solutions/00_intro.ts";
