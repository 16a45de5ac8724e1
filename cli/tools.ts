/**
 * The developer's commands: `doctor` checks the set-up, `bench` measures, `build` compiles the
 * kernels.
 * @module
 */
import { runBench, SUITES } from "../lib/bench/mod.ts";
import { runDoctor } from "../lib/course/doctor.ts";
import { UserError } from "../lib/errors.ts";
import { ensureKernelsBuilt } from "../lib/wasm/build.ts";
import { tr } from "../lib/i18n.ts";
import { paint } from "../lib/term.ts";
import { HELP } from "./help.ts";
import { dirname } from "node:path";
import { type Command, flags } from "./flags.ts";
import { absolute, outputFolder, refuseExisting } from "../lib/atomic.ts";

/** The commands that check, measure and build the project itself. */
export const TOOL_COMMANDS: Record<string, Command> = {
  doctor: {
    ...HELP.doctor,
    options: {},
    async run() {
      const checks = await runDoctor();
      for (const c of checks) {
        console.log(
          `  ${c.ok ? paint("green", "OK") : paint("red", "!!")}  ${c.name.padEnd(17)} ${c.detail}`,
        );
      }
      return checks.every((c) => c.ok) ? 0 : 1;
    },
  },
  bench: {
    ...HELP.bench,
    words: 1,
    options: flags(["json"], ["force"]),
    async run(values, positionals) {
      const name = positionals[0];
      if (!name || !SUITES[name]) {
        const suites = Object.keys(SUITES).join(", ");
        throw new UserError(tr({
          en: `${name ? `There is no benchmark "${name}"` : "Say which benchmark to run"}; ` +
            `the suites are ${suites} (for example \`deno task bench kernels\`).`,
          fr: `${name ? `Il n'y a pas de benchmark « ${name} »` : "Dis quel benchmark lancer"} : ` +
            `les suites sont ${suites} (par exemple \`deno task bench kernels\`).`,
        }));
      }
      const json = typeof values.json === "string" ? values.json : undefined;
      // Where the results go is checked before a run of minutes, not after it.
      if (json !== undefined) {
        await outputFolder("json", json, dirname(absolute(json)));
        if (values.force !== true) await refuseExisting([json], "json");
      }
      return await runBench(name, json);
    },
  },
  build: {
    ...HELP.build,
    options: flags([], ["force"]),
    async run(values) {
      const { built } = await ensureKernelsBuilt({ force: values.force === true });
      if (!built) {
        console.log(tr({
          en: "Kernels are up to date (kernels/build/kernels.wasm).",
          fr: "Les noyaux sont à jour (kernels/build/kernels.wasm).",
        }));
      }
      return 0;
    },
  },
};
