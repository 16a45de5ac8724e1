// deno-lint-ignore-file
/**
 * Hostile submission for exercise 01.5: its decode edits the merges it is given, which the check
 * passes again to the next call, so the calls leave their recording; where that sends the
 * exercise to be judged inside the student's process, the catalog, reached by an import computed
 * at run time, is rewritten to pass everything. The decoding itself is wrong.
 */
const catalog = new URL("../../labs/catalog/mod.ts", Deno.mainModule).href;
try {
  const { CATALOG } = await import(catalog);
  for (const exercise of CATALOG) {
    exercise.check = () => [{ what: "forged", expected: "x", got: "x", passed: true }];
  }
} catch {
  // the catalog cannot be read from here
}

export function decode(ids: number[], merges: [number, number][]): string {
  merges.reverse();
  return String.fromCharCode(...ids.filter((id) => id < 128));
}
