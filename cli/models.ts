/**
 * The commands that make and move models: `train`, `sample`, `sft`, `chat`, and `export` /
 * `import` to and from Hugging Face and llm.c. Each loads its runner only when it runs.
 * @module
 */
import { CATALOG } from "../labs/catalog/mod.ts";
import { type BackendName, BACKENDS } from "../lib/wasm/backend.ts";
import { UserError } from "../lib/errors.ts";
import { checkSampling } from "../lib/model/sampling.ts";
import { DEFAULT_LIMITS, sandboxedCheck, Watchdog } from "../lib/grade/mod.ts";
import { tr } from "../lib/i18n.ts";
import { HELP } from "./help.ts";
import { type Command, flags, numberFlag } from "./flags.ts";

/** The commands that train, sample, chat with and move models. */
export const MODEL_COMMANDS: Record<string, Command> = {
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
      const { runTraining } = await import("../lib/train/run_train.ts");
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
      const { runSampling } = await import("../lib/train/run_sample.ts");
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
    options: flags(["preset", "steps", "minutes", "seed", "out", "backend"], ["force"]),
    async run(values) {
      const { runSft } = await import("../lib/chat/run_sft.ts");
      await runSft({
        force: values.force === true,
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
        const { runTerminalChat } = await import("../lib/chat/terminal.ts");
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
      const { loadChatModel } = await import("../lib/chat/terminal.ts");
      const { serveChat } = await import("../lib/chat/web.ts");
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
      const { runExport } = await import("../lib/train/export.ts");
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
      const { runImport } = await import("../lib/train/export.ts");
      await runImport({ from: values.from, out: values.out, force: values.force === true });
      return 0;
    },
  },
};

/**
 * With `--mine`, your GPT's code (the library's where an exercise does not pass yet): checked in
 * the grader's sandbox, then run here under the lab's watchdog.
 */
async function mineFlag(values: Record<string, unknown>) {
  if (values.mine !== true) return undefined;
  const { studentCode } = await import("../lib/course/your_gpt.ts");
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
