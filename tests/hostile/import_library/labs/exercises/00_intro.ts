/** Hostile submission: hands in the library's reference implementations. */
export { softmax } from "../../../../../lib/softmax.ts";
export { countParameters } from "../../../../../lib/config.ts";
