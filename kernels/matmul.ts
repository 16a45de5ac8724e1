// AssemblyScript: C (M, N) [+]= A (M, K) · B (K, N) [+ bias], float32, for all three forms.
//
// Memory layout. A and B are read through strides, so one kernel serves every form:
//   A(i, k) = a[i·rsA + k·csA]   plain A (M, K): rsA = K, csA = 1; Aᵀ stored (K, M): rsA = 1, csA = M
//   B(k, j) = b[k·rsB + j·csB]   plain B (K, N): rsB = N, csB = 1; Bᵀ stored (N, K): rsB = 1, csB = K
//   C(i, j) = c[i·ldc + j]       row-major with leading dimension ldc ≥ N
// All sizes and strides are in floats, all pointers byte offsets into the shared memory; the caller
// owns every buffer, including the scratch where the panels are packed.
//
// How it is fast (the classic Goto/BLIS scheme, cut down to 128-bit SIMD):
// - B is packed once per call into panels of NR = 8 columns, stored k-major: panel[k][0..7], so the
//   microkernel reads it as two contiguous vectors per k whatever the form of B. The panels are
//   cut into slices of KC rows, and each slice's panels lie side by side.
// - A is packed per block of MC rows and KC columns into panels of MR = 6 rows, k-major:
//   panel[k][0..5], so the six values the microkernel broadcasts sit in 24 contiguous bytes.
// - The microkernel keeps a 6×8 tile of C in twelve f32x4 registers for a whole KC slice: per k
//   it does 2 vector loads of B, 6 broadcast loads of A and 12 fused multiply-adds (relaxed_madd
//   is a real FMA on x86-64 with FMA3). Twelve accumulators, two B vectors and one broadcast fit
//   in the fifteen xmm registers V8 allocates, so nothing spills.
// - Edges: panels are zero-padded to MR rows and NR columns. A tile short of rows is stored row by
//   row by the microkernel itself; one short of columns is computed whole into a small scratch
//   tile, and a scalar loop copies the valid corner out.
//
// Two threads share one job description in memory (see JOB_* below): the work is cut into tasks,
// first the B packing tasks, then the compute tasks (blocks of MC rows × a group of B panels).
// Each thread takes the next task from an atomic counter, so a slower core simply takes fewer.
// Compute tasks wait until every packing task has finished.

export const MR = 6;
export const NR = 8;
/**
 * Depth of one slice of K: a 6×KC panel of A (12 KiB) and a KC×8 panel of B (16 KiB) stay in
 * L1 (48 KiB on this machine). Against 256, with 4-row panels, it measured 1–7% faster on the
 * baby GPT's shapes (K = 128 to 768) and the same or faster on the large ones, on one thread and
 * two: fewer slices, so C is loaded and stored fewer times.
 */
const KC = 512;
/**
 * Rows per compute task, five panels of A: the packed A block (MC×KC, 60 KiB) stays in L2. With
 * 4-row panels, 32 rows against 64 gave two threads twice as many tasks to share: every product
 * of a baby step and the large shapes ran 2–16% faster on two threads (the weight gradients most,
 * which have the fewest rows), and one thread within −3% to +6%.
 */
export const MC = 30;
/**
 * Most bytes of a KC slice of packed B that one pass over the row blocks works through: a wider
 * B is cut into groups of panels, and the tasks take them group by group, each down every row
 * block, so that a group stays cached while A streams past it. Interleaved on one thread, in one
 * process, 1 MiB made 4096×256×5000 12% faster, 768×768×3072 12% and 1024×1024×1024 8%; 512 KiB
 * (this core's L2) gained 8–10% and slowed 4096×256×768 by 2%; 2 MiB and more gained less.
 */
const B_GROUP_BYTES = 1 << 20;
/** Largest compute task on two threads, in multiply-adds (about 0.2 ms on one core). */
const TASK_MACS = 1 << 22;
/** Fewest B panels in a compute task on two threads (packing A costs 1/(NR·this) of it). */
const MIN_GROUP_PANELS = 8;
/** Columns of B packed per packing task. */
const PACK_PANELS = 8;

