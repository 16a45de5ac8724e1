/**
 * What the CLI says about itself: each command's summary (its line in the command list) and its
 * usage (`deno task <command> --help`), English and French side by side, so whoever edits one
 * sees the other. course.ts, models.ts and tools.ts hold each command's flags and what it does,
 * and take its help from here; a flag added there is explained here in both languages
 * (tests/cli_test.ts fails when a flag of the English usage is missing from the French). Flag
 * names, commands, file names and placeholders (`<NN|all>`, DIR, PATH) read the same in both.
 * @module
 */
import { SUITES } from "../lib/bench/mod.ts";
import { DEFAULT_LIMITS, NOT_RELEASED } from "../lib/grade/mod.ts";
import { LANG_HELP, type Text, tr, verbatim } from "../lib/i18n.ts";

/** What `--help` prints for one command, and its line in the command list. */
export interface CommandHelp {
  summary: Text;
  usage: Text;
}

/** Every command's help, in the order of the command list. */
export const HELP = {
  lab: {
    summary: {
      en: "run a lab step by step (or `all` for every lab, reference path)",
      fr: "lance un lab étape par étape (ou `all` pour tous les labs, par le chemin de référence)",
    },
    usage: {
      en: `deno task lab <NN|all> [--step] [--from N] [--reference] [--out DIR]

  NN           lab number, 00 to 12 (see \`deno task list\`)
  --step       wait for Enter between steps (only when stdin is a terminal)
  --from N     start at step N (the first step is 1)
  --reference  use the library's implementations instead of your exercises
  --out DIR    write charts and samples under DIR (default: out)

  Labs 09–11 train a small model in seconds; MINIGPT_PRESET=full trains nanoGPT's baby GPT.`,
      fr: `deno task lab <NN|all> [--step] [--from N] [--reference] [--out DIR]

  NN           numéro du lab, de 00 à 12 (voir \`deno task list\`)
  --step       attend Entrée entre les étapes (seulement quand stdin est un terminal)
  --from N     commence à l'étape N (la première étape est la 1)
  --reference  prend les implémentations de la bibliothèque au lieu de tes exercices
  --out DIR    écrit les graphiques et les échantillons sous DIR (par défaut : out)

  Les labs 09 à 11 entraînent un petit modèle en quelques secondes ; MINIGPT_PRESET=full
  entraîne le baby GPT de nanoGPT.`,
    },
  },
  list: {
    summary: {
      en: "every lab and exercise with its status",
      fr: "chaque lab et chaque exercice, avec son état",
    },
    usage: {
      en: `deno task list [--dir PATH]

  Each exercise is checked in the same sandbox as \`deno task grade\`.
  --dir PATH     the submission: a folder holding labs/exercises (default: this repository)`,
      fr: `deno task list [--dir PATH]

  Chaque exercice est vérifié dans le même bac à sable que \`deno task grade\`.
  --dir PATH     le rendu : un dossier qui contient labs/exercises (par défaut : ce dépôt)`,
    },
  },
  hint: {
    summary: { en: "the hint for one exercise", fr: "l'indice d'un exercice" },
    usage: {
      en: "deno task hint <exercise id, such as 00.1>",
      fr: "deno task hint <numéro d'exercice, par exemple 00.1>",
    },
  },
  grade: {
    summary: {
      en: "grade every exercise in a sandbox: a table, results.json, JUnit XML",
      fr: "corrige chaque exercice dans un bac à sable : un tableau, results.json, du JUnit XML",
    },
    usage: {
      en: `deno task grade [--json FILE] [--junit FILE] [--force] [--only NN] [--dir PATH]
                 [--timeout S] [--heap MB] [--jobs N]

  --json FILE    write the results as JSON (per exercise: status, message, output, points)
  --junit FILE   write the results as JUnit XML, for CI
  --force        replace a FILE that exists (without it, that is refused before grading)
  --only NN      grade one lab (03) or one exercise (03.2)
  --dir PATH     the submission: a folder holding labs/exercises (default: this repository)
  --timeout S    time limit per exercise, 1 to 600 s (default ${DEFAULT_LIMITS.timeoutMs / 1000})
  --heap MB      V8 heap limit per exercise, 64 to 8192 MiB (default ${DEFAULT_LIMITS.heapMb})
  --jobs N       exercises graded at once, 1 to 16 (default 2)

Exit code: 0 when every exercise passes, 1 when some fail, 2 when grading could not run.`,
      fr: `deno task grade [--json FILE] [--junit FILE] [--force] [--only NN] [--dir PATH]
                        [--timeout S] [--heap MB] [--jobs N]

  --json FILE    écrit les résultats en JSON (par exercice : état, message, sortie, points)
  --junit FILE   écrit les résultats en JUnit XML, pour la CI
  --force        remplace un FILE qui existe (sans lui, c'est refusé avant la correction)
  --only NN      corrige un seul lab (03) ou un seul exercice (03.2)
  --dir PATH     le rendu : un dossier qui contient labs/exercises (par défaut : ce dépôt)
  --timeout S    limite de temps par exercice, de 1 à 600 s (par défaut ${
        DEFAULT_LIMITS.timeoutMs / 1000
      })
  --heap MB      limite du tas V8 par exercice, de 64 à 8192 Mio (par défaut ${DEFAULT_LIMITS.heapMb})
  --jobs N       exercices corrigés en même temps, de 1 à 16 (par défaut 2)

Code de sortie : 0 quand tous les exercices passent, 1 quand certains échouent, 2 quand la
correction n'a pas pu se lancer.`,
    },
  },
  watch: {
    summary: {
      en: "re-grade the current exercise each time you save a file",
      fr: "corrige à nouveau l'exercice en cours chaque fois que tu enregistres un fichier",
    },
    usage: {
      en: `deno task watch [--poll] [--interval MS]

  Grades the first exercise that does not pass yet, in the same sandbox as \`deno task grade\`,
  then again each time a file under labs/exercises changes, and moves on when it passes.
  --poll         look for changes by polling (for folders where file events do not arrive)
  --interval MS  polling interval in milliseconds (default 500)`,
      fr: `deno task watch [--poll] [--interval MS]

  Corrige le premier exercice qui ne passe pas encore, dans le même bac à sable que
  \`deno task grade\`, puis à nouveau chaque fois qu'un fichier de labs/exercises change, et passe
  au suivant quand il réussit.
  --poll         guette les changements en relisant les fichiers à intervalles réguliers (pour
                 les dossiers où les événements de fichiers n'arrivent pas)
  --interval MS  intervalle entre deux relectures, en millisecondes (par défaut 500)`,
    },
  },
  reset: {
    summary: {
      en: "put one exercise's function back to its starter (asks first)",
      fr: "remet la fonction d'un exercice à son squelette de départ (demande d'abord)",
    },
    usage: {
      en: `deno task reset <exercise id, such as 03.2> [--yes]

  Replaces your function for that exercise with the original starter; the rest of the file stays.
  --yes  do not ask for confirmation`,
      fr: `deno task reset <numéro d'exercice, par exemple 03.2> [--yes]

  Remplace ta fonction de cet exercice par celle du squelette de départ ; le reste du fichier
  ne change pas.
  --yes  ne demande pas de confirmation`,
    },
  },
  release: {
    summary: {
      en: "instructors: write the student release (no solutions) to a new folder",
      fr: "enseignants : écrit la version élève (sans les solutions) dans un nouveau dossier",
    },
    usage: {
      en: `deno task release --out DIR [--lang fr|en]

  Copies the repository's files (git's list) to DIR, leaving out
    ${NOT_RELEASED.join(", ")},
  adds a pristine copy of the starters in labs/starters/ for \`deno task reset\`, then checks
  that nothing refers to the solutions and that every starter grades as not started.
  With --lang fr the starters' instructions are in French.`,
      fr: `deno task release --out DIR [--lang fr|en]

  Copie les fichiers du dépôt (la liste de git) dans DIR, sauf
    ${NOT_RELEASED.join(", ")},
  ajoute une copie intacte des squelettes de départ dans labs/starters/ pour \`deno task reset\`,
  puis vérifie que rien ne renvoie aux solutions et que chaque squelette est corrigé « pas
  commencé ».
  Avec --lang fr, les consignes des squelettes sont en français.`,
    },
  },
  train: {
    summary: {
      en: "train a GPT on a corpus, with checkpoints and resume",
      fr: "entraîne un GPT sur un corpus, avec des checkpoints, et reprend un entraînement arrêté",
    },
    usage: {
      en: `deno task train [--preset baby|mini|nano] [--corpus NAME|PATH] [--tokenizer char|bpe]
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
      fr: `deno task train [--preset baby|mini|nano] [--corpus NAME|PATH] [--tokenizer char|bpe]
                              [--vocab-size N] [--positional learned|sinusoidal|rope] [--steps N]
                              [--batch-size N] [--lr X] [--seed N] [--out DIR] [--resume | --force]
                              [--backend wasm|ts] [--mine]

  --preset       forme du modèle et réglages d'entraînement (par défaut baby : la config CPU de
                 nanoGPT)
  --corpus       un corpus du registre (par défaut tinyshakespeare) ou tout fichier texte UTF-8
  --tokenizer    char (par défaut) ou bpe (un BPE sur les octets, entraîné sur la partie
                 d'entraînement)
  --vocab-size   taille du vocabulaire BPE (par défaut 5000)
  --steps, --batch-size, --lr, --seed   remplacent ceux du préréglage (lr est le pic ; le
                 plancher est lr/10)
  --out DIR      dossier de l'entraînement : latest/, best/, metrics.jsonl (par défaut
                 out/train/<corpus>-<preset>-<tok>)
  --resume       reprend l'entraînement de --out à son dernier checkpoint, là où il s'est arrêté
  --force        recommence dans un --out qui contient déjà un entraînement (sans lui, c'est
                 refusé)
  --backend      wasm (par défaut : les noyaux SIMD) ou ts (les couches en TypeScript simple,
                 ~40× plus lent)
  --mine         ton GPT : ton modèle, tes couches et ta boucle d'entraînement partout où ton
                 exercice passe (ceux de lib/ ailleurs, nommés au départ), par le chemin TypeScript
Ctrl-C arrête après le pas en cours et enregistre un checkpoint.`,
    },
  },
  sample: {
    summary: {
      en: "generate text from a trained checkpoint, streamed as it comes",
      fr: "génère du texte à partir d'un checkpoint entraîné, affiché au fur et à mesure",
    },
    usage: {
      en: `deno task sample --ckpt DIR [--adapters FILE] [--prompt TEXT] [--tokens N]
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
      fr: `deno task sample --ckpt DIR [--adapters FILE] [--prompt TEXT] [--tokens N]
                               [--temperature X] [--top-k K] [--top-p P] [--seed N] [--stop TEXT]...
                               [--no-cache] [--backend wasm|ts]

  --ckpt DIR       un dossier d'entraînement (son checkpoint best/, sinon latest/) ou un dossier
                   de checkpoint
  --adapters FILE  des adaptateurs LoRA (le lab 11 enregistre
                   out/11_finetuning/lora/adapters.safetensors), fusionnés sur --ckpt, ou sans
                   lui sur le checkpoint de base que nomme leur fichier
  --prompt TEXT    là où le texte commence, affiché avant la suite (par défaut un saut de
                   ligne) ; pour un saut de ligne dedans, bash et zsh prennent $'forecast for x:\\n'
  --tokens N       combien de tokens générer (par défaut 500)
  --temperature X  0 est glouton ; sous 1 plus sage, au-dessus de 1 plus fou (par défaut 0.8)
  --top-k K, --top-p P  tire seulement parmi les K tokens les plus probables / le nucleus de
                   masse P
  --seed N         la graine du tirage (par défaut 0)
  --stop TEXT      s'arrête quand le texte contient TEXT (peut se répéter)
  --no-cache       recalcule tout le contexte à chaque token au lieu d'utiliser le cache KV
  --backend        wasm (par défaut : les noyaux SIMD) ou ts (les couches en TypeScript simple)
  --mine           ton GPT et ta boucle de génération partout où ton exercice passe (sans
                   affichage au fur et à mesure)`,
    },
  },
  sft: {
    summary: {
      en: "fine-tune a chat model on generated conversations, then score it",
      fr: "fait le fine-tuning d'un modèle de chat sur des conversations générées, puis le note",
    },
    usage: {
      en: `deno task sft [--preset quick|full] [--steps N] [--minutes M] [--seed N] [--out DIR]
                      [--force] [--backend wasm|ts]

  --preset   quick (the lab's: within a minute) or full (the course's targets; default)
  --steps, --seed   override the preset's
  --minutes M  stop training after M minutes even if steps remain (the full run uses 15)
  --out DIR  run folder: latest/, metrics.jsonl, eval.json (default out/chat/<preset>)
  --force    start over in an --out that already holds a chat model (without it, that is refused)
  --backend  wasm (default: the SIMD kernels) or ts (the plain TypeScript layers)
Ctrl-C stops after the current step, then saves and scores what it has.`,
      fr: `deno task sft [--preset quick|full] [--steps N] [--minutes M] [--seed N] [--out DIR]
                             [--force] [--backend wasm|ts]

  --preset   quick (celui du lab : moins d'une minute) ou full (les objectifs du cours ; par
             défaut)
  --steps, --seed   remplacent ceux du préréglage
  --minutes M  arrête l'entraînement après M minutes même s'il reste des pas (full en prend 15)
  --out DIR  dossier de l'entraînement : latest/, metrics.jsonl, eval.json (par défaut
             out/chat/<preset>)
  --force    recommence dans un --out qui contient déjà un modèle de chat (sans lui, c'est
             refusé)
  --backend  wasm (par défaut : les noyaux SIMD) ou ts (les couches en TypeScript simple)
Ctrl-C arrête après le pas en cours, puis enregistre et note ce qu'il a.`,
    },
  },
  chat: {
    summary: {
      en: "talk to a chat model, in the terminal or (--web) in the browser",
      fr: "parle à un modèle de chat, dans le terminal ou (--web) dans le navigateur",
    },
    usage: {
      en: `deno task chat --ckpt DIR [--web] [--port N] [--temperature X]

  --ckpt DIR       a folder \`deno task sft\` wrote (its latest/ is used) or a checkpoint folder
  --web            serve a chat page on http://127.0.0.1:PORT/ instead of the terminal
  --port N         the page's port (default 8000)
  --temperature X  0 is greedy (default 0.7); /temp X changes it while chatting
In the terminal: /reset starts a new conversation, /quit (or Ctrl-C) leaves.`,
      fr: `deno task chat --ckpt DIR [--web] [--port N] [--temperature X]

  --ckpt DIR       un dossier écrit par \`deno task sft\` (son latest/ sert) ou un dossier de
                   checkpoint
  --web            sert une page de chat sur http://127.0.0.1:PORT/ au lieu du terminal
  --port N         le port de la page (par défaut 8000)
  --temperature X  0 est glouton (par défaut 0.7) ; /temp X la change en cours de conversation
Dans le terminal : /reset commence une nouvelle conversation, /quit (ou Ctrl-C) quitte.`,
    },
  },
  export: {
    summary: {
      en: "write a checkpoint as a Hugging Face GPT-2 folder or an llm.c model file",
      fr: "écrit un checkpoint en dossier GPT-2 Hugging Face ou en fichier de modèle llm.c",
    },
    usage: {
      en: `deno task export --ckpt DIR --to hf|llmc --out PATH [--data [--corpus NAME]] [--force]

  --ckpt DIR     a checkpoint folder, or a run folder (its best/, else latest/)
  --to hf        a folder GPT2LMHeadModel.from_pretrained reads (config.json, model.safetensors,
                 the tokenizer: vocab.json + merges.txt for BPE, tokenizer.json for characters)
  --to llmc      llm.c's model file (PATH, e.g. model.bin) and its tokenizer (model_tokenizer.bin)
  --data         also the corpus in the model's tokens: train.bin / val.bin (uint16, nanoGPT's)
                 in the HF folder, or llm.c's model_train.bin / model_val.bin
  --corpus NAME  the corpus --data tokenizes (default tinyshakespeare, or a file path)
  --force        replace PATH when it exists`,
      fr: `deno task export --ckpt DIR --to hf|llmc --out PATH [--data [--corpus NAME]] [--force]

  --ckpt DIR     un dossier de checkpoint, ou un dossier d'entraînement (son best/, sinon latest/)
  --to hf        un dossier que lit GPT2LMHeadModel.from_pretrained (config.json,
                 model.safetensors, le tokenizer : vocab.json + merges.txt pour BPE,
                 tokenizer.json pour les caractères)
  --to llmc      le fichier de modèle de llm.c (PATH, par exemple model.bin) et son tokenizer
                 (model_tokenizer.bin)
  --data         le corpus aussi, dans les tokens du modèle : train.bin / val.bin (uint16, ceux
                 de nanoGPT) dans le dossier HF, ou model_train.bin / model_val.bin pour llm.c
  --corpus NAME  le corpus que --data découpe en tokens (par défaut tinyshakespeare, ou un
                 chemin de fichier)
  --force        remplace PATH s'il existe`,
    },
  },
  import: {
    summary: {
      en: "bring a Hugging Face GPT-2 folder or an llm.c model file back as a checkpoint",
      fr: "ramène un dossier GPT-2 Hugging Face ou un fichier de modèle llm.c en checkpoint",
    },
    usage: {
      en: `deno task import --from PATH --out DIR [--force]

  --from PATH  a Hugging Face GPT-2 folder (ours, or GPT-2's own files) or an llm.c model file
               (its tokenizer file NAME_tokenizer.bin beside it; GPT-2's when it has 50,257 tokens)
  --out DIR    the checkpoint folder to write, for sample, chat, the labs and fine-tuning
  --force      replace DIR when it exists`,
      fr: `deno task import --from PATH --out DIR [--force]

  --from PATH  un dossier GPT-2 Hugging Face (le nôtre, ou les fichiers de GPT-2 lui-même) ou un
               fichier de modèle llm.c (avec son fichier de tokenizer NAME_tokenizer.bin à côté ;
               celui de GPT-2 quand il a 50 257 tokens)
  --out DIR    le dossier de checkpoint à écrire, pour sample, chat, les labs et le fine-tuning
  --force      remplace DIR s'il existe`,
    },
  },
  doctor: {
    summary: {
      en: "check Deno, WebAssembly SIMD, the kernels and the corpus",
      fr: "vérifie Deno, WebAssembly SIMD, les noyaux et le corpus",
    },
    usage: verbatim("deno task doctor"),
  },
  bench: {
    summary: {
      en: "benchmarks, side by side with the peers, as ratios measured in one run",
      fr: "les benchmarks, face aux autres implémentations, en rapports mesurés dans une même " +
        "exécution",
    },
    usage: {
      en: `deno task bench <suite> [--json FILE [--force]]

${suiteLines()}
  --json FILE  also write the rows as JSON (for example out/bench/kernels.json)
  --force      replace FILE when it exists (without it, that is refused before the run)`,
      fr: `deno task bench <suite> [--json FILE [--force]]

${suiteLines()}
  --json FILE  écrit aussi les lignes en JSON (par exemple out/bench/kernels.json)
  --force      remplace FILE s'il existe (sans lui, c'est refusé avant l'exécution)`,
    },
  },
  build: {
    summary: {
      en: "compile the AssemblyScript kernels (runs by itself when needed)",
      fr: "compile les noyaux AssemblyScript (se lance tout seul quand il le faut)",
    },
    usage: verbatim("deno task build:kernels [--force]"),
  },
} satisfies Record<string, CommandHelp>;

