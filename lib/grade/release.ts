/**
 * The student release: the course repository without its reference solutions (and without the
 * grader's hostile fixtures, which hold working answers), with a pristine copy of each starter
 * in labs/starters/ for `reset`. Tests that use the solutions stay behind too. Before it returns, the release is checked: nothing in it imports
 * a solution, and every starter in it is graded and found not started.
 * @module
 */
import type { Exercise } from "../course/exercise.ts";
import { REPO_ROOT } from "../course/exercise.ts";
import { ioReason, UserError } from "../errors.ts";
import { type Lang, tr } from "../i18n.ts";
import { localizeStarter } from "./starter_text.ts";
import { gradeSubmission } from "./grade.ts";
import { STARTERS_DIR } from "./starters.ts";

/** Paths (prefixes, relative to the repository) that never go to students. */
export const NOT_RELEASED = ["labs/solutions/", "tests/hostile/", "tests/grade_hostile_test.ts"];

/**
 * Writes the student release of `root` to the new or empty folder `out`, its starters'
 * instructions in `lang` (default English); returns the file count.
 *
 * @example
 * ```ts ignore writes a release
 * import { CATALOG } from "../../labs/catalog/mod.ts";
 * import { buildRelease } from "./release.ts";
 * const files = await buildRelease(CATALOG, "/tmp/minigpt-release");
 * ```
 */
export async function buildRelease(
  exercises: Exercise[],
  out: string,
  root: string = REPO_ROOT,
  lang: Lang = "en",
): Promise<number> {
  if (`${out}/`.startsWith(`${root}/`)) {
    throw new UserError(tr({
      en: `--out ${out} is inside the repository; choose a folder outside it.`,
      fr: `--out ${out} est dans le dépôt : choisis un dossier en dehors.`,
    }));
  }
  try {
    for await (const _ of Deno.readDir(out)) {
      throw new UserError(tr({
        en: `--out ${out} is not empty; choose a new or empty folder.`,
        fr: `--out ${out} n'est pas vide : choisis un dossier nouveau ou vide.`,
      }));
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (!(err instanceof Deno.errors.NotFound)) {
      const why = ioReason(err);
      throw new UserError(tr({
        en: `--out ${out} cannot be read as a folder (${why.en}); choose a new or empty folder.`,
        fr: `--out ${out} ne peut pas être lu comme un dossier (${why.fr}) : choisis un dossier ` +
          `nouveau ou vide.`,
      }));
    }
  }
  const listed = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: root,
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  if (!listed?.success) {
    throw new UserError(tr({
      en: `${root} is not a git checkout; the release is made from git's file list.`,
      fr: `${root} n'est pas un dépôt git : la version élève se fait à partir de la liste de ` +
        `fichiers de git.`,
    }));
  }
  const files: string[] = [];
  for (const f of new TextDecoder().decode(listed.stdout).split("\0")) {
    if (f === "" || NOT_RELEASED.some((p) => f.startsWith(p))) continue;
    // Tests that check the solutions are the instructors' own: they stay behind with them.
    if (
      f.startsWith("tests/") &&
      (await Deno.readTextFile(`${root}/${f}`).catch(() => "")).includes("solutions/")
    ) {
      continue;
    }
    files.push(f);
  }
  let copied = 0;
  for (const file of files) {
    const target = `${out}/${file}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    try {
      await Deno.copyFile(`${root}/${file}`, target);
      copied++;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err; // deleted but not yet committed
    }
  }
  if (lang !== "en") {
    for await (const f of Deno.readDir(`${out}/labs/exercises`)) {
      const path = `${out}/labs/exercises/${f.name}`;
      const own = exercises.filter((e) => e.file === `labs/exercises/${f.name}`);
      await Deno.writeTextFile(path, localizeStarter(await Deno.readTextFile(path), own, lang));
    }
  }
  await Deno.mkdir(`${out}/${STARTERS_DIR}`, { recursive: true });
  for await (const f of Deno.readDir(`${out}/labs/exercises`)) {
    await Deno.copyFile(`${out}/labs/exercises/${f.name}`, `${out}/${STARTERS_DIR}/${f.name}`);
    copied++;
  }
  // Imports only: a file may well name the folder (this one does).
  const leaks = [];
  for (const file of files.filter((f) => /\.(ts|js|json)$/.test(f))) {
    const text = await Deno.readTextFile(`${out}/${file}`).catch(() => "");
    if (/(\bfrom\s*|\bimport\s*\(\s*)["'][^"']*\bsolutions\//.test(text)) {
      leaks.push(file);
    }
  }
  if (leaks.length > 0) {
    throw new UserError(tr({
      en: `These released files refer to the solutions: ${leaks.join(", ")}.`,
      fr: `Ces fichiers de la version élève font référence aux solutions : ${leaks.join(", ")}.`,
    }));
  }
  const report = await gradeSubmission(exercises, { dir: out });
  const solved = report.tests.filter((t) => t.status !== "fail" || t.points > 0);
  if (solved.length > 0) {
    const ids = solved.map((t) => t.id).join(", ");
    throw new UserError(tr({
      en: `The starters of ${ids} are not plain starters (${solved[0].message}); restore them ` +
        `in labs/exercises before releasing.`,
      fr: `Les squelettes de départ de ${ids} ne sont pas de simples squelettes ` +
        `(${solved[0].message}) : restaure-les dans labs/exercises avant de publier.`,
    }));
  }
  return copied;
}
