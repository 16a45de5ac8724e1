/**
 * Lab 12 · A mini-ChatGPT: the chat template and its special tokens, conversations the project
 * writes itself (with a held-out split), supervised fine-tuning with the loss masked to the
 * assistant's tokens, evaluation by exact match per task family, the chat commands, and a closing
 * step: what separates it from GPT-2/3/4, where to go next, the reading list.
 *
 * Runs the `quick` SFT preset (within a minute), and reuses that run while its inputs stay the
 * same; `deno task sft --preset full` is the run that aims at the course's targets. The lab's
 * model starts from scratch: its conversations are its whole world, which is what lets a model this small learn them.
 * @module
 */
import { barChart, lineChart } from "../lib/charts.ts";
import { chatAlphabet, FAMILIES, generateConversations } from "../lib/chat/data.ts";
import { type ChatEvaluation, evaluateChat, reply } from "../lib/chat/eval.ts";
import { SFT_PRESETS, type SftPreset } from "../lib/chat/presets.ts";
import { type ChatData, prepareChatData } from "../lib/chat/run_sft.ts";
import { sft, type SftResult } from "../lib/chat/sft.ts";
import { loadChatModel } from "../lib/chat/terminal.ts";
import {
  assistantTargetMask,
  ChatTokenizer,
  encodeConversation,
  type SpecialIds,
  type Turn,
} from "../lib/chat/template.ts";
import { GPT } from "../lib/model/gpt.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { type Lab, relative, step, type StepContext } from "../lib/course/lab.ts";
import { loadRun, runKey, saveRun } from "../lib/course/run_cache.ts";
import { readingRows } from "../lib/course/reading.ts";
import { LABS } from "./mod.ts";
import { exercises } from "./catalog/12_chatgpt.ts";
import { formatCount, shellCommand } from "../lib/term.ts";

const EXAMPLE: Turn[] = [
  { role: "user", text: "what is 23+45?" },
  { role: "assistant", text: "68" },
  { role: "user", text: "reverse gpt." },
  { role: "assistant", text: "tpg" },
];

/** What the steps hand on to the later ones. */
interface State {
  data?: ChatData;
  model?: GPT;
  result?: SftResult;
  evaluation?: ChatEvaluation;
}

function fromTextToAssistant(ctx: StepContext) {
  ctx.say(`
    The GPT of the earlier labs continues text. Ask it "what is 23+45?" and it writes whatever
    tends to follow such a line in its corpus: maybe another question, maybe Shakespeare. An
    assistant does something else: it answers, then stops and waits for you.

    ChatGPT got there in two moves on top of pretraining. Supervised fine-tuning (SFT) shows the
    model thousands of conversations written the way an assistant should answer; a chat template
    marks who speaks, so the model can tell the question from the answer and knows when its turn
    is over. (A third move, learning from human preferences, polishes the style; we leave it out.)
    This lab does SFT on a model of about a hundred thousand parameters, then lets you talk to it.
  `);
}

function template(ctx: StepContext, tok: ChatTokenizer) {
  ctx.say(`
    The template wraps each turn in special tokens: <|user|> or <|assistant|> opens it, <|end|>
    closes it. Two turns each way look like this:
  `);
  const ids = encodeConversation(tok, EXAMPLE);
  ctx.show(tok.decode(ids));
  ctx.say(`
    Our tokenizer is character-level (${tok.chars.length} characters) plus three special tokens
    with ids ${tok.special.user}, ${tok.special.assistant} and ${tok.special.end}. Each special
    token is one id, not the characters "<", "|", "e", …: typing "<|end|>" in a message gives
    those seven characters, so a user cannot close the assistant's turn for it. The ids:
  `);
  ctx.show(ids.join(" "));
  ctx.say(`
    To answer, the model is given the conversation so far followed by <|assistant|>, and writes
    token by token until it writes <|end|>. That token is the whole difference between an
    assistant that stops and a text generator that rambles on.
  `);
}

async function yourTemplate(ctx: StepContext) {
  ctx.say(`
    Your turn: write formatConversation in labs/exercises/12_chatgpt.ts, the template as text.
  `);
  const format = await ctx.exercise<(turns: Turn[]) => string>("12.1");
  ctx.show(format(EXAMPLE.slice(0, 2)));
}

