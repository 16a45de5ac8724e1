/**
 * The products on the kernels: matmul in its three layouts through the strided kernel
 * (kernels/matmul.ts), the one-row product the KV cache makes (kernels/matvec.ts), and the linear
 * layer built on them, forward and backward, with its bias gradient summed while the weight
 * gradient's product packs its operand. Each has the signature of its twin in
 * lib/layers/matmul.ts or lib/layers/linear.ts, after the runtime.
 * @module
 */
import { matmul as matmulTwin, type MatmulOptions } from "../layers/matmul.ts";
import { checkSizes, type KernelFunctions, type OnRuntime } from "./api.ts";
import { type KernelBuffer, PACK_B_FLOATS, PARALLEL_MIN_MACS, type Runtime } from "./runtime.ts";

/**
 * A one-row product reads each weight once, at memory speed rather than from cache. Counted at
 * 16, the KV cache's products of nano (384×1152 and up) go to two threads: sampling went from 99
 * to 162 tokens/s (`deno task bench generate`).
 */
const MATVEC_MACS = 16;

/** The products and the linear layer; lib/wasm/layers.ts holds every other kernel. */
export type MatmulKernels = OnRuntime<
  Pick<
    KernelFunctions,
    "matmul" | "matmulTransB" | "matmulTransA" | "linearForward" | "linearBackward"
  >
>;

/** The products, as functions of the runtime. */
export const MATMUL_KERNELS: MatmulKernels = {
  matmul: (rt, out, a, b, M, K, N, options) =>
    gemm(rt, "matmul", false, false, out, a, b, M, K, N, options),
  matmulTransB: (rt, out, a, b, M, K, N, options) =>
    gemm(rt, "matmulTransB", false, true, out, a, b, M, K, N, options),
  matmulTransA: (rt, out, a, b, M, K, N, options) =>
    gemm(rt, "matmulTransA", true, false, out, a, b, M, K, N, options),
  linearForward(rt, out, inp, weight, bias, N, C, OC) {
    MATMUL_KERNELS.matmulTransB(rt, out, inp, weight, N, C, OC, { bias });
  },
  linearBackward(rt, dinp, dweight, dbias, dout, inp, weight, N, C, OC) {
    MATMUL_KERNELS.matmul(rt, dinp, dout, weight, N, OC, C, { accumulate: true });
    // dweight += doutᵀ·inp, and dbias += the row sums of doutᵀ in the same pass.
    if (dbias) checkSizes("linearBackward", { dbias: [dbias, OC] });
    gemm(
      rt,
      "linearBackward",
      true,
      false,
      dweight,
      dout,
      inp,
      OC,
      N,
      C,
      { accumulate: true },
      dbias,
    );
  },
};

/**
 * One product through the strided kernel (see kernels/matmul.ts for rsA/csA/rsB/csB). Columns
 * are cut into blocks whose packed B fits the scratch. `sums`, when given, gets A's row sums
 * added into it (M floats), in the order of the twin's `biasBackward`.
 */
function gemm(
  rt: Runtime,
  name: string,
  transA: boolean,
  transB: boolean,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  options: MatmulOptions = {},
  sums: Float32Array | null = null,
): void {
  checkSizes(name, { out: [out, M * N], a: [a, M * K], b: [b, K * N] });
  const bias = options.bias ?? null;
  if (bias) checkSizes(name, { bias: [bias, N] });
  const accumulate = options.accumulate ?? false;
  if (K === 0) return matmulTwin(out, a, b, M, K, N, options); // nothing to multiply, nothing to sum
  if (transB && M === 1) return matvec(rt, out, a, b, K, N, bias, accumulate);
  const panelsFit = Math.floor(PACK_B_FLOATS / (K * 8));
  if (panelsFit === 0) {
    throw new RangeError(`${name}: K = ${K} is too deep for the kernels' packing scratch.`);
  }
  const [rsA, csA] = transA ? [1, M] : [K, 1];
  const [rsB, csB] = transB ? [1, K] : [N, 1];
  const { wasm, jobPtr } = rt;
  const buffers: KernelBuffer[] = [[out, "out"], [a, "in"], [b, "in"], [bias, "in"], [sums, "out"]];
  rt.withBuffers(buffers, ([pc, pa, pb, pbias, psums]) => {
    for (let j0 = 0; j0 < N; j0 += panelsFit * 8) {
      const nc = Math.min(panelsFit * 8, N - j0);
      const parallel = rt.threads > 1 && M * K * nc >= PARALLEL_MIN_MACS;
      // deno-fmt-ignore
      wasm.matmulJob(jobPtr, M, K, nc, pa, rsA, csA, pb + j0 * csB * 4, rsB, csB, pc + j0 * 4, N,
        bias ? pbias + j0 * 4 : 0, accumulate ? 1 : 0, rt.packBPtr, rt.packAPtr, parallel ? 1 : 0,
        j0 === 0 ? psums : 0); // the sums once, with the first block of columns
      if (parallel) rt.runParallel(0);
      else wasm.matmulWork(jobPtr, 0);
    }
  });
}

/**
 * The one-row product a (1, K) · bᵀ (b stored (N, K)): each output a dot product with a row of
 * b read in place, with no packing (kernels/matvec.ts). Sampling with a KV cache makes only these.
 */
function matvec(
  rt: Runtime,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  K: number,
  N: number,
  bias: Float32Array | null,
  accumulate: boolean,
): void {
  rt.withBuffers(
    [[out, "out"], [a, "in"], [b, "in"], [bias, "in"]],
    ([pc, pa, pb, pbias]) =>
      rt.run(
        "matvecTransB",
        [pc, pa, pb, K, N, pbias, accumulate ? 1 : 0],
        Math.ceil(N / 4),
        MATVEC_MACS * K * N,
        64,
      ),
  );
}
