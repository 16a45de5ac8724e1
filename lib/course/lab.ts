/**
 * The lab framework: a lab is a typed list of titled steps; the runner prints each step, hands it
 * a context for text, tables, charts, samples and exercises, and stops at the first exercise whose
 * student code does not pass its check.
 * @module
 */
import type { VegaLiteSpec } from "../charts.ts";
import { cellText, isEnglishOnly, type Localized, type Text, tr, typeset } from "../i18n.ts";
import { type CheckResult, checkStudent, type Exercise } from "./exercise.ts";
import { LabReport } from "./report.ts";
import { paint, table, wrap } from "../term.ts";

/** What a step can do: print, draw, save samples and use exercises. */
export interface StepContext {
  /** True with `--reference`: exercises use the library's implementations. */
  readonly reference: boolean;
  /** Folder this lab writes to: `out/<slug>`. */
  readonly outDir: string;
  /** Where the student's files are (undefined: this repository). */
  readonly studentRoot?: string;
  /** How the runner checks the student's code for an exercise (the grader's sandbox from the CLI). */
  readonly check: NonNullable<RunOptions["check"]>;
  /** Prints a paragraph, wrapped, in the run's language. Blank lines separate paragraphs. */
  say(text: Localized): void;
  /** Prints preformatted text (diagrams, code) as is, indented. */
  show(text: Localized): void;
  /** Prints an aligned table; the first row is the header. */
  table(rows: (string | number | Text)[][]): void;
  /** Writes `<name>.vl.json` and `<name>.svg` and puts the chart in the lab's report. */
  chart(name: string, spec: VegaLiteSpec): Promise<void>;
  /** Writes `<name>.txt` and puts the text in the lab's report. */
  sample(name: string, title: Localized, text: string): Promise<void>;
  /**
   * The implementation of exercise `id`: the student's once it passes its check (the lab stops
   * here if it does not), or the library's with `--reference`.
   */
  exercise<F extends (...args: never[]) => unknown>(id: string): Promise<F>;
}

/**
 * One titled step of a lab. `A` is what the step needs beside its context: a lab that its own
 * function builds (labs 11 and 12) hands its steps the run's state; a {@link Lab} lists steps
 * that need nothing more.
 */
export interface Step<A extends unknown[] = []> {
  title: Localized;
  run(ctx: StepContext, ...args: A): void | Promise<void>;
}

/** A lab: its number, folder name, title, steps and the exercises its steps use. */
export interface Lab {
  /** Two digits: "03". */
  id: string;
  /** File and output folder name: "03_attention". */
  slug: string;
  title: Localized;
  steps: Step[];
  exercises: Exercise[];
}

/**
 * Pairs a title with a step function; a lab lists its steps with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { step } from "./lab.ts";
 * const s = step({ en: "Hello", fr: "Bonjour" }, (ctx) => ctx.say({ en: "Hi.", fr: "Salut." }));
 * assert.ok(typeof s.title !== "string" && s.title.fr === "Bonjour");
 * ```
 */
export function step<A extends unknown[] = []>(title: Localized, run: Step<A>["run"]): Step<A> {
  return { title, run };
}

/** Thrown inside a step when an exercise's check fails; the runner turns it into "your turn". */
export class ExerciseStop extends Error {
  constructor(
    readonly exercise: Exercise,
    readonly result: CheckResult,
    readonly stepIndex: number,
  ) {
    super(tr({
      en: `Exercise ${exercise.id} does not pass yet.`,
      fr: `L'exercice ${exercise.id} ne passe pas encore.`,
    }));
    this.name = "ExerciseStop";
  }
}

/** Options of {@link runLab}. */
export interface RunOptions {
  /** Use the library's implementations for every exercise (default false). */
  reference?: boolean;
  /** First step to run, counting from 1 (default 1). */
  from?: number;
  /** Wait for Enter between steps when stdin is a terminal (default false). */
  pause?: boolean;
  /** Root output folder (default `out` in the current directory). */
  outRoot?: string;
  /** Where the student's files live (default: this repository). */
  studentRoot?: string;
  /** Print to this function instead of the console (tests). */
  print?: (line: string) => void;
  /**
   * How the student's code for an exercise is checked (default: in this process); the command
   * line passes the grader's sandboxed check, which has a time limit.
   */
  check?: (exercise: Exercise, root?: string) => Promise<CheckResult & { impl?: unknown }>;
}

