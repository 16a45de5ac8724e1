/**
 * `deno task export` and `deno task import`: a checkpoint out to another framework's files and
 * back — Hugging Face's GPT-2 folder (lib/train/hf.ts) or llm.c's model file (lib/train/llmc.ts) —
 * and, with `--data`, the run's corpus tokenized for the trainer that continues it: nanoGPT's
 * `train.bin` / `val.bin` (uint16 tokens, nothing else) beside an HF folder, llm.c's data files
 * (its 256-int32 header, magic 20240520, then the uint16 tokens) beside an llm.c model.
 *
 * Nothing the user has is overwritten without `--force`, and a folder is written beside its
 * target and swapped in, so an interruption leaves the old one whole.
 * @module
 */
import { refuseExisting, replaceDirAtomic, writeFileAtomic } from "../atomic.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import type { SavedTokenizer } from "../tokenizer/saved.ts";
import { loadCorpus } from "./dataset.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { formatCount, formatDecimal } from "../term.ts";
import type { GPT } from "../model/gpt.ts";
import { readHfFolder, writeHfFolder } from "./hf.ts";
import { decodeLlmc, decodeLlmcTokenizer, encodeLlmc, encodeLlmcTokenizer } from "./llmc.ts";
import { resolveCheckpointDir } from "./run_sample.ts";
import { restoreTokenizer } from "../tokenizer/saved.ts";
import { gpt2Tokenizer } from "../tokenizer/tiktoken.ts";
import { formatTokenizer } from "../tokenizer/io.ts";
import { GPT2_SPLIT_PATTERN } from "../tokenizer/regex.ts";

/** The line of our tokenizer file that says it splits with GPT-2's pattern. */
const GPT2_PATTERN_LINE = `pattern ${JSON.stringify(GPT2_SPLIT_PATTERN)}\n`;

/** What `deno task export` was asked for. */
export interface ExportRequest {
  /** A checkpoint folder, or a run folder (its best/, else latest/). */
  ckpt: string;
  to: "hf" | "llmc";
  /** The HF folder, or the llm.c model file (its tokenizer goes beside it). */
  out: string;
  /** Also write the corpus, tokenized: `corpus` names it (default tinyshakespeare). */
  data?: boolean;
  corpus?: string;
  force?: boolean;
  print?: (line: string) => void;
}

/** The llm.c files that go with model file `out`: llm.c's own naming (gpt2_124M.bin, gpt2_tokenizer.bin). */
export function llmcCompanions(out: string): { tokenizer: string; train: string; val: string } {
  const stem = out.replace(/\.bin$/, "");
  return {
    tokenizer: `${stem}_tokenizer.bin`,
    train: `${stem}_train.bin`,
    val: `${stem}_val.bin`,
  };
}

/**
 * Exports a checkpoint (see the module notes) and returns the paths written.
 *
 * @example
 * ```ts ignore needs a trained checkpoint
 * import { runExport } from "./export.ts";
 * await runExport({ ckpt: "out/train/tinyshakespeare-baby-char", to: "hf", out: "out/hf" });
 * ```
 */
