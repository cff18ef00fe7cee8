// The generator's one door: spec in, generated files out. `cmdb-contract generate` and `cmdb-contract docs` both call
// `generateFiles`; only the selection of emitters differs.
import { type LoadedSpec, validateSpec } from "../spec/load-spec.ts";
import { DOCS_FOLDER, emitDocs } from "./emit/docs.ts";
import { emitIndex } from "./emit/index-file.ts";
import { emitTypes } from "./emit/types.ts";
import type { GeneratedFile } from "./generated-file.ts";
import { buildModel } from "./model/build-model.ts";
import { compareText } from "./model/text.ts";
import { readClientRuntime } from "./runtime/read-runtime.ts";
import { startSpecWorker } from "./workers.ts";

/** Options of {@link generateFiles}. */
export interface GenerateOptions {
  /** `"docs"` emits only the docs (`cmdb-contract docs`); everything by default. */
  only?: "docs";
  /** Default true; false leaves the docs out (only the types, the client and the index). */
  docs?: boolean;
}

/** Which generated paths a run of {@link generateFiles} with these options answers for (stale files included). */
export function ownsPath(options: GenerateOptions, path: string): boolean {
  const inDocs = path.startsWith(`${DOCS_FOLDER}/`);
  return options.only === "docs" ? inDocs : options.docs !== false || !inDocs;
}

/**
 * Validates a spec that `readSpec` read and turns it into every generated file (types, client, index and docs, or
 * the docs alone), sorted by path. The CPU-heavy steps that need no TypeScript source (openapi-typescript's render,
 * swagger-parser's validation) run in a worker thread while this one builds the model and emits the rest; a spec
 * problem wins over a generator error, and nothing is answered unless the spec is valid.
 * @throws SpecError when the spec is invalid or an operation cannot become a client method (see `buildModel`).
 * @throws Error when two emitters produce the same path.
 */
export async function generateFiles(spec: LoadedSpec, options: GenerateOptions = {}): Promise<GeneratedFile[]> {
  const docsOnly = options.only === "docs";
  // `docs` needs no openapi-typescript, so it validates in this thread rather than pay for the worker's start.
  const worker = docsOnly ? undefined : startSpecWorker();
  const validating = validateSpec(spec, worker ? { validateSchema: worker.validateSchema } : {});
  const generating = emitFiles(spec, { docs: options.docs !== false, code: !docsOnly }, worker?.renderTypes);
  const [validated, generated] = await Promise.allSettled([validating, generating]);
  if (validated.status === "rejected") throw validated.reason;
  if (generated.status === "rejected") throw generated.reason;
  return generated.value;
}

async function emitFiles(
  spec: LoadedSpec,
  emit: { docs: boolean; code: boolean },
  renderTypes: ((document: object) => Promise<string>) | undefined,
): Promise<GeneratedFile[]> {
  // The types render starts first, so a worker rendering them overlaps ts-morph's loading and the client's emit.
  const types = emit.code ? emitTypes(spec.document, renderTypes ? { render: renderTypes } : {}) : undefined;
  types?.catch(() => {});
  const model = buildModel(spec.document, spec.file);
  const files = emit.docs ? emitDocs(model) : [];
  if (types) {
    const { emitClient } = await import("./emit/client.ts");
    files.push(emitClient(model, readClientRuntime()), emitIndex(), await types);
  }
  files.sort((a, b) => compareText(a.path, b.path));
  const duplicate = files.find((file, i) => i > 0 && files[i - 1]?.path === file.path);
  if (duplicate) throw new Error(`two emitters produce ${duplicate.path}; each generated path needs one owner`);
  return files;
}
