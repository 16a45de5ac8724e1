/**
 * The pieces of `deno task bench e2e` on a small corpus of the test's own: the loss over a whole
 * split, the same in TypeScript and in PyTorch on the same weights, both sides' runs end to end
 * for a few steps, and the sentence the suite says when the corpus is missing. The tests that
 * need torch are ignored without it. None of them times anything.
 */
import assert from "node:assert/strict";
import { EVAL_WINDOWS, runOurs, runTorchSide, TORCH_E2E } from "../lib/bench/e2e_run.ts";
import { splitLoss, windowCount } from "../lib/bench/split_loss.ts";
import { GPT } from "../lib/model/gpt.ts";
import { Rng } from "../lib/random.ts";
import { CharTokenizer } from "../lib/tokenizer/char.ts";
import { CORPORA, LOCAL_CORPUS_DIR } from "../lib/train/corpus.ts";
import { TokenDataset } from "../lib/train/dataset.ts";
import { BABY_SETTINGS } from "../lib/train/presets.ts";
import { findTorch, runTorch } from "../lib/train/pytorch.ts";
import { loadGPT, saveGPT } from "../lib/train/safetensors.ts";
import { loadBackend } from "../lib/wasm/backend.ts";
import { ROOT, runCli } from "./helpers.ts";

const python = await findTorch();
const ignore = python === null;

/** About 9,000 characters of seeded sentences: enough for baby's context in the validation split. */
const TEXT = (() => {
  const words = ["the", "cat", "sat", "on", "a", "mat", "le", "chat", "mange", "une", "souris"];
  const rng = new Rng(5);
  const lines = Array.from({ length: 300 }, () => {
    const n = 3 + rng.int(5);
    return Array.from({ length: n }, () => words[rng.int(words.length)]).join(" ") + ".";
  });
  return lines.join("\n") + "\n";
})();
const tok = CharTokenizer.fromText(TEXT);
const val = new TokenDataset(Int32Array.from(tok.encode(TEXT)), 0.1).val;
const TINY = { vocabSize: tok.vocabSize, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16 };

async function corpusFile(dir: string): Promise<string> {
  await Deno.writeTextFile(`${dir}/corpus.txt`, TEXT);
  return `${dir}/corpus.txt`;
}

/** A tiny model with weights spread like a trained one's, so that its losses are not all ln V. */
function spreadModel(options = {}): GPT {
  const model = new GPT(TINY, 4, options);
  for (let i = 0; i < model.params.length; i++) model.params[i] *= 3;
  return model;
}

Deno.test("the whole-split loss counts every window once, whatever the batch", () => {
  const model = spreadModel();
  const T = TINY.blockSize;
  const windows = windowCount(val.length, T);
  assert.equal(windows, Math.floor((val.length - 1) / T));
  // By hand: one window at a time.
  let sum = 0;
  for (let w = 0; w < windows; w++) {
    const s = w * T;
    sum += model.forward(val.slice(s, s + T), val.slice(s + 1, s + T + 1), 1, T)!;
  }
  const byHand = sum / windows;
  for (const batch of [1, 5, windows + 3]) {
    const r = splitLoss(model, val, batch);
    assert.equal(r.windows, windows);
    assert.ok(Math.abs(r.loss - byHand) < 1e-5, `batch ${batch}: ${r.loss} vs ${byHand}`);
  }
  assert.ok(byHand > 0.5 && Math.abs(byHand - Math.log(tok.vocabSize)) > 0.05);
  assert.throws(() => splitLoss(model, val.slice(0, T), 4), /too few for one window/);
});

