import assert from "node:assert/strict";
import { turnsOf } from "../lib/chat/data.ts";
import { reply } from "../lib/chat/eval.ts";
import { serveChat } from "../lib/chat/web.ts";
import { ChatTokenizer } from "../lib/chat/template.ts";
import { TINY_CHATS, tinyChatModel } from "./chat_fixture.ts";

/** Sends `head` (request line and headers, CRLF-separated) and `body` as is; returns the reply. */
async function raw(port: number, head: string[], body = ""): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const bytes = new TextEncoder().encode(body);
  const text = [...head, `content-length: ${bytes.length}`, "connection: close", "", ""].join(
    "\r\n",
  );
  await conn.write(new TextEncoder().encode(text));
  await conn.write(bytes);
  let out = "";
  for await (const chunk of conn.readable.pipeThrough(new TextDecoderStream())) out += chunk;
  return out;
}

/** A chat server for `tok` on a free port, and its address. */
async function serve(tok?: ChatTokenizer) {
  const fixture = await tinyChatModel();
  const url = Promise.withResolvers<string>();
  const server = serveChat(fixture.model, tok ?? fixture.tok, {
    port: 0,
    temperature: 0,
    onListen: url.resolve,
  });
  const base = await url.promise;
  return { server, base, port: Number(new URL(base).port) };
}

function post(base: string, body: BodyInit, headers: Record<string, string> = {}) {
  return fetch(`${base}chat`, { method: "POST", body, headers });
}

/** The texts of the `kind` events in a stream of server-sent events, one per event. */
function texts(events: string, kind: string): string[] {
  return [...events.matchAll(new RegExp(`^event: ${kind}\ndata: (.*)$`, "gm"))].map((m) =>
    JSON.parse(m[1]).text
  );
}

/** The reply a stream of server-sent events carries. */
function replyText(events: string): string {
  return texts(events, "piece").join("");
}

Deno.test("the chat page answers only at the loopback address it bound, and only its own pages", async () => {
  const { server, base, port } = await serve();
  const { model, tok } = await tinyChatModel();
  const question = TINY_CHATS[0][0].question;
  const expected = reply(model, tok, turnsOf(TINY_CHATS[0]).slice(0, 1)).text;
  try {
    const foreign = await raw(port, ["GET / HTTP/1.1", "host: attacker.example:8000"]);
    assert.match(foreign, /^HTTP\/1\.1 403/);
    assert.match(
      texts(foreign, "notice")[0],
      /^This chat answers only at 127\.0\.0\.1:\d+, not at "attacker\.example:8000"\.$/,
    );
    assert.doesNotMatch(foreign, /<title>/);
    const ok = await raw(port, ["GET / HTTP/1.1", `host: 127.0.0.1:${port}`]);
    assert.match(ok, /^HTTP\/1\.1 200/);
    assert.match(ok, /<title>minigpt-lab chat<\/title>/);
    assert.match(await raw(port, ["GET / HTTP/1.1", `host: localhost:${port}`]), /^HTTP\/1\.1 200/);

    const crossSite = await raw(port, [
      "POST /chat HTTP/1.1",
      `host: 127.0.0.1:${port}`,
      "origin: http://attacker.example",
      "content-type: text/plain",
    ], JSON.stringify({ message: "/temp 3" }));
    assert.match(crossSite, /^HTTP\/1\.1 403/);
    assert.deepEqual(texts(crossSite, "notice"), [
      "A page from http://attacker.example may not talk to this chat.",
    ]);
    // The temperature did not change: the reply is still the greedy one.
    const events = await (await post(base, JSON.stringify({ message: question }), {
      origin: base.replace(/\/$/, ""),
    })).text();
    assert.equal(replyText(events), expected);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a malformed or oversized body gets a sentence, and the server goes on answering", async () => {
  const { server, base } = await serve();
  try {
    for (const body of ['{"message": {"text": "hi"}}', "not json", "[1]", '{"message": 3}']) {
      const res = await post(base, body);
      assert.equal(res.status, 400, body);
      assert.deepEqual(texts(await res.text(), "notice"), [
        'The request must be JSON of the form {"message": "some text"}.',
      ]);
    }
    const big = await post(base, JSON.stringify({ message: "1".repeat(5 * 2 ** 20) }));
    assert.equal(big.status, 413);
    assert.deepEqual(texts(await big.text(), "notice"), [
      "The message is over 4 MiB: send a shorter one.",
    ]);
    // A body without a length (chunked) is counted as it arrives.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 6; i++) controller.enqueue(new Uint8Array(2 ** 20).fill(49));
        controller.close();
      },
    });
    const streamed = await post(base, chunks);
    assert.equal(streamed.status, 413);
    await streamed.body?.cancel();
    const next = await (await post(base, JSON.stringify({ message: TINY_CHATS[0][0].question })))
      .text();
    assert.match(next, /event: done/);
  } finally {
    await server.shutdown();
  }
});

/** The page is free again: a question from the training set gets a whole answer. */
async function assertAnswersNext(base: string): Promise<void> {
  const next = await (await post(base, JSON.stringify({ message: TINY_CHATS[0][0].question })))
    .text();
  assert.doesNotMatch(next, /Still answering/);
  assert.match(next, /event: done/);
}

Deno.test("a message of a million characters gets a sentence, and the next message an answer", async () => {
  const { server, base } = await serve();
  try {
    const huge = await (await post(base, JSON.stringify({ message: "1".repeat(1_000_000) })))
      .text();
    assert.match(texts(huge, "notice")[0], /only its last \d+ characters are used\.$/);
    assert.match(huge, /event: done/);
    await assertAnswersNext(base);
  } finally {
    await server.shutdown();
  }
});

/** A tokenizer that fails once, as a bug would, then works. */
class FailsOnce extends ChatTokenizer {
  failed = false;
  override encodeText(text: string): number[] {
    if (!this.failed) {
      this.failed = true;
      throw new RangeError("a fault of our own");
    }
    return super.encodeText(text);
  }
}

Deno.test("a reply that fails midway is a notice, and the page is free for the next message", async () => {
  const { tok } = await tinyChatModel();
  const { server, base } = await serve(new FailsOnce([...tok.chars]));
  try {
    const failed = await (await post(base, JSON.stringify({ message: "what is 1+2?" }))).text();
    assert.match(texts(failed, "notice")[0], /^The reply failed on an internal error/);
    await assertAnswersNext(base);
  } finally {
    await server.shutdown();
  }
});

Deno.test("the chat page and its notices speak the run's language", async () => {
  const { setLang, lang } = await import("../lib/i18n.ts");
  const before = lang();
  setLang("fr");
  const { server, base } = await serve();
  try {
    const page = await (await fetch(base)).text();
    assert.match(page, /<html lang="fr">/);
    assert.match(page, /Envoyer/);
    assert.match(page, /Pose une question/);
    assert.doesNotMatch(page, /Ask something|>Send</);
    const reset = await (await post(base, JSON.stringify({ message: "/reset" }))).text();
    assert.deepEqual(texts(reset, "notice"), ["Nouvelle conversation."]);
    const malformed = await post(base, JSON.stringify({ message: { text: "hi" } }));
    assert.equal(malformed.status, 400);
    assert.match(await malformed.text(), /La requête doit être du JSON/);
  } finally {
    setLang(before);
    await server.shutdown();
  }
  setLang("en");
  const english = await serve();
  try {
    const page = await (await fetch(english.base)).text();
    assert.match(page, /<html lang="en">/);
    assert.match(page, />Send</);
  } finally {
    setLang(before);
    await english.server.shutdown();
  }
});
