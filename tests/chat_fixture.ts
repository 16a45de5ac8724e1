/**
 * A tiny chat model for the chat tests: 40 SFT steps on eight sums, saved as a checkpoint in a
 * temp folder. Fast (under a second) and deterministic; it never sees the corpus.
 * @module
 */
import { chatAlphabet, generateConversations } from "../lib/chat/data.ts";
import { encodeExamples, sft } from "../lib/chat/sft.ts";
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

/** Trains the tiny chat model and returns its run folder (with `latest/`) and the model. */
export async function tinyChatModel(): Promise<{ dir: string; model: GPT; tok: ChatTokenizer }> {
  const tok = new ChatTokenizer([...chatAlphabet()]);
  const { examples } = encodeExamples(tok, TINY_CHATS, 48);
  const model = new GPT({
    vocabSize: tok.vocabSize,
    blockSize: 48,
    nLayer: 1,
    nHead: 2,
    nEmbd: 16,
  });
  const dir = await Deno.makeTempDir({ prefix: "minigpt-chat-" });
  await sft({
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
    outDir: dir,
    progress: () => {},
  });
  return { dir, model, tok };
}
