/**
 * The import direction of lib/: every import of lib/, labs/ and main.ts (static, dynamic with a
 * literal specifier, and `new URL("….ts", import.meta.url)` for module workers and child
 * processes) points to the same folder or to a lower room, never up nor sideways. The rooms and
 * why each sits where it does are in the folders' mod.ts files.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Rooms from the bottom up: a file may import its own room and the rooms below it. */
const ROOMS: string[][] = [
  ["lib"], // the root utilities, lib/*.ts
  ["lib/layers", "lib/tokenizer"],
  ["lib/model"],
  ["lib/wasm"],
  ["lib/train"],
  ["lib/course", "lib/chat", "lib/bench"],
  ["lib/grade"], // it grades the course's exercises: lib/course/exercise.ts is its vocabulary
  ["labs/catalog"],
  ["labs/exercises", "labs/solutions"],
  ["labs"],
  ["main.ts"],
];

/**
 * Exceptions the code has good reason for, each with it. Keys are "importer -> imported room".
 * lib/grade runs the catalog's checks on a submission in its sandbox: it loads labs/catalog by
 * URL in the child process, the one place a library room reads the course's content.
 */
const ALLOWED: Record<string, string> = {
  "lib/grade/grade.ts -> labs/catalog": "the grader loads the catalog's checks by URL",
};

/** The room of a project path ("lib/model/gpt.ts" → "lib/model"), or null outside the rooms. */
export function roomOf(path: string): string | null {
  const parts = path.split("/");
  // cli/ holds main.ts's commands, flags and help texts: the same room.
  if (path === "main.ts" || parts[0] === "cli") return "main.ts";
  if (parts[0] === "lib") return parts.length === 2 ? "lib" : `lib/${parts[1]}`;
  if (parts[0] === "labs") {
    return parts.length > 2 && ROOMS.flat().includes(`labs/${parts[1]}`)
      ? `labs/${parts[1]}`
      : "labs";
  }
  return null;
}

function rankOf(room: string): number {
  return ROOMS.findIndex((rooms) => rooms.includes(room));
}

/** An import found in a file: its specifier and the 1-based line it is on. */
export interface Import {
  specifier: string;
  line: number;
}

/**
 * Every import of a module's code (comments, and so doc examples, left out): `from "x"`,
 * `import "x"`, `import("x")`, and `new URL("x", import.meta.url)`. A small lexer skips
 * comments and reads strings, template literals and regular expressions whole, so that a quote
 * or a slash inside them does not mislead it.
 */
export function importsOf(source: string): Import[] {
  const tokens = tokenize(source);
  const found: Import[] = [];
  const at = (i: number) => tokens[i]?.text;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "string") continue;
    const spec = { specifier: t.text, line: t.line };
    if (at(i - 1) === "from" || (at(i - 1) === "import" && at(i - 2) !== ".")) found.push(spec);
    else if (at(i - 1) === "(" && at(i - 2) === "import") found.push(spec);
    else if (
      at(i - 1) === "(" && at(i - 2) === "URL" && at(i - 3) === "new" && at(i + 1) === "," &&
      [at(i + 2), at(i + 3), at(i + 4), at(i + 5), at(i + 6)].join("") === "import.meta.url"
    ) {
      if (/\.[jt]s$/.test(t.text)) found.push(spec);
    }
  }
  return found;
}

interface Token {
  kind: "string" | "word" | "punct";
  text: string;
  line: number;
}

const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "case",
  "in",
  "of",
  "yield",
  "await",
  "else",
  "do",
  "void",
  "delete",
  "instanceof",
  "new",
  "throw",
]);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let line = 1, i = 0;
  const braces: number[] = []; // depth of `{` inside each open template substitution
  const push = (kind: Token["kind"], text: string) => tokens.push({ kind, text, line });
  const regexMayStart = () => {
    const last = tokens.at(-1);
    if (!last) return true;
    if (last.kind === "word") return REGEX_AFTER_WORDS.has(last.text);
    if (last.kind === "string") return false;
    return !")]}".includes(last.text);
  };
  /** Reads a template literal's text from i (after a backtick or a closing `}`) to its end. */
  const template = () => {
    while (i < src.length && src[i] !== "`") {
      if (src[i] === "\\") i++;
      else if (src[i] === "$" && src[i + 1] === "{") {
        braces.push(0);
        i += 2;
        return;
      } else if (src[i] === "\n") line++;
      i++;
    }
    i++;
    push("punct", "`…`");
  };
  while (i < src.length) {
    const c = src[i];
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? src.length : end + 2;
      line += src.slice(i, stop).split("\n").length - 1;
      i = stop;
    } else if (c === "'" || c === '"') {
      let text = "";
      for (i++; i < src.length && src[i] !== c; i++) {
        if (src[i] === "\\") i++;
        text += src[i];
      }
      i++;
      push("string", text);
    } else if (c === "`") {
      i++;
      template();
    } else if (c === "/" && regexMayStart()) {
      let inClass = false;
      for (i++; i < src.length && (inClass || src[i] !== "/") && src[i] !== "\n"; i++) {
        if (src[i] === "\\") i++;
        else if (src[i] === "[") inClass = true;
        else if (src[i] === "]") inClass = false;
      }
      for (i++; /[a-z]/.test(src[i] ?? ""); i++);
      push("punct", "/…/");
    } else if (/[A-Za-z_$0-9]/.test(c)) {
      const start = i;
      while (i < src.length && /[A-Za-z_$0-9]/.test(src[i])) i++;
      push("word", src.slice(start, i));
    } else {
      if (c === "{" && braces.length) braces[braces.length - 1]++;
      if (c === "}" && braces.length) {
        if (braces[braces.length - 1]-- === 0) {
          braces.pop();
          i++;
          template();
          continue;
        }
      }
      push("punct", c);
      i++;
    }
  }
  return tokens;
}