/** How a run ended. */
export interface RunResult {
  status: "complete" | "stopped at an exercise" | "failed";
  stepsRun: number;
  /** The exercise the run stopped at, if any. */
  stoppedAt?: ExerciseStop;
  /** Path of the lab's index.html. */
  index: string;
  ms: number;
  /**
   * Texts the run printed in English only (plain strings where a `{ en, fr }` text belongs),
   * shortened; empty for a lab translated throughout.
   */
  englishOnly: string[];
}

/**
 * Runs a lab's steps in order, writes its report, and says what to do next.
 * Errors that are not exercise failures propagate after the report is written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runLab, step } from "./lab.ts";
 * const lab = { id: "98", slug: "98_demo", title: "Demo", exercises: [], steps: [step("Hi", (c) => c.say("hi"))] };
 * const r = await runLab(lab, { outRoot: await Deno.makeTempDir(), print: () => {} });
 * assert.equal(r.status, "complete");
 * ```
 */
export async function runLab(lab: Lab, options: RunOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  const print = options.print ?? ((line: string) => console.log(line));
  const reference = options.reference ?? false;
  const from = options.from ?? 1;
  const report = new LabReport(
    options.outRoot ?? `${Deno.cwd()}/out`,
    lab.slug,
    { en: `${lab.id} · ${tr(lab.title, "en")}`, fr: `${lab.id} · ${tr(lab.title, "fr")}` },
    { titles: lab.steps.map((s) => s.title), from },
  );
  let currentIndex = 0;
  // Later steps use a passed exercise again; saying so once is enough.
  const announced = new Set<string>();
  const englishOnly: string[] = [];
  const local = (text: Localized | string | number): string => {
    if (typeof text === "number") return String(text);
    // Names and numbers ("GPT-3", "B × T") read the same in both languages; words do not.
    if (isEnglishOnly(text) && /[a-z]{3,}/.test(text)) englishOnly.push(text.trim().slice(0, 60));
    return tr(text);
  };

  const ctx: StepContext = {
    reference,
    outDir: report.dir,
    studentRoot: options.studentRoot,
    check: options.check ?? checkStudent,
    say(text) {
      report.text(text);
      print(
        local(text).trim().split(/\n\s*\n/).map((p) =>
          wrap(typeset(p.replace(/\s*\n\s*/g, " ")), 92, "  ")
        )
          .join(
            "\n\n",
          ),
      );
    },
    show(text) {
      report.code(text);
      print(tr(text).replace(/^\n+|\s+$/g, "").split("\n").map((l) => "    " + l).join("\n"));
    },
    table(rows) {
      report.table(rows);
      print(table(
        // Only the header is prose; cells are values, names and examples.
        rows.map((row, i) => row.map((c) => (i === 0 ? local(c) : cellText(c)))),
        "    ",
      ));
    },
    async chart(name, spec) {
      const path = await report.chart(name, spec);
      print(
        paint(
          "cyan",
          tr({ en: `  ▸ chart: ${relative(path)}`, fr: `  ▸ graphique : ${relative(path)}` }),
        ),
      );
    },
    async sample(name, title, text) {
      const path = await report.sample(name, title, text);
      print(
        paint(
          "cyan",
          tr({ en: `  ▸ sample: ${relative(path)}`, fr: `  ▸ extrait : ${relative(path)}` }),
        ),
      );
    },
    async exercise<F>(id: string): Promise<F> {
      const ex = lab.exercises.find((e) => e.id === id);
      if (!ex) {
        throw new Error(tr({
          en: `Lab ${lab.id} has no exercise ${id}.`,
          fr: `Le lab ${lab.id} n'a pas d'exercice ${id}.`,
        }));
      }
      if (reference) return ex.reference as F;
      const result = await ctx.check(ex, options.studentRoot);
      if (result.status !== "pass" || !result.impl) {
        const f = result.failure;
        report.exercise({
          id: ex.id,
          title: ex.title,
          status: result.status === "todo" ? "todo" : "fail",
          what: f?.what,
          expected: f?.expected,
          got: f?.got,
          hint: ex.hint,
        });
        throw new ExerciseStop(ex, result, currentIndex);
      }
      if (!announced.has(id)) {
        announced.add(id);
        report.exercise({ id: ex.id, title: ex.title, status: "pass" });
        print(paint(
          "green",
          tr({
            en: `  ✓ exercise ${ex.id} · ${tr(ex.title)}: your code passes`,
            fr: `  ✓ exercice ${ex.id} · ${tr(ex.title)} : ton code passe`,
          }),
        ));
      }
      return result.impl as F;
    },
  };

  print(
    paint("bold", `\nLab ${lab.id} · ${tr(lab.title)}`) +
      (reference ? paint("dim", tr({ en: "  (reference)", fr: "  (référence)" })) : ""),
  );
  if (options.pause && !Deno.stdin.isTerminal()) {
    print(paint(
      "dim",
      tr({
        en: "  (--step: stdin is not a terminal, so the steps run without waiting)",
        fr: "  (--step : l'entrée n'est pas un terminal, les étapes s'enchaînent sans attendre)",
      }),
    ));
  }
  let stepsRun = 0;
  let status: RunResult["status"] = "complete";
  let stoppedAt: ExerciseStop | undefined;
  try {
    for (let i = from - 1; i < lab.steps.length; i++) {
      const s = lab.steps[i];
      const title = local(s.title);
      currentIndex = i + 1;
      report.step(currentIndex, s.title);
      print(
        "\n" +
          paint(
            "bold",
            `── ${tr({ en: "Step", fr: "Étape" })} ${i + 1}/${lab.steps.length} · ${title}`,
          ),
      );
      await s.run(ctx);
      stepsRun++;
      if (options.pause && Deno.stdin.isTerminal() && i + 1 < lab.steps.length) {
        await waitForEnter();
      }
    }
  } catch (err) {
    if (!(err instanceof ExerciseStop)) {
      await report.finish("failed");
      throw err;
    }
    status = "stopped at an exercise";
    stoppedAt = err;
  }
  const index = await report.finish(status);
  if (stoppedAt) {
    print(yourTurn(lab, stoppedAt));
  } else {
    print(
      "\n" + paint("green", tr({ en: `Lab ${lab.id} complete.`, fr: `Lab ${lab.id} terminé.` })) +
        tr({ en: ` Report: ${relative(index)}`, fr: ` Compte rendu : ${relative(index)}` }),
    );
  }
  return { status, stepsRun, stoppedAt, index, ms: performance.now() - t0, englishOnly };
}