function conversations(ctx: StepContext, state: State, preset: SftPreset) {
  ctx.say(`
    Where do the conversations come from? The project writes them, in five task families a
    small model can truly learn, each with one right answer so that we can score it exactly:
  `);
  const samples = generateConversations({ count: 200, split: "train", seed: 5, maxExchanges: 1 });
  ctx.table([
    ["family", "user", "assistant"],
    ...FAMILIES.map((f) => {
      const e = samples.flat().find((x) => x.family === f)!;
      return [f, e.question, e.answer];
    }),
  ]);
  const data = prepareChatData(preset, preset.settings.seed);
  state.data = data;
  const multi = data.heldOut.filter((c) => c.length > 1).length;
  ctx.say(`
    The held-out split is what makes the scores honest. One sum in ten (by a hash of its two
    numbers) and one made-up word in ten never appear in training; held-out questions about the
    course's concepts use a phrasing ("explain …") training never uses. So a right answer on the
    held-out split cannot be recalled: it has to be worked out. About a third of the
    conversations go on for several exchanges, so the model also learns to read a history.

    This run: ${formatCount(data.train.length)} training conversations (${
    formatCount(data.dropped)
  } longer than the
    context of ${preset.model.blockSize} tokens left out) and ${
    formatCount(data.heldOut.length)
  } held-out ones,
    ${multi} of them multi-turn.
  `);
}

function maskedLoss(ctx: StepContext, tok: ChatTokenizer) {
  ctx.say(`
    Pretraining learns every next token. In SFT we only want the model to learn to write the
    assistant's part: the user's words are given, not something to imitate, and the <|user|> and
    <|assistant|> tokens are placed by the template. So every target gets a weight: 1 for a
    character of a reply and for the <|end|> closing it, 0 for the rest. The loss is the weighted
    mean, Σ wᵢ·lossᵢ / Σ wᵢ, and a target of weight 0 sends no gradient back at all. Below, the
    targets the model learns are marked ^:
  `);
  const ids = encodeConversation(tok, EXAMPLE);
  const targets = ids.slice(1).map((id) => tok.decode([id]));
  const weights = assistantTargetMask(ids, tok.special);
  ctx.show(
    targets.map((t) => t).join(" ") + "\n" +
      targets.map((t, i) => (weights[i] ? "^" : " ").padEnd(t.length)).join(" "),
  );
  ctx.say(`
    Padding uses the same mechanism: conversations of different lengths share a batch, the short
    ones are padded, and padded positions get weight 0. lib/model/gpt.ts takes these weights as an
    optional fifth argument of forward.
  `);
}

async function yourMask(ctx: StepContext, tok: ChatTokenizer) {
  ctx.say(`
    Your turn: write assistantTargetMask in labs/exercises/12_chatgpt.ts, the weights of every
    target of a tokenized conversation.
  `);
  const mask = await ctx.exercise<(ids: number[], s: SpecialIds) => number[]>("12.2");
  const ids = encodeConversation(tok, EXAMPLE.slice(0, 2));
  ctx.say(`Your mask of "${tok.decode(ids)}":`);
  ctx.show(`[${mask(ids, tok.special).join(", ")}]`);
}

async function fineTune(ctx: StepContext, state: State, preset: SftPreset) {
  const data = state.data ??= prepareChatData(preset, preset.settings.seed);
  const model = new GPT(
    { ...preset.model, vocabSize: data.tok.vocabSize },
    preset.settings.seed,
    await loadBackend(),
  );
  const s = preset.settings, steps = formatCount(s.steps);
  ctx.say(`
    Supervised fine-tuning, quick preset: a GPT of ${formatCount(model.numParameters)}
    parameters (${preset.model.nLayer} layers, width ${preset.model.nEmbd}),
    ${steps} steps of ${s.batchSize} conversations, AdamW with warmup and cosine decay from
    ${s.maxLr}. Batches take neighbours in length order, so that little is lost to padding. Positions are rotary (RoPE, lab
    05): a sum's digits sit at different places in "what is 23+45?" and "add 23 and 45.", but at
    the same distances from the answer, and RoPE encodes distances. It runs on the SIMD kernels;
    the held-out loss is measured every ${s.evalEvery} steps.
  `);
  const { result, reused } = await trainOrReuse(ctx, model, data, preset);
  state.model = reused ?? model;
  state.result = result;
  await ctx.chart(
    "sft_loss",
    lineChart({
      title: "SFT loss on the assistant's tokens",
      data: [
        ...result.losses.map((loss, step) => ({ step, loss, split: "training batch" })),
        ...result.heldOut.map(({ step, loss }) => ({ step, loss, split: "held out" })),
      ],
      x: "step",
      y: "loss",
      series: "split",
      yTitle: "masked cross-entropy",
      points: false,
    }),
  );
  const first = result.heldOut[0].loss, last = result.heldOut.at(-1)!.loss;
  ctx.say(`
    The training curve jumps from batch to batch because each batch holds conversations of one
    length, which often means one family: a batch of sums is easier than a batch of concepts.
    The held-out loss, always on the same conversations, is the curve to read.
  `);
  ctx.say(`
    ${formatCount(result.steps)} steps in ${Math.round(result.seconds)} s (${
    formatCount(Math.round(result.tokPerSec))
  } tokens/s${reused ? ", when it was trained" : ""}).
    The held-out loss went from ${first.toFixed(2)} (about ln ${data.tok.vocabSize} =
    ${Math.log(data.tok.vocabSize).toFixed(2)}, a uniform guess) to ${last.toFixed(2)} per
    assistant token. The checkpoint is in ${relative(`${ctx.outDir}/sft/latest`)}.
  `);
}