export async function runExport(req: ExportRequest): Promise<string[]> {
  const print = req.print ?? ((line: string) => console.log(line));
  const t0 = performance.now();
  const dir = await resolveCheckpointDir(req.ckpt);
  const { model, tokenizer, state } = await loadCheckpoint(dir);
  const written = req.to === "hf" ? [req.out] : [req.out, llmcCompanions(req.out).tokenizer];
  if (req.data && req.to === "llmc") {
    const { train, val } = llmcCompanions(req.out);
    written.push(train, val);
  }
  if (!req.force) await refuseExisting(written, "out");
  const data = req.data ? await tokenizedCorpus(tokenizer, req.corpus) : null;

  if (req.to === "hf") {
    await replaceDirAtomic(req.out, async (fresh) => {
      await writeHfFolder(fresh, model, tokenizer);
      // The run's settings, so that pytorch/train_gpt2.py continues with the same ones.
      if (state) {
        await Deno.writeTextFile(
          `${fresh}/minigpt_settings.json`,
          JSON.stringify(state.settings, null, 2) + "\n",
        );
      }
      if (data) {
        await Deno.writeFile(`${fresh}/train.bin`, uint16Bytes(data.train));
        await Deno.writeFile(`${fresh}/val.bin`, uint16Bytes(data.val));
      }
    });
  } else {
    const files = llmcCompanions(req.out);
    await writeFileAtomic(req.out, encodeLlmc(model));
    await writeFileAtomic(files.tokenizer, encodeLlmcTokenizer(tokenizer));
    if (data) {
      await writeFileAtomic(files.train, llmcDataBytes(data.train));
      await writeFileAtomic(files.val, llmcDataBytes(data.val));
    }
  }
  if (
    req.to === "llmc" && tokenizer.kind === "bpe" && !tokenizer.data.includes(GPT2_PATTERN_LINE)
  ) {
    print(tr({
      en: "Note: llm.c's tokenizer file keeps no split pattern, and this BPE was trained with " +
        "another than GPT-2's: importing the file back splits text with GPT-2's.",
      fr: "Note : le fichier de tokenizer de llm.c ne garde pas de motif de découpage, et ce BPE " +
        "a été entraîné avec un autre que celui de GPT-2 : réimporter le fichier découpera le " +
        "texte comme GPT-2.",
    }));
  }
  const hf = req.to === "hf";
  const params = formatCount(model.numParameters);
  const files = written.join(", ");
  const seconds = formatDecimal((performance.now() - t0) / 1000, 1);
  print(tr({
    en: `Exported ${dir} (${params} parameters) as ` +
      `${hf ? "a Hugging Face GPT-2 folder" : "llm.c's model file"}: ` +
      `${files}${data && hf ? " with train.bin and val.bin" : ""} in ${seconds} s.`,
    fr: `${dir} (${params} paramètres) exporté en ` +
      `${hf ? "dossier GPT-2 Hugging Face" : "fichier de modèle llm.c"} : ` +
      `${files}${data && hf ? " avec train.bin et val.bin" : ""} en ${seconds} s.`,
  }));
  return written;
}

/** What `deno task import` was asked for. */
export interface ImportRequest {
  /** An HF GPT-2 folder, or an llm.c model file. */
  from: string;
  /** The checkpoint folder to write. */
  out: string;
  force?: boolean;
  print?: (line: string) => void;
}

/**
 * Imports an HF GPT-2 folder or an llm.c model file as our checkpoint (weights and tokenizer),
 * which `sample`, `chat`, the labs and fine-tuning load.
 *
 * @example
 * ```ts ignore needs an exported folder
 * import { runImport } from "./export.ts";
 * await runImport({ from: "out/hf", out: "out/imported" });
 * ```
 */
export async function runImport(req: ImportRequest): Promise<void> {
  const print = req.print ?? ((line: string) => console.log(line));
  const t0 = performance.now();
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(req.from);
  } catch {
    throw new UserError(tr({
      en:
        `There is nothing at ${req.from}: pass a Hugging Face GPT-2 folder or an llm.c model file.`,
      fr: `Il n'y a rien à ${req.from} : passe un dossier GPT-2 Hugging Face ou un fichier de ` +
        `modèle llm.c.`,
    }));
  }
  if (!req.force) await refuseExisting([req.out], "out");
  let imported: { model: GPT; tokenizer: SavedTokenizer };
  if (stat.isDirectory) {
    imported = await readHfFolder(req.from);
  } else {
    const model = decodeLlmc(await Deno.readFile(req.from), req.from);
    imported = { model, tokenizer: await llmcTokenizer(req.from, model.config.vocabSize) };
  }
  await saveCheckpoint(req.out, { ...imported, optimizer: null, state: null });
  const c = imported.model.config;
  const vocab = formatCount(c.vocabSize);
  const seconds = formatDecimal((performance.now() - t0) / 1000, 1);
  print(tr({
    en: `Imported ${req.from} (${c.nLayer} layers, ${c.nEmbd} wide, context ${c.blockSize}, ` +
      `${vocab} tokens) into ${req.out} in ${seconds} s: ` +
      `\`deno task sample --ckpt ${req.out}\` samples from it.`,
    fr: `${req.from} importé (${c.nLayer} couches, largeur ${c.nEmbd}, contexte ${c.blockSize}, ` +
      `${vocab} tokens) dans ${req.out} en ${seconds} s : ` +
      `\`deno task sample --ckpt ${req.out}\` en tire des échantillons.`,
  }));
}

