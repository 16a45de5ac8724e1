/**
 * SFT presets: the model shape, the data and the settings of a chat run. `quick` is the lab's
 * (32,000 conversations seen, within a minute on the kernels: a model that has learned the
 * template and to end its turn, and little of the answers yet);
 * `full` aims at the course's targets (two-digit addition, ending turns) in at most 15 minutes on
 * two CPU cores.
 *
 * Both use RoPE: the digits of a sum sit at different absolute places in "what is 23+45?" and
 * "add 23 and 45.", but at the same distances from the answer, and rotary positions encode
 * exactly those distances. With learned positions and otherwise the same full run, held-out
 * sums stopped near 80%; with RoPE they reach 100%.
 * @module
 */
import type { GPTConfig } from "../model/config.ts";
import type { Family } from "./data.ts";
import type { SftSettings } from "./sft.ts";

/** Everything a chat run needs besides the seed. */
export interface SftPreset {
  model: Omit<GPTConfig, "vocabSize">;
  settings: SftSettings;
  /** Training conversations generated, and held-out ones evaluated. */
  trainCount: number;
  heldOutCount: number;
  maxExchanges: number;
  /** Families drawn from, uniformly; a family listed twice is drawn twice as often. */
  families: Family[];
}

/** The presets by name. */
export const SFT_PRESETS: Record<"quick" | "full", SftPreset> = {
  quick: {
    model: { blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 64, positional: "rope" },
    // Batches of 16 with twice the full preset's peak rate: on a budget of a minute, twice
    // the steps of half the size lowered the held-out loss more than 1,000 steps of 32.
    settings: {
      batchSize: 16,
      steps: 2000,
      warmupSteps: 50,
      maxLr: 2e-3,
      minLr: 3e-4,
      weightDecay: 0.01,
      gradClip: 1,
      evalEvery: 250,
      seed: 7,
    },
    trainCount: 30000,
    heldOutCount: 60,
    maxExchanges: 2,
    families: ["addition", "reverse", "spell", "count", "concept"],
  },
  full: {
    model: { blockSize: 96, nLayer: 2, nHead: 4, nEmbd: 64, positional: "rope" },
    settings: {
      batchSize: 32,
      steps: 16000,
      warmupSteps: 200,
      maxLr: 1e-3,
      minLr: 3e-4,
      weightDecay: 0.01,
      gradClip: 1,
      evalEvery: 2000,
      seed: 7,
    },
    trainCount: 60000,
    heldOutCount: 1000,
    maxExchanges: 3,
    // Sums are the course's target and the hardest family per token: six draws in ten.
    families: [
      "addition",
      "addition",
      "addition",
      "addition",
      "addition",
      "addition",
      "reverse",
      "spell",
      "count",
      "concept",
    ],
  },
};
