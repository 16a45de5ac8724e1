/**
 * The minigpt-lab command line: `deno task <command>` runs `main.ts <command>`.
 * Each command parses its own flags (node:util parseArgs) and answers `--help`.
 * A user's mistake ends in one sentence and exit code 2; a failing exercise in exit code 1.
 * @module
 */
import { parseArgs } from "node:util";
import { CATALOG, findExercise } from "./labs/catalog/mod.ts";
import { findLab, LABS } from "./labs/mod.ts";
import { runBench, SUITES } from "./lib/bench/mod.ts";
import { runDoctor } from "./lib/course/doctor.ts";
import { type BackendName, BACKENDS } from "./lib/wasm/backend.ts";
import { UserError } from "./lib/errors.ts";
import { checkSampling } from "./lib/model/sampling.ts";
import { type Exercise, REPO_ROOT } from "./lib/course/exercise.ts";
import {
  buildRelease,
  DEFAULT_LIMITS,
  forgetProgress,
  gradeLimits,
  gradeOption,
  gradeSubmission,
  notStarted,
  pristineStarter,
  recordProgress,
  renderTable,
  restoreFunction,
  runWatch,
  sandboxedCheck,
  selects,
  STATUS_WORDS,
  toJunitXml,
  toResultsJson,
  Watchdog,
} from "./lib/grade/mod.ts";
import { ensureKernelsBuilt } from "./lib/wasm/build.ts";
import { writeFileAtomic } from "./lib/atomic.ts";
import { runLab, type RunResult } from "./lib/course/lab.ts";
import { lang, resolveLang, setLang, type Text, tr, verbatim } from "./lib/i18n.ts";
import { paint, table, wrap } from "./lib/term.ts";
import { type CommandHelp, commandHelp, commandList, HELP } from "./help.ts";

