import assert from "node:assert/strict";
import { CATALOG } from "../labs/catalog/mod.ts";
import { LABS } from "../labs/mod.ts";
import type { Exercise } from "../lib/course/exercise.ts";
import { closeCase } from "../lib/course/cases.ts";
import { type Lab, runLab, step } from "../lib/course/lab.ts";
import { type Localized, resolveLang, setLang } from "../lib/i18n.ts";
import { commentText, localizeStarter, promptComment } from "../lib/grade/starter_text.ts";
import { ROOT, runCli } from "./helpers.ts";

import { STILL_ENGLISH_EXERCISES, STILL_ENGLISH_LABS } from "./i18n_status.ts";

/** Why `text` is not a whole text in both languages, or undefined when it is. */
function incomplete(text: Localized | undefined): string | undefined {
  if (text === undefined) return "missing";
  if (typeof text === "string") return `English only: "${text.slice(0, 50)}"`;
  if (text.en.trim() === "") return "no English";
  if (text.fr.trim() === "") return `no French for "${text.en.slice(0, 50)}"`;
  // A sentence copied unchanged is not a translation (a short name may well be the same).
  if (text.en.length > 24 && text.en === text.fr) return `French copied from English: "${text.en}"`;
  return undefined;
}

Deno.test("the language comes from --lang, MINIGPT_LANG, then LC_ALL, LC_MESSAGES, LANG", () => {
  assert.equal(resolveLang(undefined, {}), "en");
  assert.equal(resolveLang(undefined, { LANG: "fr_FR.UTF-8" }), "fr");
  assert.equal(resolveLang(undefined, { LC_MESSAGES: "fr_CA", LANG: "en_US" }), "fr");
  assert.equal(resolveLang(undefined, { LC_ALL: "en_GB", LC_MESSAGES: "fr_FR" }), "en");
  assert.equal(resolveLang(undefined, { MINIGPT_LANG: "fr", LANG: "en_US" }), "fr");
  assert.equal(resolveLang("en", { MINIGPT_LANG: "fr", LANG: "fr_FR" }), "en");
  assert.throws(() => resolveLang("de", {}), /--lang takes en or fr, not "de"\./);
  assert.throws(
    () => resolveLang(undefined, { MINIGPT_LANG: "es" }),
    /MINIGPT_LANG takes en or fr/,
  );
});

Deno.test("every lab title and step title outside the still-English list is in both languages", async () => {
  for (const entry of LABS) {
    const lab = await entry.load();
    const texts: [string, Localized][] = [
      ["registry title", entry.title],
      ["title", lab.title],
      ...lab.steps.map((s, i): [string, Localized] => [`step ${i + 1}`, s.title]),
    ];
    const problems = texts.map(([where, t]) => [where, incomplete(t)]).filter(([, p]) => p);
    if (STILL_ENGLISH_LABS.includes(lab.id)) {
      assert.ok(
        texts.some(([, t]) => typeof t === "string"),
        `lab ${lab.id} has every title in both languages: remove it from STILL_ENGLISH_LABS`,
      );
    } else {
      assert.deepEqual(problems, [], `lab ${lab.id}`);
    }
  }
});

Deno.test("every exercise outside the still-English list has its title, hint and prompt in both languages", async () => {
  for (const ex of CATALOG) {
    const problems = [
      ["title", incomplete(ex.title)],
      ["hint", incomplete(ex.hint)],
      ["prompt", incomplete(ex.prompt)],
    ].filter(([, p]) => p);
    if (ex.prompt && typeof ex.prompt !== "string") {
      // The English prompt is the starter's own comment: editing one shows the other is due.
      const source = await Deno.readTextFile(`${ROOT}/${ex.file}`);
      const at = promptComment(source, ex.symbol);
      assert.ok(at, `${ex.id}: no comment above ${ex.symbol} in ${ex.file}`);
      assert.equal(
        commentText(source.slice(...at)),
        `Exercise ${ex.id}: ${ex.prompt.en}`,
        `${ex.id}: the catalog's English prompt and the starter's comment differ`,
      );
    }
    if (STILL_ENGLISH_EXERCISES.includes(ex.id)) {
      assert.ok(
        typeof ex.title === "string" || typeof ex.hint === "string",
        `exercise ${ex.id} is in both languages: remove it from STILL_ENGLISH_EXERCISES`,
      );
    } else {
      assert.deepEqual(problems, [], `exercise ${ex.id}`);
    }
  }
});

