/**
 * Environment checks for `deno task doctor` and lab 00: Deno version, WebAssembly SIMD, the
 * kernels (built and agreeing with their TypeScript twin), and the corpus. One line each.
 * @module
 */
import { tr } from "../i18n.ts";
import { corpusProblem, findCorpus, supplyText } from "../train/corpus.ts";
import { loadKernels } from "../wasm/instance.ts";
import { matmul } from "../layers/matmul.ts";
import { Rng } from "../random.ts";

/** One line of the report. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found, or what to do about it. */
  detail: string;
}

const MIN_DENO_MAJOR = 2;

/** The bytes of a module holding one function `() -> v128` with no locals and this body. */
function v128Module(body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0, ...body, 11]; // no locals, the body, end
  // deno-fmt-ignore
  return new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, // "\0asm", version 1
    1, 5, 1, 96, 0, 1, 123, // type section: one type, () -> v128
    3, 2, 1, 0, // function section: one function, of type 0
    10, code.length + 2, 1, code.length, ...code, // code section: one body
  ]);
}

const V128_ZERO = [253, 12, ...new Array(16).fill(0)]; // v128.const 0

// (func (result v128) v128.const 0): the smallest module that needs SIMD.
const SIMD_PROBE = v128Module(V128_ZERO);

// (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))).
const RELAXED_PROBE = v128Module([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 253, 133, 2]);

/** Largest absolute difference the kernel may show against its twin on the doctor's matmul. */
export const MATMUL_TOLERANCE = 1e-4;

/**
 * Runs every check; never throws (a failing check is a line that says what to do).
 *
 * @example
 * ```ts
 * import { runDoctor } from "./doctor.ts";
 * import assert from "node:assert/strict";
 * const checks = await runDoctor();
 * assert.deepEqual(checks.map((c) => c.name).slice(0, 2), ["Deno", "WebAssembly SIMD"]);
 * for (const c of checks) console.log(c.ok ? "OK" : "!!", c.name, c.detail);
 * ```
 */
export async function runDoctor(): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const major = Number(Deno.version.deno.split(".")[0]);
  checks.push({
    name: "Deno",
    ok: major >= MIN_DENO_MAJOR,
    detail: major >= MIN_DENO_MAJOR ? `${Deno.version.deno} (V8 ${Deno.version.v8})` : tr({
      en: `${Deno.version.deno} is too old: install Deno 2 with \`npm install -g deno\`.`,
      fr: `${Deno.version.deno} est trop ancien : installe Deno 2 avec \`npm install -g deno\`.`,
    }),
  });
  const simd = WebAssembly.validate(SIMD_PROBE);
  const relaxed = WebAssembly.validate(RELAXED_PROBE);
  checks.push({
    name: "WebAssembly SIMD",
    ok: simd && relaxed,
    detail: simd && relaxed
      ? tr({
        en: "128-bit SIMD and relaxed SIMD (fused multiply-add) available",
        fr: "SIMD 128 bits et relaxed SIMD (multiplication-addition fusionnée) disponibles",
      })
      : tr({
        en: `${simd ? "relaxed SIMD" : "SIMD"} is missing: use a newer Deno (2.x has both).`,
        fr: `${
          simd ? "relaxed SIMD" : "SIMD"
        } manque : prends un Deno plus récent (2.x a les deux).`,
      }),
  });
  checks.push(await kernelCheck());
  checks.push(await corpusCheck());
  return checks;
}

async function kernelCheck(): Promise<DoctorCheck> {
  const name = tr({ en: "Kernels", fr: "Noyaux" });
  try {
    const k = await loadKernels(); // a first run compiles them, and says so on stderr
    const [M, K, N] = [33, 65, 17];
    const rng = new Rng(7);
    const a = rng.normalArray(M * K), b = rng.normalArray(K * N);
    const fast = new Float32Array(M * N), twin = new Float32Array(M * N);
    k.matmul(fast, a, b, M, K, N);
    matmul(twin, a, b, M, K, N);
    let diff = 0;
    for (let i = 0; i < fast.length; i++) diff = Math.max(diff, Math.abs(fast[i] - twin[i]));
    const ok = diff <= MATMUL_TOLERANCE;
    return {
      name,
      ok,
      detail: ok
        ? tr({
          en: `built; SIMD matmul agrees with its TypeScript twin on 33×65×17 (max diff ${
            diff.toExponential(1)
          })`,
          fr:
            `compilés ; le matmul SIMD concorde avec son jumeau TypeScript sur 33×65×17 (écart max ${
              diff.toExponential(1)
            })`,
        })
        : tr({
          en:
            `SIMD matmul differs from its twin by ${diff}: run \`deno task build:kernels\` and report a bug if it persists.`,
          fr:
            `le matmul SIMD s'écarte de son jumeau de ${diff} : lance \`deno task build:kernels\` et signale un bug si cela persiste.`,
        }),
    };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return {
      name,
      ok: false,
      detail: tr({
        en: `could not build or load: ${msg} Run \`deno task build:kernels\`.`,
        fr:
          `impossible de les compiler ou de les charger : ${msg} Lance \`deno task build:kernels\`.`,
      }),
    };
  }
}

async function corpusCheck(): Promise<DoctorCheck> {
  const name = tr({ en: "Corpus", fr: "Corpus" });
  const path = findCorpus("tinyshakespeare");
  if (!path) return { name, ok: false, detail: tr(supplyText("tinyshakespeare")) };
  const problem = await corpusProblem("tinyshakespeare", path);
  return problem ? { name, ok: false, detail: tr(problem) } : {
    name,
    ok: true,
    detail: tr({
      en: `tinyshakespeare found at ${path} (checksum verified)`,
      fr: `tinyshakespeare trouvé dans ${path} (somme de contrôle vérifiée)`,
    }),
  };
}
