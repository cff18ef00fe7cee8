import type { OpenApiDocument } from "../spec/load-spec.ts";
import { emitDocs } from "./emit/docs.ts";
import { emitIndex } from "./emit/index-file.ts";
import { type EmitTypesOptions, emitTypes } from "./emit/types.ts";
import type { GeneratedFile } from "./generated-file.ts";
import { buildModel } from "./model/build-model.ts";
import { readClientRuntime } from "./runtime/read-runtime.ts";

/** Options of {@link generateFiles}. */
export interface GenerateOptions {
  /** The spec's file name, used in error messages. */
  specFile?: string;
  /** How openapi-typescript renders the types: in this thread by default, or in a worker's (`startSpecWorker`). */
  renderTypes?: EmitTypesOptions["render"];
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
  // The types render starts first, so a worker rendering them overlaps ts-morph's loading and the client's emit.
  const types = emitTypes(document, options.renderTypes ? { render: options.renderTypes } : {});
  types.catch(() => {});
  const { emitClient } = await import("./emit/client.ts");
  const files = [emitClient(model, readClientRuntime()), emitIndex(), ...emitDocs(document), await types];
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const duplicate = files.find((file, i) => i > 0 && files[i - 1]?.path === file.path);
  if (duplicate) throw new Error(`two emitters produce ${duplicate.path}; each generated path needs one owner`);
  return files;
}
