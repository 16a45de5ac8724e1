/**
 * `deno task bench profile`'s parts on one-sequence batches: every layer of the step has its row,
 * the rows account for the step, and PyTorch's profile of the same model adds up. No timing is
 * asserted: only that the profile describes the step it timed.
 */
import assert from "node:assert/strict";
import { profileOurs, profileTorch } from "../lib/bench/profile.ts";
import { findTorch } from "../lib/train/pytorch.ts";

const python = await findTorch();

Deno.test("our profile has a row for every layer, and its rows add up to the step", async () => {
  const p = await profileOurs({ preset: "baby", batch: 1 }, 3);
  const names = p.rows.map((r) => r.name).sort();
  for (
    const layer of [
      "attention",
      "attn.c_attn",
      "attn.c_proj",
      "mlp.c_fc",
      "mlp.c_proj",
      "ln_1",
      "ln_2",
      "ln_f",
      "gelu",
      "residual",
      "encoder",
      "wte / lm_head",
      "softmax",
      "crossEntropySoftmax",
      "optimizer",
      "zero grads",
      "zero dacts",
      "between calls",
    ]
  ) assert.ok(names.includes(layer), `no row for ${layer}: ${names.join(", ")}`);
  const shares = p.rows.reduce((s, r) => s + r.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-9, `the rows' shares add up to ${shares}`);
  for (const r of p.rows) assert.ok(r.forward_ms >= 0 && r.backward_ms >= 0, r.name);
  const products = p.rows.filter((r) => r.gflops !== null).map((r) => r.name).sort();
  assert.deepEqual(products, [
    "attn.c_attn",
    "attn.c_proj",
    "mlp.c_fc",
    "mlp.c_proj",
    "wte / lm_head",
  ]);
  assert.ok(
    p.bound_ms > 0 && p.bound_ms < p.step_ms,
    `bound ${p.bound_ms} ms, step ${p.step_ms} ms`,
  );
  assert.ok(p.fma_limit_gflops > 0);
});

Deno.test({
  name: "PyTorch's profile of the same step lists its operators with shares that add up to 1",
  ignore: python === null,
  async fn() {
    const t = await profileTorch(python!, { preset: "baby", batch: 1 }, 2);
    assert.ok(t.step_ms > 0);
    assert.ok(t.ops.some((o) => o.name === "aten::mm" || o.name === "aten::addmm"), "a product");
    const total = t.ops.reduce((s, o) => s + o.share, 0);
    assert.ok(Math.abs(total - 1) < 1e-6, `shares add up to ${total}`);
  },
});