/** The message a student sees when the lab hands over: calm, specific, actionable. */
function yourTurn(lab: Lab, stop: ExerciseStop): string {
  const { exercise: ex, result } = stop;
  const f = result.failure!;
  const started = result.status !== "todo";
  const from = paint("bold", `deno task lab ${lab.id} --from ${stop.stepIndex}`);
  const hint = paint("bold", `deno task hint ${ex.id}`);
  const lines = tr({
    en: [
      "",
      paint(["bold", "yellow"], `── Your turn · exercise ${ex.id} · ${tr(ex.title)}`),
      `  Write ${paint("bold", ex.symbol)} in ${paint("bold", ex.file)}.` +
      (started ? "" : " It is still the starter (it throws TODO)."),
      ...(ex.prompt ? [wrap(tr(ex.prompt), 92, "  ")] : []),
      "",
      `    checked   ${f.what}`,
      `    expected  ${f.expected}`,
      `    got       ${f.got}`,
      "",
      wrap(`hint: ${tr(ex.hint)}`, 92, "  "),
      "",
      `  Then run ${from} to pick up here (or ${hint} to see the hint again).`,
    ].join("\n"),
    fr: [
      "",
      paint(["bold", "yellow"], `── À toi · exercice ${ex.id} · ${tr(ex.title)}`),
      `  Écris ${paint("bold", ex.symbol)} dans ${paint("bold", ex.file)}.` +
      (started ? "" : " C'est encore le squelette de départ (il lève TODO)."),
      ...(ex.prompt ? [wrap(typeset(tr(ex.prompt)), 92, "  ")] : []),
      "",
      `    vérifié   ${f.what}`,
      `    attendu   ${f.expected}`,
      `    obtenu    ${f.got}`,
      "",
      wrap(typeset(`indice : ${tr(ex.hint)}`), 92, "  "),
      "",
      `  Puis lance ${from} pour reprendre ici (ou ${hint} pour revoir l'indice).`,
    ].join("\n"),
  });
  return lines;
}

/**
 * `path` relative to the current directory when it lies inside it, as labs print paths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relative } from "./lab.ts";
 * assert.equal(relative(`${Deno.cwd()}/out/03_attention`), "out/03_attention");
 * ```
 */
export function relative(path: string): string {
  const cwd = Deno.cwd();
  return path.startsWith(cwd + "/") ? path.slice(cwd.length + 1) : path;
}

async function waitForEnter(): Promise<void> {
  const prompt = tr({
    en: "  ⏎ Enter for the next step… ",
    fr: "  ⏎ Entrée pour l'étape suivante… ",
  });
  Deno.stdout.writeSync(new TextEncoder().encode(paint("dim", prompt)));
  const buf = new Uint8Array(64);
  await Deno.stdin.read(buf);
}