Deno.test("no text in the sources leaves one of its languages empty", async () => {
  const empty = /\b(en|fr): (""|``|'')/;
  const found: string[] = [];
  for (const dir of ["lib", "labs"]) {
    for await (const path of walk(`${ROOT}/${dir}`)) {
      const lines = (await Deno.readTextFile(path)).split("\n");
      lines.forEach((l, i) =>
        empty.test(l) && found.push(`${path.slice(ROOT.length + 1)}:${i + 1}`)
      );
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("every command's --help tells how to choose the language; a bad --lang is one sentence", async () => {
  for (const command of ["lab", "list", "hint", "watch", "reset", "grade", "doctor", "chat"]) {
    const run = await runCli([command, "--help"]);
    assert.equal(run.code, 0, command);
    assert.match(run.stdout, /--lang fr\|en .*MINIGPT_LANG.*\n.*LANG: fr… is French; else English/);
  }
  const bad = await runCli(["list", "--lang", "de"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), '--lang takes en or fr, not "de".');
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

Deno.test("in French the runner says Étape, hands over with attendu, obtenu, the first difference and --from", async () => {
  const exercise: Exercise<(x: number[]) => number[]> = {
    id: "98.1",
    title: { en: "Doubling", fr: "Doubler" },
    file: "labs/exercises/00_intro.ts",
    symbol: "softmax", // a starter that throws TODO: the run must stop here
    hint: { en: "What does 2 × x give?", fr: "Que donne 2 × x ?" },
    points: 1,
    reference: (x) => x.map((v) => 2 * v),
    check: (f) => [closeCase("double([1, 2])", f([1, 2]), [2, 4])],
  };
  const lab: Lab = {
    id: "98",
    slug: "98_demo",
    title: { en: "Demo", fr: "Démo" },
    exercises: [exercise as Exercise],
    steps: [
      step({ en: "Hello", fr: "Bonjour" }, (c) => c.say({ en: "Hi.", fr: "Salut." })),
      step({ en: "Your code", fr: "Ton code" }, async (c) => void await c.exercise("98.1")),
    ],
  };
  const lines: string[] = [];
  setLang("fr");
  try {
    const r = await runLab(lab, { outRoot: await Deno.makeTempDir(), print: (l) => lines.push(l) });
    assert.equal(r.status, "stopped at an exercise");
    assert.deepEqual(r.englishOnly, []);
    // French typography's no-break spaces read as spaces here.
    const out = lines.join("\n").replaceAll("\u00a0", " ");
    assert.ok(lines.join("\n").includes("indice\u00a0: Que donne 2 × x\u00a0?"));
    for (
      const s of [
        "── Étape 1/2 · Bonjour",
        "Salut.",
        "── À toi · exercice 98.1 · Doubler",
        "attendu   [2, 4]",
        "obtenu    pas encore écrit",
        "indice : Que donne 2 × x ?",
        "deno task lab 98 --from 2 pour reprendre ici",
      ]
    ) assert.ok(out.includes(s), `${s}\n---\n${out}`);
    const wrong = closeCase("f()", [1, 5, 3], [1, 2, 3]);
    assert.equal(wrong.got, "[1, 5, 3] (première différence à l'indice 1 : 5 au lieu de 2)");
  } finally {
    setLang("en");
  }
});

Deno.test("a French release's starters carry French instructions and the same code", async () => {
  const files = [
    ...new Set(CATALOG.filter((e) => !STILL_ENGLISH_EXERCISES.includes(e.id)).map((e) => e.file)),
  ];
  assert.ok(files.length > 0);
  const code = (text: string) => text.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\s+/g, " ");
  for (const file of files) {
    const source = await Deno.readTextFile(`${ROOT}/${file}`);
    const own = CATALOG.filter((e) => e.file === file);
    const french = localizeStarter(source, own, "fr");
    assert.equal(code(french), code(source), file);
    assert.match(french, /Exercices du lab \d\d\. Remplace chaque `throw new Error\("TODO …"\)`/);
    for (const ex of own.filter((e) => typeof e.prompt === "object")) {
      const at = promptComment(french, ex.symbol)!;
      assert.equal(
        commentText(french.slice(...at)),
        `Exercice ${ex.id} : ${(ex.prompt as { fr: string }).fr}`,
      );
    }
    assert.equal(localizeStarter(source, own, "en"), source);
  }
});

Deno.test("grade, list and doctor speak French with --lang fr", async () => {
  const grade = await runCli(["grade", "--only", "00", "--dir", ROOT, "--lang", "fr"]);
  assert.equal(grade.code, 1, grade.stderr);
  assert.match(grade.stdout, /exercice\s+état\s+points\s+message/);
  assert.match(
    grade.stdout,
    /00\.1\s+échec\s+0\/2\s+Pas commencé : softmax lève encore son TODO\./,
  );
  assert.match(grade.stdout, /0 exercices réussis sur 2 ; 0 points sur 5/);
  const list = await runCli(["list", "--lang", "fr"]);
  assert.match(list.stdout, /lab 03 · L'attention : requêtes, clés et valeurs/);
  assert.match(
    list.stdout,
    /00\.1\s+Le softmax : des scores aux poids d'attention\s+\S*pas commencé/,
  );
  const doctor = await runCli(["doctor"], { env: { MINIGPT_LANG: "fr" } });
  assert.match(doctor.stdout, /Noyaux\s+compilés ; le matmul SIMD concorde/);
});

Deno.test("every error a user reads is thrown with its sentence in both languages", async () => {
  // The error's sentence is written at the throw, as tr({ en, fr }), so no throw site can forget
  // the French. An example inside a doc comment is not a throw site.
  const throwSite = /new (UserError|GraderError)\((?!\s*tr\()/g;
  const found: string[] = [];
  const files = [`${ROOT}/main.ts`];
  for await (const path of walk(`${ROOT}/lib`)) files.push(path);
  for await (const path of walk(`${ROOT}/cli`)) files.push(path);
  for (const path of files) {
    const source = await Deno.readTextFile(path);
    for (const m of source.matchAll(throwSite)) {
      const line = source.slice(0, m.index).split("\n").length;
      const text = source.split("\n")[line - 1];
      if (/^\s*(\*|\/\/)/.test(text)) continue;
      found.push(`${path.slice(ROOT.length + 1)}:${line}: ${text.trim()}`);
    }
  }
  assert.deepEqual(found, []);
});
