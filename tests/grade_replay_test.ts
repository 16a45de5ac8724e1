import assert from "node:assert/strict";
import type { CompositionCall, Exercise } from "../lib/course/exercise.ts";
import { gradeExercise } from "../lib/grade/grade.ts";
import { GraderError, recordCalls } from "../lib/grade/replay.ts";
import { decode, encode, WireError } from "../lib/grade/wire.ts";
import { Rng } from "../lib/random.ts";

/**
 * A catalog of awkward checks, every one judged in the grader's process: 99.1 passes a class
 * instance (it cannot be graded in a sandbox at all), 99.2 feeds the student's function its own
 * result (a wrong first answer leads the check off its recording), 99.3 has the student write
 * into a buffer it is given (the buffer travels back).
 */
const CATALOG_SOURCE = `
import { closeCase } from "${new URL("../lib/course/cases.ts", import.meta.url).href}";
class Doubler {
  scale(x) { return 2 * x; }
}
const reference = (f, xs) => xs.map((x) => f.scale(x));
const double = (xs) => xs.map((x) => 2 * x);
export const CATALOG = [{
  id: "99.1", title: "scale through an object", file: "labs/exercises/99_scale.ts",
  symbol: "scaleAll", hint: "", points: 4, reference,
  check: (impl) => [[1, 2, 3], [-0.5], []].map((xs) =>
    closeCase(\`scaleAll(doubler, [\${xs}])\`, impl(new Doubler(), [...xs]), reference(new Doubler(), xs))),
}, {
  id: "99.2", title: "double twice", file: "labs/exercises/99_scale.ts",
  symbol: "double", hint: "", points: 1, reference: double,
  check: (impl) => [closeCase("double(double([1, 2]))", impl(impl([1, 2])), [4, 8])],
}, {
  id: "99.3", title: "add into", file: "labs/exercises/99_scale.ts",
  symbol: "addInto", hint: "", points: 1,
  reference: (out, a, b) => a.forEach((x, i) => out[i] = x + b[i]),
  check: (impl) => {
    const out = new Float32Array(3);
    impl(out, new Float32Array([1, 2, 3]), new Float32Array([0.5, 0.5, -1]));
    return [closeCase("addInto(out, [1, 2, 3], [0.5, 0.5, -1])", out, [1.5, 2.5, 2])];
  },
}, {
  id: "99.4", title: "double", file: "labs/exercises/99_scale.ts",
  symbol: "double", hint: "", points: 3, reference: double,
  check: (impl) => [[1, 2], [-3], [0.25, 8]].map((xs) =>
    closeCase(\`double([\${xs}])\`, impl([...xs]), double(xs))),
}];
`;

const LIMITS = { timeoutMs: 10_000, heapMb: 128 };

async function setUp(student: string): Promise<{ dir: string; catalog: Exercise[] }> {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-replay-" });
  await Deno.mkdir(`${dir}/labs/exercises`, { recursive: true });
  await Deno.writeTextFile(`${dir}/catalog.js`, CATALOG_SOURCE);
  await Deno.writeTextFile(`${dir}/labs/exercises/99_scale.ts`, `// @ts-nocheck\n${student}\n`);
  const { CATALOG } = await import(new URL(`file://${dir}/catalog.js`).href);
  return { dir, catalog: CATALOG };
}

