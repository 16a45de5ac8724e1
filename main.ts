/**
 * The minigpt-lab command line: `deno task <command>` runs `main.ts <command>`.
 * Each command parses its own flags (node:util parseArgs) and answers `--help`. The commands
 * live in cli/, by who uses them: the course's (course.ts), the models' (models.ts) and the
 * tools' (tools.ts), with their flags (flags.ts) and help texts (help.ts).
 * A user's mistake ends in one sentence and exit code 2; a failing exercise in exit code 1.
 * @module
 */
import { UserError } from "./lib/errors.ts";
import { resolveLang, setLang, tr } from "./lib/i18n.ts";
import { paint } from "./lib/term.ts";
import { commandHelp, commandList } from "./cli/help.ts";
import { type Command, langFlag, parseFlags } from "./cli/flags.ts";
import { COURSE_COMMANDS } from "./cli/course.ts";
import { MODEL_COMMANDS } from "./cli/models.ts";
import { TOOL_COMMANDS } from "./cli/tools.ts";

/** Every command, by the name `deno task` gives it, in the order of the command list. */
export const COMMANDS: Record<string, Command> = {
  ...COURSE_COMMANDS,
  ...MODEL_COMMANDS,
  ...TOOL_COMMANDS,
};

/** Runs the CLI with `args` and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const lang = langFlag(rest);
  try {
    // --lang as early as it can be read, so that even a mistyped flag is told in that language.
    setLang(resolveLang(lang));
  } catch {
    // a bad --lang or MINIGPT_LANG is reported once the command runs
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    try {
      if (lang !== undefined) setLang(resolveLang(lang));
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
