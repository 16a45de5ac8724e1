/**
 * Atomic file writes: the bytes go to a temporary file in the same folder, which is then renamed
 * over the target, so a crash leaves either the old file or the new one, never half of one. A
 * folder is written whole beside its target (`NAME.writing-PID`) and swapped in with two renames:
 * either `NAME/` is whole, or the swap was cut between them and `NAME.previous/` still is.
 * Leaves out fsync (a power cut may still lose the last write, but not corrupt the old one).
 * @module
 */

/**
 * Writes `data` to `path` atomically, creating the folder if needed.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, new TextEncoder().encode("hi"));
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
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
 * Writes a folder atomically: `write` fills a fresh folder beside `dir`, which then replaces
 * `dir` (see the module notes). A failing `write` leaves `dir` as it was.
 *
 * @example
 * ```ts
 * import { writeDirAtomic } from "./atomic.ts";
 * const dir = `${await Deno.makeTempDir()}/out`;
 * await writeDirAtomic(dir, (fresh) => Deno.writeTextFile(`${fresh}/a.txt`, "hi"));
 * console.assert(Deno.readTextFileSync(`${dir}/a.txt`) === "hi");
 * ```
 */
export async function writeDirAtomic(
  dir: string,
  write: (fresh: string) => Promise<void>,
): Promise<void> {
  const fresh = `${dir}.writing-${Deno.pid}`;
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  await Deno.mkdir(fresh, { recursive: true });
  try {
    await write(fresh);
  } catch (err) {
    await Deno.remove(fresh, { recursive: true }).catch(() => {});
    throw err;
  }
  const previous = `${dir}.previous`;
  await Deno.remove(previous, { recursive: true }).catch(() => {});
  const had = await Deno.lstat(dir).then(() => true, () => false);
  if (had) await Deno.rename(dir, previous);
  await Deno.rename(fresh, dir);
  if (had) await Deno.remove(previous, { recursive: true });
}
