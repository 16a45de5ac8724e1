/**
 * Atomic file writes: the bytes go to a temporary file in the same folder, which is then renamed
 * over the target, so a crash leaves either the old file or the new one, never half of one.
 * Folders (a checkpoint) are replaced the same way, with two renames and a `.previous` copy kept
 * until the new folder is in place.
 * Leaves out fsync (a power cut may still lose the last write, but not corrupt the old one).
 * @module
 */
import { ioReason, UserError } from "./errors.ts";
import { tr } from "./i18n.ts";

/**
 * Writes `data` to `path` atomically, creating the folder if needed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, new TextEncoder().encode("hi"));
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "hi");
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
  await removeStaleWrites(path);
  const temp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(temp, data);
    else await Deno.writeFile(temp, data);
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
}

/**
 * Replaces the folder `dir` with one that `fill` writes, so that a kill at any moment leaves a
 * whole copy: `dir/` itself, or, when the swap was cut between its two renames, `dir.previous/`.
 * `fill` writes into `dir.writing-<pid>`; such folders left by processes that are gone are
 * removed first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replaceDirAtomic } from "./atomic.ts";
 * const dir = `${await Deno.makeTempDir()}/ckpt`;
 * await replaceDirAtomic(dir, (fresh) => Deno.writeTextFile(`${fresh}/a.txt`, "1"));
 * await replaceDirAtomic(dir, (fresh) => Deno.writeTextFile(`${fresh}/a.txt`, "2"));
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "2");
 * ```
 */
export async function replaceDirAtomic(
  dir: string,
  fill: (fresh: string) => Promise<void>,
): Promise<void> {
  await removeStaleWrites(dir);
  const fresh = `${dir}.writing-${Deno.pid}`;
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  await Deno.mkdir(fresh, { recursive: true });
  try {
    await fill(fresh);
  } catch (err) {
    // A failed write leaves `dir` as it was and nothing of its own behind.
    await Deno.remove(fresh, { recursive: true }).catch(() => {});
    throw err;
  }
  const previous = `${dir}.previous`;
  if (await pathExists(dir)) {
    // `dir` is whole, so an older `.previous` is no longer anyone's only copy.
    await Deno.remove(previous, { recursive: true }).catch(() => {});
    await Deno.rename(dir, previous);
  }
  // Without `dir`, `.previous` (if any) is the only whole copy: it goes only once `fresh` is in.
  await Deno.rename(fresh, dir);
  await Deno.remove(previous, { recursive: true }).catch(() => {});
}

/**
 * Removes what writes to `path` left behind in processes that no longer run (killed mid-save):
 * the `path.writing-<pid>` folders of {@link replaceDirAtomic} and the `path.tmp-<pid>-<time>`
 * files of {@link writeFileAtomic}. Where the system does not list processes in /proc, nothing
 * is removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathExists, removeStaleWrites } from "./atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/ckpt.writing-999999999`); // a pid no system hands out
 * await removeStaleWrites(`${dir}/ckpt`);
 * assert.ok(!(await pathExists(`${dir}/ckpt.writing-999999999`)));
 * ```
 */
export async function removeStaleWrites(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const parent = slash >= 0 ? path.slice(0, slash) || "/" : ".";
  const base = path.slice(slash + 1);
  if (!(await pathExists("/proc/self"))) return;
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(parent));
  } catch {
    return; // no parent folder yet: nothing is stale
  }
  for (const { name } of entries) {
    if (!name.startsWith(`${base}.`)) continue;
    const pid = name.slice(base.length).match(/^\.(?:writing-(\d+)|tmp-(\d+)-\d+)$/)?.slice(1)
      .find((p) => p !== undefined);
    if (pid === undefined || Number(pid) === Deno.pid) continue;
    if (await pathExists(`/proc/${pid}`)) continue; // that write may still be going on
    await Deno.remove(`${parent}/${name}`, { recursive: true }).catch(() => {});
  }
}

/**
 * True when something exists at `path` (a file, a folder, a link).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathExists } from "./atomic.ts";
 * assert.ok(await pathExists("/"));
 * ```
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `path` from the root: as it is when absolute, else from the working folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { absolute } from "./atomic.ts";
 * assert.equal(absolute("/a/b"), "/a/b");
 * assert.equal(absolute("out"), `${Deno.cwd()}/out`);
 * ```
 */
export function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

/**
 * Refuses, in one sentence, to replace what already stands at one of `paths`, the output of
 * `--<flag>`: a command asks before its work starts, and only its `--force` skips the question.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseExisting } from "./atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await refuseExisting([`${dir}/report.json`], "json");
 * await assert.rejects(refuseExisting([dir], "out"), /already exists: pass --force/);
 * ```
 */
export async function refuseExisting(paths: string[], flag: string): Promise<void> {
  for (const path of paths) {
    if (!(await pathExists(path))) continue;
    throw new UserError(tr({
      en: `${path} already exists: pass --force to replace it, or choose another --${flag}.`,
      fr: `${path} existe déjà : passe --force pour le remplacer, ou choisis un autre --${flag}.`,
    }));
  }
}

/**
 * The folder `--<flag> value` writes into (`value` itself, or the folder of the file it names),
 * made when missing: a command calls it before its work, so that a path that cannot be a folder
 * (`/dev/null`, a file's name) is refused in one sentence rather than after the run. Returns the
 * folder's absolute path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outputFolder } from "./atomic.ts";
 * const dir = await Deno.makeTempDir();
 * assert.equal(await outputFolder("out", `${dir}/run`), `${dir}/run`);
 * await assert.rejects(outputFolder("out", "/dev/null"), /--out \/dev\/null cannot be a folder/);
 * ```
 */
export async function outputFolder(flag: string, value: string, folder = value): Promise<string> {
  const dir = absolute(folder);
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (err) {
    const why = ioReason(err);
    throw new UserError(tr(
      folder === value
        ? {
          en: `--${flag} ${value} cannot be a folder (${why.en}); give a folder's path.`,
          fr: `--${flag} ${value} ne peut pas être un dossier (${why.fr}) : donne le chemin d'un ` +
            `dossier.`,
        }
        : {
          en: `--${flag} ${value} cannot be written: its folder ${folder} cannot be made ` +
            `(${why.en}); give another path.`,
          fr:
            `--${flag} ${value} ne peut pas être écrit : son dossier ${folder} ne peut pas être ` +
            `créé (${why.fr}) ; donne un autre chemin.`,
        },
    ));
  }
  return dir;
}