Deno.test({
  name: "on the same weights, PyTorch's whole-split loss equals ours within 1e-4",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "minigpt-e2e-" });
    try {
      const backend = await loadBackend("wasm");
      const mark = backend.kernels!.arena.mark();
      const model = spreadModel(backend);
      await saveGPT(`${dir}/ckpt/model.safetensors`, model);
      const ours = splitLoss(model, val, EVAL_WINDOWS);
      backend.kernels!.arena.release(mark);
      const out = await runTorch(python!, [
        TORCH_E2E,
        "val",
        "--corpus",
        await corpusFile(dir),
        "--ckpt",
        `${dir}/ckpt`,
      ]);
      const theirs = JSON.parse(out.trim().split("\n").pop()!);
      assert.equal(theirs.windows, ours.windows);
      assert.ok(
        Math.abs(theirs.val_loss - ours.loss) <= 1e-4,
        `PyTorch ${theirs.val_loss}, ours ${ours.loss}`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "PyTorch's nanoGPT-style run of a tiny model evaluates on our cadence and leaves weights we load",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "minigpt-e2e-" });
    try {
      const corpus = await corpusFile(dir);
      const config = { ...TINY, ...BABY_SETTINGS, steps: 20, warmupSteps: 5, evalEvery: 10 };
      const args = ["--corpus", corpus, "--config", JSON.stringify(config), "--out", `${dir}/run`];
      const run = JSON.parse((await runTorch(python!, [TORCH_E2E, "train", ...args])).trim());
      assert.deepEqual(run.evals.map((e: { step: number }) => e.step), [0, 10, 20]);
      assert.equal(run.vocab, tok.vocabSize);
      assert.ok(run.evals[2].val < run.evals[0].val, JSON.stringify(run.evals));
      const out = await runTorch(python!, [
        TORCH_E2E,
        "val",
        "--corpus",
        corpus,
        "--ckpt",
        `${dir}/run/final`,
      ]);
      const theirs = JSON.parse(out.trim()).val_loss;
      assert.ok(Number.isFinite(theirs));
      // The final weights are in our layout: our loader reads them, our forward scores them alike.
      const model = await loadGPT(`${dir}/run/final/model.safetensors`, TINY);
      const ours = splitLoss(model, val).loss;
      assert.ok(Math.abs(theirs - ours) <= 1e-4, `PyTorch ${theirs}, ours ${ours}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "both sides' runs of baby go end to end on a small corpus and are scored on the same split",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "minigpt-e2e-" });
    try {
      const corpusPath = await corpusFile(dir);
      const printed = { ours: [] as string[], torch: [] as string[] };
      const spec = (side: keyof typeof printed) => ({
        preset: "baby" as const,
        steps: 3,
        corpusPath,
        corpusFlag: corpusPath,
        onLine: (l: string) => printed[side].push(l),
      });
      const ours = await runOurs(`${ROOT}/main.ts`, spec("ours"));
      const torch = await runTorchSide(python!, spec("torch"));
      const windows = windowCount(val.length, 64);
      for (const [side, r] of [["ours", ours], ["torch", torch]] as const) {
        assert.equal(r.windows, windows, side);
        assert.ok(r.wallS > 0 && r.tokS > 0, `${side}: ${JSON.stringify(r)}`);
        assert.ok(Number.isFinite(r.valLoss) && Number.isFinite(r.lastEstimate), side);
        // Three steps at the start of warmup barely move a model from its start, about ln V.
        assert.ok(Math.abs(r.valLoss - Math.log(tok.vocabSize)) < 0.5, `${side}: ${r.valLoss}`);
      }
      // Each side's progress came through: ours' closing line, PyTorch's last evaluation.
      assert.ok(printed.ours.some((l) => l.startsWith("done: step 3")), printed.ours.join("\n"));
      assert.ok(printed.torch.some((l) => l.startsWith("step 3/3 · train")), printed.torch.join());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "bench e2e without the corpus says how to supply it and skips",
  // With a local copy of the corpus the suite would really run, for a quarter of an hour.
  ignore: (() => {
    try {
      return Deno.statSync(`${LOCAL_CORPUS_DIR}${CORPORA.tinyshakespeare.file}`).isFile;
    } catch {
      return false;
    }
  })(),
  async fn() {
    const empty = await Deno.makeTempDir({ prefix: "minigpt-e2e-" });
    try {
      const run = await runCli(["bench", "e2e"], { env: { MINIGPT_DATA: empty } });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /bench e2e is skipped: The tinyshakespeare corpus was not found/);
      assert.match(run.stderr, /MINIGPT_DATA/);
    } finally {
      await Deno.remove(empty, { recursive: true });
    }
  },
});
