/**
 * `deno task chat --web`: the chat in a browser. One page served by Deno.serve on localhost, no
 * external assets; each reply comes back as server-sent events (`piece`, `notice`, `done`) over
 * a POST, written to the page as they arrive. One conversation per server: it is a local tool.
 * @module
 */
import { UserError } from "../errors.ts";
import { lang, tr } from "../i18n.ts";
import type { GPT } from "../model/gpt.ts";
import { type ChatEvent, ChatSession } from "./session.ts";
import type { ChatTokenizer } from "./template.ts";

/** Options of {@link serveChat}. */
export interface WebChatOptions {
  /** Default 8000; 0 picks a free port. */
  port?: number;
  temperature?: number;
  /** Called with the page's address once the server listens. */
  onListen?: (url: string) => void;
}

/** The largest request body the page accepts: a message of a million characters fits. */
export const MAX_BODY_BYTES = 4 * 2 ** 20;

/**
 * Serves the chat page for `model` on 127.0.0.1; a port in use is one sentence. Only requests
 * addressed to that loopback server (Host 127.0.0.1:PORT or localhost:PORT) are served, which
 * shuts out a DNS-rebinding page, and a POST from a page of another origin is refused, so no
 * other site can talk to the model or change its settings.
 *
 * @example
 * ```ts ignore opens a port
 * import { serveChat } from "./web.ts";
 * const server = serveChat(model, tok, { port: 0, onListen: (url) => console.log(url) });
 * await server.shutdown();
 * ```
 */