// Job description, i32 fields at byte offsets from the job pointer.
const JOB_NEXT = 0; // next task to take (atomic counter)
const JOB_PACKED = 4; // packing tasks finished (atomic counter)
const JOB_NPACK = 8;
const JOB_NTASKS = 12;
const JOB_M = 16;
const JOB_K = 20;
const JOB_N = 24;
const JOB_A = 28;
const JOB_RSA = 32;
const JOB_CSA = 36;
const JOB_B = 40;
const JOB_RSB = 44;
const JOB_CSB = 48;
const JOB_C = 52;
const JOB_LDC = 56;
const JOB_BIAS = 60; // 0 when there is no bias
const JOB_ACC = 64; // 1: add into C
const JOB_PACKB = 68; // scratch for packed B: ceil(N / 8) · 8 · K floats
const JOB_PACKA = 72; // scratch for packed A: one MC×KC block per thread, then one 4×8 tile
const JOB_GROUP = 76; // B panels per compute task
const JOB_NGROUPS = 80;
const JOB_BY_GROUP = 84; // 1: tasks go group by group (B was cut for size), else row block by row block
const JOB_SUMS = 88; // 0, or M floats that A's row sums are added into (see computeTask)
/** Bytes of a job description. */
export const JOB_BYTES = 92;
/** Floats of per-thread scratch the host must provide at JOB_PACKA, for each thread. */
export const THREAD_SCRATCH = MC * KC + MR * NR;

/**
 * Fills in the job for one product and returns its number of tasks. The caller then runs
 * `matmulWork(job, t)` on every thread t (thread 0 alone is enough).
 */
export function matmulJob(
  job: usize,
  M: i32,
  K: i32,
  N: i32,
  a: usize,
  rsA: i32,
  csA: i32,
  b: usize,
  rsB: i32,
  csB: i32,
  c: usize,
  ldc: i32,
  bias: usize,
  accumulate: i32,
  packB: usize,
  packA: usize,
  parallel: i32,
  sums: usize,
): i32 {
  const panels = (N + NR - 1) / NR;
  const npack = (panels + PACK_PANELS - 1) / PACK_PANELS;
  const rowBlocks = (M + MC - 1) / MC;
  // On two threads, split the columns too: with few row blocks, so both threads get several
  // tasks to balance; and so that a task stays under TASK_MACS, because when another process
  // takes the worker's core mid-task, the main thread waits for that task to finish. But every
  // task packs its rows of A over all of K, so a group keeps at least MIN_GROUP_PANELS panels:
  // with 2-panel groups, the weight gradients of deep products (K = 4096 tokens) ran no faster
  // on two threads than on one.
  let ngroups = 1;
  if (parallel) {
    ngroups = max((16 + rowBlocks - 1) / rowBlocks, (MC * K * NR * panels) / TASK_MACS);
    ngroups = min(panels / MIN_GROUP_PANELS, ngroups);
    ngroups = max(1, ngroups);
  }
  const sizeGroups = (panels * min(K, KC) * NR * 4 + B_GROUP_BYTES - 1) / B_GROUP_BYTES;
  ngroups = max(ngroups, sizeGroups);
  const group = (panels + ngroups - 1) / ngroups;
  ngroups = (panels + group - 1) / group;
  store<i32>(job, 0, JOB_NEXT);
  store<i32>(job, 0, JOB_PACKED);
  store<i32>(job, npack, JOB_NPACK);
  store<i32>(job, npack + rowBlocks * ngroups, JOB_NTASKS);
  store<i32>(job, M, JOB_M);
  store<i32>(job, K, JOB_K);
  store<i32>(job, N, JOB_N);
  store<i32>(job, <i32> a, JOB_A);
  store<i32>(job, rsA, JOB_RSA);
  store<i32>(job, csA, JOB_CSA);
  store<i32>(job, <i32> b, JOB_B);
  store<i32>(job, rsB, JOB_RSB);
  store<i32>(job, csB, JOB_CSB);
  store<i32>(job, <i32> c, JOB_C);
  store<i32>(job, ldc, JOB_LDC);
  store<i32>(job, <i32> bias, JOB_BIAS);
  store<i32>(job, accumulate, JOB_ACC);
  store<i32>(job, <i32> packB, JOB_PACKB);
  store<i32>(job, <i32> packA, JOB_PACKA);
  store<i32>(job, group, JOB_GROUP);
  store<i32>(job, ngroups, JOB_NGROUPS);
  store<i32>(job, sizeGroups > 1 ? 1 : 0, JOB_BY_GROUP);
  store<i32>(job, <i32> sums, JOB_SUMS);
  return npack + rowBlocks * ngroups;
}

