import assert from "node:assert/strict";
import {
  downloadVerified,
  loadCorpus,
  readTextCorpus,
  TokenDataset,
} from "../lib/train/dataset.ts";
import { LOCAL_CORPUS_DIR } from "../lib/train/corpus.ts";
import { UserError } from "../lib/errors.ts";
import { Rng } from "../lib/random.ts";

Deno.test("batches pair each input token with the next one as its target", () => {
  const tokens = Int32Array.from({ length: 1000 }, (_, i) => i);
  const ds = new TokenDataset(tokens, 0.1);
  assert.equal(ds.train.length, 900);
  assert.equal(ds.val[0], 900);
  const { inputs, targets } = ds.batch("val", 4, 16, new Rng(1));
  for (let i = 0; i < inputs.length; i++) {
    assert.equal(targets[i], inputs[i] + 1);
    assert.ok(inputs[i] >= 900);
  }
  for (let b = 0; b < 4; b++) {
    for (let t = 1; t < 16; t++) assert.equal(inputs[b * 16 + t], inputs[b * 16 + t - 1] + 1);
  }
});

Deno.test("batches are reproducible from the generator's state", () => {
  const ds = new TokenDataset(Int32Array.from({ length: 500 }, (_, i) => (i * 7) % 31));
  const a = new Rng(3), b = new Rng(3);
  assert.deepEqual(ds.batch("train", 3, 8, a), ds.batch("train", 3, 8, b));
  const saved = a.state;
  const next = ds.batch("train", 3, 8, a);
  const resumed = new Rng(0);
  resumed.state = saved;
  assert.deepEqual(ds.batch("train", 3, 8, resumed), next);
});

Deno.test("a split too short for the context says so with the numbers", () => {
  const ds = new TokenDataset(Int32Array.from({ length: 50 }), 0.1);
  assert.throws(
    () => ds.batch("val", 1, 16, new Rng(0)),
    /val split has 5 tokens, too few for a context of 16/,
  );
});

Deno.test("empty, non-UTF-8 and missing corpora each get one clear sentence", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/empty.txt`, new Uint8Array());
  await Deno.writeFile(`${dir}/latin1.txt`, new Uint8Array([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1
  await assert.rejects(
    () => readTextCorpus(`${dir}/empty.txt`),
    (e) => e instanceof UserError && /is empty/.test(e.message),
  );
  await assert.rejects(() => readTextCorpus(`${dir}/latin1.txt`), /not valid UTF-8/);
  await assert.rejects(() => loadCorpus(`${dir}/missing.txt`), /No file at .*missing\.txt/);
  await assert.rejects(() => loadCorpus(dir), /is a folder/);
});

Deno.test({
  name: "a registry corpus that is absent, offline, says how to supply it",
  // A copy in data/corpora/ would be found; the test needs a machine without one.
  ignore: (() => {
    try {
      return Deno.statSync(`${LOCAL_CORPUS_DIR}tinyshakespeare.txt`).isFile;
    } catch {
      return false;
    }
  })(),
  async fn() {
    const env = Deno.env.get("MINIGPT_DATA");
    Deno.env.set("MINIGPT_DATA", await Deno.makeTempDir());
    try {
      // download: false stands for "offline" without touching the network.
      await assert.rejects(
        () => loadCorpus("tinyshakespeare", { download: false }),
        (e) =>
          e instanceof UserError &&
          /tinyshakespeare corpus was not found: download it from https:/.test(e.message),
      );
    } finally {
      if (env === undefined) Deno.env.delete("MINIGPT_DATA");
      else Deno.env.set("MINIGPT_DATA", env);
    }
  },
});

Deno.test("a download is kept only when its size and sha256 match", async () => {
  const body = new TextEncoder().encode("First line.\nSecond line.\n");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(body),
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/corpus.txt`;
    const dir = await Deno.makeTempDir();
    await downloadVerified(url, `${dir}/ok.txt`, { bytes: body.length, sha256 });
    assert.equal(await Deno.readTextFile(`${dir}/ok.txt`), "First line.\nSecond line.\n");
    await assert.rejects(
      () => downloadVerified(url, `${dir}/bad.txt`, { bytes: body.length, sha256: "0".repeat(64) }),
      /not the expected ones/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["ok.txt"]);
  } finally {
    await server.shutdown();
  }
});
