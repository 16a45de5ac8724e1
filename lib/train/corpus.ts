/**
 * Finding a named corpus from the registry in `data/registry.json` on this machine: a path given
 * on the command line, the folder named by `MINIGPT_DATA`, or `data/corpora/`. Verifies size and
 * checksum, and when the corpus is missing says in one sentence how to supply it.
 * @module
 */
import { type Text, tr } from "../i18n.ts";
import registry from "../../data/registry.json" with { type: "json" };
import { UserError } from "../errors.ts";

/** A registry entry: where the corpus comes from and how to recognise it. */
export interface CorpusInfo {
  description: string;
  file: string;
  url: string;
  bytes: number;
  sha256: string;
}

/** Every corpus the registry names. */
export const CORPORA: Record<string, CorpusInfo> = registry;

/** Environment variable naming a folder that holds corpus files. */
export const DATA_ENV = "MINIGPT_DATA";

/** Where downloaded corpora are kept (git-ignored). */
export const LOCAL_CORPUS_DIR: string = new URL("../../data/corpora/", import.meta.url).pathname;

/** The project's own multilingual sample: the text the labs fall back on when no corpus is found. */
export const SAMPLE_PATH: string = new URL("../../data/samples/multilingual.txt", import.meta.url)
  .pathname;

/** Places searched for `name`, in order. */
export function corpusCandidates(name: string): string[] {
  const info = corpusInfo(name);
  const places: string[] = [];
  const env = Deno.env.get(DATA_ENV);
  if (env) places.push(`${env.replace(/\/$/, "")}/${info.file}`);
  places.push(`${LOCAL_CORPUS_DIR}${info.file}`);
  return places;
}

function corpusInfo(name: string): CorpusInfo {
  const info = CORPORA[name];
  if (!info) {
    const known = Object.keys(CORPORA).join(", ");
    throw new UserError(tr({
      en: `No corpus named "${name}"; the registry knows ${known}, ` +
        `or pass --corpus PATH for any UTF-8 text file.`,
      fr: `Aucun corpus ne s'appelle « ${name} » ; le registre connaît ${known}, ` +
        `ou passe --corpus CHEMIN pour n'importe quel fichier texte UTF-8.`,
    }));
  }
  return info;
}

/**
 * Path of corpus `name` on this machine, or undefined when it is in none of the usual places.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findCorpus } from "./corpus.ts";
 * const path = findCorpus("tinyshakespeare"); // undefined on a machine without it
 * assert.ok(path === undefined || path.endsWith(".txt"));
 * ```
 */
export function findCorpus(name: string): string | undefined {
  for (const path of corpusCandidates(name)) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* try the next place */ }
  }
  return undefined;
}

/**
 * One sentence telling the user how to supply corpus `name`, in both languages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { supplyText } from "./corpus.ts";
 * assert.match(supplyText("tinyshakespeare").en, /--corpus PATH/);
 * ```
 */
export function supplyText(name: string): Text {
  const info = corpusInfo(name);
  return {
    en: `The ${name} corpus was not found: download it from ${info.url} into data/corpora/` +
      `${info.file}, or set ${DATA_ENV} to a folder that holds ${info.file}, or pass --corpus PATH.`,
    fr: `Le corpus ${name} est introuvable : télécharge-le depuis ${info.url} dans data/corpora/` +
      `${info.file}, ou fais pointer ${DATA_ENV} vers un dossier qui contient ${info.file}, ou ` +
      `passe --corpus CHEMIN.`,
  };
}

/**
 * Checks that the file at `path` is corpus `name` (size and sha256): undefined when it is, or a
 * sentence in both languages saying what differs.
 *
 * @example
 * ```ts ignore needs the corpus
 * import { corpusProblem } from "./corpus.ts";
 * const problem = await corpusProblem("tinyshakespeare", path);
 * ```
 */
export async function corpusProblem(name: string, path: string): Promise<Text | undefined> {
  const info = corpusInfo(name);
  const bytes = await Deno.readFile(path);
  if (bytes.length !== info.bytes) {
    return {
      en: `${path} has ${bytes.length} bytes, but ${name} has ${info.bytes}: ` +
        `replace it with a fresh copy from ${info.url}.`,
      fr: `${path} fait ${bytes.length} octets, mais ${name} en fait ${info.bytes} : ` +
        `remplace-le par une copie neuve de ${info.url}.`,
    };
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (hex !== info.sha256) {
    return {
      en: `${path} has the size of ${name} but not its sha256: ` +
        `replace it with a fresh copy from ${info.url}.`,
      fr: `${path} a la taille de ${name} mais pas son sha256 : ` +
        `remplace-le par une copie neuve de ${info.url}.`,
    };
  }
  return undefined;
}
