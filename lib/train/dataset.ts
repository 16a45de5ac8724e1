/**
 * From a corpus on disk to batches of (input, target) token ids: loading the text (a registry
 * name or any UTF-8 file, downloaded and verified on first use when the machine is online), the
 * train/validation split, and seeded random batches. Tokenizers live in lib/tokenizer/.
 * @module
 */
import { CORPORA, corpusProblem, findCorpus, LOCAL_CORPUS_DIR, supplyText } from "./corpus.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import type { Rng } from "../random.ts";

/** A corpus as text, with where it came from. */
export interface Corpus {
  name: string;
  path: string;
  text: string;
}

/** The largest corpus read, in bytes: beyond it the token ids alone would outgrow memory. */
export const MAX_CORPUS_BYTES = 256 * 2 ** 20;

/**
 * Reads a UTF-8 text file, refusing anything but a regular file (a device such as /dev/zero, a
 * pipe, a folder), files over {@link MAX_CORPUS_BYTES}, empty files and invalid UTF-8, with one
 * sentence each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTextCorpus } from "./dataset.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "To be");
 * assert.equal((await readTextCorpus(path)).text, "To be");
 * ```
 */
export async function readTextCorpus(path: string): Promise<Corpus> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(tr({
        en: `No file at ${path}: check the path given to --corpus.`,
        fr: `Aucun fichier à ${path} : vérifie le chemin donné à --corpus.`,
      }));
    }
    throw err;
  }
  if (info.isDirectory) {
    throw new UserError(tr({
      en: `${path} is a folder: --corpus takes a text file.`,
      fr: `${path} est un dossier : --corpus prend un fichier texte.`,
    }));
  }
  if (!info.isFile) {
    throw new UserError(tr({
      en:
        `${path} is not a regular file (a device, a pipe or a socket): --corpus takes a text file.`,
      fr: `${path} n'est pas un fichier ordinaire (un périphérique, un tube ou une socket) : ` +
        `--corpus prend un fichier texte.`,
    }));
  }
  if (info.size > MAX_CORPUS_BYTES) {
    const mib = MAX_CORPUS_BYTES / 2 ** 20;
    throw new UserError(tr({
      en: `${path} has more than ${mib} MiB, the most a corpus may have: ` +
        `train on a part of it (for example \`head -c 100M\`).`,
      fr: `${path} fait plus de ${mib} Mio, le maximum pour un corpus : ` +
        `entraîne sur une partie (par exemple \`head -c 100M\`).`,
    }));
  }
  // One byte past the size it had tells a file that grows while it is read (a log, say).
  const bytes = await readAtMost(path, info.size + 1);
  if (bytes.length > info.size) {
    throw new UserError(tr({
      en: `${path} grew while it was read: train on a copy that stays still.`,
      fr: `${path} a grossi pendant sa lecture : entraîne sur une copie qui ne bouge plus.`,
    }));
  }
  if (bytes.length === 0) {
    throw new UserError(tr({
      en: `${path} is empty: a corpus needs some text to learn from.`,
      fr: `${path} est vide : un corpus a besoin de texte pour apprendre.`,
    }));
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(tr({
      en: `${path} is not valid UTF-8 text: convert it (for example with iconv) and try again.`,
      fr: `${path} n'est pas du texte UTF-8 valide : convertis-le (par exemple avec iconv) et ` +
        `réessaie.`,
    }));
  }
  const name = path.split("/").pop()!.replace(/\.[^.]*$/, "");
  return { name, path, text };
}

/** The first `limit` bytes of the file at `path` (all of it when shorter). */
async function readAtMost(path: string, limit: number): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const out = new Uint8Array(limit);
  let n = 0;
  while (n < limit) {
    const got = await file.read(out.subarray(n));
    if (got === null) break;
    n += got;
  }
  return out.subarray(0, n);
}

/**
 * Downloads `url` to `dest`, checking size and sha256 before the file appears at `dest`
 * (it is written beside it and renamed, so a failed download leaves nothing behind).
 *
 * @example
 * ```ts ignore needs the network
 * import { downloadVerified } from "./dataset.ts";
 * await downloadVerified(url, "data/corpora/x.txt", { bytes: 12, sha256: "…" });
 * ```
 */