export function serveChat(
  model: GPT,
  tok: ChatTokenizer,
  options: WebChatOptions = {},
): Deno.HttpServer<Deno.NetAddr> {
  const session = new ChatSession(model, tok, { temperature: options.temperature });
  let busy = false;
  const port = options.port ?? 8000;
  let hosts: string[] = [];
  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const host = req.headers.get("host") ?? "";
    if (!hosts.includes(host)) {
      return refuse(
        403,
        tr({
          en: `This chat answers only at ${hosts[0]}, not at "${host}".`,
          fr: `Cette conversation ne répond qu'à ${hosts[0]}, pas à « ${host} ».`,
        }),
      );
    }
    if (req.method === "GET" && url.pathname === "/") {
      return new Response(page(), { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (req.method !== "POST" || url.pathname !== "/chat") {
      return new Response("Not found", { status: 404 });
    }
    // Browsers name the page a POST comes from; a tool such as curl names none.
    const origin = req.headers.get("origin");
    if (origin !== null && origin !== `http://${host}`) {
      return refuse(
        403,
        tr({
          en: `A page from ${origin} may not talk to this chat.`,
          fr: `Une page de ${origin} n'a pas le droit de parler à cette conversation.`,
        }),
      );
    }
    const body = await readBody(req);
    if (typeof body !== "string") return body;
    let message: unknown;
    try {
      message = JSON.parse(body).message;
    } catch {
      message = undefined;
    }
    if (typeof message !== "string") {
      return refuse(
        400,
        tr({
          en: 'The request must be JSON of the form {"message": "some text"}.',
          fr: 'La requête doit être du JSON de la forme {"message": "un texte"}.',
        }),
      );
    }
    if (busy) {
      const text = tr({
        en: "Still answering: wait for the reply.",
        fr: "Réponse en cours : attends qu'elle finisse.",
      });
      return sse([{ kind: "notice", text }]);
    }
    const command = message.trim();
    if (command === "/reset") {
      session.reset();
      return sse([{
        kind: "notice",
        text: tr({ en: "New conversation.", fr: "Nouvelle conversation." }),
      }]);
    }
    if (command.startsWith("/temp")) {
      try {
        session.setTemperature(command.slice(5));
        const t = session.temperature;
        return sse([{
          kind: "notice",
          text: tr({ en: `Temperature ${t}.`, fr: `Température ${t}.` }),
        }]);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        return sse([{ kind: "notice", text: err.message }]);
      }
    }
    busy = true;
    return sse(session.send(message), () => (busy = false));
  };
  try {
    return Deno.serve({
      hostname: "127.0.0.1",
      port,
      onListen: ({ port }) => {
        hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
        options.onListen?.(`http://127.0.0.1:${port}/`);
      },
      // A request that breaks off midway (the page closed while sending) is a sentence too.
      onError: (err) => {
        const why = (err as Error)?.message?.split("\n")[0] ?? err;
        return refuse(
          500,
          tr({ en: `The request failed: ${why}.`, fr: `La requête a échoué : ${why}.` }),
        );
      },
    }, handler);
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      throw new UserError(tr({
        en: `Port ${port} is already in use: pick another with --port N.`,
        fr: `Le port ${port} est déjà pris : choisis-en un autre avec --port N.`,
      }));
    }
    throw err;
  }
}

/** The request's body as text, or the refusal of one over {@link MAX_BODY_BYTES}. */
async function readBody(req: Request): Promise<string | Response> {
  const tooBig = () =>
    refuse(
      413,
      tr({
        en: `The message is over ${MAX_BODY_BYTES / 2 ** 20} MiB: send a shorter one.`,
        fr: `Le message dépasse ${MAX_BODY_BYTES / 2 ** 20} Mio : envoie-en un plus court.`,
      }),
    );
  if (Number(req.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return tooBig();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Counted as it arrives, so that a body without a length cannot fill the memory either.
  for await (const chunk of req.body ?? []) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return tooBig();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

/** A refusal the page shows as a notice (and any other client reads as its status and text). */
function refuse(status: number, text: string): Response {
  return sse([{ kind: "notice", text }], undefined, status);
}

/**
 * A server-sent-events response, one event per pull: the event loop runs between two pieces,
 * so each piece leaves as soon as the model has produced it. `onEnd` runs once, however the
 * stream ends: all sent, cancelled by the page, or failed (which the page sees as a notice).
 */
function sse(events: Iterable<ChatEvent>, onEnd?: () => void, status = 200): Response {
  const it = events[Symbol.iterator]();
  const enc = new TextEncoder();
  let ended = false;
  const end = () => {
    if (!ended) onEnd?.();
    ended = true;
  };
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, event: ChatEvent) => {
    const { kind, ...data } = event;
    controller.enqueue(enc.encode(`event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`));
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      let next: IteratorResult<ChatEvent>;
      try {
        next = it.next();
      } catch (err) {
        end();
        const text = err instanceof UserError ? err.message : tr({
          en: `The reply failed on an internal error (${(err as Error)?.message ?? err}).`,
          fr: `La réponse a échoué sur une erreur interne (${(err as Error)?.message ?? err}).`,
        });
        send(controller, { kind: "notice", text });
        controller.close();
        return;
      }
      if (next.done) {
        end();
        controller.close();
        return;
      }
      send(controller, next.value);
    },
    cancel() {
      end();
      it.return?.();
    },
  });
  return new Response(body, {
    status,
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

/** The chat page, in the run's language; its script and styles are inline, nothing is fetched. */
function page(): string {
  const t = (text: { en: string; fr: string }) => tr(text);
  return `<!doctype html>
<html lang="${lang()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>minigpt-lab chat</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
  #log { display: flex; flex-direction: column; gap: .5rem; min-height: 10rem; }
  .msg { padding: .5rem .75rem; border-radius: .75rem; max-width: 80%; white-space: pre-wrap; }
  .user { align-self: flex-end; background: #dbeafe; }
  .assistant { align-self: flex-start; background: #f3f4f6; font-family: ui-monospace, monospace; }
  .notice { align-self: center; color: #92400e; font-size: .9rem; }
  form { display: flex; gap: .5rem; margin-top: 1rem; }
  #message { flex: 1; padding: .5rem; font-size: 1rem; }
  small { color: #6b7280; }
</style>
</head>
<body>
<h1>minigpt-lab chat</h1>
<p><small>${
    t({
      en: `Your own model, answering token by token. Try "what is 23+45?", "reverse llama.",
"spell gpt.", "how many a in banana?", "what is attention?". Commands: /reset, /temp 0.7.`,
      fr: `Ton propre modèle, qui répond token par token. Essaie : combien font 23 + 45 ? ·
écris lama à l'envers. · épelle le mot gpt. · combien de « a » dans banane ? ·
c'est quoi l'attention ? Commandes : /reset, /temp 0.7.`,
    })
  }</small></p>
<div id="log"></div>
<form id="form">
  <input id="message" autocomplete="off" placeholder="${
    t({ en: "Ask something", fr: "Pose une question" })
  }" autofocus>
  <button id="send">${t({ en: "Send", fr: "Envoyer" })}</button>
  <button id="reset" type="button">${t({ en: "Reset", fr: "Recommencer" })}</button>
</form>
<script>
const log = document.getElementById("log");
const form = document.getElementById("form");
const input = document.getElementById("message");
function bubble(cls, text) {
  const div = document.createElement("div");
  div.className = "msg " + cls;
  div.textContent = text;
  log.appendChild(div);
  return div;
}
async function send(message) {
  const res = await fetch("/chat", { method: "POST", body: JSON.stringify({ message }) });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "", reply = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let i;
    while ((i = buffer.indexOf("\\n\\n")) >= 0) {
      const frame = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const kind = frame.match(/^event: (.*)$/m)[1];
      const data = JSON.parse(frame.match(/^data: (.*)$/m)[1]);
      if (kind === "notice") bubble("notice", data.text);
      else {
        if (!reply) {
          reply = bubble("assistant", "");
          reply.dataset.pieces = "0";
          reply.dataset.state = "streaming";
        }
        if (kind === "piece") {
          reply.textContent += data.text;
          reply.dataset.pieces = String(Number(reply.dataset.pieces) + 1);
        } else if (kind === "done") {
          reply.dataset.state = data.ended ? "done" : "cut";
          if (!data.ended) reply.title = ${
    JSON.stringify(
      t({ en: "the model did not end its turn", fr: "le modèle n'a pas fini son tour" }),
    )
  };
        }
      }
    }
  }
}
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const message = input.value;
  input.value = "";
  if (!message.trim().startsWith("/")) bubble("user", message);
  await send(message);
});
document.getElementById("reset").addEventListener("click", async () => {
  log.textContent = "";
  await send("/reset");
});
</script>
</body>
</html>
`;
}
