import { createRequire } from "node:module";
import type * as OpenApiTypescript from "openapi-typescript";
import type { OpenAPI3 } from "openapi-typescript";
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import type { GeneratedFile } from "../generated-file.ts";
import { GENERATED_HEADER } from "./header.ts";

// Loaded through `require` (its CommonJS build): under tsx's ESM hooks an `import` sends every module of TypeScript
// through the hooks thread and the CommonJS lexer, which costs about a second per `generate`.
const { default: openapiTS, astToString } = createRequire(import.meta.url)(
  "openapi-typescript",
) as typeof OpenApiTypescript;

/** The path of the types file inside the output folder. */
export const TYPES_FILE = "types.gen.ts";

/**
 * Emits `types.gen.ts` (`paths`, `components`, `operations`) with openapi-typescript used as a library, so the
 * output also serves `openapi-fetch`'s `createClient<paths>()`.
 * @see spec/cmdb.openapi.yaml
 */
export async function emitTypes(document: OpenApiDocument): Promise<GeneratedFile> {
  const ast = await openapiTS(withChineseDocs(document) as unknown as OpenAPI3, { silent: true });
  return { path: TYPES_FILE, contents: `${GENERATED_HEADER}\n${astToString(ast)}` };
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
    const zh = copy[`x-${key}-zh`];
    if (typeof zh !== "string" || zh.trim() === "") continue;
    const en = copy[key];
    // `properties` and `examples` maps may have members named "summary" or "description"; only merge text.
    if (en !== undefined && typeof en !== "string") continue;
    copy[key] = typeof en === "string" && en.trim() !== "" ? `${en.trim()}\n${zh.trim()}` : zh.trim();
  }
  return copy;
}
