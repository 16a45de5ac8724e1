/**
 * Sampling from a trained checkpoint as `deno task sample` does it: load the model (with LoRA
 * adapters merged in, when given) and its tokenizer, encode the prompt, echo it, and stream the
 * continuation to the terminal token by token, stopping at the token budget or at a stop string.
 * @module
 */
import { type Checkpoint, loadCheckpoint } from "./checkpoint.ts";
import { UserError } from "../errors.ts";
import { tr } from "../i18n.ts";
import { generate } from "../model/generate.ts";
import { type BackendName, loadBackend } from "../wasm/backend.ts";
import { loadAdapted, loadAdapters } from "./adapters.ts";
import { checkSampling, type SamplingOptions } from "../model/sampling.ts";
import { CharTokenizer } from "../tokenizer/char.ts";
import { restoreTokenizer, type TextTokenizer } from "../tokenizer/saved.ts";
import type { GPT } from "../model/gpt.ts";
import { Rng } from "../random.ts";
import { checkCount } from "./preflight.ts";
import type { StudentCode } from "./run_train.ts";

/** What `deno task sample` was asked for. */
export interface SampleRequest extends SamplingOptions {
  /**
   * A checkpoint folder, or a run folder (its best/ checkpoint, else latest/). With `adapters`,
   * the base the adapters go onto; without it, the base their file names.
   */
  ckpt?: string;
  /** A LoRA adapters file (lib/train/lora.ts's saveAdapters), merged onto the base before sampling. */
  adapters?: string;
  prompt?: string;
  maxTokens: number;
  seed?: number;
  /** Stop as soon as the text contains one of these (it is not printed). */
  stop?: string[];
  kvCache?: boolean;
  /** wasm (the SIMD kernels, default) or ts (the plain TypeScript twins). */
  backend?: BackendName;
  /** Sample the student's GPT with the student's generation loop (`--mine`; no streaming). */
  mine?: StudentCode;
  /** Receives the text as it is produced (default: stdout). */
  write?: (text: string) => void;
  /** Notes for the user (default: stderr). */
  note?: (text: string) => void;
}

/**
 * The checkpoint folder `path` names: itself when it holds a model, else its `best/`, else its
 * `latest/`.
 *
 * @example
 * ```ts ignore needs a checkpoint
 * import { resolveCheckpointDir } from "./run_sample.ts";
 * resolveCheckpointDir("out/train/tinyshakespeare-baby-char"); // ".../best"
 * ```
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  for (const dir of [path, `${path}/best`, `${path}/latest`]) {
    try {
      await Deno.stat(`${dir}/model.safetensors`);
      return dir;
    } catch { /* next */ }
  }
  throw new UserError(tr({
    en: `No checkpoint at ${path}: pass a folder written by \`deno task train\` ` +
      `(its best/ or latest/ is used).`,
    fr: `Aucun checkpoint à ${path} : passe un dossier écrit par \`deno task train\` ` +
      `(son best/ ou son latest/ sert).`,
  }));
}

/** The model `req` names, and how to name it in messages. */
async function loadModel(req: SampleRequest): Promise<{ ckpt: Checkpoint; source: string }> {
  const options = await loadBackend(req.mine ? "ts" : req.backend, { own: req.mine?.ops });
  if (req.ckpt === undefined) {
    if (req.adapters === undefined) {
      throw new UserError(tr({
        en: "Say which model to sample from: --ckpt DIR (a folder `deno task train` wrote) or " +
          "--adapters FILE (a LoRA adapters file).",
        fr: "Dis de quel modèle tirer : --ckpt DOSSIER (un dossier écrit par `deno task train`) " +
          "ou --adapters FICHIER (un fichier d'adaptateurs LoRA).",
      }));
    }
    return { ckpt: await loadAdapted(req.adapters, options), source: req.adapters };
  }
  const dir = await resolveCheckpointDir(req.ckpt);
  const ckpt = await loadCheckpoint(dir, options);
  if (req.adapters !== undefined) await loadAdapters(req.adapters, ckpt.model);
  return { ckpt, source: dir };
}

/**
 * A function turning each new token id into the text it adds, holding back bytes of a character
 * that is not complete yet (a BPE token can end in the middle of one).
 */
