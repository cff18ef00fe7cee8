import { readFileSync } from "node:fs";

/**
 * Where the runtime's source is: beside this module when it runs from the sources (a clone, tsx), or, when it runs
 * compiled from `dist/generator/runtime/`, in the package's own `generator/runtime/` (the published package must ship
 * that one source file: the compiled JavaScript has lost the types the generated client needs).
 */
const CANDIDATES = [
  new URL("./client-runtime.ts", import.meta.url),
  new URL("../../../generator/runtime/client-runtime.ts", import.meta.url),
];

let runtime: string | undefined;

/**
 * The text of client-runtime.ts, which `emitClient` copies into the generated client; read once per process.
 * @throws Error naming every place it looked when the file cannot be read (an installation that left it out).
 */
export function readClientRuntime(): string {
  runtime ??= readFirst();
  return runtime;
}

function readFirst(): string {
  const failures: string[] = [];
  for (const candidate of CANDIDATES) {
    try {
      return readFileSync(candidate, "utf8");
    } catch (error) {
      failures.push(`${candidate.pathname} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  throw new Error(`cannot read the client runtime's source; looked at ${failures.join(", ")}`);
}
