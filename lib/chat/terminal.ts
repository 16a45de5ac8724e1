/**
 * `deno task chat --ckpt DIR`: talk to a chat model in the terminal. Replies are streamed token
 * by token; `/reset` forgets the conversation, `/temp 0.7` sets the temperature, `/quit` (or
 * Ctrl-C, or the end of the input) leaves. Works on a pipe as well as a terminal, which is how
 * the tests drive it.
 * @module
 */
import { tr } from "../i18n.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { loadBackend } from "../wasm/backend.ts";
import { UserError } from "../errors.ts";
import type { GPT } from "../model/gpt.ts";
import { resolveCheckpointDir } from "../train/run_sample.ts";
import { formatCount, paint } from "../term.ts";
import { ChatSession } from "./session.ts";
import { ChatTokenizer } from "./template.ts";

const HELP = {
  en: "Commands: /reset (new conversation), /temp X (0 is greedy), /quit. Ctrl-C leaves too.",
  fr: "Commandes : /reset (nouvelle conversation), /temp X (0 est glouton), /quit. Ctrl-C " +
    "quitte aussi.",
};
const BYE = { en: "\nBye.\n", fr: "\nAu revoir.\n" };

/**
 * The chat model and its tokenizer in a checkpoint; a checkpoint without chat tokens is one
 * sentence saying how to make one.
 *
 * @example
 * ```ts ignore needs a chat checkpoint
 * import { loadChatModel } from "./terminal.ts";
 * const { model, tok, dir } = await loadChatModel("out/chat/full");
 * ```
 */
export async function loadChatModel(
  path: string,
): Promise<{ model: GPT; tok: ChatTokenizer; dir: string }> {
  const dir = await resolveCheckpointDir(path);
  const ckpt = await loadCheckpoint(dir, await loadBackend());
  const tok = ChatTokenizer.restore(ckpt.tokenizer, {
    en: `The checkpoint in ${dir}`,
    fr: `le checkpoint de ${dir}`,
  });
  const vocab = ckpt.model.config.vocabSize;
  if (tok.vocabSize !== vocab) {
    throw new UserError(tr({
      en: `The checkpoint in ${dir} has a model of ${vocab} tokens but a chat tokenizer of ` +
        `${tok.vocabSize}: it is damaged, fine-tune it again.`,
      fr: `Le checkpoint de ${dir} a un modèle de ${vocab} tokens mais un tokenizer de ` +
        `chat de ${tok.vocabSize} : il est endommagé, refais son fine-tuning.`,
    }));
  }
  return { model: ckpt.model, tok, dir };
}

/** Options of {@link runTerminalChat}. */
export interface TerminalChatOptions {
  ckpt: string;
  temperature?: number;
  /** Lines typed by the user (default: stdin). */
  input?: ReadableStream<Uint8Array>;
  /** Where text goes (default: stdout). */
  write?: (text: string) => void;
}

/**
 * Runs the chat loop until `/quit`, Ctrl-C or the end of the input.
 *
 * @example
 * ```ts ignore reads the terminal
 * import { runTerminalChat } from "./terminal.ts";
 * await runTerminalChat({ ckpt: "out/chat/full" });
 * ```
 */
export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  const enc = new TextEncoder();
  const write = options.write ?? ((t: string) => Deno.stdout.writeSync(enc.encode(t)));
  const { model, tok, dir } = await loadChatModel(options.ckpt);
  const session = new ChatSession(model, tok, { temperature: options.temperature });
  const onInterrupt = () => {
    write(tr(BYE));
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  write(
    `${
      paint(
        "dim",
        tr({
          en: `Chat model from ${dir}: ${formatCount(model.numParameters)} parameters, ` +
            `context ${model.config.blockSize} tokens. ${HELP.en}`,
          fr: `Modèle de conversation de ${dir} : ${formatCount(model.numParameters)} ` +
            `paramètres, contexte de ${model.config.blockSize} tokens. ${HELP.fr}`,
        }),
      )
    }\n`,
  );
  const prompt = () => write(paint("bold", tr({ en: "you> ", fr: "toi> " })));
  prompt();
  try {
    for await (const line of lines(options.input ?? Deno.stdin.readable)) {
      const text = line.trim();
      if (text === "/quit" || text === "/exit") break;
      if (text === "/reset") {
        session.reset();
        write(paint("dim", tr({ en: "(new conversation)", fr: "(nouvelle conversation)" })) + "\n");
      } else if (text.startsWith("/temp")) {
        try {
          session.setTemperature(text.slice(5));
          const t = session.temperature;
          write(paint("dim", tr({ en: `(temperature ${t})`, fr: `(température ${t})` })) + "\n");
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          write(paint("yellow", err.message) + "\n");
        }
      } else if (text.startsWith("/")) {
        const command = text.split(" ")[0];
        write(
          paint(
            "yellow",
            tr({
              en: `Unknown command ${command}. ${HELP.en}`,
              fr: `Commande inconnue : ${command}. ${HELP.fr}`,
            }),
          ) + "\n",
        );
      } else {
        let started = false;
        for (const event of session.send(text)) {
          if (event.kind === "notice") write(paint("yellow", event.text) + "\n");
          else if (event.kind === "piece") {
            if (!started) write(paint("cyan", "bot> "));
            started = true;
            write(event.text);
          } else if (event.kind === "done") {
            if (!started) write(paint("cyan", "bot> "));
            const open = tr({ en: " (no end of turn)", fr: " (pas de fin de tour)" });
            write(event.ended ? "\n" : paint("dim", open) + "\n");
          }
        }
      }
      prompt();
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  write(tr(BYE));
}

/** The lines of a byte stream, as they arrive. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, i).replace(/\r$/, "");
      buffer = buffer.slice(i + 1);
    }
  }
  if (buffer !== "") yield buffer;
}