/** The tokenizer of an llm.c model: its tokenizer file beside it, else GPT-2's for 50,257 tokens. */
async function llmcTokenizer(path: string, vocabSize: number): Promise<SavedTokenizer> {
  const file = llmcCompanions(path).tokenizer;
  let bytes: Uint8Array | null = null;
  try {
    bytes = await Deno.readFile(file);
  } catch { /* not beside it */ }
  if (bytes === null && vocabSize === 50257) {
    return { kind: "bpe", data: formatTokenizer(await gpt2Tokenizer()) };
  }
  if (bytes === null) {
    throw new UserError(tr({
      en: `${path} has ${vocabSize} tokens and no tokenizer file beside it (${file}): ` +
        `put llm.c's tokenizer file there.`,
      fr: `${path} a ${vocabSize} tokens et pas de fichier de tokenizer à côté (${file}) : ` +
        `mets-y le fichier de tokenizer de llm.c.`,
    }));
  }
  const saved = decodeLlmcTokenizer(bytes, file);
  const parsed = saved.kind === "bpe" ? null : JSON.parse(saved.data);
  const size = parsed === null
    ? restoreTokenizer(saved).vocabSize
    : Array.isArray(parsed)
    ? parsed.length
    : parsed.chars.length + parsed.special.length;
  if (size !== vocabSize) {
    throw new UserError(tr({
      en: `${file} has ${size} tokens but ${path} ${vocabSize}: they do not belong together.`,
      fr: `${file} a ${size} tokens mais ${path} en a ${vocabSize} : ils ne vont pas ensemble.`,
    }));
  }
  return saved;
}

/** The corpus in the checkpoint's tokens, cut 90/10 as the trainer cuts it. */
async function tokenizedCorpus(
  saved: SavedTokenizer,
  corpus = "tinyshakespeare",
): Promise<{ train: Uint16Array; val: Uint16Array }> {
  if (saved.kind === "chat") {
    throw new UserError(tr({
      en: "--data writes a plain corpus, and a chat model learnt from conversations: " +
        "export it without --data.",
      fr: "--data écrit un corpus simple, et un modèle de chat a appris sur des conversations : " +
        "exporte-le sans --data.",
    }));
  }
  const tok = restoreTokenizer(saved);
  if (tok.vocabSize > 65536) {
    throw new UserError(tr({
      en: `The tokenizer has ${tok.vocabSize} tokens, more than uint16 holds: ` +
        `export without --data.`,
      fr: `Le tokenizer a ${tok.vocabSize} tokens, plus que ce que contient un uint16 : ` +
        `exporte sans --data.`,
    }));
  }
  const { text } = await loadCorpus(corpus);
  const ids = Uint16Array.from(tok.encode(text));
  const cut = Math.floor(ids.length * 0.9);
  return { train: ids.subarray(0, cut), val: ids.subarray(cut) };
}

function uint16Bytes(ids: Uint16Array): Uint8Array {
  return new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
}

/** llm.c's data file: 256 int32 (magic 20240520, version 1, token count), then uint16 tokens. */
function llmcDataBytes(ids: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(1024 + ids.byteLength);
  new Int32Array(bytes.buffer, 0, 3).set([20240520, 1, ids.length]);
  bytes.set(uint16Bytes(ids), 1024);
  return bytes;
}
