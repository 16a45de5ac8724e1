// AssemblyScript: which thread runs this instance. Each thread instantiates the module itself over
// the shared memory, so a global is private to its thread: kernels use it to find their scratch.

let current: i32 = 0;

/** Called once by the host on each thread's instance, with 0 for the main thread. */
export function setThread(t: i32): void {
  current = t;
}

/** The number given to setThread on this instance (0 until then). */
// @ts-ignore: decorator
@inline export function thread(): i32 {
  return current;
}
