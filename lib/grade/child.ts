/**
 * The sandboxed side of the grader: `deno run` starts this file with the student's submission and
 * the grader's library readable, one temporary folder writable, and nothing else (see
 * sandbox.ts). It reads its request from stdin, imports the student's module and reports what the
 * student's function did.
 *
 * The student's module runs in this same JavaScript realm and may patch anything global at import
 * time, so everything the harness needs after that import is captured before it: the file writer,
 * `Deno.exit`, the serializer, the encoder. The nonce and the result path live only in this
 * module's local variables, which student code cannot reach. Not a security boundary on its own:
 * the process limits (permissions, time, heap) and the parent-side judging are.
 * @module
 */
import { deserialize, serialize } from "node:v8";
import type { CallOutcome, ChildReport, ChildRequest } from "./protocol.ts";

const writeFile = Deno.writeFileSync;
const exit = Deno.exit;
const apply = Reflect.apply;
const setBytes = Uint8Array.prototype.set;
const encoder = new TextEncoder();
const encode = TextEncoder.prototype.encode.bind(encoder);
const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === "object" || typeof v === "function") &&
  typeof (v as { then?: unknown }).then === "function";

const request = deserialize(await readAll(Deno.stdin.readable)) as ChildRequest;
const { nonce, resultPath } = request;

function finish(report: ChildReport): never {
  const head = encode(`${nonce}\n`);
  const body = serialize(report);
  const bytes = new Uint8Array(head.length + body.length);
  apply(setBytes, bytes, [head, 0]);
  apply(setBytes, bytes, [body, head.length]);
  writeFile(resultPath, bytes);
  return exit(0);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

function describe(err: unknown): { name: string; message: string } {
  try {
    if (err instanceof Error) return { name: String(err.name), message: String(err.message) };
    return { name: typeof err, message: String(err) };
  } catch {
    return { name: "Error", message: "an error that could not be read" };
  }
}

/**
 * Check mode runs grader code after the student's module has loaded, so the built-ins that code
 * leans on are frozen first, prototypes included: a patch then throws at import (modules are
 * strict) and the exercise fails to load. Error prototypes stay writable, because freezing them
 * breaks the ordinary `this.name = …` of an Error subclass.
 */
function freezeBuiltins(): void {
  const typedArray = Object.getPrototypeOf(Uint8Array);
  const globals = [
    "Object",
    "Function",
    "Array",
    "Number",
    "String",
    "Boolean",
    "Symbol",
    "BigInt",
    "Math",
    "JSON",
    "Reflect",
    "Promise",
    "Map",
    "Set",
    "WeakMap",
    "ArrayBuffer",
    "DataView",
    "Float32Array",
    "Float64Array",
    "Int8Array",
    "Int16Array",
    "Int32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "Uint16Array",
    "Uint32Array",
  ];
  const targets: unknown[] = [typedArray, typedArray.prototype];
  for (const name of globals) {
    const value = (globalThis as Record<string, unknown>)[name];
    targets.push(value, (value as { prototype?: unknown }).prototype);
    Object.defineProperty(globalThis, name, { writable: false, configurable: false });
  }
  for (const t of targets) if (t) Object.freeze(t);
}

async function load(): Promise<(...args: unknown[]) => unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(request.module);
  } catch (err) {
    const { name, message } = describe(err);
    return finish({ kind: "load-error", message: `${name}: ${message.split("\n")[0]}` });
  }
  const fn = mod[request.symbol];
  if (typeof fn !== "function") {
    return finish({
      kind: "load-error",
      message: `it does not export a function named ${request.symbol}`,
    });
  }
  return fn as (...args: unknown[]) => unknown;
}

if (request.mode === "check") {
  const { CATALOG } = await import(request.catalog!);
  const { runCheck, studentParts } = await import("../course/exercise.ts");
  const exercise = (CATALOG as { id: string; file: string }[]).find((e) =>
    e.id === request.exerciseId
  );
  freezeBuiltins();
  const fn = await load();
  // A composition's check also gets the submission's functions for the exercises it uses.
  const root = request.module.slice(0, -exercise!.file.length - 1).replace(/^file:\/\//, "");
  const parts = await studentParts(exercise as never, decodeURIComponent(root));
  const result = await runCheck(exercise as never, fn as never, parts);
  finish({
    kind: "cases",
    result: { status: result.status, cases: result.cases, failure: result.failure },
  });
}

const fn = await load();
const outcomes: Uint8Array[] = [];
for (const call of request.calls ?? []) {
  const args = deserialize(call) as unknown[];
  let outcome: CallOutcome;
  try {
    let value = fn(...args);
    if (isThenable(value)) value = await value;
    // Arguments go back only when the call changed them, which keeps reports of big inputs small.
    const after = serialize(args);
    const same = after.length === call.length && after.every((b, i) => b === call[i]);
    outcome = same ? { ok: true, value } : { ok: true, value, args };
  } catch (err) {
    outcome = { ok: false, error: describe(err) };
  }
  try {
    outcomes.push(serialize(outcome));
  } catch (err) {
    const { message } = describe(err);
    outcomes.push(serialize(
      {
        ok: false,
        error: {
          name: "UnreadableResult",
          message: `returned a value the grader cannot read (${message})`,
        },
      } satisfies CallOutcome,
    ));
  }
}
finish({ kind: "outcomes", outcomes });