/**
 * SFT of `model` on the preset's data, or the run saved in `<outDir>/sft` when its inputs (the
 * preset, the encoded conversations, the library's code) are the same: then `reused` is its
 * model. A student fixing exercise 12.2 reruns the lab without training again each time.
 */
async function trainOrReuse(ctx: StepContext, model: GPT, data: ChatData, preset: SftPreset) {
  const dir = `${ctx.outDir}/sft`, runFile = `${dir}/run.json`;
  const examples = [...data.train, ...data.heldOutExamples].flatMap((e) => [e.ids, e.weights]);
  const key = await runKey([preset, data.tok.chars, ...examples]);
  const saved = await loadRun<SftResult>(runFile, key);
  if (saved) {
    try {
      const reused = (await loadChatModel(dir)).model;
      ctx.say(`
        The preset, the ${formatCount(data.train.length)} conversations, the seed and the
        library's code are those of the run saved in ${relative(dir)}, so the lab reuses its
        checkpoint instead of training again (delete that folder to train anew).
      `);
      return { result: saved, reused };
    } catch {
      // The checkpoint does not load: train again below.
    }
  }
  // Until this run is saved, no key may vouch for the checkpoint it is about to replace.
  await Deno.remove(runFile).catch(() => {});
  const result = await sft({
    model,
    tokenizer: data.tok,
    train: data.train,
    heldOut: data.heldOutExamples,
    settings: preset.settings,
    outDir: dir,
  });
  await saveRun(runFile, key, result);
  return { result, reused: undefined };
}

/** The fine-tuned model: this run's, or (a run started with --from) the one it saved. */
async function fineTuned(ctx: StepContext, state: State, preset: SftPreset) {
  state.data ??= prepareChatData(preset, preset.settings.seed);
  state.model ??= (await loadChatModel(`${ctx.outDir}/sft`)).model;
  return { model: state.model, data: state.data };
}

async function evaluate(ctx: StepContext, state: State, preset: SftPreset) {
  const { model, data } = await fineTuned(ctx, state, preset);
  ctx.say(`
    A lower loss is not yet a right answer. The evaluation asks every held-out question (after
    the true earlier turns of its conversation), decodes greedily until <|end|>, and counts a
    reply as right only when it is exactly the expected answer.
  `);
  const evaluation = evaluateChat(model, data.tok, data.heldOut);
  state.evaluation = evaluation;
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  ctx.table([
    ["family", "right", "exact match"],
    ...evaluation.families.map((f) => [f.family, `${f.correct}/${f.total}`, pct(f.accuracy)]),
    [
      "(replies ending their turn)",
      `${evaluation.ended}/${evaluation.replies}`,
      pct(evaluation.endedShare),
    ],
  ]);
  await ctx.chart(
    "accuracy_per_family",
    barChart({
      title: "Held-out exact match per task family",
      data: [
        ...evaluation.families.map((f) => ({
          family: f.family,
          accuracy: f.accuracy,
          label: pct(f.accuracy),
          kind: "task",
        })),
        {
          family: "ends its turn",
          accuracy: evaluation.endedShare,
          label: pct(evaluation.endedShare),
          kind: "format",
        },
      ],
      category: "family",
      value: "accuracy",
      valueTitle: "share of held-out replies",
      format: ".0%",
      domain: [0, 1],
      label: "label",
      color: "kind",
    }),
  );
  ctx.say(`
    Read it family by family. The format comes first: ${pct(evaluation.endedShare)} of the
    replies close their turn, because <|end|> follows every answer and is the easiest token to
    predict. Content comes later and family by family: ${
    evaluation.families.map((f) => `${f.family} ${pct(f.accuracy)}`).join(", ")
  }.
    Counting often scores early because its answers are mostly 0 or 1; spelling and reversing
    need each position to find the right letter of the word, and sums need carries. The quick
    preset stops early on purpose; the full one (\`deno task sft --preset full --minutes 15\`)
    trains longer on more sums, and the README gives its scores.
  `);
}