/**
 * Takes tasks of `job` until none is left; `thread` picks this thread's scratch. Returns how
 * many tasks this thread did.
 */
export function matmulWork(job: usize, thread: i32): i32 {
  const npack = load<i32>(job, JOB_NPACK);
  const ntasks = load<i32>(job, JOB_NTASKS);
  const scratch = <usize> load<i32>(job, JOB_PACKA) + <usize> thread * (THREAD_SCRATCH << 2);
  let done = 0;
  for (let t = atomic.add<i32>(job + JOB_NEXT, 1); t < ntasks; t = atomic.add<i32>(job + JOB_NEXT, 1)) {
    if (t < npack) {
      packBTask(job, t);
      atomic.add<i32>(job + JOB_PACKED, 1);
    } else {
      // Packing tasks are all taken before any compute task; wait for the last ones to land.
      while (atomic.load<i32>(job + JOB_PACKED) < npack) {}
      computeTask(job, t - npack, scratch);
    }
    done++;
  }
  return done;
}

function packBTask(job: usize, t: i32): void {
  const K = load<i32>(job, JOB_K);
  const N = load<i32>(job, JOB_N);
  const b = <usize> load<i32>(job, JOB_B);
  const rsB = load<i32>(job, JOB_RSB);
  const csB = load<i32>(job, JOB_CSB);
  const packB = <usize> load<i32>(job, JOB_PACKB);
  const panels = (N + NR - 1) / NR;
  const p1 = min(panels, (t + 1) * PACK_PANELS);
  for (let p = t * PACK_PANELS; p < p1; p++) {
    const j0 = p * NR;
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = min(KC, K - k0);
      packBPanel(
        packB + bPanelOffset(k0, kc, p, panels),
        b + ((<usize> j0 * <usize> csB + <usize> k0 * <usize> rsB) << 2),
        kc,
        rsB,
        csB,
        min(NR, N - j0),
      );
    }
  }
}

/**
 * Byte offset of panel `p` of the K slice starting at `k0` in packed B. Slices are stored one
 * after the other, each with its panels side by side, so that the microkernels of one slice read
 * one contiguous stream rather than 16 KiB pieces 4·K·NR bytes apart.
 */
// @ts-ignore: decorator
@inline function bPanelOffset(k0: i32, kc: i32, p: i32, panels: i32): usize {
  return (<usize> k0 * <usize> panels * NR + <usize> p * <usize> kc * NR) << 2;
}

/** Packs `kc` rows of `cols` ≤ NR columns of B at `src` into a k-major panel, zero-padded. */
export function packBPanel(dst: usize, src: usize, kc: i32, rsB: i32, csB: i32, cols: i32): void {
  if (cols == NR && csB == 1) {
    // Plain B: each k row of the panel is two contiguous vectors.
    for (let k = 0; k < kc; k++) {
      const s = src + ((<usize> k * <usize> rsB) << 2);
      const d = dst + (<usize> k << 5);
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
    }
  } else if (cols == NR && rsB == 1) {
    // Bᵀ stored (N, K): the panel's 8 columns are 8 rows of b, contiguous in k; transpose 4×4
    // blocks in registers so that the packed panel is k-major.
    const kc4 = kc & ~3;
    const ld = <usize> csB << 2;
    for (let half = 0; half < 2; half++) {
      const s0 = src + <usize> (half * 4) * ld;
      for (let k = 0; k < kc4; k += 4) {
        const s = s0 + (<usize> k << 2);
        transpose4(
          v128.load(s),
          v128.load(s + ld),
          v128.load(s + 2 * ld),
          v128.load(s + 3 * ld),
          dst + (<usize> k << 5) + (<usize> half << 4),
          32,
        );
      }
      for (let k = kc4; k < kc; k++) {
        for (let j = 0; j < 4; j++) {
          store<f32>(
            dst + (<usize> (k * NR + half * 4 + j) << 2),
            load<f32>(s0 + <usize> j * ld + (<usize> k << 2)),
          );
        }
      }
    }
  } else {
    // Last, partial panel (or an unusual stride): scalar, zero-padded to NR columns.
    for (let k = 0; k < kc; k++) {
      for (let j = 0; j < NR; j++) {
        const v: f32 = j < cols
          ? load<f32>(src + ((<usize> k * <usize> rsB + <usize> j * <usize> csB) << 2))
          : 0;
        store<f32>(dst + (<usize> (k * NR + j) << 2), v);
      }
    }
  }
}

