/**
 * An exercise is the student's own code: its file may import types from the library, but not the
 * library's implementations, which are the answers. This module asks Deno for the file's module
 * graph (`deno info --json`) and lists the project modules its code imports at run time from
 * outside `labs/exercises/`. It follows every import Deno can resolve, through the student's own
 * helper files too; an import whose specifier is computed at run time is out of its sight.
 * @module
 */
import { fileURLToPath } from "node:url";

const EXERCISES_DIR = "labs/exercises/";

interface GraphDependency {
  code?: { specifier: string; span: { start: { line: number; character: number } } };
}
interface GraphModule {
  specifier: string;
  dependencies?: GraphDependency[];
}

/**
 * The project modules (paths relative to their project's root) that `file` and the exercise files
 * it imports load at run time from outside `labs/exercises/`. `roots` are the project folders,
 * most specific first; `file` is relative to the first. Empty when Deno cannot read the graph (a
 * file that does not parse is reported when the lab imports it).
 *
 * @example
 * ```ts
 * import { borrowedModules } from "./own_code.ts";
 * console.log(await borrowedModules("labs/exercises/03_attention.ts", ["."])); // [] for own code
 * ```
 */
export async function borrowedModules(file: string, roots: string[]): Promise<string[]> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--no-remote", "--no-npm", "--no-lock", file],
      cwd: roots[0],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
  } catch {
    return [];
  }
  if (!output.success) return [];
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: GraphModule[] };
  const folders = roots.map((r) => Deno.realPathSync(r) + "/");
  const projectOf = (path: string) => folders.find((r) => path.startsWith(r));
  const isStudentCode = (path: string) => {
    const project = projectOf(path);
    return project === undefined || path.startsWith(project + EXERCISES_DIR);
  };
  const borrowed = new Set<string>();
  for (const module of graph.modules) {
    if (!module.specifier.startsWith("file:")) continue;
    const modulePath = fileURLToPath(module.specifier);
    if (!isStudentCode(modulePath)) continue;
    let lines: string[];
    try {
      lines = Deno.readTextFileSync(modulePath).split("\n");
    } catch {
      continue; // a missing file: the import that loads it reports that
    }
    for (const { code } of module.dependencies ?? []) {
      if (!code?.specifier.startsWith("file:")) continue;
      const path = fileURLToPath(code.specifier);
      if (isStudentCode(path)) continue;
      const { line, character } = code.span.start;
      const before = lines.slice(0, line).join("\n") + "\n" + lines[line].slice(0, character);
      if (!importsOnlyTypes(before)) borrowed.add(path.slice(projectOf(path)!.length));
    }
  }
  return [...borrowed].sort();
}

/**
 * Whether the import or export declaration that ends with `source` (its text up to the module
 * specifier) names only types, as in `import { type A, type B } from`, which Deno reports as code.
 */
function importsOnlyTypes(source: string): boolean {
  const clause = /\{([^{}]*)\}\s*from\s*$/.exec(source);
  if (
    !clause || !/(^|[;\n}])\s*(import|export)\s*(type\s*)?$/.test(source.slice(0, clause.index))
  ) {
    return false;
  }
  const names = clause[1].split(",").map((n) => n.trim()).filter((n) => n !== "");
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}
