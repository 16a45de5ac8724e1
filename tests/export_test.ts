import assert from "node:assert/strict";
import { GPT } from "../lib/model/gpt.ts";
import type { GPTConfig } from "../lib/model/config.ts";
import { type Checkpoint, loadCheckpoint } from "../lib/train/checkpoint.ts";
import { runExport, runImport } from "../lib/train/export.ts";
import { readHfFolder } from "../lib/train/hf.ts";
import { decodeLlmc, encodeLlmc, paddedVocab } from "../lib/train/llmc.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/train/safetensors.ts";
import { CharTokenizer } from "../lib/tokenizer/char.ts";
import { bpeFromHf, bpeToHf } from "../lib/tokenizer/hf.ts";
import { formatTokenizer, parseTokenizer } from "../lib/tokenizer/io.ts";
import { GPT2_SPLIT_PATTERN } from "../lib/tokenizer/regex.ts";
import { restoreTokenizer, saveTokenizer } from "../lib/tokenizer/saved.ts";
import { gpt2Tokenizer } from "../lib/tokenizer/tiktoken.ts";
import { trainBpe } from "../lib/tokenizer/train.ts";
import { hasStackTrace, runCli } from "./helpers.ts";
import { exportWithCorpus, logitsOf, spreadCheckpoint } from "./model_fixture.ts";

const TEXT = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind.\n";
const SHAPE = { blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };
const quiet = { print: () => {} };

/** A checkpoint of a seeded model with weights spread like a trained one's. */
function makeCheckpoint(
  dir: string,
  tokenizer: Checkpoint["tokenizer"],
  vocabSize: number,
  extra: Partial<GPTConfig> = {},
): Promise<GPT> {
  return spreadCheckpoint(dir, { ...SHAPE, vocabSize, ...extra }, 5, tokenizer);
}

const TOKENS = [1, 4, 2, 7, 0, 3, 5, 6];

