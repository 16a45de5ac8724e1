import assert from "node:assert/strict";
import { turnsOf } from "../lib/chat/data.ts";
import { reply } from "../lib/chat/eval.ts";
import { ChatSession } from "../lib/chat/session.ts";
import { ChatTokenizer } from "../lib/chat/template.ts";
import { saveCheckpoint } from "../lib/train/checkpoint.ts";
import { GPT } from "../lib/model/gpt.ts";
import { TINY_CHATS, tinyChatModel } from "./chat_fixture.ts";
import { hasStackTrace, ROOT, runCli } from "./helpers.ts";

Deno.test("chat in the terminal: streamed greedy reply, /temp, /reset, bad input, /quit", async () => {
  const { dir, model, tok } = await tinyChatModel();
  const question = TINY_CHATS[0][0].question;
  const expected = reply(model, tok, turnsOf(TINY_CHATS[0]).slice(0, 1)).text;
  assert.ok(expected.length > 0);
  const long = "what is 12+34? ".repeat(5);
  const run = await runCli(["chat", "--ckpt", dir, "--temperature", "0"], {
    stdin: [
      question,
      "/temp 2",
      "/temp hot",
      "   ",
      "😀",
      "What is 12+34 😀?",
      "/reset",
      long,
      "/quit",
      "never read",
    ]
      .join("\n") + "\n",
  });
  assert.equal(run.code, 0, run.stderr);
  const out = run.stdout;
  assert.ok(out.includes(`bot> ${expected}\n`), out);
  assert.match(out, /\(temperature 2\)/);
  assert.match(out, /The temperature must be a number of 0 \(greedy\) or more, not "hot"\./);
  assert.match(out, /The message is empty/);
  // A line of nothing the model knows is refused; one stray character is left out, not the line.
  assert.match(out, /never saw the character "😀" and nothing else is left to read/);
  assert.match(out, /never saw the character "😀": it is left out, the rest is read\./);
  assert.match(out, /\(new conversation\)/);
  assert.match(out, /only its last \d+ characters are used/);
  assert.match(out, /Bye\./);
  assert.ok(!out.includes("never read"));
});

Deno.test("a French message: ’ becomes ', capitals are lowered, notices speak French", async () => {
  const { model, tok } = await tinyChatModel();
  const session = new ChatSession(model, tok, { temperature: 0, lang: "fr" });
  const events = [...session.send("C’est 12 + 3 ✓")];
  const notices = events.filter((e) => e.kind === "notice").map((e) => e.text);
  assert.deepEqual(notices, [
    "Ce modèle n'a jamais vu « ✓ » : je le laisse de côté et je lis le reste.",
  ]);
  assert.equal(session.turns[0].text, "c'est 12 + 3");
  assert.equal(events.at(-1)?.kind, "done");
  const empty = [...session.send("  ")];
  assert.deepEqual(empty.map((e) => e.text), ["Le message est vide : tape d'abord une question."]);
});

Deno.test("a long conversation drops its oldest turns and says so once, when it first happens", async () => {
  const { model, tok } = await tinyChatModel();
  const session = new ChatSession(model, tok, { temperature: 0 });
  const notices: string[][] = [];
  for (let i = 0; i < 8; i++) {
    const turn: string[] = [];
    for (const e of session.send("what is 11+22?")) if (e.kind === "notice") turn.push(e.text);
    notices.push(turn);
  }
  const outgrown = notices.map((turn) => turn.filter((n) => /outgrew the model's context/.test(n)));
  assert.equal(outgrown.flat().length, 1, notices.join("\n"));
  const first = outgrown.findIndex((turn) => turn.length === 1);
  assert.ok(first >= 1, "the first turn fits");
  assert.match(outgrown[first][0], /oldest turns are forgotten/);
  // It was said when it first happened: the turn before still held the whole conversation.
  assert.ok(session.turns.length >= 2 && session.turns.length % 2 === 0);
  session.reset();
  for (let i = 0; i < 8; i++) {
    for (const e of session.send("what is 11+22?")) {
      if (e.kind === "notice" && /outgrew/.test(e.text)) notices.push([e.text]);
    }
  }
  assert.equal(notices.flat().filter((n) => /outgrew/.test(n)).length, 2, "once per conversation");
});

/** A model that, greedy, always writes `char` and never ends its turn: its replies show their cap. */
function chatterbox(tok: ChatTokenizer, char: string, blockSize: number): GPT {
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize, nLayer: 1, nHead: 1, nEmbd: 4 }, 0);
  // The final LayerNorm outputs its bias alone, (1, 0, 0, 0), whose logits are wte's first column.
  model.p.ln_f.weight.fill(0);
  model.p.ln_f.bias.set([1, 0, 0, 0]);
  for (let v = 0; v < tok.vocabSize; v++) model.p.wte[v * 4] = 0;
  model.p.wte[tok.encodeText(char)[0] * 4] = 10;
  return model;
}

