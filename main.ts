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
  NOT_RELEASED,
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
import { lang, LANG_HELP, resolveLang, setLang, type Text, tr, verbatim } from "./lib/i18n.ts";
import { paint, table, wrap } from "./lib/term.ts";

/** A subcommand: its flags, its help text and what it does. */
interface Command {
  summary: string;
  usage: string;
  options: NonNullable<Parameters<typeof parseArgs>[0]>["options"];
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  lab: {
    summary: "run a lab step by step (or `all` for every lab, reference path)",
    usage: `deno task lab <NN|all> [--step] [--from N] [--reference] [--out DIR]

  NN           lab number, 00 to 12 (see \`deno task list\`)
  --step       wait for Enter between steps (only when stdin is a terminal)
  --from N     start at step N (the first step is 1)
  --reference  use the library's implementations instead of your exercises
  --out DIR    write charts and samples under DIR (default: out)

  Labs 09–11 train a small model in seconds; MINIGPT_PRESET=full trains nanoGPT's baby GPT.`,
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
    summary: "every lab and exercise with its status",
    usage: `deno task list [--dir PATH]

  Each exercise is checked in the same sandbox as \`deno task grade\`.
  --dir PATH     the submission: a folder holding labs/exercises (default: this repository)`,
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
    summary: "the hint for one exercise",
    usage: "deno task hint <exercise id, such as 00.1>",
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
    summary: "grade every exercise in a sandbox: a table, results.json, JUnit XML",
    usage: `deno task grade [--json FILE] [--junit FILE] [--only NN] [--dir PATH] [--timeout S]
                 [--heap MB] [--jobs N]

  --json FILE    write the results as JSON (per exercise: status, message, output, points)
  --junit FILE   write the results as JUnit XML, for CI
  --only NN      grade one lab (03) or one exercise (03.2)
  --dir PATH     the submission: a folder holding labs/exercises (default: this repository)
  --timeout S    time limit per exercise, 1 to 600 s (default ${DEFAULT_LIMITS.timeoutMs / 1000})
  --heap MB      V8 heap limit per exercise, 64 to 8192 MiB (default ${DEFAULT_LIMITS.heapMb})
  --jobs N       exercises graded at once, 1 to 16 (default 2)

Exit code: 0 when every exercise passes, 1 when some fail, 2 when grading could not run.`,
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
    summary: "re-grade the current exercise each time you save a file",
    usage: `deno task watch [--poll] [--interval MS]

  Grades the first exercise that does not pass yet, in the same sandbox as \`deno task grade\`,
  then again each time a file under labs/exercises changes, and moves on when it passes.
  --poll         look for changes by polling (for folders where file events do not arrive)
  --interval MS  polling interval in milliseconds (default 500)`,
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
    summary: "put one exercise's function back to its starter (asks first)",
    usage: `deno task reset <exercise id, such as 03.2> [--yes]

  Replaces your function for that exercise with the original starter; the rest of the file stays.
  --yes  do not ask for confirmation`,
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
      await Deno.writeTextFile(path, restored);
      await forgetProgress(ex.id);
      console.log(tr({
        en: `${ex.symbol} in ${ex.file} is back to its starter.`,
        fr: `${ex.symbol} dans ${ex.file} est revenu à son squelette de départ.`,
      }));
      return 0;
    },
  },
  release: {
    summary: "instructors: write the student release (no solutions) to a new folder",
    usage: `deno task release --out DIR [--lang fr|en]

  Copies the repository's files (git's list) to DIR, leaving out
    ${NOT_RELEASED.join(", ")},
  adds a pristine copy of the starters in labs/starters/ for \`deno task reset\`, then checks
  that nothing refers to the solutions and that every starter grades as not started.
  With --lang fr the starters' instructions are in French.`,
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
    summary: "train a GPT on a corpus, with checkpoints and resume",
    usage: `deno task train [--preset baby|mini|nano] [--corpus NAME|PATH] [--tokenizer char|bpe]
                       [--vocab-size N] [--positional learned|sinusoidal|rope] [--steps N]
                       [--batch-size N] [--lr X] [--seed N] [--out DIR] [--resume | --force]
                       [--backend wasm|ts] [--mine]

  --preset       model shape and training settings (default baby: nanoGPT's CPU config)
  --corpus       a registry corpus (default tinyshakespeare) or any UTF-8 text file
  --tokenizer    char (default) or bpe (a byte-level BPE trained on the training split)
  --vocab-size   BPE vocabulary size (default 5000)
  --steps, --batch-size, --lr, --seed   override the preset's (lr is the peak; the floor is lr/10)
  --out DIR      run folder: latest/, best/, metrics.jsonl (default out/train/<corpus>-<preset>-<tok>)
  --resume       continue the run in --out from its latest checkpoint, exactly where it stopped
  --force        start over in an --out that already holds a run (without it, that is refused)
  --backend      wasm (default: the SIMD kernels) or ts (the plain TypeScript layers, ~40× slower)
  --mine         your GPT: your model, layers and training loop wherever your exercise passes
                 (lib/'s elsewhere, named at the start), on the TypeScript path
Ctrl-C stops after the current step and saves a checkpoint.`,
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
    summary: "generate text from a trained checkpoint, streamed as it comes",
    usage: `deno task sample --ckpt DIR [--adapters FILE] [--prompt TEXT] [--tokens N]
                        [--temperature X] [--top-k K] [--top-p P] [--seed N] [--stop TEXT]...
                        [--no-cache] [--backend wasm|ts]

  --ckpt DIR       a run folder (its best/ checkpoint, else latest/) or a checkpoint folder
  --adapters FILE  LoRA adapters (lab 11 saves out/11_finetuning/lora/adapters.safetensors),
                   merged onto --ckpt, or without it onto the base checkpoint their file names
  --prompt TEXT    where the text starts, printed before the continuation (default a new
                   line); for a newline inside it, bash and zsh take $'forecast for x:\\n'
  --tokens N       how many tokens to generate (default 500)
  --temperature X  0 is greedy; below 1 is safer, above 1 wilder (default 0.8)
  --top-k K, --top-p P  sample only among the K most likely tokens / the nucleus of mass P
  --seed N         the sampler's seed (default 0)
  --stop TEXT      stop when the text contains TEXT (may repeat)
  --no-cache       recompute the whole context at every token instead of using the KV cache
  --backend        wasm (default: the SIMD kernels) or ts (the plain TypeScript layers)
  --mine           your GPT and your generation loop wherever your exercise passes (no streaming)`,
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
    summary: "fine-tune a chat model on generated conversations, then score it",
    usage: `deno task sft [--preset quick|full] [--steps N] [--minutes M] [--seed N] [--out DIR]
                      [--backend wasm|ts]

  --preset   quick (the lab's: within a minute) or full (the course's targets; default)
  --steps, --seed   override the preset's
  --minutes M  stop training after M minutes even if steps remain (the full run uses 15)
  --out DIR  run folder: latest/, metrics.jsonl, eval.json (default out/chat/<preset>)
  --backend  wasm (default: the SIMD kernels) or ts (the plain TypeScript layers)
Ctrl-C stops after the current step, then saves and scores what it has.`,
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
    summary: "talk to a chat model, in the terminal or (--web) in the browser",
    usage: `deno task chat --ckpt DIR [--web] [--port N] [--temperature X]

  --ckpt DIR       a folder \`deno task sft\` wrote (its latest/ is used) or a checkpoint folder
  --web            serve a chat page on http://127.0.0.1:PORT/ instead of the terminal
  --port N         the page's port (default 8000)
  --temperature X  0 is greedy (default 0.7); /temp X changes it while chatting
In the terminal: /reset starts a new conversation, /quit (or Ctrl-C) leaves.`,
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
    summary: "write a checkpoint as a Hugging Face GPT-2 folder or an llm.c model file",
    usage: `deno task export --ckpt DIR --to hf|llmc --out PATH [--data [--corpus NAME]] [--force]

  --ckpt DIR     a checkpoint folder, or a run folder (its best/, else latest/)
  --to hf        a folder GPT2LMHeadModel.from_pretrained reads (config.json, model.safetensors,
                 the tokenizer: vocab.json + merges.txt for BPE, tokenizer.json for characters)
  --to llmc      llm.c's model file (PATH, e.g. model.bin) and its tokenizer (model_tokenizer.bin)
  --data         also the corpus in the model's tokens: train.bin / val.bin (uint16, nanoGPT's)
                 in the HF folder, or llm.c's model_train.bin / model_val.bin
  --corpus NAME  the corpus --data tokenizes (default tinyshakespeare, or a file path)
  --force        replace PATH when it exists`,
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
    summary: "bring a Hugging Face GPT-2 folder or an llm.c model file back as a checkpoint",
    usage: `deno task import --from PATH --out DIR [--force]

  --from PATH  a Hugging Face GPT-2 folder (ours, or GPT-2's own files) or an llm.c model file
               (its tokenizer file NAME_tokenizer.bin beside it; GPT-2's when it has 50,257 tokens)
  --out DIR    the checkpoint folder to write, for sample, chat, the labs and fine-tuning
  --force      replace DIR when it exists`,
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
    summary: "check Deno, WebAssembly SIMD, the kernels and the corpus",
    usage: "deno task doctor",
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
    summary: "benchmarks, side by side with the peers, as ratios measured in one run",
    usage: `deno task bench <suite> [--json FILE]

${Object.entries(SUITES).map(([name, s]) => `  ${name.padEnd(11)}  ${s.summary}`).join("\n")}
  --json FILE  also write the rows as JSON (for example out/bench/kernels.json)`,
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
    summary: "compile the AssemblyScript kernels (runs by itself when needed)",
    usage: "deno task build:kernels [--force]",
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

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `minigpt-lab: build a GPT from scratch, in TypeScript.

Usage: deno task <command> [options]   (every command takes --help and --lang fr|en)

${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join("\n")}
  ${"test".padEnd(width)}  the project's own checks and tests`;
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
    console.log(usage());
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
      console.log(`${command.summary}\n\nUsage: ${command.usage}\n\n  ${LANG_HELP}`);
      return 0;
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
