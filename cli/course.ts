/**
 * The course's commands: `lab` runs a lesson, `list`, `hint`, `grade`, `watch` and `reset` follow
 * a student's exercises, `release` writes the student's copy of the course.
 * @module
 */
import { CATALOG, findExercise } from "../labs/catalog/mod.ts";
import { findLab, LABS } from "../labs/mod.ts";
import { ioReason, UserError } from "../lib/errors.ts";
import { type Exercise, REPO_ROOT } from "../lib/course/exercise.ts";
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
} from "../lib/grade/mod.ts";
import { absolute, outputFolder, refuseExisting, writeFileAtomic } from "../lib/atomic.ts";
import { runLab, type RunResult } from "../lib/course/lab.ts";
import { lang, type Text, tr } from "../lib/i18n.ts";
import { paint, table, wrap } from "../lib/term.ts";
import { HELP } from "./help.ts";
import { type Command, flags, isDirectory, positiveNumber } from "./flags.ts";

/** The commands a student and an instructor use to follow the course. */
export const COURSE_COMMANDS: Record<string, Command> = {
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
      const entry = which === "all" ? undefined : findLab(which);
      if (which !== "all" && !entry) {
        throw new UserError(tr({
          en: `There is no lab "${which}"; ${labNames()}.`,
          fr: `Il n'y a pas de lab « ${which} » : ${labNames()}.`,
        }));
      }
      const lab = await entry?.load();
      const from = values.from === undefined ? 1 : Number(values.from);
      if (lab && (!Number.isInteger(from) || from < 1 || from > lab.steps.length)) {
        throw new UserError(tr({
          en:
            `--from ${values.from} is not a step of lab ${lab.id}; it has steps 1 to ${lab.steps.length}.`,
          fr:
            `--from ${values.from} n'est pas une étape du lab ${lab.id} : il a les étapes 1 à ${lab.steps.length}.`,
        }));
      }
      // Made once the run is known to start, so that a mistyped lab leaves no folder behind.
      const outRoot = await outputFolder(
        "out",
        typeof values.out === "string" ? values.out : "out",
      );
      if (!lab) return await runAll(outRoot);
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
    options: flags(["json", "junit", "only", "dir", "timeout", "heap", "jobs"], ["force"]),
    async run(values) {
      const dir = await submissionDir(values);
      // Where the reports go is checked before the grading, not after it.
      for (const flag of ["json", "junit"]) {
        const path = values[flag];
        if (typeof path === "string") await reportPath(flag, path, values.force === true);
      }
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
};

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

function cannotWrite(path: string, why: Text): UserError {
  return new UserError(tr({
    en: `Cannot write ${path}: ${why.en}; give a path in an existing folder.`,
    fr: `Impossible d'écrire ${path} : ${why.fr} ; donne un chemin dans un dossier existant.`,
  }));
}

/**
 * A report's path, in an existing folder only (a misspelt one is a mistake, not a folder to make),
 * and not over a file the user has unless `--force` says so.
 */
async function reportPath(flag: string, path: string, force: boolean): Promise<void> {
  const file = absolute(path);
  if (!(await isDirectory(file.slice(0, file.lastIndexOf("/")) || "/"))) {
    throw cannotWrite(path, { en: "its folder does not exist", fr: "son dossier n'existe pas" });
  }
  if (!force) await refuseExisting([path], flag);
}

async function writeResults(path: string, text: string): Promise<void> {
  try {
    // Atomically, so that a reader (a CI step, a dashboard) never sees half a report.
    await writeFileAtomic(absolute(path), text);
  } catch (err) {
    throw cannotWrite(path, ioReason(err));
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
