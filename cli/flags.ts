/**
 * What every command shares: the shape of a command, and its flags read with node:util's parseArgs
 * into one sentence on a mistake (an unknown flag, a number that is not one, a folder that is
 * not there).
 * @module
 */
import { parseArgs } from "node:util";
import { UserError } from "../lib/errors.ts";
import { tr } from "../lib/i18n.ts";
import type { CommandHelp } from "./help.ts";

/** A subcommand: its help (cli/help.ts), its flags and what it does. */
export interface Command extends CommandHelp {
  options: NonNullable<Parameters<typeof parseArgs>[0]>["options"];
  /** Words it takes besides its flags (the lab, the exercise, the suite); none when absent. */
  words?: 1;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** A numeric flag, or undefined when absent; anything but a finite number is a usage error. */
export function numberFlag(values: Record<string, unknown>, name: string): number | undefined {
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
export function flags(values: string[], switches: string[] = []): Command["options"] {
  return Object.fromEntries([
    ...values.map((name) => [name, { type: "string" as const }]),
    ...switches.map((name) => [name, { type: "boolean" as const }]),
  ]);
}

/**
 * parseArgs with our sentences: a flag it does not know is named, and a negative number after a
 * flag that takes a value is that value (`--steps -5`), which the command's own check judges.
 */
export function parseFlags(name: string, args: string[], options: Command["options"] & object) {
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

/** A numeric flag that must be positive, or `fallback` when absent. */
export function positiveNumber(
  values: Record<string, unknown>,
  flag: string,
  fallback: number,
): number {
  const n = numberFlag(values, flag) ?? fallback;
  if (!(n > 0)) {
    throw new UserError(tr({
      en: `--${flag} ${n} is not a positive number; for example --${flag} ${fallback}.`,
      fr: `--${flag} ${n} n'est pas un nombre positif : par exemple --${flag} ${fallback}.`,
    }));
  }
  return n;
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

export function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

/**
 * The folder `--<flag> value` writes into (`value` itself, or the folder of the file it names),
 * made when missing, before any work: a path that cannot be a folder (`/dev/null`, a file's
 * name) is refused in one sentence rather than after the run.
 */
export async function outputFolder(flag: string, value: string, folder = value): Promise<string> {
  const dir = absolute(folder);
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (err) {
    const why = (err as Error).message;
    throw new UserError(tr(
      folder === value
        ? {
          en: `--${flag} ${value} cannot be a folder (${why}); give a folder's path.`,
          fr: `--${flag} ${value} ne peut pas être un dossier (${why}) : donne le chemin d'un ` +
            `dossier.`,
        }
        : {
          en: `--${flag} ${value} cannot be written: its folder ${folder} cannot be made ` +
            `(${why}); give another path.`,
          fr:
            `--${flag} ${value} ne peut pas être écrit : son dossier ${folder} ne peut pas être ` +
            `créé (${why}) ; donne un autre chemin.`,
        },
    ));
  }
  return dir;
}
