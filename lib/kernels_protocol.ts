/**
 * The control words the main thread and the kernel workers share, as indices into an Int32Array
 * over the shared memory. One job at a time:
 * - main: writes the job, sets `open`, bumps `gen` and notifies; works on the job itself; clears
 *   `open`; waits until `active` is 0, so no worker still reads the job when it returns.
 * - worker: sees `gen` change, increments `active`, works on the job only if `open` is still set
 *   (its tasks come from the job's own atomic counter), decrements `active` and notifies.
 * Sequentially consistent atomics make the `open`/`active` handshake safe in both orders.
 * @module
 */

/** Indices of the control words. */
export const CTL = { gen: 0, open: 1, active: 2, job: 3, exit: 4, words: 8 } as const;

/** Atomic loads a waiting thread spins through before it sleeps in `Atomics.wait` (~50 µs). */
export const SPIN_BEFORE_WAIT = 20_000;
