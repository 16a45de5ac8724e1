import assert from "node:assert/strict";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import {
  chatAlphabet,
  FAMILIES,
  generateConversations,
  isHeldOut,
  turnsOf,
} from "../lib/chat/data.ts";
import { evaluateChat, reply } from "../lib/chat/eval.ts";
import { encodeExamples, padBatch, sft } from "../lib/chat/sft.ts";
import {
  assistantTargetMask,
  ChatTokenizer,
  encodeConversation,
  formatConversation,
} from "../lib/chat/template.ts";
import { GPT } from "../lib/model/gpt.ts";
import { restoreTokenizer } from "../lib/tokenizer/saved.ts";
import { tinySft } from "./chat_fixture.ts";
import { inFrench } from "./helpers.ts";

const tok = new ChatTokenizer([...chatAlphabet()]);

Deno.test("the template gives each special token one id and the mask covers the assistant's tokens", () => {
  const turns = turnsOf([{ family: "addition", lang: "en", question: "1+2=?", answer: "3" }]);
  assert.equal(formatConversation(turns), "<|user|>1+2=?<|end|><|assistant|>3<|end|>");
  const ids = encodeConversation(tok, turns);
  assert.equal(ids.length, 1 + 5 + 1 + 1 + 1 + 1);
  assert.equal(tok.decode(ids), formatConversation(turns));
  // Typing the text of a special token gives its characters, never its id.
  const wide = ChatTokenizer.fromText("<|end>");
  assert.ok(!wide.encodeText("<|end|>").includes(wide.special.end));
  const w = assistantTargetMask(ids, tok.special);
  // Targets ids[1..]: only "3" and the final <|end|> are the assistant's.
  assert.deepEqual([...w], [0, 0, 0, 0, 0, 0, 0, 1, 1]);
  assert.equal(tok.decode(ids.slice(1).filter((_, i) => w[i] === 1)), "3<|end|>");
});

Deno.test("a multi-turn conversation masks every assistant reply and no user turn", () => {
  const conv = generateConversations({ count: 50, split: "train", seed: 3 }).find((c) =>
    c.length >= 2
  )!;
  const ids = encodeConversation(tok, turnsOf(conv));
  const w = assistantTargetMask(ids, tok.special);
  const learned = tok.decode(ids.slice(1).filter((_, i) => w[i] === 1));
  assert.equal(learned, conv.map((e) => e.answer + "<|end|>").join(""));
});

Deno.test("generated conversations are seeded, correct, and the held-out split shares no sum or word", () => {
  const a = generateConversations({ count: 300, split: "train", seed: 9 });
  assert.deepEqual(a, generateConversations({ count: 300, split: "train", seed: 9 }));
  const held = generateConversations({ count: 300, split: "heldout", seed: 9 });
  const seen = new Set(FAMILIES.filter((f) => a.flat().some((e) => e.family === f)));
  assert.equal(seen.size, FAMILIES.length);
  for (const [convs, out] of [[a, false], [held, true]] as const) {
    for (const e of convs.flat()) {
      if (e.family === "addition") {
        const [x, y] = e.question.match(/\d+/g)!.map(Number);
        assert.equal(Number(e.answer), x + y);
        assert.ok(x >= 10 && x <= 99 && y >= 10 && y <= 99);
        assert.equal(isHeldOut(`${x}+${y}`), out, e.question);
      } else if (e.family === "reverse") {
        const w = e.question.match(/(?:reverse|write|écris|de) ([a-z]+)/)![1];
        assert.equal(e.answer, [...w].reverse().join(""));
        assert.equal(isHeldOut(w), out);
      } else if (e.family === "count") {
        const [, l, w] = e.question.match(
          /(?:many |the |« |de )([a-z])(?: »)? (?:in|dans) ([a-z]+)/,
        )!;
        assert.equal(Number(e.answer), [...w].filter((c) => c === l).length);
      }
      for (const c of e.question + e.answer) assert.ok(chatAlphabet().includes(c), c);
    }
  }
  const phrasings = (cs: typeof a) =>
    new Set(cs.flat().filter((e) => e.family === "concept").map((e) => e.question.split(" ")[0]));
  assert.deepEqual([...phrasings(held)].sort(), ["explain", "explique"]);
  assert.ok(!phrasings(a).has("explain") && !phrasings(a).has("explique"));
  // One language per conversation, and every family in each.
  for (const c of a) assert.equal(new Set(c.map((e) => e.lang)).size, 1);
  for (const lang of ["en", "fr"]) {
    const families = new Set(a.flat().filter((e) => e.lang === lang).map((e) => e.family));
    assert.equal(families.size, FAMILIES.length, lang);
  }
  const french = a.flat().filter((e) => e.lang === "fr").map((e) => e.question).join("\n");
  for (const phrase of ["combien font", "à l'envers", "épelle le mot", "combien de « "]) {
    assert.ok(french.includes(phrase), phrase);
  }
  for (const c of "éèêàâçôîùûëïœ«»'") assert.ok(chatAlphabet().includes(c), c);
});

