import { createRequire } from "node:module";
import type * as OpenApiTypescript from "openapi-typescript";
import type { OpenAPI3 } from "openapi-typescript";
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import type { GeneratedFile } from "../generated-file.ts";
import { normalizeChineseSpace, withoutCitations } from "../model/text.ts";
import { TYPES_FILE } from "./file-names.ts";
import { GENERATED_HEADER } from "./header.ts";

/** Options of {@link emitTypes}. */
export interface EmitTypesOptions {
  /**
   * Renders the document (already carrying the Chinese docs) with openapi-typescript; in this thread by default, in
   * a worker (`startSpecWorker().renderTypes`) when the caller has other work to overlap.
   */
  render?: (document: object) => Promise<string>;
}

/**
 * Emits `types.gen.ts` (`paths`, `components`, `operations`) with openapi-typescript used as a library, so the
 * output also serves `openapi-fetch`'s `createClient<paths>()`.
 * @see spec/cmdb.openapi.yaml
 */
export async function emitTypes(document: OpenApiDocument, options: EmitTypesOptions = {}): Promise<GeneratedFile> {
  const render = options.render ?? renderTypesInThisThread;
  return { path: TYPES_FILE, contents: `${GENERATED_HEADER}\n${await render(withChineseDocs(document))}` };
}

/** openapi-typescript's `openapiTS()` + `astToString()` in this thread. */
export async function renderTypesInThisThread(document: object): Promise<string> {
  // Loaded on first use through `require` (its CommonJS build): under tsx's ESM hooks an `import` sends every module
  // of TypeScript through the hooks thread and the CommonJS lexer, which costs about a second per `generate`.
  const { default: openapiTS, astToString } = createRequire(import.meta.url)(
    "openapi-typescript",
  ) as typeof OpenApiTypescript;
  return astToString(await openapiTS(document as OpenAPI3, { silent: true }));
}

/**
 * A copy of the spec whose `summary` and `description` also carry `x-summary-zh` and `x-description-zh`, so
 * openapi-typescript's JSDoc shows both languages without touching its output.
 */
export function withChineseDocs(document: OpenApiDocument): OpenApiDocument {
  return mergeChinese(document) as OpenApiDocument;
}

function mergeChinese(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(mergeChinese);
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = mergeChinese(value);
  for (const key of ["summary", "description"]) {
    // The texts are read as the model reads them: no citations of the semantics document, and no folded-YAML space
    // between Chinese characters.
    const zh = withoutCitations(normalizeChineseSpace(copy[`x-${key}-zh`]));
    const raw = copy[key];
    // `properties` and `examples` maps may have members named "summary" or "description"; only merge text.
    if (raw !== undefined && typeof raw !== "string") continue;
    const en = typeof raw === "string" ? withoutCitations(raw.trim()) : "";
    if (zh === "" && raw === undefined) continue;
    copy[key] = en !== "" && zh !== "" ? `${en}\n${zh}` : en || zh;
  }
  return copy;
}
