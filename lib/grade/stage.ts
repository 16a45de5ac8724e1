/**
 * Staging a submission: its `labs/exercises/` is copied, regular files only, into a fresh folder
 * whose path holds nothing but letters, digits, `.`, `_`, `-` and `/`, and the sandbox reads that
 * copy alone. A symbolic link (to a solution, to the course, to `/`), a named pipe, a socket or a
 * device is not copied but refused, each with a sentence naming it, and so is a file too large
 * for an exercise: what the child can read is exactly what was copied, whatever the submission's
 * folder is called.
 * @module
 */
import { type Text, tr } from "../i18n.ts";
import { GraderError } from "./replay.ts";

/** A staged copy of a submission. */
export interface Stage {
  /** The fresh folder; `labs/exercises/` is inside it. */
  root: string;
  /** The only path the child may read: `root`/labs. */
  readable: string;
  /** Entries not copied, by path relative to the submission, with the sentence saying why. */
  refused: Map<string, string>;
  remove(): Promise<void>;
}

/** Largest file copied, and largest total, in bytes; most entries copied. */
export const STAGE_LIMITS = { fileBytes: 4 << 20, totalBytes: 32 << 20, entries: 1000 };

const EXERCISES = "labs/exercises";
const SAFE_PATH = /^[A-Za-z0-9._\/-]+$/;

/**
 * Copies `dir`/labs/exercises (regular files only) into a fresh folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stageSubmission } from "./stage.ts";
 * const stage = await stageSubmission(".");
 * assert.equal(stage.refused.size, 0); // the repository's exercises are all regular files
 * await stage.remove();
 * ```
 */
export async function stageSubmission(dir: string): Promise<Stage> {
  const stage = await freshStage();
  try {
    let entries = 0, total = 0;
    const copy = async (rel: string): Promise<void> => {
      for await (const entry of Deno.readDir(`${dir}/${rel}`)) {
        const path = `${rel}/${entry.name}`;
        if (++entries > STAGE_LIMITS.entries) {
          stage.refused.set(
            path,
            tr({
              en: `${EXERCISES} holds more than ${STAGE_LIMITS.entries} entries`,
              fr: `${EXERCISES} contient plus de ${STAGE_LIMITS.entries} entrées`,
            }),
          );
          return;
        }
        const info = await Deno.lstat(`${dir}/${path}`);
        const special = kindOf(info);
        if (special) {
          stage.refused.set(path, tr(refusal(path, special)));
        } else if (info.isDirectory) {
          await Deno.mkdir(`${stage.root}/${path}`);
          await copy(path);
        } else if (
          info.size > STAGE_LIMITS.fileBytes || total + info.size > STAGE_LIMITS.totalBytes
        ) {
          stage.refused.set(
            path,
            tr({
              en: `${path} is larger than the grader reads (${STAGE_LIMITS.fileBytes >> 20} MiB ` +
                `a file, ${STAGE_LIMITS.totalBytes >> 20} MiB in all).`,
              fr: `${path} dépasse ce que lit le correcteur (${STAGE_LIMITS.fileBytes >> 20} Mio ` +
                `par fichier, ${STAGE_LIMITS.totalBytes >> 20} Mio en tout).`,
            }),
          );
        } else {
          total += await copyRegular(`${dir}/${path}`, `${stage.root}/${path}`, info);
        }
      }
    };
    for (const rel of ["labs", EXERCISES]) {
      const info = await Deno.lstat(`${dir}/${rel}`).catch(() => undefined);
      const special = info &&
        (kindOf(info) ??
          (info.isDirectory ? undefined : { en: "not a folder", fr: "pas un dossier" }));
      if (special) throw new GraderError(tr(refusal(rel, special)));
    }
    await Deno.mkdir(`${stage.root}/${EXERCISES}`, { recursive: true });
    if (await Deno.lstat(`${dir}/${EXERCISES}`).then(() => true, () => false)) {
      await copy(EXERCISES);
    }
    return stage;
  } catch (err) {
    await stage.remove();
    throw err;
  }
}

/**
 * A stage holding `files` (path → text), for probes and tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stageFiles } from "./stage.ts";
 * const stage = await stageFiles({ "labs/exercises/x.ts": "export const f = () => 1;\n" });
 * assert.ok((await Deno.readTextFile(`${stage.root}/labs/exercises/x.ts`)).startsWith("export"));
 * await stage.remove();
 * ```
 */
export async function stageFiles(files: Record<string, string>): Promise<Stage> {
  const stage = await freshStage();
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${stage.root}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${stage.root}/${path}`, text);
  }
  return stage;
}

async function freshStage(): Promise<Stage> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "minigpt-grade-" }));
  if (!SAFE_PATH.test(root)) {
    await Deno.remove(root, { recursive: true });
    throw new GraderError(tr({
      en: `The temporary folder ${JSON.stringify(root)} holds characters a permission list ` +
        "cannot; set TMPDIR to a plain path such as /tmp.",
      fr: `Le dossier temporaire ${JSON.stringify(root)} contient des caractères qu'une liste de ` +
        "permissions ne peut pas contenir : mets dans TMPDIR un chemin simple comme /tmp.",
    }));
  }
  await Deno.mkdir(`${root}/labs`);
  return {
    root,
    readable: `${root}/labs`,
    refused: new Map(),
    remove: () => Deno.remove(root, { recursive: true }).catch(() => {}),
  };
}

/** What a non-regular entry is, in words; undefined for a regular file or a folder. */
function kindOf(info: Deno.FileInfo): Text | undefined {
  if (info.isSymlink) return { en: "a symbolic link", fr: "un lien symbolique" };
  if (info.isFifo) return { en: "a named pipe", fr: "un tube nommé" };
  if (info.isSocket) return { en: "a socket", fr: "une socket" };
  if (info.isBlockDevice || info.isCharDevice) return { en: "a device", fr: "un périphérique" };
  if (!info.isFile && !info.isDirectory) {
    return { en: "not a regular file", fr: "pas un fichier ordinaire" };
  }
  return undefined;
}

function refusal(path: string, kind: Text): Text {
  return {
    en: `${path} is ${kind.en}; the grader reads regular files only, so put the file itself there.`,
    fr: `${path} est ${kind.fr} ; le correcteur ne lit que des fichiers ordinaires : mets-y le ` +
      `fichier lui-même.`,
  };
}

/** Copies one regular file, checking that what was opened is what was looked at. */
async function copyRegular(from: string, to: string, seen: Deno.FileInfo): Promise<number> {
  using file = await Deno.open(from, { read: true });
  const info = await file.stat();
  if (!info.isFile || info.ino !== seen.ino || info.dev !== seen.dev) {
    throw new GraderError(tr({
      en: `${from} changed while it was being copied; grade it again.`,
      fr: `${from} a changé pendant sa copie : relance la correction.`,
    }));
  }
  const bytes = new Uint8Array(Math.min(info.size, STAGE_LIMITS.fileBytes) + 1);
  let at = 0;
  for (;;) {
    const n = await file.read(bytes.subarray(at));
    if (n === null) break;
    at += n;
    if (at === bytes.length) {
      throw new GraderError(tr({
        en: `${from} grew while it was being copied.`,
        fr: `${from} a grossi pendant sa copie.`,
      }));
    }
  }
  await Deno.writeFile(to, bytes.subarray(0, at));
  return at;
}