/** The benchmark suites, one a line (their summaries are lib/bench's, in English). */
function suiteLines(): string {
  return Object.entries(SUITES).map(([name, s]) => `  ${name.padEnd(11)}  ${s.summary}`).join(
    "\n",
  );
}

/**
 * `deno task <command> --help`: the summary, the usage and how to choose the language, in the
 * current language.
 */
export function commandHelp(help: CommandHelp): string {
  // Each line of the language's help indented alike, so that its second line stays in its column.
  const language = tr(LANG_HELP).replaceAll("\n", "\n  ");
  return `${tr(help.summary)}\n\n${tr(USAGE)} ${tr(help.usage)}\n\n  ${language}`;
}

const USAGE: Text = { en: "Usage:", fr: "Utilisation :" };

/** The command list: what minigpt-lab is, how to call it, and each command's summary. */
export function commandList(commands: Record<string, CommandHelp>): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const rows = Object.entries(commands).map(([name, c]) =>
    `  ${name.padEnd(width)}  ${tr(c.summary)}`
  );
  const test = tr({
    en: "the project's own checks and tests",
    fr: "les vérifications et les tests du projet",
  });
  return tr({
    en: `minigpt-lab: build a GPT from scratch, in TypeScript.

Usage: deno task <command> [options]   (every command takes --help and --lang fr|en)`,
    fr: `minigpt-lab : construis un GPT de zéro, en TypeScript.

Utilisation : deno task <command> [options]   (chaque commande prend --help et --lang fr|en)`,
  }) + `\n\n${rows.join("\n")}\n  ${"test".padEnd(width)}  ${test}`;
}
