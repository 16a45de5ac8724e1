/** Hostile submission: hands in the library's reference implementations. */
export { softmax } from "../../../../../lib/layers/softmax.ts";
export { countParameters } from "../../../../../lib/model/config.ts";
