/**
 * Lab 00 · Introduction: what a large language model is, the pipeline from text to the next
 * token, attention in one example, the three transformer families, and how small our model is
 * next to GPT-2, GPT-3 and GPT-4. Ends with an environment check, two exercises and the course's
 * reading list.
 *
 * Follows the course's notebook 00; its French example sentences are kept as they are.
 * @module
 */
import { barChart } from "../lib/charts.ts";
import { countParameters, GPT2_SMALL, type GPTConfig } from "../lib/model/config.ts";
import { PRESETS } from "../lib/train/presets.ts";
import { runDoctor } from "../lib/course/doctor.ts";
import { READING_LIST, readingRows } from "../lib/course/reading.ts";
import { type Lab, step, type StepContext } from "../lib/course/lab.ts";
import { Rng } from "../lib/random.ts";
import { formatCount } from "../lib/term.ts";
import { exercises } from "./catalog/00_intro.ts";

/** The sentence of the attention example, and the weights "Il" gives each earlier word. */
const CONTEXT = ["Le", "chat", "de", "Marie", "est", "mignon"];
const WEIGHTS_OF_IL = [0.05, 0.80, 0.02, 0.10, 0.01, 0.02];

/** Our mini-GPT: the course's table (the `mini` preset) with a 5,000-token vocabulary. */
const MINI_GPT: GPTConfig = { vocabSize: 5000, ...PRESETS.mini };

function whatIsAnLlm(ctx: StepContext) {
  ctx.say(`
    A large language model (LLM) is a neural network trained on an enormous amount of text to do
    one thing: given the beginning of a text, predict the next piece of it. Doing that well forces
    it to understand language, to generate coherent text, and to pick up tasks along the way:
    translation, summaries, code.

    Some well-known models (sizes are public figures or press estimates; several are not disclosed):
  `);
  ctx.table([
    ["model", "company", "parameters", "released"],
    ["GPT-4", "OpenAI", "~1.76T (estimate)", "2023"],
    ["Claude 3", "Anthropic", "not disclosed", "2024"],
    ["Gemini", "Google", "not disclosed", "2023"],
    ["LLaMA 2", "Meta", "7B to 70B", "2023"],
    ["Mistral 7B", "Mistral AI", "7B", "2023"],
  ]);
  ctx.say(`
    The one we build in these labs has a few million parameters: small enough to train on two CPU
    cores in minutes, big enough to write recognisable Shakespeare.
  `);
}

function history(ctx: StepContext) {
  ctx.table([
    ["year", "milestone"],
    ["1950s", "rule-based systems"],
    ["1986", "recurrent neural networks (RNN)"],
    ["1997", "LSTM (long short-term memory)"],
    ["2013", "word2vec: words as vectors"],
    ["2017", 'the Transformer: "Attention Is All You Need" (Vaswani et al.)'],
    ["2018", "GPT-1 and BERT"],
    ["2019", "GPT-2"],
    ["2020", "GPT-3: abilities emerge with scale"],
    ["2022", "ChatGPT"],
    ["2023", "GPT-4, LLaMA, Claude 2"],
    ["2024", "Claude 3, Gemini, strong open models"],
  ]);
  ctx.say(`
    Why the 2017 Transformer changed everything: an RNN reads a text one word after another, so
    training is sequential and the start of a long text fades from its memory. A Transformer
    looks at every position at once (parallel, fast on modern hardware) and any word can attend
    directly to any earlier word, however far back. It also trains more stably, which is what
    let models grow from millions to hundreds of billions of parameters.
  `);
}