/** Stores the transpose of the 4×4 block whose rows are r0..r3 as 4 vectors `stride` bytes apart. */
// @ts-ignore: decorator
@inline function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** Packs rows i0..i0+rows of A, columns k0..k0+kc, into MR-row panels (zero-padded). */
export function packA(
  dst: usize,
  a: usize,
  rsA: i32,
  csA: i32,
  i0: i32,
  rows: i32,
  k0: i32,
  kc: i32,
): void {
  for (let r0 = 0; r0 < rows; r0 += MR) {
    const panel = dst + ((<usize> r0 * <usize> kc) << 2);
    const src = a + ((<usize> (i0 + r0) * <usize> rsA + <usize> k0 * <usize> csA) << 2);
    if (r0 + MR <= rows && csA == 1) {
      // Plain A: six rows contiguous in k. Rows 0–3 go through 4×4 transposes, rows 4–5
      // through a 2×4 interleave, so that the panel is k-major: 24 bytes a k.
      const ld = <usize> rsA << 2;
      const kc4 = kc & ~3;
      for (let k = 0; k < kc4; k += 4) {
        const s = src + (<usize> k << 2);
        const d = panel + <usize> k * (MR << 2);
        transpose4(
          v128.load(s),
          v128.load(s + ld),
          v128.load(s + 2 * ld),
          v128.load(s + 3 * ld),
          d,
          MR << 2,
        );
        const r4 = v128.load(s + 4 * ld), r5 = v128.load(s + 5 * ld);
        const lo = i32x4.shuffle(r4, r5, 0, 4, 1, 5); // r4[k] r5[k] r4[k+1] r5[k+1]
        const hi = i32x4.shuffle(r4, r5, 2, 6, 3, 7);
        v128.store64_lane(d + 16, lo, 0);
        v128.store64_lane(d + 16 + (MR << 2), lo, 1);
        v128.store64_lane(d + 16 + 2 * (MR << 2), hi, 0);
        v128.store64_lane(d + 16 + 3 * (MR << 2), hi, 1);
      }
      for (let k = kc4; k < kc; k++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(
            panel + (<usize> (k * MR + r) << 2),
            load<f32>(src + <usize> r * ld + (<usize> k << 2)),
          );
        }
      }
    } else if (r0 + MR <= rows && rsA == 1) {
      // Aᵀ stored (K, M): the six rows of the panel are already contiguous for each k.
      const ld = <usize> csA << 2;
      for (let k = 0; k < kc; k++) {
        const s = src + <usize> k * ld, d = panel + <usize> k * (MR << 2);
        v128.store(d, v128.load(s));
        v128.store64_lane(d + 16, v128.load64_zero(s + 16), 0);
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < MR; r++) {
          const v: f32 = r0 + r < rows
            ? load<f32>(src + ((<usize> r * <usize> rsA + <usize> k * <usize> csA) << 2))
            : 0;
          store<f32>(panel + (<usize> (k * MR + r) << 2), v);
        }
      }
    }
  }
}

/**
 * sums[r] += Σ_k A(r, k) for the `rows` rows of a packed block (kc columns), adding in k order
 * like the twin's `biasBackward`, so the result is the same to the bit.
 */