export async function downloadVerified(
  url: string,
  dest: string,
  expected: { bytes: number; sha256: string },
  timeoutMs = 30_000,
): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (bytes.length !== expected.bytes || hex !== expected.sha256) {
    throw new Error(
      `the file from ${url} has ${bytes.length} bytes and sha256 ${
        hex.slice(0, 12)
      }…, not the expected ones`,
    );
  }
  const tmp = `${dest}.${Deno.pid}.part`;
  await Deno.mkdir(dest.replace(/\/[^/]*$/, ""), { recursive: true });
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, dest);
}

/**
 * Loads a corpus: `source` is a path to any UTF-8 text file, or the name of a registry corpus
 * (default "tinyshakespeare") looked up locally and, failing that, downloaded and verified.
 *
 * @example
 * ```ts ignore needs the corpus
 * import { loadCorpus } from "./dataset.ts";
 * const { text } = await loadCorpus("tinyshakespeare");
 * ```
 */
export async function loadCorpus(
  source = "tinyshakespeare",
  options: { download?: boolean } = {},
): Promise<Corpus> {
  if (!(source in CORPORA)) return await readTextCorpus(source);
  let path = findCorpus(source);
  if (path) {
    const problem = await corpusProblem(source, path);
    if (problem) throw new UserError(tr(problem));
  } else {
    if (options.download === false) throw new UserError(tr(supplyText(source)));
    const info = CORPORA[source];
    path = `${LOCAL_CORPUS_DIR}${info.file}`;
    console.error(tr({
      en: `Downloading ${source} from ${info.url}…`,
      fr: `Téléchargement de ${source} depuis ${info.url}…`,
    }));
    try {
      await downloadVerified(info.url, path, info);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const supply = supplyText(source);
      throw new UserError(tr({
        en: `${supply.en} (The download failed: ${why}.)`,
        fr: `${supply.fr} (Le téléchargement a échoué : ${why}.)`,
      }));
    }
  }
  return { ...(await readTextCorpus(path)), name: source };
}

/** Which part of the data a batch comes from. */
export type Split = "train" | "val";

/**
 * Token ids split into training and validation parts (the first `1 - valFraction` of the
 * text trains, the rest validates, as nanoGPT does), with seeded random batches.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenDataset } from "./dataset.ts";
 * import { Rng } from "../random.ts";
 * const ds = new TokenDataset(Int32Array.from({ length: 100 }, (_, i) => i % 7), 0.1);
 * const { inputs, targets } = ds.batch("train", 2, 8, new Rng(0));
 * assert.equal(targets[0], (inputs[0] + 1) % 7);
 * ```
 */
export class TokenDataset {
  readonly train: Int32Array;
  readonly val: Int32Array;

  /** `cut`, where validation starts, defaults to the first `1 - valFraction` of the tokens. */
  constructor(
    tokens: Int32Array,
    valFraction = 0.1,
    cut = Math.floor(tokens.length * (1 - valFraction)),
  ) {
    this.train = tokens.subarray(0, cut);
    this.val = tokens.subarray(cut);
  }

  /**
   * A dataset whose validation text was written apart from its training text (a held-out split
   * of generated data) rather than cut from the end of one corpus.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TokenDataset } from "./dataset.ts";
   * const ds = TokenDataset.fromSplits(new Int32Array([1, 2, 3]), new Int32Array([4, 5]));
   * assert.ok(ds.train.join() === "1,2,3" && ds.val.join() === "4,5");
   * ```
   */
  static fromSplits(train: Int32Array, val: Int32Array): TokenDataset {
    const tokens = new Int32Array(train.length + val.length);
    tokens.set(train);
    tokens.set(val, train.length);
    return new TokenDataset(tokens, undefined, train.length);
  }

  /**
   * B random windows of T + 1 tokens: inputs (B, T) are tokens t..t+T-1, targets (B, T) are the
   * next tokens t+1..t+T. Reproducible: the windows depend only on `rng`'s state.
   */
  batch(split: Split, B: number, T: number, rng: Rng): { inputs: Int32Array; targets: Int32Array } {
    const data = split === "train" ? this.train : this.val;
    if (data.length < T + 1) {
      throw new UserError(tr({
        en: `The ${split} split has ${data.length} tokens, too few for a context of ${T}: ` +
          `use a longer corpus or a smaller --block-size.`,
        fr:
          `La partie ${split} n'a que ${data.length} tokens, trop peu pour un contexte de ${T} : ` +
          `prends un corpus plus long ou un --block-size plus petit.`,
      }));
    }
    const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = rng.int(data.length - T);
      inputs.set(data.subarray(start, start + T), b * T);
      targets.set(data.subarray(start + 1, start + T + 1), b * T);
    }
    return { inputs, targets };
  }
}