function pipeline(ctx: StepContext) {
  const text = "Le chat mange une";
  const bytes = [...new TextEncoder().encode(text)];
  ctx.say(`
    Every LLM runs the same pipeline. Here it is on the prompt "${text}", with real numbers from
    the simplest possible choices (UTF-8 bytes as tokens, a random embedding table):
  `);
  ctx.show(`
  text ──▶ 1. tokens ──▶ 2. vectors ──▶ 3. + positions ──▶ 4. transformer blocks
                                                                    │
  "souris" ◀── 6. sampling ◀── 5. probabilities over the vocabulary ◀┘
  `);
  ctx.say(
    `1. Tokenization turns text into integers. As bytes, "${text}" is ${bytes.length} tokens:`,
  );
  ctx.show(`[${bytes.join(", ")}]`);
  const dim = 4;
  const table = new Rng(0).normalArray(256 * dim, 0.5);
  const vector = (id: number) =>
    [...table.subarray(id * dim, id * dim + dim)].map((x) => x.toFixed(2));
  ctx.say(`
    2. An embedding table turns each token id into a dense vector (here ${dim} numbers; ours
    will use 128 to 384, GPT-3 uses 12,288). "L" is byte ${bytes[0]}, so its vector is row
    ${bytes[0]} of the table: [${vector(bytes[0]).join(", ")}].

    3. Position information is added, so that "chat mange" and "mange chat" differ.
    4. A stack of transformer blocks lets every position gather information from earlier ones
    (attention) and transform it (a small neural network).
    5. A final layer scores every token of the vocabulary; softmax turns the scores into
    probabilities. 6. Sampling picks one token, appends it, and the loop starts again.
  `);
}

async function attentionOfIl(ctx: StepContext) {
  ctx.say(`
    Read: "Le chat de Marie est mignon. Il aime jouer." Who is "Il"? A person looks back and
    sees the cat. Attention does the same with numbers: the position of "Il" gives each earlier
    word a weight, the weights sum to 1, and "Il" takes in mostly what has high weight.
    These weights are illustrative (a trained model computes its own, lab 03 shows how):
  `);
  ctx.table([["word", "weight"], ...CONTEXT.map((w, i) => [w, percents([WEIGHTS_OF_IL[i]])])]);
  await ctx.chart(
    "attention_il",
    barChart({
      title: 'Attention of "Il" over its context',
      data: CONTEXT.map((w, i) => ({
        word: w,
        weight: WEIGHTS_OF_IL[i],
        label: percents([WEIGHTS_OF_IL[i]]),
        focus: WEIGHTS_OF_IL[i] >= 0.5 ? "most attended" : "other",
      })),
      category: "word",
      value: "weight",
      categoryTitle: "context word",
      valueTitle: "attention weight",
      horizontal: true,
      format: ".0%",
      domain: [0, 1],
      label: "label",
      color: "focus",
    }),
  );
  ctx.say(`
    Nobody tells the model to look at "chat": it learns where to look because looking there
    helps it predict the next word.
  `);
}

function threeFamilies(ctx: StepContext) {
  ctx.table([
    ["family", "attention", "trained to", "examples", "used for"],
    [
      "decoder-only",
      "causal: sees the past only",
      "predict the next token",
      "GPT, LLaMA, Mistral",
      "chat, generation",
    ],
    [
      "encoder-only",
      "bidirectional: sees both sides",
      "fill in a [MASK]",
      "BERT, RoBERTa",
      "classification, search",
    ],
    [
      "encoder-decoder",
      "both, with cross-attention",
      "map input text to output",
      "T5, BART",
      "translation, summaries",
    ],
  ]);
  const words = ["Le", "chat", "mange", "une"];
  const grid = (visible: (i: number, j: number) => boolean) =>
    words.map((w, i) =>
      `${w.padEnd(6)}${words.map((_, j) => (visible(i, j) ? " ●" : " ·")).join("")}`
    )
      .join("\n");
  ctx.say("Which word can see which (● sees, · hidden), rows looking at columns:");
  ctx.show(
    `GPT (causal)         BERT (bidirectional)\n` +
      grid((i, j) => j <= i).split("\n").map((l, r) =>
        `${l}          ${grid(() => true).split("\n")[r]}`
      )
        .join("\n"),
  );
  ctx.say(`
    GPT reads "Le chat mange" and continues "une souris". BERT reads "Le [MASK] mange une
    souris" and fills in "chat". T5 reads "traduire en anglais : Le chat mange" and writes
    "The cat eats". We build a GPT: one kind of block, an objective anyone can follow (guess the
    next token), and at the end a model you can talk to.
  `);
}

