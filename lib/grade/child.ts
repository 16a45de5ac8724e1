/**
 * The sandboxed side of the grader: `deno run` starts this file with read access to a copy of
 * the student's exercise files and nothing else, no write access at all, and OS limits on
 * memory, file size and time (see sandbox.ts). It reads its request from stdin, decodes every
 * call's arguments, then imports the student's module, calls the function on each argument list
 * and writes what came back as one frame on stdout.
 *
 * The student's module runs in this realm and may patch anything global, so nothing this file
 * reports is trusted: it sends raw results, never a verdict, and the parent decodes them with its
 * own strict reader and judges them. What is captured before the import (the stdout writer,
 * `Deno.exit`, the decoded arguments, the nonce in a local) only keeps an honest student's
 * report intact.
 *
 * A catalog whose calls are not plain data (compositions, which get a table of functions) runs
 * its own entry instead, which calls {@link serveChild} with a `compute` that builds each call
 * from its plain description (labs/catalog/compose_child.ts); the report is the same.
 * @module
 */
import type { CallOutcome, ChildReport, ChildRequest } from "./protocol.ts";
import { frameHead } from "./protocol.ts";
import { decode, encode } from "./wire.ts";
import { type Lang, tr } from "../i18n.ts";

const stdout = Deno.stdout;
const writeSync = stdout.writeSync.bind(stdout);
const exit = Deno.exit;
const encodeText = TextEncoder.prototype.encode.bind(new TextEncoder());

let nonce = "";
let lang: Lang = "en";

function finish(report: ChildReport): never {
  const body = encode(report);
  send(encodeText(`${frameHead(nonce)}${body.length}\n`));
  send(body);
  return exit(0);
}

function send(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(bytes.subarray(at));
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
    return {
      name: "Error",
      message: tr({ en: "an error that could not be read", fr: "une erreur illisible" }, lang),
    };
  }
}

/** The student's function, as the child calls it. */
export type StudentFunction = (...args: unknown[]) => unknown;

/**
 * How one call is made: `fn` on `args` by default; a catalog's entry may build the call from its
 * plain arguments (`module` is the student's module, whose folder holds their other files).
 */
export type Compute = (
  fn: StudentFunction,
  args: unknown[],
  student: { module: string; symbol: string },
) => unknown;

/**
 * Reads the request on stdin, imports the student's module, makes each call with `compute` and
 * writes the outcomes as one frame on stdout, then exits.
 */
export async function serveChild(
  compute: Compute = (fn, args) => fn(...args),
): Promise<never> {
  const request = decode(await readAll(Deno.stdin.readable)) as ChildRequest;
  nonce = request.nonce;
  lang = request.lang === "fr" ? "fr" : "en";
  const calls = request.calls.map((bytes) => ({ bytes, args: decode(bytes) as unknown[] }));
  let mod: Record<string, unknown>;
  try {
    mod = await import(request.module);
  } catch (err) {
    const { name, message } = describe(err);
    finish({ kind: "load-error", message: `${name}: ${message}` });
  }
  const fn = mod![request.symbol];
  if (typeof fn !== "function") {
    finish({
      kind: "load-error",
      message: tr({
        en: `it does not export a function named ${request.symbol}`,
        fr: `il n'exporte pas de fonction nommée ${request.symbol}`,
      }, lang),
    });
  }

  const outcomes: Uint8Array[] = [];
  for (const { bytes, args } of calls) {
    let outcome: CallOutcome;
    try {
      let value = compute(fn as StudentFunction, args, request);
      if (value instanceof Promise) value = await value;
      // Arguments go back only when the call changed them, which keeps reports of big inputs small.
      const after = encode(args);
      const same = after.length === bytes.length && after.every((b, i) => b === bytes[i]);
      outcome = same ? { ok: true, value } : { ok: true, value, args };
    } catch (err) {
      outcome = { ok: false, error: describe(err) };
    }
    try {
      outcomes.push(encode(outcome));
    } catch (err) {
      const { message } = describe(err);
      outcomes.push(encode(
        {
          ok: false,
          error: {
            name: "UnreadableResult",
            message: tr({
              en: `returned a value the grader cannot read (${message})`,
              fr: `a renvoyé une valeur que le correcteur ne sait pas lire (${message})`,
            }, lang),
          },
        } satisfies CallOutcome,
      ));
    }
  }
  finish({ kind: "outcomes", outcomes });
}

if (import.meta.main) await serveChild();
