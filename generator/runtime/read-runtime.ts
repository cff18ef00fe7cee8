import { readFileSync } from "node:fs";

let runtime: string | undefined;

/**
 * The text of client-runtime.ts, which `emitClient` copies into the generated client; read once per process.
 * @throws Error when the file cannot be read (an installation that left it out).
 */
export function readClientRuntime(): string {
  runtime ??= readFileSync(new URL("./client-runtime.ts", import.meta.url), "utf8");
  return runtime;
}
