import type { OpenApiDocument } from "../../spec/load-spec.ts";
import type { GeneratedFile } from "../generated-file.ts";

/** Emits the documentation pages (`docs/…`) for a spec; filled in by the docs work (issue 6). */
export function emitDocs(_document: OpenApiDocument): GeneratedFile[] {
  return [];
}
