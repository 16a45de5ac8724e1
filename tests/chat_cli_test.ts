import assert from "node:assert/strict";
import { turnsOf } from "../lib/chat/data.ts";
import { reply } from "../lib/chat/eval.ts";
import { ChatSession } from "../lib/chat/session.ts";
import { saveCheckpoint } from "../lib/train/checkpoint.ts";
import { GPT } from "../lib/model/gpt.ts";
import { TINY_CHATS, tinyChatModel } from "./chat_fixture.ts";
import { ROOT, runCli } from "./helpers.ts";

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
  assert.match(out, /The temperature must be a number from 0 \(greedy\) to 5, not " hot"\./);
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

Deno.test("a long conversation drops its oldest turns and says so", async () => {
  const { model, tok } = await tinyChatModel();
  const session = new ChatSession(model, tok, { temperature: 0 });
  const notices: string[] = [];
  for (let i = 0; i < 4; i++) {
    for (const e of session.send("what is 11+22?")) if (e.kind === "notice") notices.push(e.text);
  }
  assert.ok(notices.some((n) => /oldest turns are forgotten/.test(n)), notices.join("\n"));
  assert.ok(session.turns.length >= 2 && session.turns.length % 2 === 0);
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
