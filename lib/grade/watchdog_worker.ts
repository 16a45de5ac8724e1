/**
 * The watchdog's thread (see watchdog.ts): it polls the shared deadline and, once the student's
 * code has run past it, prints that call's sentence and ends the lab's process, whose main thread
 * is the one stuck in the loop.
 * @module
 */
/// <reference lib="deno.worker" />

/** How often the clock is read: the limit is overrun by at most this much. */
const POLL_MS = 50;

const sentences: string[] = [];
let clock: Int32Array | undefined;
let origin = 0;

self.onmessage = (event: MessageEvent) => {
  const data = event.data as { clock?: Int32Array; origin?: number; sentences: string[] };
  if (data.clock) {
    clock = data.clock;
    origin = data.origin!;
    setInterval(poll, POLL_MS);
  }
  sentences.push(...data.sentences);
};

function poll(): void {
  const deadline = Atomics.load(clock!, 0);
  if (deadline === 0 || Date.now() - origin < deadline) return;
  const owner = Atomics.load(clock!, 1);
  // Written synchronously: the process ends right after.
  Deno.stderr.writeSync(new TextEncoder().encode(`\n${sentences[owner] ?? ""}\n`));
  Deno.kill(Deno.pid, "SIGTERM");
}