async function talk(ctx: StepContext, state: State, preset: SftPreset) {
  const { model, data } = await fineTuned(ctx, state, preset);
  const questions = ["what is 23+45?", "reverse llama.", "spell gpt.", "explain attention."];
  const lines = questions.map((q) => {
    const r = reply(model, data.tok, [{ role: "user", text: q }], { maxTokens: 40 });
    return `you> ${q}\nbot> ${r.text}${r.ended ? "" : "  (did not end its turn)"}`;
  });
  ctx.show(lines.join("\n"));
  await ctx.sample("replies", "Greedy replies of the fine-tuned model", lines.join("\n"));
  ctx.say(`
    Talk to it yourself, in the terminal (replies stream token by token; /reset, /temp 0.7, /quit):
  `);
  ctx.show(shellCommand(["deno", "task", "chat", "--ckpt", relative(`${ctx.outDir}/sft`)]));
  ctx.say("or in the browser, on a page served from your machine:");
  ctx.show(
    shellCommand(["deno", "task", "chat", "--ckpt", relative(`${ctx.outDir}/sft`), "--web"]),
  );
  ctx.say(`
    Ask it something outside its five families and you will see what SFT does and does not do:
    it answers in the shape it was taught, ending its turn, whatever the question. Knowledge comes
    from pretraining on far more text; SFT teaches the manners of an assistant.
  `);
}

async function closing(ctx: StepContext, state: State, preset: SftPreset) {
  const { model, data } = await fineTuned(ctx, state, preset);
  const c = model.config;
  ctx.say(`
    That is the whole road: over thirteen labs you wrote each piece, and the library runs
    them at speed.
  `);
  ctx.table([["lab", "what you built"], ...LABS.map((l) => [l.id, l.title])]);
  const gpt3 = 175e9;
  ctx.say(`
    Your assistant has ${formatCount(model.numParameters)} parameters and a context of
    ${c.blockSize} tokens; GPT-3 has ${formatCount(Math.round(gpt3 / model.numParameters))}
    times as many parameters. Three things separate them, and none is a new architecture:
  `);
  ctx.table([
    ["", "parameters", "context", "trained on", "then"],
    [
      "yours",
      formatCount(model.numParameters),
      formatCount(c.blockSize),
      `${formatCount(data.train.length)} conversations the project wrote`,
      "SFT with a masked loss",
    ],
    ["GPT-2 (2019)", "124M to 1.5B", "1,024", "40 GB of web pages (WebText)", "nothing"],
    ["GPT-3 (2020)", "175B", "2,048", "about 300B tokens of web, books, Wikipedia", "nothing"],
    ["GPT-4 (2023)", "not disclosed", "8,192 to 32,768", "not disclosed", "SFT, then RLHF"],
  ]);
  ctx.say(`
    Data: a pretrained model has read a good part of the public web before it is taught to
    chat; yours has read only its conversations, which is why it knows nothing outside them.
    Scale: thousands of GPUs for weeks, for a model whose matrices are the ones you wrote,
    only larger. Alignment: after SFT, ChatGPT learned from people's preferences (RLHF,
    reinforcement learning from human feedback): people rank several replies, a reward model
    learns their ranking, and the assistant is trained to score well with it.

    Where next. PyTorch does on GPUs what lib/ does here (autograd instead of our hand-written
    backward passes); nanoGPT is the same model in about three hundred lines of it. The other
    families: BERT (an encoder, trained to fill in masked words), T5 (an encoder-decoder, every
    task as text to text), LLaMA (a GPT with RMSNorm, SwiGLU and RoPE, trained on more tokens).
    And the reading list the course started with:
  `);
  ctx.table(readingRows());
}

/**
 * Lab 12 with a given SFT preset; the course runs {@link lab} (the quick preset), the tests a
 * tiny one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeLab } from "./12_chatgpt.ts";
 * import { SFT_PRESETS } from "../lib/chat/presets.ts";
 * assert.equal(makeLab(SFT_PRESETS.quick).id, "12");
 * ```
 */
export function makeLab(preset: SftPreset): Lab {
  const state: State = {};
  const tok = new ChatTokenizer([...chatAlphabet()]);
  return {
    id: "12",
    slug: "12_chatgpt",
    title: "A mini-ChatGPT: chat template, masked fine-tuning, evaluation",
    exercises,
    steps: [
      step("From a text model to an assistant", fromTextToAssistant),
      step("The chat template and its special tokens", (ctx) => template(ctx, tok)),
      step("Exercise 12.1: a conversation in the template", yourTemplate),
      step(
        "Conversations the project writes, and a held-out split",
        (ctx) => conversations(ctx, state, preset),
      ),
      step("Masking the loss to the assistant's tokens", (ctx) => maskedLoss(ctx, tok)),
      step("Exercise 12.2: the loss mask", (ctx) => yourMask(ctx, tok)),
      step("Supervised fine-tuning", (ctx) => fineTune(ctx, state, preset)),
      step(
        "Evaluation: exact match per family, and ending the turn",
        (ctx) => evaluate(ctx, state, preset),
      ),
      step("Talk to it", (ctx) => talk(ctx, state, preset)),
      step("What you built, and where to go next", (ctx) => closing(ctx, state, preset)),
    ],
  };
}

/** Lab 12, as the runner sees it. */
export const lab: Lab = makeLab(SFT_PRESETS.quick);