/** A subcommand: its help (help.ts), its flags and what it does. */
export interface Command extends CommandHelp {
  options: NonNullable<Parameters<typeof parseArgs>[0]>["options"];
  /** Words it takes besides its flags (the lab, the exercise, the suite); none when absent. */
  words?: 1;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** Every command, by the name `deno task` gives it. */
export const COMMANDS: Record<string, Command> = {
  lab: {
    ...HELP.lab,
    words: 1,
    options: flags(["from", "out"], ["step", "reference"]),
    async run(values, positionals) {
      const which = positionals[0];
      if (!which) {
        throw new UserError(tr({
          en: `Say which lab to run, for example \`deno task lab 00\`; ${labNames()}.`,
          fr: `Dis quel lab lancer, par exemple \`deno task lab 00\` : ${labNames()}.`,
        }));
      }
      const outRoot = typeof values.out === "string" ? absolute(values.out) : `${Deno.cwd()}/out`;
      if (which === "all") return await runAll(outRoot);
      const entry = findLab(which);
      if (!entry) {
        throw new UserError(tr({
          en: `There is no lab "${which}"; ${labNames()}.`,
          fr: `Il n'y a pas de lab « ${which} » : ${labNames()}.`,
        }));
      }
      const lab = await entry.load();
      const from = values.from === undefined ? 1 : Number(values.from);
      if (!Number.isInteger(from) || from < 1 || from > lab.steps.length) {
        throw new UserError(tr({
          en:
            `--from ${values.from} is not a step of lab ${lab.id}; it has steps 1 to ${lab.steps.length}.`,
          fr:
            `--from ${values.from} n'est pas une étape du lab ${lab.id} : il a les étapes 1 à ${lab.steps.length}.`,
        }));
      }
      const result = await runLab(lab, {
        reference: values.reference === true,
        from,
        pause: values.step === true,
        outRoot,
        // Code that passed its check runs again in this process: under a time limit, too.
        check: sandboxedCheck(DEFAULT_LIMITS, new Watchdog()),
      });
      return result.status === "complete" ? 0 : 1;
    },
  },
  list: {
    ...HELP.list,
    options: flags(["dir"]),
    async run(values) {
      const rows: (string | number)[][] = [
        tr({ en: "exercise|title|status|points", fr: "exercice|titre|état|points" }).split("|"),
      ];
      // The same sandbox as `grade`: the student's code is not run in this process.
      const report = await gradeSubmission(CATALOG, { dir: await submissionDir(values) });
      let done = 0;
      for (const [i, ex] of CATALOG.entries()) {
        const result = report.tests[i];
        if (result.status === "pass") done++;
        const label = result.status === "pass"
          ? paint("green", tr({ en: "done", fr: "réussi" }))
          : notStarted(result)
          ? paint("dim", tr({ en: "not started", fr: "pas commencé" }))
          : paint("red", tr({ en: "failing", fr: "en échec" }));
        rows.push([ex.id, tr(ex.title), label, ex.points]);
      }
      console.log();
      for (const entry of LABS) console.log(`  lab ${entry.id} · ${tr(entry.title)}`);
      console.log();
      console.log(table(rows));
      console.log(tr({
        en: `\n  ${done} of ${CATALOG.length} exercises done.`,
        fr: `\n  ${done} exercices réussis sur ${CATALOG.length}.`,
      }));
      return 0;
    },
  },
  hint: {
    ...HELP.hint,
    words: 1,
    options: {},
    run(_values, positionals) {
      const ex = exerciseFrom(positionals[0]);
      console.log(
        `\n  ${paint("bold", `${ex.id} · ${tr(ex.title)}`)}  (${ex.file}, ${
          tr({ en: "function", fr: "fonction" })
        } ${ex.symbol})\n`,
      );
      console.log(wrap(tr(ex.hint), 92, "  "));
      return Promise.resolve(0);
    },
  },
  grade: {
    ...HELP.grade,
    options: flags(["json", "junit", "only", "dir", "timeout", "heap", "jobs"]),
    async run(values) {
      const dir = await submissionDir(values);
      const only = values.only as string | undefined;
      if (!CATALOG.some((e) => selects(only, e.id))) {
        const ids = CATALOG.map((e) => e.id).join(", ");
        throw new UserError(tr({
          en: `--only ${only} selects no exercise; the exercises are ${ids}.`,
          fr: `--only ${only} ne choisit aucun exercice : les exercices sont ${ids}.`,
        }));
      }
      const limits = gradeLimits(values);
      const jobs = gradeOption("jobs", values.jobs);
      let report;
      try {
        report = await gradeSubmission(CATALOG, {
          dir,
          only,
          limits,
          jobs,
          onResult: (t) =>
            console.error(paint(
              "dim",
              tr({
                en: `  graded ${t.id}: ${STATUS_WORDS[t.status].en}`,
                fr: `  corrigé ${t.id} : ${STATUS_WORDS[t.status].fr}`,
              }),
            )),
        });
      } catch (err) {
        const why = (err as Error)?.message ?? err;
        console.error(paint(
          "red",
          tr({
            en: `Grading could not run: ${why}`,
            fr: `La correction n'a pas pu se lancer : ${why}`,
          }),
        ));
        return 2;
      }
      // A terminal gets what fits; a CI log (not a terminal) gets the whole message.
      const width = Deno.stdout.isTerminal() ? Math.max(40, Deno.consoleSize().columns - 30) : 400;
      console.log(`\n${renderTable(report, width)}`);
      if (typeof values.json === "string") {
        await writeResults(values.json, JSON.stringify(toResultsJson(report), null, 2) + "\n");
      }
      if (typeof values.junit === "string") await writeResults(values.junit, toJunitXml(report));
      // A student grading their own work keeps their progress; an instructor's --dir run does not.
      if (values.dir === undefined) await recordProgress(report.tests);
      return report.tests.every((t) => t.status === "pass") ? 0 : 1;
    },
  },
  watch: {
    ...HELP.watch,
    options: flags(["interval"], ["poll"]),
    async run(values) {
      await runWatch(CATALOG, {
        poll: values.poll === true,
        intervalMs: positiveNumber(values, "interval", 500),
      });
      return 0;
    },
  },
  reset: {
    ...HELP.reset,
    words: 1,
    options: flags([], ["yes"]),
    async run(values, positionals) {
      const ex = exerciseFrom(positionals[0]);
      const path = `${REPO_ROOT}/${ex.file}`;
      const current = await Deno.readTextFile(path).catch(() => "");
      const restored = restoreFunction(current, await pristineStarter(ex.file), ex.symbol);
      if (restored === current) {
        console.log(tr({
          en: `${ex.symbol} in ${ex.file} is already the starter; nothing to do.`,
          fr: `${ex.symbol} dans ${ex.file} est déjà le squelette de départ : rien à faire.`,
        }));
        return 0;
      }
      if (values.yes !== true) {
        if (!Deno.stdin.isTerminal()) {
          throw new UserError(tr({
            en:
              `Resetting ${ex.id} erases your ${ex.symbol}; run it in a terminal to confirm, or add --yes.`,
            fr:
              `Réinitialiser ${ex.id} efface ton ${ex.symbol} : lance-le dans un terminal pour confirmer, ou ajoute --yes.`,
          }));
        }
        if (
          !confirm(tr({
            en:
              `Replace your ${ex.symbol} in ${ex.file} with the starter? Your code for it will be lost.`,
            fr:
              `Remplacer ton ${ex.symbol} dans ${ex.file} par le squelette de départ ? Ton code sera perdu.`,
          }))
        ) {
          console.log(tr({ en: "Nothing changed.", fr: "Rien n'a changé." }));
          return 1;
        }
      }
      await writeFileAtomic(path, restored);
      await forgetProgress(ex.id);
      console.log(tr({
        en: `${ex.symbol} in ${ex.file} is back to its starter.`,
        fr: `${ex.symbol} dans ${ex.file} est revenu à son squelette de départ.`,
      }));
      return 0;
    },
  },
  release: {
    ...HELP.release,
    options: flags(["out"]),
    async run(values) {
      if (typeof values.out !== "string") {
        throw new UserError(tr({
          en: "Say where to write the release, for example --out ../minigpt-class.",
          fr: "Dis où écrire la version élève, par exemple --out ../minigpt-class.",
        }));
      }
      const out = absolute(values.out);
      const files = await buildRelease(CATALOG, out, undefined, lang());
      console.log(tr({
        en: `Student release written to ${out} (${files} files, no solutions).`,
        fr: `Version élève écrite dans ${out} (${files} fichiers, sans les solutions).`,
      }));
      return 0;
    },
  },
  train: {
    ...HELP.train,
    options: flags([
      "preset",
      "corpus",
      "tokenizer",
      "vocab-size",
      "positional",
      "steps",
      "batch-size",
      "lr",
      "seed",
      "out",
      "backend",
    ], ["resume", "force", "mine"]),
    async run(values) {
      const { runTraining } = await import("./lib/train/run_train.ts");
      const tokenizer = (values.tokenizer ?? "char") as string;
      if (tokenizer !== "char" && tokenizer !== "bpe") {
        throw new UserError(tr({
          en: `--tokenizer takes char or bpe, not "${tokenizer}".`,
          fr: `--tokenizer prend char ou bpe, pas « ${tokenizer} ».`,
        }));
      }
      const positional = (values.positional ?? "learned") as string;
      if (!["learned", "sinusoidal", "rope"].includes(positional)) {
        throw new UserError(tr({
          en: `--positional takes learned, sinusoidal or rope, not "${positional}".`,
          fr: `--positional prend learned, sinusoidal ou rope, pas « ${positional} ».`,
        }));
      }
      await runTraining({
        preset: (values.preset as string | undefined) ?? "baby",
        corpus: values.corpus as string | undefined,
        tokenizer,
        vocabSize: numberFlag(values, "vocab-size"),
        positional: positional as "learned",
        steps: numberFlag(values, "steps"),
        batchSize: numberFlag(values, "batch-size"),
        lr: numberFlag(values, "lr"),
        seed: numberFlag(values, "seed"),
        out: values.out as string | undefined,
        resume: values.resume === true,
        force: values.force === true,
        backend: backendFlag(values),
        mine: await mineFlag(values),
      });
      return 0;
    },
  },
  sample: {
    ...HELP.sample,
    options: {
      ...flags([
        "ckpt",
        "adapters",
        "prompt",
        "tokens",
        "temperature",
        "top-k",
        "top-p",
        "seed",
        "backend",
      ], ["no-cache", "mine"]),
      stop: { type: "string", multiple: true },
    },
    async run(values) {
      const { runSampling } = await import("./lib/train/run_sample.ts");
      await runSampling({
        ckpt: values.ckpt as string | undefined,
        adapters: values.adapters as string | undefined,
        prompt: values.prompt as string | undefined,
        maxTokens: numberFlag(values, "tokens") ?? 500,
        temperature: numberFlag(values, "temperature") ?? 0.8,
        topK: numberFlag(values, "top-k"),
        topP: numberFlag(values, "top-p"),
        seed: numberFlag(values, "seed"),
        stop: values.stop as string[] | undefined,
        kvCache: values["no-cache"] !== true,
        backend: backendFlag(values),
        mine: await mineFlag(values),
      });
      console.log();
      return 0;
    },
  },
  sft: {
    ...HELP.sft,
    options: flags(["preset", "steps", "minutes", "seed", "out", "backend"]),
    async run(values) {
      const { runSft } = await import("./lib/chat/run_sft.ts");
      await runSft({
        preset: (values.preset as string | undefined) ?? "full",
        steps: numberFlag(values, "steps"),
        minutes: numberFlag(values, "minutes"),
        seed: numberFlag(values, "seed"),
        out: values.out as string | undefined,
        backend: backendFlag(values),
      });
      return 0;
    },
  },
  chat: {
    ...HELP.chat,
    options: flags(["ckpt", "port", "temperature"], ["web"]),
    async run(values) {
      if (typeof values.ckpt !== "string") {
        throw new UserError(tr({
          en: "Say which chat model to load: --ckpt DIR (a folder `deno task sft` wrote).",
          fr:
            "Dis quel modèle de chat charger : --ckpt DIR (un dossier écrit par `deno task sft`).",
        }));
      }
      const temperature = numberFlag(values, "temperature");
      checkSampling({ temperature });
      if (values.web !== true) {
        const { runTerminalChat } = await import("./lib/chat/terminal.ts");
        await runTerminalChat({ ckpt: values.ckpt, temperature });
        return 0;
      }
      const port = numberFlag(values, "port") ?? 8000;
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UserError(tr({
          en: `--port takes a port number from 0 to 65535, not ${port}.`,
          fr: `--port prend un numéro de port de 0 à 65535, pas ${port}.`,
        }));
      }
      const { loadChatModel } = await import("./lib/chat/terminal.ts");
      const { serveChat } = await import("./lib/chat/web.ts");
      const { model, tok, dir } = await loadChatModel(values.ckpt);
      const server = serveChat(model, tok, {
        port,
        temperature,
        onListen: (url) =>
          console.log(tr({
            en: `Chatting with ${dir} at ${url} (Ctrl-C stops).`,
            fr: `Chat avec ${dir} sur ${url} (Ctrl-C arrête).`,
          })),
      });
      const stop = () => server.shutdown();
      Deno.addSignalListener("SIGINT", stop);
      await server.finished;
      Deno.removeSignalListener("SIGINT", stop);
      return 0;
    },
  },
  export: {
    ...HELP.export,
    options: flags(["ckpt", "to", "out", "corpus"], ["data", "force"]),
    async run(values) {
      const { ckpt, to, out } = values;
      if (typeof ckpt !== "string" || typeof out !== "string" || (to !== "hf" && to !== "llmc")) {
        throw new UserError(tr({
          en:
            "Say what to export and where: --ckpt DIR --to hf|llmc --out PATH (see `deno task export --help`).",
          fr:
            "Dis quoi exporter et où : --ckpt DIR --to hf|llmc --out PATH (voir `deno task export --help`).",
        }));
      }
      const { runExport } = await import("./lib/train/export.ts");
      await runExport({
        ckpt,
        to,
        out,
        data: values.data === true,
        corpus: values.corpus as string | undefined,
        force: values.force === true,
      });
      return 0;
    },
  },
  import: {
    ...HELP.import,
    options: flags(["from", "out"], ["force"]),
    async run(values) {
      if (typeof values.from !== "string" || typeof values.out !== "string") {
        throw new UserError(tr({
          en: "Say what to import and where: --from PATH --out DIR.",
          fr: "Dis quoi importer et où : --from PATH --out DIR.",
        }));
      }
      const { runImport } = await import("./lib/train/export.ts");
      await runImport({ from: values.from, out: values.out, force: values.force === true });
      return 0;
    },
  },
  doctor: {
    ...HELP.doctor,
    options: {},
    async run() {
      const checks = await runDoctor();
      for (const c of checks) {
        console.log(
          `  ${c.ok ? paint("green", "OK") : paint("red", "!!")}  ${c.name.padEnd(17)} ${c.detail}`,
        );
      }
      return checks.every((c) => c.ok) ? 0 : 1;
    },
  },
  bench: {
    ...HELP.bench,
    words: 1,
    options: flags(["json"]),
    async run(values, positionals) {
      const name = positionals[0];
      if (!name || !SUITES[name]) {
        const suites = Object.keys(SUITES).join(", ");
        throw new UserError(tr({
          en: `${name ? `There is no benchmark "${name}"` : "Say which benchmark to run"}; ` +
            `the suites are ${suites} (for example \`deno task bench kernels\`).`,
          fr: `${name ? `Il n'y a pas de benchmark « ${name} »` : "Dis quel benchmark lancer"} : ` +
            `les suites sont ${suites} (par exemple \`deno task bench kernels\`).`,
        }));
      }
      return await runBench(name, typeof values.json === "string" ? values.json : undefined);
    },
  },
  build: {
    ...HELP.build,
    options: flags([], ["force"]),
    async run(values) {
      const { built } = await ensureKernelsBuilt({ force: values.force === true });
      if (!built) {
        console.log(tr({
          en: "Kernels are up to date (kernels/build/kernels.wasm).",
          fr: "Les noyaux sont à jour (kernels/build/kernels.wasm).",
        }));
      }
      return 0;
    },
  },
};

