/**
 * The tokenizer file: plain text a person can read, which loads back to the same tokenizer and
 * saves again to the same bytes.
 *
 * ```
 * minigpt-lab bpe tokenizer v1
 * pattern "'s|'t|…"             the split regex, as a JSON string ("" for none)
 * bytes identity                or the 256 ids of bytes 0 to 255 when they are permuted
 * special "<|endoftext|>" 5000  one line per special token
 * merges 4744
 * 32 + 116 = 256 " t"           one line per merge; the quoted text is for people, not parsed
 * ```
 * Leaves out checkpoint files, which keep this text beside the weights.
 * @module
 */
import { UserError } from "../errors.ts";
import { type Text, tr } from "../i18n.ts";
import type { Pair } from "./basic.ts";
import { BpeTokenizer } from "./bpe.ts";

const HEADER = "minigpt-lab bpe tokenizer v1";

/**
 * The tokenizer as text, in the format above.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BpeTokenizer } from "./bpe.ts";
 * import { formatTokenizer, parseTokenizer } from "./io.ts";
 * const text = formatTokenizer(new BpeTokenizer({ pattern: "", merges: [[104, 105]] }));
 * assert.equal(formatTokenizer(parseTokenizer(text)), text);
 * ```
 */
export function formatTokenizer(tok: BpeTokenizer): string {
  const identity = tok.byteIds.every((id, b) => id === b);
  const lines = [
    HEADER,
    `pattern ${JSON.stringify(tok.pattern)}`,
    `bytes ${identity ? "identity" : tok.byteIds.join(" ")}`,
    ...[...tok.special].map(([text, id]) => `special ${JSON.stringify(text)} ${id}`),
    `merges ${tok.merges.length}`,
    ...tok.merges.map(([a, b], i) => `${a} + ${b} = ${256 + i} ${tok.tokenText(256 + i)}`),
  ];
  return lines.join("\n") + "\n";
}

/**
 * A tokenizer from its text; anything malformed is a UserError naming `source` and the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTokenizer } from "./io.ts";
 * const tok = parseTokenizer('minigpt-lab bpe tokenizer v1\npattern ""\nbytes identity\nmerges 0\n');
 * assert.equal(tok.vocabSize, 256);
 * ```
 */