async function scale(ctx: StepContext) {
  const ours = countParameters(MINI_GPT);
  const gpt2 = countParameters(GPT2_SMALL);
  const gpt3: GPTConfig = {
    vocabSize: 50257,
    blockSize: 2048,
    nLayer: 96,
    nHead: 96,
    nEmbd: 12288,
  };
  ctx.table([
    ["", "our mini-GPT", "GPT-2 small", "GPT-3", "GPT-4"],
    ["vocabulary", "5,000", "50,257", "50,257", "~100k"],
    ["embedding width", PRESETS.mini.nEmbd, 768, "12,288", "not disclosed"],
    ["layers", PRESETS.mini.nLayer, 12, 96, "not disclosed"],
    ["attention heads", PRESETS.mini.nHead, 12, 96, "not disclosed"],
    ["context (tokens)", PRESETS.mini.blockSize, "1,024", "2,048", "8k to 128k"],
    [
      "parameters",
      formatCount(ours),
      formatCount(gpt2),
      formatCount(countParameters(gpt3)),
      "~1.76T (estimate)",
    ],
    ["training text", "1 MB", "40 GB", "~570 GB filtered", "not disclosed"],
  ]);
  ctx.say(`
    The parameter counts of our model, GPT-2 small and GPT-3 above are computed by one formula
    from their shapes (exercise 00.2 asks you to write it): it gives GPT-2 small's real count,
    ${formatCount(gpt2)}, and ${
    formatCount(countParameters(gpt3), true)
  } for GPT-3's published shape
    (OpenAI rounds to 175B). Our mini-GPT is ${
    formatCount(Math.round(countParameters(gpt3) / ours))
  }
    times smaller than GPT-3. The scale needs a log axis to fit on one chart:
  `);
  const models = [
    { model: "our mini-GPT", params: ours },
    { model: "GPT-2 small", params: gpt2 },
    { model: "GPT-2 XL", params: 1.5e9 },
    { model: "GPT-3", params: 175e9 },
    { model: "GPT-4 (estimate)", params: 1.76e12 },
  ];
  await ctx.chart(
    "parameter_scale",
    barChart({
      title: "Model size (log scale)",
      data: models.map((m) => ({ ...m, label: formatCount(m.params, true) })),
      category: "model",
      value: "params",
      valueTitle: "parameters",
      log: true,
      format: ".2s",
      label: "label",
      color: "model",
    }),
  );
  ctx.say(`
    What our model will do: write text in the style of its training data, complete sentences,
    follow simple patterns, and show attention at work. What it will not: rival ChatGPT, reason,
    follow varied instructions or know much of the world. The goal is understanding.
  `);
}

function generation(ctx: StepContext) {
  ctx.say(`
    GPT writes one token at a time. Each step feeds everything so far back into the model, reads
    the probabilities of the next token, picks one and appends it:
  `);
  ctx.show(`
  tokens = tokenize(prompt)
  repeat 50 times:
      logits = model(tokens)               # a score for every token of the vocabulary
      probs  = softmax(logits[last])       # scores → probabilities
      next   = sample(probs, temperature)  # pick one
      tokens.push(next)
  `);
  ctx.table([
    ["step", "context", "most likely next tokens", "chosen"],
    [1, "Il était une fois", "un 35%, une 25%, le 15%", "un"],
    [2, "Il était une fois un", "roi 40%, prince 20%, dragon 10%", "roi"],
    [3, "Il était une fois un roi", "qui 50%, « , » 20%, nommé 15%", "qui"],
  ]);
  ctx.say("(Illustrative probabilities; lab 10 samples from a model you trained.)");
}