Deno.test("padding a batch adds positions of weight 0 only", () => {
  const convs = generateConversations({ count: 4, split: "train", seed: 1, maxExchanges: 1 });
  const { examples } = encodeExamples(tok, convs, 64);
  const b = padBatch(examples, tok.special.end);
  const total = examples.reduce((s, e) => s + e.weights.reduce((x, y) => x + y), 0);
  assert.equal(b.weights.reduce((x, y) => x + y), total);
  assert.equal(b.T, Math.max(...examples.map((e) => e.ids.length - 1)));
  const { dropped } = encodeExamples(tok, convs, 8);
  assert.equal(dropped, 4);
});

Deno.test("SFT on a few conversations lowers the masked loss, saves a chat checkpoint and replies", async () => {
  const convs = generateConversations({
    count: 8,
    split: "train",
    seed: 1,
    maxExchanges: 1,
    families: ["addition"],
  });
  const outDir = await Deno.makeTempDir();
  const { result } = await tinySft(tok, convs, 32, outDir);
  assert.equal(result.steps, 40);
  assert.ok(
    result.heldOut.at(-1)!.loss < result.heldOut[0].loss * 0.6,
    JSON.stringify(result.heldOut),
  );
  const metrics = (await Deno.readTextFile(`${outDir}/metrics.jsonl`)).trim().split("\n");
  assert.equal(metrics.length, 40 + 3);
  const ckpt = await loadCheckpoint(`${outDir}/latest`);
  assert.equal(ckpt.tokenizer.kind, "chat");
  const back = ChatTokenizer.restore(ckpt.tokenizer);
  assert.deepEqual(back.chars, tok.chars);
  assert.throws(() => restoreTokenizer(ckpt.tokenizer), /chat model/);
  assert.throws(() => ChatTokenizer.restore({ kind: "char", data: '["a"]' }), /no chat tokens/);
  await inFrench(() => {
    assert.throws(
      () => restoreTokenizer(ckpt.tokenizer),
      /^UserError: Il y a un modèle de chat dans le checkpoint : parle-lui plutôt avec `deno task chat --ckpt`\.$/,
    );
    assert.throws(
      () => ChatTokenizer.restore({ kind: "char", data: '["a"]' }),
      /^UserError: Il n'y a pas de tokens de chat dans le checkpoint \(son tokenizer est de niveau char/,
    );
    assert.throws(
      () => back.encodeText("😀"),
      /^UserError: Ce modèle n'a jamais vu le caractère « 😀 »/,
    );
  });
  const evaluation = evaluateChat(ckpt.model, back, convs);
  assert.equal(evaluation.replies, 8);
  assert.deepEqual(evaluation.families.map((f) => f.family), ["addition"]);
  // The trained model has learned to close its turn on its training questions.
  assert.ok(evaluation.endedShare >= 0.75, JSON.stringify(evaluation));
  let streamed = "";
  const r = reply(ckpt.model, back, turnsOf(convs[0]).slice(0, 1), {
    onText: (t) => (streamed += t),
  });
  assert.equal(streamed, r.text);
});

/** Two conversations a step, no decay and no clipping: SFT at its smallest, for its loop's tests. */
const TINY_SFT = {
  batchSize: 2,
  warmupSteps: 1,
  maxLr: 1e-3,
  minLr: 1e-4,
  weightDecay: 0,
  gradClip: 0,
  evalEvery: 100,
  seed: 1,
};

Deno.test("a time budget ends SFT after the step that exceeds it, and says so", async () => {
  const convs = generateConversations({ count: 4, split: "train", seed: 1, maxExchanges: 1 });
  const { examples } = encodeExamples(tok, convs, 64);
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize: 64, nLayer: 1, nHead: 1, nEmbd: 8 });
  const lines: string[] = [];
  const result = await sft({
    model,
    tokenizer: tok,
    train: examples,
    heldOut: [],
    settings: { ...TINY_SFT, steps: 50 },
    timeBudget: 0,
    progress: (line) => lines.push(line),
  });
  assert.equal(result.steps, 1);
  assert.ok(result.outOfTime && !result.interrupted);
  assert.match(lines.join("\n"), /time budget of 0 s reached after step 1/);
});

Deno.test("SFT's progress, in French, reads as pre-training's: step, loss, lr, speed, time left", async () => {
  const convs = generateConversations({ count: 6, split: "train", seed: 2, maxExchanges: 1 });
  const { examples } = encodeExamples(tok, convs, 64);
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize: 64, nLayer: 1, nHead: 1, nEmbd: 8 });
  const lines: string[] = [];
  await inFrench(() =>
    sft({
      model,
      tokenizer: tok,
      train: examples.slice(0, 4),
      heldOut: examples.slice(4),
      settings: { ...TINY_SFT, steps: 3 },
      progress: (line) => lines.push(line),
    })
  );
  assert.match(lines[0], /^pas 0\/3 · perte de validation \d,\d{4}$/);
  const steps = lines.filter((l) => / · lr /.test(l));
  assert.equal(steps.length, 3, lines.join("\n"));
  for (const line of steps) {
    assert.match(
      line,
      /^pas \d\/3 · perte \d,\d{4} · lr \d\.\d\de-\d · [\d\u202f]+ tok\/s · reste \d+s$/,
    );
  }
  assert.match(lines.at(-1)!, /^pas 3\/3 · perte de validation \d,\d{4}$/);
});
