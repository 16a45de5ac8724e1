/**
 * A tiny chat model for the chat tests: 40 SFT steps on eight sums, saved as a checkpoint in a
 * temp folder. Fast (under a second) and deterministic; it never sees the corpus.
 * @module
 */
import { chatAlphabet, type Conversation, generateConversations } from "../lib/chat/data.ts";
import { encodeExamples, sft, type SftResult } from "../lib/chat/sft.ts";
import { ChatTokenizer } from "../lib/chat/template.ts";
import { GPT } from "../lib/model/gpt.ts";

/** The conversations the tiny model was trained on. */
export const TINY_CHATS = generateConversations({
  count: 8,
  split: "train",
  seed: 1,
  maxExchanges: 1,
  families: ["addition"],
  langs: ["en"],
});

/**
 * The tiny SFT run: 40 steps of 8 on `convs` cut to `blockSize`, a model of 1 layer, 2 heads and
 * 16 channels, saved in `outDir`.
 */
export async function tinySft(
  tok: ChatTokenizer,
  convs: Conversation[],
  blockSize: number,
  outDir: string,
): Promise<{ model: GPT; result: SftResult }> {
  const { examples } = encodeExamples(tok, convs, blockSize);
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize, nLayer: 1, nHead: 2, nEmbd: 16 });
  const result = await sft({
    model,
    tokenizer: tok,
    train: examples,
    heldOut: examples,
    settings: {
      batchSize: 8,
      steps: 40,
      warmupSteps: 2,
      maxLr: 1e-2,
      minLr: 1e-3,
      weightDecay: 0,
      gradClip: 1,
      evalEvery: 20,
      seed: 1,
    },
    outDir,
    progress: () => {},
  });
  return { model, result };
}

/** Trains the tiny chat model and returns its run folder (with `latest/`) and the model. */
export async function tinyChatModel(): Promise<{ dir: string; model: GPT; tok: ChatTokenizer }> {
  const tok = new ChatTokenizer([...chatAlphabet()]);
  const dir = await Deno.makeTempDir({ prefix: "minigpt-chat-" });
  const { model } = await tinySft(tok, TINY_CHATS, 48, dir);
  return { dir, model, tok };
}
