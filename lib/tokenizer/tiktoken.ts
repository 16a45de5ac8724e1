/**
 * OpenAI's published tokenizers in our format: the rank files that `npm:js-tiktoken` ships
 * (nothing is downloaded) become a {@link BpeTokenizer} with merges, byte ids and special tokens.
 *
 * tiktoken stores a tokenizer as ranks: the bytes of each token, in the order they were learnt.
 * Its first 256 ranks are the single bytes, but not in byte order (GPT-2 put the printable bytes
 * first), hence the byte-id permutation. The merge that made each longer token is recovered by
 * running BPE on its bytes with only the ranks below its own: exactly two parts are left, and
 * they are the pair. Leaves out the other encodings' extra special tokens (fill-in-the-middle).
 * @module
 */
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import type { Pair } from "./basic.ts";
import { BpeTokenizer } from "./bpe.ts";
import { applyMerges } from "./merge.ts";
import { PairTable } from "./pair_table.ts";
import { GPT2_SPLIT_PATTERN } from "./regex.ts";

/** The shape of a js-tiktoken rank file. */
export interface TiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  /** Lines of `<ignored> <first rank> <base64 token> <base64 token> …`. */
  bpe_ranks: string;
}

/**
 * Builds our tokenizer from tiktoken ranks; `pattern` replaces the file's split pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromTiktokenRanks } from "./tiktoken.ts";
 * import gpt2 from "js-tiktoken/ranks/gpt2";
 * assert.equal(fromTiktokenRanks(gpt2).vocabSize, 50257);
 * ```
 */
export function fromTiktokenRanks(ranks: TiktokenRanks, pattern?: string): BpeTokenizer {
  const { bytes, starts } = decodeRanks(ranks.bpe_ranks);
  const tokens = Array.from(
    { length: starts.length - 1 },
    (_, r) => bytes.subarray(starts[r], starts[r + 1]),
  );
  const { byteIds, merges, count } = mergesOfTokens(tokens);
  if (count < tokens.length) {
    throw new UserError(tr({
      en: `Token rank ${count} is not the merge of two lower-ranked tokens.`,
      fr: `Le token de rang ${count} n'est pas la fusion de deux tokens de rang inférieur.`,
    }));
  }
  return new BpeTokenizer({
    pattern: pattern ?? ranks.pat_str,
    merges,
    byteIds,
    special: ranks.special_tokens,
  });
}

/**
 * The byte ids and merges behind a vocabulary listed as each token's bytes in rank order (ids 0
 * to 255 the single bytes, in any order): `count` tokens in all are bytes or merges, and the
 * first one that is not the merge of two before it (a special token) stops the list there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergesOfTokens } from "./tiktoken.ts";
 * const tokens = [...Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)), Uint8Array.of(104, 105)];
 * assert.equal(mergesOfTokens(tokens).merges[0].join(), "104,105");
 * ```
 */
export function mergesOfTokens(
  tokens: Uint8Array[],
): { byteIds: Int32Array; merges: Pair[]; count: number } {
  const byteIds = new Int32Array(256).fill(-1);
  for (let rank = 0; rank < Math.min(256, tokens.length); rank++) {
    if (tokens[rank].length === 1) byteIds[tokens[rank][0]] = rank;
  }
  if (byteIds.includes(-1)) {
    throw new UserError(tr({
      en: "These ranks are not a byte-level BPE: ranks 0 to 255 must be the bytes.",
      fr: "Ces rangs ne forment pas un BPE au niveau des octets : les rangs 0 à 255 doivent être " +
        "les octets.",
    }));
  }
  // Ids are ranks (rank r is merge r − 256): each token is rebuilt from its bytes with the
  // merges found before it, and the two ids left are its merge.
  const rankOfPair = new PairTable(tokens.length);
  const merges: Pair[] = [];
  const longest = tokens.reduce((n, t) => Math.max(n, t.length), 0);
  const ids = new Int32Array(longest);
  let rank = 256;
  for (; rank < tokens.length; rank++) {
    const token = tokens[rank];
    for (let i = 0; i < token.length; i++) ids[i] = byteIds[token[i]];
    if (applyMerges(ids.subarray(0, token.length), rankOfPair) !== 2) break;
    merges.push([ids[0], ids[1]]);
    rankOfPair.set(ids[0], ids[1], rank - 256);
  }
  return { byteIds, merges, count: rank };
}

const BASE64 = new Int8Array(128).fill(-1);
[..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].forEach((c, i) =>
  BASE64[c.charCodeAt(0)] = i
);

/** All tokens' bytes in one buffer: token r is bytes[starts[r] .. starts[r + 1]). */
function decodeRanks(bpeRanks: string): { bytes: Uint8Array; starts: number[] } {
  const bytes = new Uint8Array(bpeRanks.length);
  const starts: number[] = [];
  let out = 0;
  for (const line of bpeRanks.split("\n")) {
    if (!line) continue;
    const [, offset, ...encoded] = line.split(" ");
    encoded.forEach((b64, i) => {
      if (Number(offset) + i !== starts.length) {
        throw new UserError(tr({
          en: `These ranks skip rank ${starts.length}: they are not a tokenizer.`,
          fr: `Ces rangs sautent le rang ${starts.length} : ils ne forment pas un tokenizer.`,
        }));
      }
      starts.push(out);
      let bits = 0, nbits = 0;
      for (let j = 0; j < b64.length; j++) {
        const v = BASE64[b64.charCodeAt(j)];
        if (v < 0) break;
        bits = ((bits << 6) | v) & 0xffffff;
        nbits += 6;
        if (nbits >= 8) {
          nbits -= 8;
          bytes[out++] = (bits >> nbits) & 0xff;
        }
      }
    });
  }
  starts.push(out);
  return { bytes, starts };
}

let gpt2: Promise<BpeTokenizer> | undefined;

/**
 * GPT-2's tokenizer (50,257 ids), from the ranks shipped in `npm:js-tiktoken`; built once. The
 * split is ours: the ranks' pattern uses JavaScript's `\s`, which is not GPT-2's (see regex.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpt2Tokenizer } from "./tiktoken.ts";
 * const tok = await gpt2Tokenizer();
 * assert.equal(tok.encode("Hello world").join(), "15496,995");
 * ```
 */
export function gpt2Tokenizer(): Promise<BpeTokenizer> {
  gpt2 ??= import("js-tiktoken/ranks/gpt2").then((m) =>
    fromTiktokenRanks(m.default, GPT2_SPLIT_PATTERN)
  );
  return gpt2;
}
