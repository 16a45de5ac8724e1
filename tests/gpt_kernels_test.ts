import assert from "node:assert/strict";
import { GPT } from "../lib/gpt.ts";
import { kernelOps } from "../lib/gpt_ops.ts";
import { loadKernels } from "../lib/kernels.ts";
import { Rng } from "../lib/random.ts";

for (const positional of ["learned", "rope"] as const) {
  Deno.test(`a GPT on the SIMD kernels (${positional} positions) matches the TypeScript GPT: loss within 1e-5, gradients within 1e-4 relative`, async () => {
    const k = await loadKernels({ quiet: true });
    const mark = k.arena.mark();
    try {
      // Odd sizes on purpose: C = 24 and V = 37 leave SIMD tails everywhere.
      const config = { vocabSize: 37, blockSize: 16, nLayer: 2, nHead: 3, nEmbd: 24, positional };
      const fast = new GPT(config, 5, { ops: kernelOps(k), alloc: (n) => k.arena.alloc(n) });
      const plain = new GPT(config, 5);
      assert.ok(k.arena.owns(fast.params), "parameters live in the kernels' memory");
      const rng = new Rng(6);
      const [B, T] = [3, 13];
      const inputs = Int32Array.from({ length: B * T }, () => rng.int(37));
      const targets = Int32Array.from({ length: B * T }, () => rng.int(37));
      const lossFast = fast.forward(inputs, targets, B, T)!;
      const lossPlain = plain.forward(inputs, targets, B, T)!;
      assert.ok(Math.abs(lossFast - lossPlain) < 1e-5, `${lossFast} vs ${lossPlain}`);
      fast.backward();
      plain.backward();
      let diff = 0, norm = 0;
      for (let i = 0; i < plain.grads.length; i++) {
        diff += (fast.grads[i] - plain.grads[i]) ** 2;
        norm += plain.grads[i] ** 2;
      }
      assert.ok(
        Math.sqrt(diff / norm) < 1e-4,
        `relative gradient difference ${Math.sqrt(diff / norm)}`,
      );
    } finally {
      k.arena.release(mark);
    }
  });
}