Deno.test("a reply may use all the context its prompt leaves, not a fixed share of it", () => {
  const tok = ChatTokenizer.fromText("abc ?");
  const model = chatterbox(tok, "a", 64);
  const session = new ChatSession(model, tok, { temperature: 0 });
  const events = [...session.send("abc?")];
  const done = events.find((e) => e.kind === "done")!;
  // The prompt is <|user|> a b c ? <|end|> <|assistant|>: 7 tokens, which leave 57.
  assert.equal(done.text, "a".repeat(57));
  assert.equal(events.filter((e) => e.kind === "piece").length, 57);
});

Deno.test("a message of a million characters gets a sentence, and the next one an answer", async () => {
  const { model, tok } = await tinyChatModel();
  const session = new ChatSession(model, tok, { temperature: 0 });
  const huge = [...session.send("1".repeat(1_000_000))];
  assert.match(
    huge.find((e) => e.kind === "notice")!.text,
    /The message is 1,000,003 tokens and the model reads 24 at most: only its last 21 characters are used\./,
  );
  assert.ok(huge.some((e) => e.kind === "done"));
  const question = TINY_CHATS[0][0].question;
  const next = [...session.send(question)];
  assert.ok(next.some((e) => e.kind === "done"));
});

Deno.test("the terminal chat survives a line of a million characters and answers the next", async () => {
  const { dir, model, tok } = await tinyChatModel();
  const question = TINY_CHATS[0][0].question;
  const expected = reply(model, tok, turnsOf(TINY_CHATS[0]).slice(0, 1)).text;
  const run = await runCli(["chat", "--ckpt", dir, "--temperature", "0"], {
    stdin: ["1".repeat(1_000_000), "/reset", question, "/quit"].join("\n") + "\n",
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!hasStackTrace(run.stderr), run.stderr);
  assert.match(run.stdout, /only its last \d+ characters are used/);
  assert.ok(run.stdout.includes(`bot> ${expected}\n`), run.stdout.slice(-2000));
});

Deno.test("chat refuses a checkpoint without chat tokens, a missing one and a busy port in one sentence", async () => {
  const plain = await Deno.makeTempDir();
  await saveCheckpoint(`${plain}/latest`, {
    model: new GPT({ vocabSize: 3, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }),
    tokenizer: { kind: "char", data: '["a","b","c"]' },
    optimizer: null,
    state: null,
  });
  const noChat = await runCli(["chat", "--ckpt", plain]);
  assert.equal(noChat.code, 2);
  assert.match(noChat.stderr, /has no chat tokens .* fine-tune a chat model first/);
  assert.doesNotMatch(noChat.stderr, /\n\s+at /);
  const none = await runCli(["chat"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--ckpt DIR/);
  // The sampler's one rule, as in `deno task sample`.
  const cold = await runCli(["chat", "--ckpt", plain, "--temperature", "-1"]);
  assert.equal(cold.code, 2);
  assert.equal(
    cold.stderr.trim(),
    "The temperature must be a number of 0 (greedy) or more, not -1.",
  );

  const { dir } = await tinyChatModel();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const busy = await runCli([
      "chat",
      "--ckpt",
      dir,
      "--web",
      "--port",
      String(listener.addr.port),
    ]);
    assert.equal(busy.code, 2);
    assert.equal(
      busy.stderr.trim(),
      `Port ${listener.addr.port} is already in use: pick another with --port N.`,
    );
  } finally {
    listener.close();
  }
});

Deno.test("Ctrl-C leaves the terminal chat cleanly, with exit code 0", async () => {
  const { dir } = await tinyChatModel();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}/main.ts`, "chat", "--ckpt", dir],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("you> ")) out += (await reader.read()).value ?? "";
  child.kill("SIGINT");
  for (let r = await reader.read(); !r.done; r = await reader.read()) out += r.value;
  const status = await child.status;
  await child.stdin.close();
  await child.stderr.cancel();
  assert.equal(status.code, 0);
  assert.match(out, /Bye\.\n$/);
});

Deno.test("chat --web serves one self-contained page and stops cleanly on Ctrl-C", async () => {
  const { dir } = await tinyChatModel();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}/main.ts`, "chat", "--ckpt", dir, "--web", "--port", "0"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!/http:\/\/\S+\//.test(out)) out += (await reader.read()).value ?? "";
  const url = out.match(/http:\/\/\S+\//)![0];
  const page = await (await fetch(url)).text();
  assert.match(page, /<title>minigpt-lab chat<\/title>/);
  assert.doesNotMatch(page, /(src|href)=["']?(https?:)?\/\//, "no external assets");
  const events = await (await fetch(`${url}chat`, {
    method: "POST",
    body: JSON.stringify({ message: "" }),
  })).text();
  assert.match(events, /^event: notice\ndata: \{"text":"The message is empty/);
  child.kill("SIGINT");
  for (let r = await reader.read(); !r.done; r = await reader.read()) out += r.value;
  await child.stderr.cancel();
  assert.equal((await child.status).code, 0);
});

Deno.test("the terminal chat speaks French with --lang fr, its prompt included", async () => {
  const { dir } = await tinyChatModel();
  const run = await runCli(["chat", "--ckpt", dir, "--temperature", "0", "--lang", "fr"], {
    stdin: "/reset\n/quit\n",
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^toi> /m);
  assert.match(run.stdout, /\(nouvelle conversation\)/);
  assert.doesNotMatch(run.stdout, /you> |new conversation/);
});
