import assert from "node:assert/strict";
import { GPT } from "../lib/model/gpt.ts";
import {
  configPath,
  decodeSafetensors,
  encodeSafetensors,
  loadGPT,
  saveGPT,
} from "../lib/train/safetensors.ts";

const CONFIG = { vocabSize: 9, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8 };

Deno.test("a saved GPT loads back bit for bit, with its config beside it", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.safetensors`;
  for (const positional of ["learned", "rope"] as const) {
    const model = new GPT({ ...CONFIG, positional }, 11);
    await saveGPT(path, model);
    const back = await loadGPT(path);
    assert.deepEqual(back.config, model.config);
    assert.deepEqual(back.params, model.params);
  }
  assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
    "model.json",
    "model.safetensors",
  ], "no temporary file is left behind");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the file follows the safetensors layout: u64 header length, aligned JSON header, F32 data", () => {
  const bytes = encodeSafetensors({
    "a.weight": { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
    "a.bias": { shape: [1], data: new Float32Array([-1]) },
  }, { format: "pt" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header["a.weight"], { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
  assert.deepEqual(header["a.bias"], { dtype: "F32", shape: [1], data_offsets: [16, 20] });
  assert.deepEqual(header.__metadata__, { format: "pt" });
  assert.equal(new DataView(bytes.buffer).getFloat32(8 + n + 16, true), -1);
  assert.equal(bytes.length, 8 + n + 20);
});

Deno.test("a truncated, corrupt or too-short file is refused in one sentence", () => {
  const good = encodeSafetensors({ w: { shape: [3], data: new Float32Array([1, 2, 3]) } });
  assert.throws(
    () => decodeSafetensors(good.subarray(0, good.length - 4), "m.safetensors"),
    /^UserError: m.safetensors is not a usable safetensors file: tensor w of shape \[3\] claims bytes 0–12 of 8 \(truncated\?\); save it again.$/,
  );
  assert.throws(() => decodeSafetensors(good.subarray(0, 20), "m"), /header claims \d+ bytes/);
  assert.throws(() => decodeSafetensors(new Uint8Array(5), "m"), /only 5 bytes/);
  const corrupt = good.slice();
  corrupt[8] = 0x7b + 1; // the header no longer starts with "{"
  assert.throws(() => decodeSafetensors(corrupt, "m"), /header is not valid JSON/);
});

Deno.test("weights that do not fit their config, or a config other than the one asked for, are refused", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.safetensors`;
  await saveGPT(path, new GPT(CONFIG, 1));
  await assert.rejects(
    () => loadGPT(path, { ...CONFIG, nEmbd: 16 }),
    /holds a model with nEmbd 8, but 16 was asked for/,
  );
  await Deno.writeTextFile(configPath(path), JSON.stringify({ ...CONFIG, nLayer: 3 }));
  await assert.rejects(
    () => loadGPT(path),
    /does not match its config .*: tensor transformer.h.2.ln_1.weight is missing where the config needs \[8\]/,
  );
  await Deno.writeTextFile(configPath(path), JSON.stringify({ ...CONFIG, vocabSize: 10 }));
  await assert.rejects(
    () => loadGPT(path),
    /transformer.wte.weight is \[9,8\] where the config needs \[10,8\]/,
  );
  await assert.rejects(() => loadGPT(`${dir}/absent.safetensors`), /Cannot read the model at/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a model.json asking for more than its weights file holds is refused before allocating", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.safetensors`;
  await saveGPT(path, new GPT(CONFIG, 1));
  const cases: [Record<string, number>, RegExp][] = [
    // 2^32 × 8 floats would be 128 GiB of parameters (and as much again of gradients).
    [
      { vocabSize: 2 ** 32 },
      /tensor transformer\.wte\.weight is \[9,8\] where the config needs \[4294967296,8\]/,
    ],
    [
      { nLayer: 1e9 },
      /gives 1,000,000,000 layers, but .* holds 28 tensors in all: the config is damaged/,
    ],
    [
      { blockSize: 2 ** 30 },
      /gives a context of 1,073,741,824 tokens, more than the 65,536 a model may have/,
    ],
  ];
  for (const [change, message] of cases) {
    await Deno.writeTextFile(configPath(path), JSON.stringify({ ...CONFIG, ...change }));
    await assert.rejects(() => loadGPT(path), message);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("NaN or infinite weights are refused on load, in one sentence naming the tensor", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.safetensors`;
  const model = new GPT(CONFIG, 1);
  model.p.h[1].attn.c_attn.weight[5] = NaN;
  await saveGPT(path, model);
  await assert.rejects(
    () => loadGPT(path),
    /^UserError: The tensor transformer\.h\.1\.attn\.c_attn\.weight of .*model\.safetensors holds NaN at index 5: these weights are damaged/,
  );
  model.p.h[1].attn.c_attn.weight[5] = 0;
  model.p.ln_f.bias[2] = -Infinity;
  await saveGPT(path, model);
  await assert.rejects(
    () => loadGPT(path),
    /transformer\.ln_f\.bias .* holds -Infinity at index 2/,
  );
  await Deno.remove(dir, { recursive: true });
});
