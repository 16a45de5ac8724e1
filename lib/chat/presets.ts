/**
 * SFT presets: the model shape, the data and the settings of a chat run. `quick` is the lab's
 * (a couple of minutes on plain TypeScript, a model that has learned the template and some
 * answers); `full` aims at the course's targets (two-digit addition, ending turns) in at most
 * 15 minutes on two CPU cores.
 * @module
 */
import type { GPTConfig } from "../config.ts";
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
    model: { blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 64 },
    settings: {
      batchSize: 16,
      steps: 400,
      warmupSteps: 20,
      maxLr: 3e-3,
      minLr: 3e-4,
      weightDecay: 0.01,
      gradClip: 1,
      evalEvery: 100,
      seed: 7,
    },
    trainCount: 4000,
    heldOutCount: 60,
    maxExchanges: 2,
    families: ["addition", "reverse", "spell", "count", "concept"],
  },
  full: {
    model: { blockSize: 96, nLayer: 2, nHead: 4, nEmbd: 64 },
    settings: {
      batchSize: 16,
      steps: 2400,
      warmupSteps: 100,
      maxLr: 5e-3,
      minLr: 3e-4,
      weightDecay: 0.01,
      gradClip: 1,
      evalEvery: 500,
      seed: 7,
    },
    trainCount: 60000,
    heldOutCount: 300,
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