Deno.test("export to hf and llmc, then import: the same logits exactly, and the same tokenizer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-export-" });
  const char = CharTokenizer.fromText(TEXT);
  const bpe = trainBpe(TEXT.repeat(3), { vocabSize: 270 });
  const chat = {
    kind: "chat" as const,
    data: JSON.stringify({ chars: char.chars, special: ["<|user|>", "<|assistant|>", "<|end|>"] }),
  };
  const cases = [
    { name: "char", tokenizer: saveTokenizer(char), vocab: char.vocabSize, extra: {} },
    { name: "bpe", tokenizer: saveTokenizer(bpe), vocab: bpe.vocabSize, extra: {} },
    { name: "chat", tokenizer: chat, vocab: char.vocabSize + 3, extra: {} },
    {
      name: "sinusoidal",
      tokenizer: saveTokenizer(char),
      vocab: char.vocabSize,
      extra: { positional: "sinusoidal" as const },
    },
  ];
  for (const c of cases) {
    const model = await makeCheckpoint(`${dir}/${c.name}`, c.tokenizer, c.vocab, c.extra);
    const want = logitsOf(model, TOKENS);
    for (const to of ["hf", "llmc"] as const) {
      const out = `${dir}/${c.name}-${to}${to === "llmc" ? ".bin" : ""}`;
      await runExport({ ckpt: `${dir}/${c.name}`, to, out, ...quiet });
      await runImport({ from: out, out: `${dir}/${c.name}-${to}-back`, ...quiet });
      const back = await loadCheckpoint(`${dir}/${c.name}-${to}-back`);
      assert.deepEqual(logitsOf(back.model, TOKENS), want, `${c.name} through ${to}`);
      assert.equal(back.tokenizer.kind, c.tokenizer.kind, `${c.name} through ${to}`);
      if (c.tokenizer.kind === "bpe" && to === "hf") {
        assert.equal(back.tokenizer.data, c.tokenizer.data, "our own split pattern comes back too");
      }
      if (c.tokenizer.kind !== "chat") {
        const tok = restoreTokenizer(back.tokenizer);
        assert.equal(tok.decode(tok.encode(TEXT)), TEXT);
        if (c.name === "bpe" && to === "llmc") {
          // llm.c's tokenizer file keeps no split pattern: the merges come back under GPT-2's.
          const before = parseTokenizer(c.tokenizer.data);
          const after = parseTokenizer(back.tokenizer.data);
          assert.equal(after.pattern, GPT2_SPLIT_PATTERN);
          assert.deepEqual([after.merges, after.byteIds], [before.merges, before.byteIds]);
        } else assert.deepEqual(tok.encode(TEXT), restoreTokenizer(c.tokenizer).encode(TEXT));
      } else assert.deepEqual(JSON.parse(back.tokenizer.data), JSON.parse(chat.data));
    }
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the hf folder is GPT-2's layout: config fields, Conv1D weights (in, out), no lm_head", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-hf-" });
  const tok = CharTokenizer.fromText(TEXT);
  const model = await makeCheckpoint(`${dir}/ckpt`, saveTokenizer(tok), tok.vocabSize);
  await runExport({ ckpt: `${dir}/ckpt`, to: "hf", out: `${dir}/hf`, ...quiet });
  const config = JSON.parse(await Deno.readTextFile(`${dir}/hf/config.json`));
  assert.equal(config.model_type, "gpt2");
  assert.deepEqual(config.architectures, ["GPT2LMHeadModel"]);
  assert.equal(config.activation_function, "gelu_new");
  assert.equal(config.layer_norm_epsilon, 1e-5);
  assert.equal(config.tie_word_embeddings, true);
  assert.deepEqual([config.resid_pdrop, config.embd_pdrop, config.attn_pdrop], [0, 0, 0]);
  assert.deepEqual(
    [config.vocab_size, config.n_positions, config.n_layer, config.n_head, config.n_embd],
    [tok.vocabSize, 8, 2, 2, 8],
  );
  const path = `${dir}/hf/model.safetensors`;
  const { tensors, metadata } = decodeSafetensors(await Deno.readFile(path), path);
  assert.equal(metadata.format, "pt");
  assert.ok(!("lm_head.weight" in tensors), "the tied head is not written twice");
  const C = 8;
  const cAttn = tensors["transformer.h.1.attn.c_attn.weight"];
  assert.deepEqual(cAttn.shape, [C, 3 * C]);
  const ours = model.p.h[1].attn.c_attn.weight; // (3C, C)
  assert.equal(
    cAttn.data[2 * 3 * C + 5],
    ours[5 * C + 2],
    "stored (in, out): [i][o] is our [o][i]",
  );
  assert.deepEqual(tensors["transformer.h.0.mlp.c_proj.weight"].shape, [4 * C, C]);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/hf/tokenizer.json`));
  assert.equal(json.model.type, "WordLevel");
  assert.equal(json.model.vocab["\n"], 0);
  assert.deepEqual(json.decoder, { type: "Fuse" });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("GPT-2's tokenizer as vocab.json + merges.txt spells bytes as GPT-2 does and comes back whole", async () => {
  const gpt2 = await gpt2Tokenizer();
  const files = bpeToHf(gpt2);
  const vocab = JSON.parse(files.vocab);
  // Known ids of GPT-2's published vocab.json.
  assert.equal(vocab["Ġworld"], 995);
  assert.equal(vocab["Hello"], 15496);
  assert.equal(vocab["<|endoftext|>"], 50256);
  assert.equal(vocab["Ċ"], 198);
  assert.equal(files.merges.split("\n")[1], "Ġ t", "GPT-2's first merge");
  const back = bpeFromHf(files);
  assert.equal(formatTokenizer(back), formatTokenizer(gpt2));
  assert.equal(back.encode("Hello world").join(), "15496,995");
});

Deno.test("llm.c's file: header, padded vocabulary, parameters in llm.c's order", () => {
  const model = new GPT({ ...SHAPE, vocabSize: 130 }, 2);
  const bytes = encodeLlmc(model);
  const header = new Int32Array(bytes.buffer, 0, 256);
  assert.deepEqual([...header.subarray(0, 8)], [20240326, 3, 8, 130, 2, 2, 8, 256]);
  assert.equal(paddedVocab(50257), 50304);
  const body = new Float32Array(bytes.buffer, 1024);
  const C = 8, Vp = 256, T = 8, L = 2;
  assert.equal(body.length, model.numParameters + (Vp - 130) * C);
  assert.ok(body.subarray(130 * C, Vp * C).every((x) => x === 0), "padding rows are zeros");
  const ln1 = Vp * C + T * C; // after wte and wpe: ln_1.weight of every layer, then ln_1.bias
  assert.deepEqual(body.subarray(ln1 + C, ln1 + 2 * C), model.p.h[1].ln_1.weight);
  assert.deepEqual(body.subarray(ln1 + L * C, ln1 + L * C + C), model.p.h[0].ln_1.bias);
  assert.deepEqual(decodeLlmc(bytes, "m.bin").params, model.params);
});

Deno.test("--data writes the corpus in the model's tokens: uint16, cut 90/10", async () => {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-data-" });
  const tok = CharTokenizer.fromText(TEXT);
  await makeCheckpoint(`${dir}/ckpt`, saveTokenizer(tok), tok.vocabSize);
  await exportWithCorpus(dir, TEXT.repeat(4));
  const ids = tok.encode(TEXT.repeat(4));
  const cut = Math.floor(ids.length * 0.9);
  const train = new Uint16Array((await Deno.readFile(`${dir}/hf/train.bin`)).buffer);
  const val = new Uint16Array((await Deno.readFile(`${dir}/hf/val.bin`)).buffer);
  assert.deepEqual([...train], ids.slice(0, cut));
  assert.deepEqual([...val], ids.slice(cut));
  await runExport({
    ckpt: `${dir}/ckpt`,
    to: "llmc",
    out: `${dir}/m.bin`,
    data: true,
    corpus: `${dir}/corpus.txt`,
    ...quiet,
  });
  const llmc = await Deno.readFile(`${dir}/m_train.bin`);
  assert.deepEqual([...new Int32Array(llmc.buffer, 0, 3)], [20240520, 1, cut]);
  assert.deepEqual([...new Uint16Array(llmc.buffer, 1024)], ids.slice(0, cut));
  await Deno.remove(dir, { recursive: true });
});

/**
 * A new folder of what the refusal tests feed export and import: a checkpoint (ckpt/), a RoPE one
 * (rope/), ckpt's Hugging Face export (hf/) and llm.c file (m.bin), and copies of hf/ truncated,
 * with a ReLU and as a llama.
 */
async function refusalFolders(): Promise<
  { dir: string; vocabSize: number; truncated: string; relu: string; llama: string }
> {
  const dir = await Deno.makeTempDir({ prefix: "minigpt-export-refused-" });
  const tok = CharTokenizer.fromText(TEXT);
  await makeCheckpoint(`${dir}/ckpt`, saveTokenizer(tok), tok.vocabSize);
  await makeCheckpoint(`${dir}/rope`, saveTokenizer(tok), tok.vocabSize, { positional: "rope" });
  await runExport({ ckpt: `${dir}/ckpt`, to: "hf", out: `${dir}/hf`, ...quiet });
  await runExport({ ckpt: `${dir}/ckpt`, to: "llmc", out: `${dir}/m.bin`, ...quiet });
  const copy = (name: string) => copyOfHf(dir, name);
  const truncated = await copy("truncated");
  const st = await Deno.readFile(`${truncated}/model.safetensors`);
  await Deno.writeFile(`${truncated}/model.safetensors`, st.subarray(0, st.length - 100));
  const relu = await copy("relu");
  const config = JSON.parse(await Deno.readTextFile(`${relu}/config.json`));
  await Deno.writeTextFile(
    `${relu}/config.json`,
    JSON.stringify({ ...config, activation_function: "relu" }),
  );
  const llama = await copy("llama");
  await Deno.writeTextFile(
    `${llama}/config.json`,
    JSON.stringify({ ...config, model_type: "llama" }),
  );
  return { dir, vocabSize: tok.vocabSize, truncated, relu, llama };
}

/** A copy of `dir`/hf/ as `dir`/`name`/, for a test to damage. */
async function copyOfHf(dir: string, name: string): Promise<string> {
  await Deno.mkdir(`${dir}/${name}`);
  for (const f of Deno.readDirSync(`${dir}/hf`)) {
    await Deno.copyFile(`${dir}/hf/${f.name}`, `${dir}/${name}/${f.name}`);
  }
  return `${dir}/${name}`;
}

Deno.test("in French, export and import refuse bad input in French and sum up in French", async () => {
  const { dir } = await refusalFolders();
  const env = { MINIGPT_LANG: "fr" };
  const cases: [string[], RegExp][] = [
    [
      ["export", "--ckpt", `${dir}/rope`, "--to", "hf", "--out", `${dir}/x`],
      /^Ce modèle utilise RoPE, que GPT-2 n'a pas, donc aucun chargeur GPT-2 ne pourrait le faire tourner : exporte /,
    ],
    [
      ["export", "--ckpt", `${dir}/ckpt`, "--to", "hf", "--out", `${dir}/hf`],
      /^\S+hf existe déjà : passe --force pour le remplacer, ou choisis un autre --out\.$/,
    ],
    [
      ["import", "--from", `${dir}/nothing`, "--out", `${dir}/x`],
      /^Il n'y a rien à \S+nothing : passe un dossier GPT-2 Hugging Face ou un fichier de modèle llm\.c\.$/,
    ],
    [
      ["import", "--from", `${dir}/llama`, "--out", `${dir}/x`],
      /^\S+llama n'est pas un modèle GPT-2 que ce projet sait faire tourner : son model_type est llama, pas gpt2\.$/,
    ],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args, { cwd: dir, env });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr.trim(), message, args.join(" "));
    assert.equal(run.stderr.trim().split("\n").length, 1, `one sentence: ${run.stderr}`);
    assert.ok(!hasStackTrace(run.stderr), run.stderr);
  }
  await assert.rejects(Deno.stat(`${dir}/x`), "no output is left by a refused command");
  const imported = await runCli(["import", "--from", `${dir}/hf`, "--out", `${dir}/back`], {
    cwd: dir,
    env,
  });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(
    imported.stdout,
    /^\S+hf importé \(2 couches, largeur 8, contexte 8, \d+ tokens\) dans \S+back en \d+,\d s : `deno task sample --ckpt \S+back` en tire des échantillons\.$/m,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad input: one sentence, exit 2, and nothing of the user's overwritten", async () => {
  const { dir, vocabSize, truncated, relu, llama } = await refusalFolders();
  const magic = new Uint8Array(await Deno.readFile(`${dir}/m.bin`));
  magic[0] ^= 1;
  await Deno.writeFile(`${dir}/bad.bin`, magic);
  await Deno.writeFile(`${dir}/short.bin`, (await Deno.readFile(`${dir}/m.bin`)).subarray(0, 2000));
  await Deno.mkdir(`${dir}/empty`);
  await Deno.mkdir(`${dir}/taken`);
  await Deno.writeTextFile(`${dir}/taken/mine.txt`, "keep me");

  const cases: [string[], RegExp][] = [
    [["export", "--ckpt", `${dir}/empty`, "--to", "hf", "--out", `${dir}/x`], /No checkpoint at/],
    [
      ["export", "--ckpt", `${dir}/rope`, "--to", "hf", "--out", `${dir}/x`],
      /uses RoPE, which GPT-2 does not have/,
    ],
    [["export", "--ckpt", `${dir}/rope`, "--to", "llmc", "--out", `${dir}/x.bin`], /uses RoPE/],
    [
      ["export", "--ckpt", `${dir}/ckpt`, "--to", "hf", "--out", `${dir}/taken`],
      /already exists: pass --force/,
    ],
    [["import", "--from", `${dir}/empty`, "--out", `${dir}/x`], /has no config\.json/],
    [
      ["import", "--from", truncated, "--out", `${dir}/x`],
      /not a usable safetensors file.*truncated/,
    ],
    [["import", "--from", relu, "--out", `${dir}/x`], /activation_function is "relu"/],
    [["import", "--from", llama, "--out", `${dir}/x`], /model_type is llama, not gpt2/],
    [
      ["import", "--from", `${dir}/bad.bin`, "--out", `${dir}/x`],
      /magic number is \d+, not 20240326/,
    ],
    [["import", "--from", `${dir}/short.bin`, "--out", `${dir}/x`], /truncated/],
    [["import", "--from", `${dir}/hf`, "--out", `${dir}/taken`], /already exists: pass --force/],
    [["import", "--from", `${dir}/nothing`, "--out", `${dir}/x`], /There is nothing at/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args, { cwd: dir });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(" "));
    assert.equal(run.stderr.trim().split("\n").length, 1, `one sentence: ${run.stderr}`);
    assert.ok(!hasStackTrace(run.stderr), run.stderr);
  }
  assert.equal(await Deno.readTextFile(`${dir}/taken/mine.txt`), "keep me");
  await assert.rejects(Deno.stat(`${dir}/x`), "no output is left by a refused command");

  const forced = await runCli(
    ["import", "--from", `${dir}/hf`, "--out", `${dir}/taken`, "--force"],
    { cwd: dir },
  );
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((await loadCheckpoint(`${dir}/taken`)).model.config.vocabSize, vocabSize);
  const untied = await copyOfHf(dir, "untied");
  const path = `${untied}/model.safetensors`;
  const { tensors } = decodeSafetensors(await Deno.readFile(path), path);
  const head = tensors["transformer.wte.weight"].data.map((x) => x * 2);
  await Deno.writeFile(
    path,
    encodeSafetensors({
      ...tensors,
      "lm_head.weight": { shape: tensors["transformer.wte.weight"].shape, data: head },
    }),
  );
  await assert.rejects(
    readHfFolder(untied),
    /lm_head\.weight differs from transformer\.wte\.weight/,
  );
  const { "transformer.h.1.mlp.c_fc.bias": _, ...fewer } = tensors;
  await Deno.writeFile(path, encodeSafetensors(fewer));
  await assert.rejects(readHfFolder(untied), /has no tensor transformer\.h\.1\.mlp\.c_fc\.bias/);
  await Deno.writeFile(path, encodeSafetensors(tensors));
  const config = JSON.parse(await Deno.readTextFile(`${dir}/hf/config.json`));
  await Deno.writeTextFile(`${untied}/config.json`, JSON.stringify({ ...config, n_positions: 16 }));
  await assert.rejects(
    readHfFolder(untied),
    /tensor transformer\.wpe\.weight is \[8,8\] where config\.json implies \[16,8\]/,
  );
  await Deno.remove(dir, { recursive: true });
});