function whyFromScratch(ctx: StepContext) {
  ctx.say(`
    Two lines of a library load GPT-2. Building one from scratch is how you understand it well
    enough to debug it, improve it and explain it: "if you cannot build it, you do not really
    understand it". Every piece here is written out in TypeScript you can read, with its forward
    and backward pass, and the fast version of each hot loop (WebAssembly SIMD) sits beside a plain
    one that it is tested against. The road ahead:
  `);
  ctx.table([
    ["lab", "what you build"],
    ["01", "tokenization: text → numbers (byte-pair encoding)"],
    ["02", "embeddings: numbers → vectors that mean something"],
    ["03", "attention: queries, keys, values"],
    ["04", "multi-head attention"],
    ["05", "positional encodings"],
    ["06", "the transformer block"],
    ["07", "the complete GPT"],
    ["08", "the dataset"],
    ["09", "training"],
    ["10", "generation"],
    ["11", "fine-tuning"],
    ["12", "a mini-ChatGPT"],
  ]);
}

async function environment(ctx: StepContext) {
  const checks = await runDoctor();
  ctx.table([
    ["check", "", "result"],
    ...checks.map((c) => [c.name, c.ok ? "OK" : "!!", c.detail]),
  ]);
  if (checks.some((c) => !c.ok)) {
    ctx.say("Lines marked !! say what to do; labs 00–07 need no corpus.");
  }
}

function percents(weights: number[]): string {
  return weights.map((w) => `${Math.round(w * 100)}%`).join(", ");
}

async function yourSoftmax(ctx: StepContext) {
  ctx.say(`
    Your turn. Attention weights and next-token probabilities both come from softmax, which
    turns any list of scores into positive numbers that sum to 1. Write it in
    labs/exercises/00_intro.ts; the lab checks it against the library's own on several inputs.
  `);
  const softmax = await ctx.exercise<(scores: number[]) => number[]>("00.1");
  const scores = WEIGHTS_OF_IL.map(Math.log);
  const weights = softmax(scores);
  ctx.say(`
    With your softmax, the scores log(weight) for each word of "${CONTEXT.join(" ")}" give back
    the weights: ${percents(weights)}. Halving every score flattens them,
    ${percents(softmax(scores.map((s) => s / 2)))}; doubling sharpens them,
    ${percents(softmax(scores.map((s) => s * 2)))} (lab 03 calls this the temperature).
  `);
}

async function yourParameterCount(ctx: StepContext) {
  ctx.say(`
    Second exercise: count the parameters of a GPT from its shape. Every later lab builds the
    pieces you count here.
  `);
  const count = await ctx.exercise<(config: GPTConfig) => number>("00.2");
  ctx.table([
    ["preset", "layers", "width", "parameters (65 characters)", "parameters (5,000 BPE tokens)"],
    ...Object.entries(PRESETS).map(([name, p]) => [
      name,
      p.nLayer,
      p.nEmbd,
      formatCount(count({ vocabSize: 65, ...p })),
      formatCount(count({ vocabSize: 5000, ...p })),
    ]),
  ]);
  ctx.say("Lab 01 is next: `deno task lab 01`, turning text into tokens.");
}

function furtherReading(ctx: StepContext) {
  const [paper] = READING_LIST;
  ctx.say(`
    The course follows a handful of papers and tutorials. Read "${paper.title}" (${paper.year})
    first, or beside lab 03; the others as the labs reach them. Each lab says which idea it
    takes from where.
  `);
  ctx.table(readingRows());
}

/** Lab 00, as the runner sees it. */
export const lab: Lab = {
  id: "00",
  slug: "00_intro",
  title: "Introduction: what an LLM is",
  exercises,
  steps: [
    step("What a large language model is", whatIsAnLlm),
    step("From RNNs to the Transformer", history),
    step("The pipeline: text → tokens → vectors → blocks → probabilities → sampling", pipeline),
    step("Attention in one example", attentionOfIl),
    step("GPT, BERT and T5", threeFamilies),
    step("Our mini-GPT next to GPT-2, GPT-3 and GPT-4", scale),
    step("How GPT writes: one token at a time", generation),
    step("Why build it from scratch", whyFromScratch),
    step("Your environment", environment),
    step("Exercise 00.1: softmax", yourSoftmax),
    step("Exercise 00.2: counting parameters", yourParameterCount),
    step("Further reading", furtherReading),
  ],
};