/** The project's .ts files under lib/, labs/ and cli/, and main.ts, as paths from the project root. */
async function sourceFiles(): Promise<string[]> {
  const files = ["main.ts"];
  async function walk(dir: string) {
    for await (const entry of Deno.readDir(join(ROOT, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  }
  await walk("lib");
  await walk("labs");
  await walk("cli");
  return files.sort();
}

/** "file:line imports spec (room → room)" for every import against the direction. */
export async function layoutViolations(): Promise<string[]> {
  const bad: string[] = [];
  for (const file of await sourceFiles()) {
    const from = roomOf(file)!;
    for (const { specifier, line } of importsOf(await Deno.readTextFile(join(ROOT, file)))) {
      if (!specifier.startsWith(".")) continue; // npm: and node: packages
      const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
      const to = roomOf(target);
      if (to === null || to === from) continue;
      if (`${file} -> ${to}` in ALLOWED) continue;
      const [rf, rt] = [rankOf(from), rankOf(to)];
      if (rt < rf) continue;
      const how = rt > rf ? "up" : "sideways";
      bad.push(`${file}:${line} imports "${specifier}": ${from} reaches ${how} to ${to}`);
    }
  }
  return bad;
}

Deno.test("every import of lib/, labs/ and main.ts points to its own room or a lower one", async () => {
  const bad = await layoutViolations();
  assert.deepEqual(bad, [], `imports against the direction of lib/:\n${bad.join("\n")}`);
});

Deno.test("the import reader finds static, dynamic and worker imports, and only in code", () => {
  const src = [
    `import { a } from "./a.ts";`,
    `import type { B } from '../b.ts';`,
    `export { c } from "./c.ts";`,
    `import "./side.ts";`,
    `// import { no } from "./comment.ts";`,
    `/** @example import { no } from "./doc.ts"; */`,
    `const re = /"\\/x.ts"/g, s = "from './string.ts'", t = \`\${"./tpl.ts"} from\`;`,
    `const m = await import("./dynamic.ts");`,
    `const w = new Worker(new URL("./worker.ts", import.meta.url));`,
    `const data = new URL("../data/x.txt", import.meta.url);`,
    `if (import.meta.main) main();`,
  ].join("\n");
  assert.deepEqual(importsOf(src), [
    { specifier: "./a.ts", line: 1 },
    { specifier: "../b.ts", line: 2 },
    { specifier: "./c.ts", line: 3 },
    { specifier: "./side.ts", line: 4 },
    { specifier: "./dynamic.ts", line: 8 },
    { specifier: "./worker.ts", line: 9 },
  ]);
});

Deno.test("rooms: every folder under lib/ has a room and a mod.ts", async () => {
  for await (const entry of Deno.readDir(join(ROOT, "lib"))) {
    if (!entry.isDirectory) continue;
    const room = `lib/${entry.name}`;
    assert.ok(rankOf(room) >= 0, `${room} has no room in tests/layout_test.ts's ROOMS`);
    const mod = await Deno.readTextFile(join(ROOT, room, "mod.ts")).catch(() => "");
    assert.match(mod, /@module/, `${room}/mod.ts is missing or has no module doc`);
  }
  assert.equal(roomOf("lib/model/gpt.ts"), "lib/model");
  assert.equal(roomOf("lib/errors.ts"), "lib");
  assert.equal(roomOf("labs/catalog/03_attention.ts"), "labs/catalog");
  assert.equal(roomOf("labs/03_attention.ts"), "labs");
  assert.equal(roomOf("kernels/matmul.ts"), null);
});