export function streamDecoder(tok: TextTokenizer): (id: number) => string {
  if (tok instanceof CharTokenizer) return (id) => tok.decode([id]);
  const utf8 = new TextDecoder("utf-8");
  return (id) => utf8.decode(tok.decodeBytes([id]), { stream: true });
}

/**
 * Samples from a checkpoint: writes the prompt, then the continuation as it comes, and returns
 * the continuation.
 *
 * @example
 * ```ts ignore needs a checkpoint
 * import { runSampling } from "./run_sample.ts";
 * await runSampling({ ckpt: "out/train/tinyshakespeare-baby-char", prompt: "ROMEO:", maxTokens: 200 });
 * ```
 */
export async function runSampling(req: SampleRequest): Promise<string> {
  const write = req.write ?? ((t: string) => Deno.stdout.writeSync(new TextEncoder().encode(t)));
  const note = req.note ?? ((t: string) => console.error(t));
  checkSampling(req);
  checkCount("--tokens", req.maxTokens);
  const { ckpt, source } = await loadModel(req);
  const tok = restoreTokenizer(ckpt.tokenizer, source);
  const promptText = req.prompt ?? "\n";
  const prompt = tok.encode(promptText);
  if (prompt.length === 0) {
    throw new UserError(tr({
      en: "The prompt is empty: give --prompt some text.",
      fr: "Le prompt est vide : donne du texte à --prompt.",
    }));
  }
  const T = ckpt.model.config.blockSize;
  if (prompt.length > T) {
    note(tr({
      en: `The prompt is ${prompt.length} tokens, longer than the model's context of ${T}: ` +
        `only its last ${T} are read.`,
      fr: `Le prompt fait ${prompt.length} tokens, plus que le contexte du modèle, ${T} : ` +
        `seuls ses ${T} derniers sont lus.`,
    }));
  }
  // The prompt first, as the model reads it: the continuation makes sense only after it.
  write(promptText);
  const stops = (req.stop ?? []).filter((s) => s !== "");
  if (req.mine) {
    note(req.mine.summary);
    return yourSample(req, req.mine, ckpt.model, tok, prompt, stops, write);
  }
  const decode = streamDecoder(tok);
  let text = "";
  let shown = 0;
  // Text that could still become a stop string is held back until it cannot.
  const holdBack = Math.max(0, ...stops.map((s) => s.length - 1));
  generate(ckpt.model, prompt, {
    ...req,
    onToken(id) {
      text += decode(id);
      const hit = stops.map((s) => text.indexOf(s)).filter((i) => i >= 0);
      if (hit.length > 0) {
        text = text.slice(0, Math.min(...hit));
        if (text.length > shown) write(text.slice(shown));
        shown = text.length;
        return false;
      }
      const safe = text.length - holdBack;
      if (safe > shown) {
        write(text.slice(shown, safe));
        shown = safe;
      }
    },
  });
  if (text.length > shown) write(text.slice(shown));
  return text;
}

/** `--mine`: the student's generation loop, its text written once it is done. */
function yourSample(
  req: SampleRequest,
  mine: StudentCode,
  model: GPT,
  tok: TextTokenizer,
  prompt: number[],
  stops: string[],
  write: (text: string) => void,
): string {
  if (!(req.temperature === undefined || req.temperature > 0)) {
    throw new UserError(tr({
      en: "Your generation loop always draws: give --mine a --temperature above 0.",
      fr: "Ta boucle de génération tire toujours au hasard : donne à --mine une --temperature " +
        "supérieure à 0.",
    }));
  }
  if (stops.length > 1) {
    throw new UserError(tr({
      en: "Your generation loop takes one --stop, not several.",
      fr: "Ta boucle de génération prend un seul --stop, pas plusieurs.",
    }));
  }
  const ids = mine.generateTokens(model, mine.sampleParts, prompt, {
    maxTokens: req.maxTokens,
    temperature: req.temperature ?? 1,
    topK: req.topK,
    topP: req.topP,
    stop: stops[0],
    decode: (ids) => tok.decode(ids),
  }, new Rng(req.seed ?? 0));
  let text = tok.decode(ids);
  if (stops[0] && text.includes(stops[0])) text = text.slice(0, text.indexOf(stops[0]));
  write(text);
  return text;
}