export function parseTokenizer(
  text: string,
  source: string | Text = { en: "The tokenizer text", fr: "Le texte du tokenizer" },
): BpeTokenizer {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let at = 0;
  const fail = (what: Text): never => {
    throw new UserError(tr({
      en: `${tr(source, "en")} is not a valid tokenizer file (line ${at + 1}: ${what.en}): save ` +
        `it again with the tokenizer that made it.`,
      fr: `${tr(source, "fr")} n'est pas un fichier de tokenizer valide (ligne ${at + 1} : ` +
        `${what.fr}) : enregistre-le à nouveau avec le tokenizer qui l'a créé.`,
    }));
  };
  const take = (prefix: string): string => {
    const line = lines[at];
    if (line === undefined || !line.startsWith(prefix + " ")) {
      fail({
        en: `expected "${prefix} …", found ${JSON.stringify(line ?? "the end of the file")}`,
        fr: `attendu « ${prefix} … », trouvé ${
          line === undefined ? "la fin du fichier" : JSON.stringify(line)
        }`,
      });
    }
    const rest = line.slice(prefix.length + 1);
    at++;
    return rest;
  };
  if (lines[0] !== HEADER) {
    fail({ en: `expected the header "${HEADER}"`, fr: `attendu l'en-tête « ${HEADER} »` });
  }
  at++;
  const pattern = parseJsonString(take("pattern"), fail);
  const bytesField = take("bytes");
  let byteIds: number[] | undefined;
  if (bytesField !== "identity") {
    byteIds = bytesField.split(" ").map(Number);
    if (byteIds.length !== 256 || byteIds.some((id) => !Number.isInteger(id))) {
      at--;
      fail({ en: "expected 256 byte ids or identity", fr: "attendu 256 ids d'octets ou identity" });
    }
  }
  const special: Record<string, number> = {};
  while (lines[at]?.startsWith("special ")) {
    const m = /^special (".*") (\d+)$/.exec(lines[at]);
    if (!m) fail({ en: 'expected special "<text>" <id>', fr: 'attendu special "<texte>" <id>' });
    special[parseJsonString(m![1], fail)] = Number(m![2]);
    at++;
  }
  const count = Number(take("merges"));
  if (!Number.isInteger(count) || count < 0) {
    at--;
    fail({
      en: "the merge count is not a whole number",
      fr: "le nombre de fusions n'est pas un nombre entier",
    });
  }
  const merges: Pair[] = [];
  for (let i = 0; i < count; i++, at++) {
    const m = /^(\d+) \+ (\d+) = (\d+)(?: .*)?$/.exec(lines[at] ?? "");
    if (!m) {
      fail(
        lines[at] === undefined
          ? {
            en: `the file ends after ${i} of ${count} merges`,
            fr: `le fichier s'arrête après ${i} fusions sur ${count}`,
          }
          : { en: "not a merge", fr: "pas une fusion" },
      );
    }
    if (Number(m![3]) !== 256 + i) {
      fail({
        en: `merge ${i} must create id ${256 + i}, not ${m![3]}`,
        fr: `la fusion ${i} doit créer l'id ${256 + i}, pas ${m![3]}`,
      });
    }
    merges.push([Number(m![1]), Number(m![2])]);
  }
  if (at < lines.length) {
    fail({
      en: "unexpected text after the last merge",
      fr: "du texte inattendu après la dernière fusion",
    });
  }
  try {
    return new BpeTokenizer({ pattern, merges, byteIds, special });
  } catch (err) {
    if (err instanceof UserError) {
      throw new UserError(tr({
        en: `${tr(source, "en")} is not a valid tokenizer file: ${err.message}`,
        fr: `${tr(source, "fr")} n'est pas un fichier de tokenizer valide : ${err.message}`,
      }));
    }
    throw err;
  }
}

function parseJsonString(text: string, fail: (what: Text) => never): string {
  try {
    const value = JSON.parse(text);
    if (typeof value === "string") return value;
  } catch { /* reported below */ }
  return fail({
    en: `expected a quoted string, found ${text}`,
    fr: `attendu une chaîne entre guillemets, trouvé ${text}`,
  });
}

/**
 * Writes the tokenizer to `path` (atomically: a temporary file, then a rename).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BpeTokenizer } from "./bpe.ts";
 * import { readTokenizer, writeTokenizer } from "./io.ts";
 * const path = `${await Deno.makeTempDir()}/t.bpe`;
 * await writeTokenizer(path, new BpeTokenizer({ pattern: "", merges: [] }));
 * assert.equal((await readTokenizer(path)).vocabSize, 256);
 * ```
 */
export async function writeTokenizer(path: string, tok: BpeTokenizer): Promise<void> {
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, formatTokenizer(tok));
  await Deno.rename(tmp, path);
}

/**
 * Reads a tokenizer file; a missing, non-UTF-8 or corrupt file is a one-sentence UserError.
 *
 * @example
 * ```ts ignore needs a saved tokenizer
 * import { readTokenizer } from "./io.ts";
 * const tok = await readTokenizer("out/01_tokenization/shakespeare.bpe");
 * ```
 */
export async function readTokenizer(path: string): Promise<BpeTokenizer> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(tr({
        en: `There is no tokenizer file at ${path}: check the path.`,
        fr: `Il n'y a pas de fichier de tokenizer à ${path} : vérifie le chemin.`,
      }));
    }
    throw err;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(tr({
      en: `${path} is not a tokenizer file (it is not even UTF-8 text).`,
      fr: `${path} n'est pas un fichier de tokenizer (ce n'est même pas du texte UTF-8).`,
    }));
  }
  return parseTokenizer(text, path);
}