Deno.test("a check whose inputs depend on the student's results is judged by the grader", async () => {
  for (
    const [source, status, message] of [
      ["export const double = (xs) => xs.map((x) => x * 2);", "pass", /^1\/1 cases pass\.$/],
      [
        "export const double = (xs) => xs.map((x) => x + 2);",
        "fail",
        /call 2 differs from the reference's/,
      ],
    ] as const
  ) {
    const { dir, catalog } = await setUp(source);
    const result = await gradeExercise(catalog[1], dir, LIMITS);
    assert.equal(result.status, status, result.message);
    assert.match(result.message, message);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("results written into array arguments travel back from the sandbox", async () => {
  for (
    const [source, status] of [
      [
        "export const addInto = (out, a, b) => { for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i]; };",
        "pass",
      ],
      ["export const addInto = (out, a, b) => a.map((x, i) => x + b[i]);", "fail"],
    ]
  ) {
    const { dir, catalog } = await setUp(source);
    const result = await gradeExercise(catalog[2], dir, LIMITS);
    assert.equal(result.status, status, result.message);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a check that passes class instances cannot be graded: the grader says so", async () => {
  const { dir, catalog } = await setUp("export const scaleAll = (f, xs) => xs;");
  await assert.rejects(
    () => recordCalls(catalog[0]),
    (err: Error) =>
      err instanceof GraderError && /Doubler instance is not plain data/.test(err.message),
  );
  await Deno.remove(dir, { recursive: true });
});

/** Code that patches the child's realm can change only its own results: the grader judges. */
const PATCHERS: Record<string, string> = {
  math: "Math.abs = () => 0;",
  array_map: `Object.defineProperty(Array.prototype, "map", { value: () => [] });`,
  to_json: `Object.prototype.toJSON = function () { return "same"; };`,
  global_math: "globalThis.Math = { ...Math, abs: () => 0 };",
  array_iterator: `Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true });`,
  typed_array_set: "Uint8Array.prototype.set = function () {};",
  data_view: "DataView.prototype.setFloat64 = function () {};",
  text_encoder: "TextEncoder.prototype.encode = () => new Uint8Array([7, 1, 4]);",
};

for (const [name, patch] of Object.entries(PATCHERS)) {
  Deno.test(`a submission that patches ${name} and answers wrong fails`, async () => {
    const { dir, catalog } = await setUp(`${patch}\nexport const double = (xs) => xs;`);
    const result = await gradeExercise(catalog[3], dir, LIMITS);
    assert.notEqual(result.status, "pass", result.message);
    assert.equal(result.points, 0, result.message);
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("wire.ts keeps plain data bit for bit and refuses the rest", () => {
  const value = {
    n: -0,
    nan: NaN,
    f: new Float32Array([1.5, -0, NaN]),
    i: new Int32Array([-7]),
    nested: [[1, "é😀"], JSON.parse('{"__proto__": 3}')],
    map: new Map([["a", 1]]),
    set: new Set([2]),
    rng: new Rng(7),
    none: undefined,
  };
  const back = decode(encode(value)) as typeof value;
  assert.ok(Object.is(back.n, -0) && Number.isNaN(back.nan));
  assert.deepEqual(Array.from(back.f), [1.5, -0, NaN]);
  assert.deepEqual(back.nested[0], [1, "é😀"]);
  assert.equal(Object.getPrototypeOf(back.nested[1]), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(back.nested[1], "__proto__")?.value, 3);
  assert.equal(back.rng.nextU32(), new Rng(7).nextU32());
  assert.throws(() => encode({ f: () => 1 }), WireError);
  assert.throws(() => encode(new (class Point {})()), WireError);
  const cycle: unknown[] = [];
  cycle.push(cycle);
  assert.throws(() => encode(cycle), WireError);
});

Deno.test("wire.ts rejects lying lengths, unknown tags and trailing bytes in bounded time", () => {
  const lies = [
    new Uint8Array([6, 0xff, 0xff, 0xff, 0xff]), // an array of 4 billion items in 5 bytes
    new Uint8Array([8, 7, 0xff, 0xff, 0xff, 0x7f]), // a Float32Array beyond the bytes
    new Uint8Array([5, 4, 0, 0, 0, 0xff, 0xfe, 0xfd, 0xfc]), // a string that is not UTF-8
    new Uint8Array([42]),
    new Uint8Array([1, 1]),
    new Uint8Array([]),
    new Uint8Array(Array(100).fill(6).flatMap((t) => [t, 1, 0, 0, 0])), // nested past the limit
  ];
  for (const bytes of lies) assert.throws(() => decode(bytes), WireError);
});

Deno.test("a composition crosses the sandbox as plain descriptions of its runs, one per part swapped in", async () => {
  const { CATALOG } = await import("../labs/catalog/mod.ts");
  const block = CATALOG.find((e) => e.id === "06.3")!;
  const recording = await recordCalls(block);
  const calls = recording.calls.map((bytes) => decode(bytes) as [CompositionCall]);
  assert.ok(calls.every((args) => args.length === 1 && Array.isArray(args[0].yours)));
  // Each case runs on the library's table, then with each part the block uses as the student's.
  const first = calls[0][0].composition;
  assert.deepEqual(
    calls.filter(([c]) => c.composition === first).map(([c]) => c.yours),
    [[], ["layerNormForward"], ["attentionForward"]],
  );
});
