/**
 * Ctrl-C during a long run (training, fine-tuning): the first asks the run to stop after its
 * current step and save, the second quits at once (exit 130). A student who presses it loses at
 * most one step.
 * @module
 */
import { type Text, tr } from "../i18n.ts";
import { paint } from "../term.ts";

/**
 * Runs `run` with Ctrl-C turned into a request it polls (`stopRequested`); `note` is what the
 * first Ctrl-C prints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stoppable } from "./interrupt.ts";
 * const note = { en: "Stopping after this step…", fr: "Arrêt après ce pas…" };
 * assert.equal(await stoppable(note, async (stopRequested) => stopRequested()), false);
 * ```
 */
export async function stoppable<T>(
  note: Text,
  run: (stopRequested: () => boolean) => Promise<T>,
): Promise<T> {
  let stop = false;
  const onInterrupt = () => {
    if (stop) Deno.exit(130); // a second Ctrl-C: the user really wants out
    stop = true;
    console.error(paint("yellow", `\n${tr(note)}`));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    return await run(() => stop);
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}
