// AssemblyScript: the 128-bit SIMD limit of this machine, measured rather than looked up.
// A loop of fused multiply-adds on f32x4 with nothing else to do: twelve independent chains, more
// than FMA latency × FMA ports (4 × 2 on current x86-64), so the loop is bound by FMA throughput
// alone. No memory is touched. Each iteration does 12 FMAs × 4 lanes × 2 flops = 96 flops.

/** Flops one iteration of `fmaLoop` performs. */
export const FMA_LOOP_FLOPS = 96;

/**
 * Runs `n` iterations and returns a value that depends on all of them (so none is optimized away).
 * a ← a·decay + seed converges for 0 < decay < 1: no overflow, no denormals, whatever n is.
 * `decay` is a parameter, not a literal, because the optimizer would otherwise rematerialize the
 * constant vector inside the loop, twelve times per iteration.
 */
export function fmaLoop(n: i32, seed: f32, decay: f32): f32 {
  const x = f32x4.splat(seed);
  const y = f32x4.splat(decay);
  let a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x;
  let a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
  for (let i = 0; i < n; i++) {
    a0 = f32x4.relaxed_madd(a0, y, x);
    a1 = f32x4.relaxed_madd(a1, y, x);
    a2 = f32x4.relaxed_madd(a2, y, x);
    a3 = f32x4.relaxed_madd(a3, y, x);
    a4 = f32x4.relaxed_madd(a4, y, x);
    a5 = f32x4.relaxed_madd(a5, y, x);
    a6 = f32x4.relaxed_madd(a6, y, x);
    a7 = f32x4.relaxed_madd(a7, y, x);
    a8 = f32x4.relaxed_madd(a8, y, x);
    a9 = f32x4.relaxed_madd(a9, y, x);
    a10 = f32x4.relaxed_madd(a10, y, x);
    a11 = f32x4.relaxed_madd(a11, y, x);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(a4, a5)),
    f32x4.add(f32x4.add(f32x4.add(a6, a7), f32x4.add(a8, a9)), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0);
}
