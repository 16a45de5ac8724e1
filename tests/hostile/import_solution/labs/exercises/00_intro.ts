/**
 * Hostile submission: hands in the grader's own reference solutions, through an import whose
 * specifier is computed at run time, which no reading of its imports can see.
 */
const solutions = await import(["../../../../..", "labs", "solutions", "00_intro.ts"].join("/"));
export const softmax = solutions.softmax;
export const countParameters = solutions.countParameters;
