/**
 * The grader's sandboxed child for the compositions (compose.ts). Each call it is sent is a
 * run's plain description, a CompositionCall; this entry makes that run here, on the student's
 * function, with the case's table holding the student's own parts where the call says so (loaded
 * from their staged files), and reports the run's outputs like any child (lib/grade/child.ts):
 * raw results, judged by the grader in its own process.
 * @module
 */
import {
  type AnyFunction,
  type CompositionCall,
  type Exercise,
  type Outputs,
  type Parts,
  PROBE,
  type RemoteRun,
} from "../../lib/course/exercise.ts";
import { serveChild } from "../../lib/grade/child.ts";
import { CATALOG } from "./mod.ts";

/** The run asked for is done: the rest of the check need not run. */
class Found extends Error {}

/**
 * The outputs of `call`'s run of `exercise`'s check on `fn`, with `parts` (the student's
 * functions for the parts the check uses). Throws what the run throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CATALOG } from "./mod.ts";
 * import { computeComposition } from "./compose_child.ts";
 * const block = CATALOG.find((e) => e.id === "06.3")!;
 * const call = { composition: "blockForward(ops, h, w, x, B=1, T=3, C=4, NH=1)", yours: [] };
 * assert.ok("qkv" in await computeComposition(block, call, block.reference, {}));
 * ```
 */
export async function computeComposition(
  exercise: Exercise,
  call: CompositionCall,
  fn: AnyFunction,
  parts: Parts,
): Promise<Outputs> {
  let found: Outputs | undefined;
  const probe: RemoteRun = async (run, here) => {
    if (run.composition !== call.composition || run.yours.join() !== call.yours.join()) return {};
    found = await here(fn);
    throw new Found();
  };
  const never = () => {
    throw new Error("a composition is called through its runs");
  };
  try {
    await exercise.check(Object.assign(never, { [PROBE]: probe }), parts);
  } catch (err) {
    if (!(err instanceof Found)) throw err;
  }
  if (!found) throw new Error(`the check of ${exercise.id} has no run ${call.composition}`);
  return found;
}

/** The student's functions for the parts `exercise` uses, from the files next to `module`. */
async function stagedParts(exercise: Exercise, module: string): Promise<Parts> {
  const root = module.slice(0, module.length - exercise.file.length);
  const parts: Parts = {};
  for (const part of exercise.uses ?? []) {
    let fn: unknown;
    try {
      fn = (await import(`${root}${part.file}`))[part.symbol];
    } catch (err) {
      const why = `${part.file} does not load: ${(err as Error)?.message?.split("\n")[0]}`;
      fn = () => {
        throw new Error(why);
      };
    }
    parts[part.symbol] = typeof fn === "function" ? fn as AnyFunction : () => {
      throw new Error(`${part.file} does not export a function named ${part.symbol}`);
    };
  }
  return parts;
}

if (import.meta.main) {
  const cache = new Map<string, Promise<Parts>>();
  await serveChild(async (fn, args, { module, symbol }) => {
    const exercise = CATALOG.find((e) => e.symbol === symbol && module.endsWith(`/${e.file}`));
    if (!exercise?.uses) throw new Error(`${symbol} is not a composition of the catalog`);
    if (!cache.has(module)) cache.set(module, stagedParts(exercise, module));
    return await computeComposition(
      exercise,
      args[0] as CompositionCall,
      fn,
      await cache.get(module)!,
    );
  });
}
