/**
 * The pristine starters: where `reset` finds them and how it puts one function back.
 *
 * A student release carries a copy of every starter in labs/starters/ (see release.ts); a clone of
 * the course repository finds them in git, in the commit that added each file. Only the named
 * function is restored; the rest of the student's file is left as it is.
 * @module
 */
import { REPO_ROOT } from "../course/exercise.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";

/** Where releases keep the untouched starters. */
export const STARTERS_DIR = "labs/starters";

/**
 * The pristine content of the starter `file` (relative to `root`, under labs/exercises/).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pristineStarter } from "./starters.ts";
 * const text = await pristineStarter("labs/exercises/00_intro.ts");
 * assert.ok(text.includes("TODO"));
 * ```
 */
export async function pristineStarter(file: string, root: string = REPO_ROOT): Promise<string> {
  const name = file.split("/").pop()!;
  try {
    return await Deno.readTextFile(`${root}/${STARTERS_DIR}/${name}`);
  } catch {
    // not a release: ask git below
  }
  const git = async (...args: string[]) => {
    const out = await new Deno.Command("git", { args, cwd: root, stdout: "piped", stderr: "null" })
      .output().catch(() => undefined);
    return out?.success ? new TextDecoder().decode(out.stdout) : undefined;
  };
  const added = (await git("log", "--diff-filter=A", "--format=%H", "--", file))?.trim()
    .split("\n").pop();
  const text = added ? await git("show", `${added}:${file}`) : undefined;
  if (text === undefined) {
    throw new UserError(tr({
      en: `No pristine copy of ${file} was found (neither ${STARTERS_DIR}/${name} nor git ` +
        "history); copy the starter from the course repository by hand.",
      fr: `Aucune copie d'origine de ${file} n'a été trouvée (ni ${STARTERS_DIR}/${name} ni ` +
        "l'historique git) : copie à la main le squelette de départ depuis le dépôt du cours.",
    }));
  }
  return text;
}

/**
 * The top-level function `symbol` in `source`, from `export function` to its closing brace in the
 * first column (the layout `deno fmt` gives), as [start, end] offsets, or undefined.
 */
function findFunction(source: string, symbol: string): [number, number] | undefined {
  const start = source.search(new RegExp(`^export (async )?function\\*? ?${symbol}\\b`, "m"));
  if (start < 0) return undefined;
  const close = source.slice(start).search(/^}\s*$/m);
  if (close < 0) return undefined;
  return [start, start + close + 1];
}

/**
 * `source` with function `symbol` replaced by its version in `starter` (appended when the
 * student's file no longer has it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { restoreFunction } from "./starters.ts";
 * const starter = 'export function f(): number {\n  throw new Error("TODO");\n}\n';
 * const mine = "export function f(): number {\n  return 1;\n}\n";
 * assert.equal(restoreFunction(mine, starter, "f"), starter);
 * ```
 */
export function restoreFunction(source: string, starter: string, symbol: string): string {
  const from = findFunction(starter, symbol);
  if (!from) {
    throw new UserError(tr({
      en: `The starter has no function ${symbol}; nothing to restore.`,
      fr: `Le squelette de départ n'a pas de fonction ${symbol} : rien à restaurer.`,
    }));
  }
  const pristine = starter.slice(from[0], from[1]);
  const at = findFunction(source, symbol);
  if (!at) return `${source.trimEnd()}\n\n${pristine}\n`;
  return source.slice(0, at[0]) + pristine + source.slice(at[1]);
}
