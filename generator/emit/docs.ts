import type { OpenApiDocument } from "../../spec/load-spec.ts";
import type { GeneratedFile } from "../generated-file.ts";
import { renderHtmlReference } from "./docs-html.ts";
import { LANGUAGES } from "./docs-labels.ts";
import { renderOperationPage } from "./docs-markdown.ts";
import { buildDocsModel } from "./docs-model.ts";

/**
 * Emits the documentation of a spec: `docs/<api>.zh.md` and `docs/<api>.en.md` per operation, in the layout of
 * BlueKing's published API pages, and one self-contained `docs/index.html` reference; pure and byte-identical run to run.
 * @see cmdb-semantics §1.4, §2, §4.4
 * @throws SpecError when the spec cannot be turned into the normalized model.
 */
export function emitDocs(document: OpenApiDocument): GeneratedFile[] {
  const model = buildDocsModel(document);
  const pages = model.operations.flatMap((operation) =>
    LANGUAGES.map((language) => ({
      path: `docs/${operation.apiName}.${language}.md`,
      contents: renderOperationPage(model, operation, language),
    })),
  );
  const files = [...pages, { path: "docs/index.html", contents: renderHtmlReference(model) }];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