function addRowSums(sums: usize, packed: usize, rows: i32, kc: i32): void {
  for (let r0 = 0; r0 < rows; r0 += MR) {
    const panel = packed + ((<usize> r0 * <usize> kc) << 2);
    const at = sums + (<usize> r0 << 2);
    if (r0 + MR <= rows) {
      let s03 = v128.load(at), s45 = v128.load64_zero(at + 16);
      for (let k = 0; k < kc; k++) {
        const p = panel + <usize> k * (MR << 2);
        s03 = f32x4.add(s03, v128.load(p));
        s45 = f32x4.add(s45, v128.load64_zero(p + 16));
      }
      v128.store(at, s03);
      v128.store64_lane(at + 16, s45, 0);
    } else {
      for (let r = 0; r < rows - r0; r++) {
        let sum = load<f32>(at + (<usize> r << 2));
        for (let k = 0; k < kc; k++) sum += load<f32>(panel + (<usize> (k * MR + r) << 2));
        store<f32>(at + (<usize> r << 2), sum);
      }
    }
  }
}

function computeTask(job: usize, task: i32, scratch: usize): void {
  const M = load<i32>(job, JOB_M);
  const K = load<i32>(job, JOB_K);
  const N = load<i32>(job, JOB_N);
  const a = <usize> load<i32>(job, JOB_A);
  const rsA = load<i32>(job, JOB_RSA);
  const csA = load<i32>(job, JOB_CSA);
  const c = <usize> load<i32>(job, JOB_C);
  const ldc = load<i32>(job, JOB_LDC);
  const bias = <usize> load<i32>(job, JOB_BIAS);
  const accumulate = load<i32>(job, JOB_ACC) != 0;
  const packB = <usize> load<i32>(job, JOB_PACKB);
  const group = load<i32>(job, JOB_GROUP);
  const ngroups = load<i32>(job, JOB_NGROUPS);
  const tile = scratch + ((MC * KC) << 2);
  const sums = <usize> load<i32>(job, JOB_SUMS);

  const rowBlocks = (M + MC - 1) / MC;
  const byGroup = load<i32>(job, JOB_BY_GROUP) != 0;
  const i0 = (byGroup ? task % rowBlocks : task / ngroups) * MC;
  const rows = min(MC, M - i0);
  const panels = (N + NR - 1) / NR;
  const p0 = (byGroup ? task / rowBlocks : task % ngroups) * group;
  const p1 = min(panels, p0 + group);
  const ldcBytes = <usize> ldc << 2;

  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    packA(scratch, a, rsA, csA, i0, rows, k0, kc);
    // A linear layer's bias gradient is the row sums of its transposed output gradient: added
    // here from the packed copy, by the first column group's task alone, it costs no pass over
    // memory of its own.
    if (sums && p0 == 0) addRowSums(sums + (<usize> i0 << 2), scratch, rows, kc);
    // The first slice of K starts from C (accumulate) or from zero, and adds the bias once.
    const first = k0 == 0;
    const loadC = !first || accumulate;
    const biasHere = first ? bias : 0;
    for (let p = p0; p < p1; p++) {
      const j0 = p * NR;
      const cols = min(NR, N - j0);
      const bPanel = packB + bPanelOffset(k0, kc, p, panels);
      for (let r0 = 0; r0 < rows; r0 += MR) {
        const aPanel = scratch + ((<usize> r0 * <usize> kc) << 2);
        const cTile = c + <usize> (i0 + r0) * ldcBytes + (<usize> j0 << 2);
        const h = min(MR, rows - r0);
        const bTile = biasHere ? biasHere + (<usize> j0 << 2) : 0;
        tileProduct(kc, aPanel, bPanel, cTile, ldcBytes, h, cols, loadC, bTile, tile);
      }
    }
  }
}

/**
 * The h×cols corner (h ≤ MR, cols ≤ NR) of the microkernel's tile at `c` (rows `ldc` bytes
 * apart): the microkernel itself when the tile's columns are whole (it stores only h rows);
 * otherwise the microkernel into the scratch tile `edge`, whose valid corner is then added out
 * with C and the bias as asked.
 */
