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
 * The value of `--lang` in `args`, read leniently: a command's other flags may still be wrong, and
 * the sentence that says so should already be in the student's language.
 */
export function langFlag(args: string[]): string | undefined {
  const { values } = parseArgs({
    args,
    options: { lang: { type: "string" } },
    strict: false,
    allowPositionals: true,
  });
  const lang = values.lang;
  return typeof lang === "string" && !lang.startsWith("-") ? lang : undefined;
}

/**
 * parseArgs with our sentences: a flag it does not know is named, a flag missing its value or
 * given one it does not take is told so, and a negative number after a flag that takes a value is
 * that value (`--steps -5`), which the command's own check judges.
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
  const see = `\`deno task ${name} --help\``;
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const flag = t.rawName;
    const type = options[t.name]?.type;
    if (type === undefined) {
      throw new UserError(tr({
        en: `Unknown option ${flag}; see ${see}.`,
        fr: `Option inconnue ${flag} ; voir ${see}.`,
      }));
    }
    // Without "=", parseArgs takes the next word as the value, even when it is a flag.
    const value = t.inlineValue ? undefined : t.value;
    if (type === "string" && (t.value === undefined || value?.startsWith("--"))) {
      throw new UserError(tr({
        en: `${flag} is missing its value (${flag} VALUE); see ${see}.`,
        fr: `Il manque la valeur de ${flag} (${flag} VALEUR) ; voir ${see}.`,
      }));
    }
    if (type === "string" && value?.startsWith("-")) {
      throw new UserError(tr({
        en: `${flag} ${value}: a value that starts with a dash is written ${flag}=${value}; ` +
          `see ${see}.`,
        fr: `${flag} ${value} : une valeur qui commence par un tiret s'écrit ${flag}=${value} ; ` +
          `voir ${see}.`,
      }));
    }
    if (type === "boolean" && t.inlineValue) {
      throw new UserError(tr({
        en: `${flag} takes no value ("${t.value}"): write ${flag} alone; see ${see}.`,
        fr: `${flag} ne prend pas de valeur (« ${t.value} ») : écris ${flag} seul ; voir ${see}.`,
      }));
    }
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