/** A numeric flag, or undefined when absent; anything but a finite number is a usage error. */
function numberFlag(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n)) {
    throw new UserError(tr({
      en: `--${name} takes a number, not "${raw}".`,
      fr: `--${name} prend un nombre, pas « ${raw} ».`,
    }));
  }
  return n;
}

/** A command's flags for parseArgs: those in `values` take a value, those in `switches` do not. */
function flags(values: string[], switches: string[] = []): Command["options"] {
  return Object.fromEntries([
    ...values.map((name) => [name, { type: "string" as const }]),
    ...switches.map((name) => [name, { type: "boolean" as const }]),
  ]);
}

/**
 * parseArgs with our sentences: a flag it does not know is named, and a negative number after a
 * flag that takes a value is that value (`--steps -5`), which the command's own check judges.
 */
function parseFlags(name: string, args: string[], options: Command["options"] & object) {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i].startsWith("--") ? options[args[i].slice(2)] : undefined;
    if (flag?.type === "string" && /^-\.?\d/.test(args[i + 1] ?? "")) {
      joined.push(`${args[i]}=${args[++i]}`);
    } else joined.push(args[i]);
  }
  const { tokens } = parseArgs({
    args: joined,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const unknown = tokens.find((t) => t.kind === "option" && !(t.name in options));
  if (unknown?.kind === "option") {
    throw new UserError(tr({
      en: `Unknown option ${unknown.rawName}; see \`deno task ${name} --help\`.`,
      fr: `Option inconnue ${unknown.rawName} ; voir \`deno task ${name} --help\`.`,
    }));
  }
  return parseArgs({ args: joined, options, allowPositionals: true, strict: true });
}

/**
 * With `--mine`, your GPT's code (the library's where an exercise does not pass yet): checked in
 * the grader's sandbox, then run here under the lab's watchdog.
 */
async function mineFlag(values: Record<string, unknown>) {
  if (values.mine !== true) return undefined;
  const { studentCode } = await import("./lib/course/your_gpt.ts");
  return await studentCode(CATALOG, { check: sandboxedCheck(DEFAULT_LIMITS, new Watchdog()) });
}

function backendFlag(values: Record<string, unknown>): BackendName {
  const raw = values.backend ?? "wasm";
  if (!BACKENDS.includes(raw as BackendName)) {
    throw new UserError(tr({
      en: `--backend takes ${BACKENDS.join(" or ")}, not "${raw}".`,
      fr: `--backend prend ${BACKENDS.join(" ou ")}, pas « ${raw} ».`,
    }));
  }
  return raw as BackendName;
}

function labNames(): string {
  const ids = LABS.map((l) => l.id).join(", ");
  return tr({ en: `the labs are ${ids} (or "all")`, fr: `les labs sont ${ids} (ou « all »)` });
}

function exerciseFrom(id: string | undefined): Exercise {
  const ex = id ? findExercise(id) : undefined;
  if (!ex) {
    const ids = CATALOG.map((e) => e.id).join(", ");
    throw new UserError(tr({
      en: `${
        id ? `There is no exercise "${id}"` : "Say which exercise"
      }; the exercises are ${ids}.`,
      fr: `${
        id ? `Il n'y a pas d'exercice « ${id} »` : "Dis quel exercice"
      } : les exercices sont ${ids}.`,
    }));
  }
  return ex;
}

async function writeResults(path: string, text: string): Promise<void> {
  const file = absolute(path);
  const cannot = (why: Text) =>
    new UserError(tr({
      en: `Cannot write ${path}: ${why.en}; give a path in an existing folder.`,
      fr: `Impossible d'écrire ${path} : ${why.fr} ; donne un chemin dans un dossier existant.`,
    }));
  // Into an existing folder only: a misspelt one is a mistake, not a folder to make.
  if (!(await isDirectory(file.slice(0, file.lastIndexOf("/")) || "/"))) {
    throw cannot({ en: "its folder does not exist", fr: "son dossier n'existe pas" });
  }
  try {
    // Atomically, so that a reader (a CI step, a dashboard) never sees half a report.
    await writeFileAtomic(file, text);
  } catch (err) {
    throw cannot(verbatim((err as Error).message));
  }
}

/** The submission `--dir` names (default: this repository), once it holds labs/exercises. */
async function submissionDir(values: Record<string, unknown>): Promise<string> {
  const dir = typeof values.dir === "string" ? absolute(values.dir) : REPO_ROOT;
  if (!(await isDirectory(`${dir}/labs/exercises`))) {
    throw new UserError(tr({
      en: `${dir} holds no labs/exercises folder; point --dir at the root of a submission.`,
      fr: `${dir} ne contient pas de dossier labs/exercises : fais pointer --dir vers la racine ` +
        `d'un rendu.`,
    }));
  }
  return dir;
}

/** A numeric flag that must be positive, or `fallback` when absent. */
function positiveNumber(values: Record<string, unknown>, flag: string, fallback: number): number {
  const n = numberFlag(values, flag) ?? fallback;
  if (!(n > 0)) {
    throw new UserError(tr({
      en: `--${flag} ${n} is not a positive number; for example --${flag} ${fallback}.`,
      fr: `--${flag} ${n} n'est pas un nombre positif : par exemple --${flag} ${fallback}.`,
    }));
  }
  return n;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

/** `lab all`: every lab on the reference path, then one table. */
async function runAll(outRoot: string): Promise<number> {
  const results: [string, string, RunResult | Error][] = [];
  for (const entry of LABS) {
    const lab = await entry.load();
    try {
      results.push([lab.id, tr(lab.title), await runLab(lab, { reference: true, outRoot })]);
    } catch (err) {
      results.push([lab.id, tr(lab.title), err instanceof Error ? err : new Error(String(err))]);
    }
  }
  console.log(
    "\n" + paint("bold", tr({ en: "All labs (reference path)", fr: "Tous les labs (référence)" })),
  );
  console.log(table([
    tr({ en: "lab|title|result|seconds", fr: "lab|titre|résultat|secondes" }).split("|"),
    ...results.map(([id, title, r]) =>
      r instanceof Error
        ? [id, title, paint("red", tr({ en: "failed: ", fr: "échec : " }) + r.message), "-"]
        : [
          id,
          title,
          r.status === "complete"
            ? paint("green", tr({ en: "complete", fr: "terminé" }))
            : r.status,
          Number((r.ms / 1000).toFixed(1)),
        ]
    ),
  ]));
  console.log(tr({
    en: `\n  Lessons: ${outRoot}/index.html`,
    fr: `\n  Les leçons : ${outRoot}/index.html`,
  }));
  return results.every(([, , r]) => !(r instanceof Error) && r.status === "complete") ? 0 : 1;
}

/** Runs the CLI with `args` and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  try {
    setLang(resolveLang(undefined)); // the environment's, until the command's --lang is read
  } catch {
    // a bad MINIGPT_LANG is reported once the command runs
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    // Only --lang matters to the list; parseArgs reads it as a command's flags are read.
    const { values } = parseArgs({
      args: rest,
      options: { lang: { type: "string" } },
      strict: false,
      allowPositionals: true,
    });
    try {
      if (values.lang !== undefined) setLang(resolveLang(String(values.lang)));
    } catch (err) {
      console.error(paint("red", (err as Error).message));
      return 2;
    }
    console.log(commandList(COMMANDS));
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    const names = Object.keys(COMMANDS).join(", ");
    console.error(tr({
      en: `Unknown command "${name}"; the commands are ${names}.`,
      fr: `Commande inconnue « ${name} » : les commandes sont ${names}.`,
    }));
    return 2;
  }
  try {
    const { values, positionals } = parseFlags(
      name,
      rest,
      { ...command.options, help: { type: "boolean", short: "h" }, lang: { type: "string" } },
    );
    setLang(resolveLang(values.lang as string | undefined));
    if (values.help) {
      console.log(commandHelp(command));
      return 0;
    }
    const extra = positionals[command.words ?? 0];
    if (extra !== undefined) {
      const see = `see \`deno task ${name} --help\``, voir = `voir \`deno task ${name} --help\``;
      throw new UserError(tr(
        command.words
          ? {
            en: `\`deno task ${name}\` takes one argument, and "${extra}" is a second; ${see}.`,
            fr: `\`deno task ${name}\` prend un seul argument, et « ${extra} » en est un ` +
              `deuxième ; ${voir}.`,
          }
          : {
            en: `\`deno task ${name}\` takes options only, and "${extra}" is not one; ${see}.`,
            fr: `\`deno task ${name}\` ne prend que des options, et « ${extra} » n'en est pas ` +
              `une ; ${voir}.`,
          },
      ));
    }
    return await command.run(values, positionals);
  } catch (err) {
    if (err instanceof UserError) {
      console.error(paint("red", err.message));
      return err.exitCode;
    }
    if (
      err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(paint(
        "red",
        tr({
          en: `${err.message}. See \`deno task ${name} --help\`.`,
          fr: `${err.message}. Voir \`deno task ${name} --help\`.`,
        }),
      ));
      return 2;
    }
    const message = (err as Error)?.message ?? err;
    console.error(paint(
      "red",
      tr({
        en: `minigpt-lab stopped on an internal error: ${message}`,
        fr: `minigpt-lab s'est arrêté sur une erreur interne : ${message}`,
      }),
    ));
    if (Deno.env.get("MINIGPT_DEBUG")) console.error((err as Error)?.stack);
    else {
      console.error(tr({
        en: "Run again with MINIGPT_DEBUG=1 to see where, and please report it.",
        fr: "Relance avec MINIGPT_DEBUG=1 pour voir où, et signale-le, s'il te plaît.",
      }));
    }
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
