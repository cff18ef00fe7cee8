import type { OpenApiDocument } from "../spec/load-spec.ts";
import { emitClient } from "./emit/client.ts";
import { emitDocs } from "./emit/docs.ts";
import { emitIndex } from "./emit/index-file.ts";
import { emitTypes } from "./emit/types.ts";
import type { GeneratedFile } from "./generated-file.ts";
import { buildModel } from "./model/build-model.ts";

/** Options of {@link generateFiles}. */
export interface GenerateOptions {
  /** The spec's file name, used in error messages. */
  specFile?: string;
}

/**
 * Turns a loaded spec into every generated file (types, client, index and docs), sorted by path; pure apart from
 * openapi-typescript's promise.
 * @throws SpecError when an operation cannot become a client method (see `buildModel`).
 * @throws Error when two emitters produce the same path.
 */
export async function generateFiles(
  document: OpenApiDocument,
  options: GenerateOptions = {},
): Promise<GeneratedFile[]> {
  const model = buildModel(document, options.specFile);
  const files = [await emitTypes(document), emitClient(model), emitIndex(), ...emitDocs(document)];
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const duplicate = files.find((file, i) => i > 0 && files[i - 1]?.path === file.path);
  if (duplicate) throw new Error(`two emitters produce ${duplicate.path}; each generated path needs one owner`);
  return files;
}
