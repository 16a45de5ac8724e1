import assert from "node:assert/strict";
import { hasChromium, launchChromium } from "./chromium.ts";
import { turnsOf } from "../lib/chat/data.ts";
import { reply } from "../lib/chat/eval.ts";
import { serveChat } from "../lib/chat/web.ts";
import { TINY_CHATS, tinyChatModel } from "./chat_fixture.ts";

Deno.test({
  name: "the chat page in headless Chromium: a typed message gets a streamed reply",
  // Only a machine without Debian's chromium skips it, and deno test lists it as ignored.
  ignore: !hasChromium,
  // Playwright keeps a few pipes and timers of its own beyond the browser's lifetime.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { model, tok } = await tinyChatModel();
    const question = TINY_CHATS[0][0].question;
    const expected = reply(model, tok, turnsOf(TINY_CHATS[0]).slice(0, 1)).text;
    assert.ok(expected.length > 1);
    const url = Promise.withResolvers<string>();
    const server = serveChat(model, tok, { port: 0, temperature: 0, onListen: url.resolve });
    const chrome = await launchChromium();
    const browser = chrome.browser;
    try {
      const page = await browser.newPage();
      await page.goto(await url.promise);
      await page.fill("#message", question);
      await page.press("#message", "Enter");
      const bubble = page.locator(".assistant").first();
      await bubble.waitFor();
      await page.waitForSelector(".assistant[data-state=done]", { timeout: 10_000 });
      assert.equal(await bubble.textContent(), expected);
      // One server-sent event per token: the reply arrived in pieces, not in one block.
      assert.equal(Number(await bubble.getAttribute("data-pieces")), expected.length);
      assert.equal(await page.locator(".user").first().textContent(), question);
      await page.fill("#message", "   ");
      await page.press("#message", "Enter");
      await page.waitForSelector(".notice");
      assert.match((await page.locator(".notice").first().textContent())!, /empty/);
    } finally {
      await chrome.close();
      await server.shutdown();
    }
  },
});