// @ts-ignore: decorator
@inline export function tileProduct(
  kc: i32,
  ap: usize,
  bp: usize,
  c: usize,
  ldc: usize,
  h: i32,
  cols: i32,
  loadC: bool,
  bias: usize,
  edge: usize,
): void {
  if (cols == NR) {
    micro(kc, ap, bp, c, ldc, loadC, bias, h);
    return;
  }
  micro(kc, ap, bp, edge, NR << 2, false, 0, MR);
  for (let r = 0; r < h; r++) {
    for (let j = 0; j < cols; j++) {
      const dst = c + <usize> r * ldc + (<usize> j << 2);
      let v = load<f32>(edge + (<usize> (r * NR + j) << 2));
      if (loadC) v += load<f32>(dst);
      if (bias) v += load<f32>(bias + (<usize> j << 2));
      store<f32>(dst, v);
    }
  }
}

/**
 * The 6×8 microkernel: the first h rows of tile (6, 8) at `c` (rows `ldc` bytes apart) =
 * [tile +] [bias +] Σ_k aPanel[k][0..5] ⊗ bPanel[k][0..7]. (A's panel is zero-padded past h.)
 */
// @ts-ignore: decorator
@inline function micro(
  kc: i32,
  ap: usize,
  bp: usize,
  c: usize,
  ldc: usize,
  loadC: bool,
  bias: usize,
  h: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  // Twelve accumulators, two vectors of B and one broadcast of A fill the fifteen xmm registers
  // V8 allocates. Twelve independent FMA chains cover the FMA's latency (4 cycles at 2 a cycle
  // needs 8 in flight) with room to spare: on one thread, the large products went from 75–80% of
  // the FMA limit (4×8 tile) to 92% (`deno task bench kernels`, column 1t/limit). A's values come
  // as broadcast loads (vbroadcastss goes to a load port, not the shuffle unit); a loop over the
  // end pointer, not unrolled, keeps V8 from spilling.
  const bEnd = bp + ((<usize> kc * NR) << 2);
  while (bp < bEnd) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let s = v128.load32_splat(ap);
    c00 = f32x4.relaxed_madd(s, b0, c00);
    c01 = f32x4.relaxed_madd(s, b1, c01);
    s = v128.load32_splat(ap, 4);
    c10 = f32x4.relaxed_madd(s, b0, c10);
    c11 = f32x4.relaxed_madd(s, b1, c11);
    s = v128.load32_splat(ap, 8);
    c20 = f32x4.relaxed_madd(s, b0, c20);
    c21 = f32x4.relaxed_madd(s, b1, c21);
    s = v128.load32_splat(ap, 12);
    c30 = f32x4.relaxed_madd(s, b0, c30);
    c31 = f32x4.relaxed_madd(s, b1, c31);
    s = v128.load32_splat(ap, 16);
    c40 = f32x4.relaxed_madd(s, b0, c40);
    c41 = f32x4.relaxed_madd(s, b1, c41);
    s = v128.load32_splat(ap, 20);
    c50 = f32x4.relaxed_madd(s, b0, c50);
    c51 = f32x4.relaxed_madd(s, b1, c51);
    ap += MR << 2;
    bp += NR << 2;
  }
  // Row by row, so that a block's last rows (h < MR) need no scratch tile.
  storeRow(c, c00, c01, loadC, bias);
  if (h > 1) storeRow(c + ldc, c10, c11, loadC, bias);
  if (h > 2) storeRow(c + 2 * ldc, c20, c21, loadC, bias);
  if (h > 3) storeRow(c + 3 * ldc, c30, c31, loadC, bias);
  if (h > 4) storeRow(c + 4 * ldc, c40, c41, loadC, bias);
  if (h > 5) storeRow(c + 5 * ldc, c50, c51, loadC, bias);
}

/** Stores one row of the tile, (lo, hi), at c: [C +] [bias +] the sums. */
// @ts-ignore: decorator
@inline function storeRow(c: usize, lo: v128, hi: v128, loadC: bool, bias: usize): void {
  if (bias) {
    lo = f32x4.add(lo, v128.load(bias));
    hi = f32x4.add(hi, v128.load(bias, 16));
  }
  if (loadC) {
    lo = f32x4.add(lo, v128.load(c));
    hi = f32x4.add(hi, v128.load(c, 16));
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}
