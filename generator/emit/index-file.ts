import type { GeneratedFile } from "../generated-file.ts";
import { CLIENT_FILE, TYPES_FILE } from "./file-names.ts";
import { GENERATED_HEADER } from "./header.ts";

/** The path of the entry file inside the output folder. */
export const INDEX_FILE = "index.ts";

/** Emits `index.ts`, re-exporting the client and the types so a repo imports one file. */
export function emitIndex(): GeneratedFile {
  const specifier = (file: string) => JSON.stringify(`./${file.replace(/\.ts$/, ".js")}`);
  const lines = [
    `export * from ${specifier(CLIENT_FILE)};`,
    `export type { components, operations, paths } from ${specifier(TYPES_FILE)};`,
  ];
  return { path: INDEX_FILE, contents: `${GENERATED_HEADER}\n${lines.join("\n")}\n` };
}
