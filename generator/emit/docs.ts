import type { GeneratedFile } from "../generated-file.ts";
import type { SpecModel } from "../model/spec-model.ts";
import { compareText } from "../model/text.ts";
import { renderHtmlReference } from "./docs-html.ts";
import { LANGUAGES } from "./docs-labels.ts";
import { renderOperationPage } from "./docs-markdown.ts";

/** The folder of the docs inside the output folder; `cmdb-contract docs` owns only what is under it. */
export const DOCS_FOLDER = "docs";

/**
 * Emits the documentation of a spec: `docs/<api>.zh.md` and `docs/<api>.en.md` per operation, in the layout of
 * BlueKing's published API pages, and one self-contained `docs/index.html` reference, sorted by path; pure and
 * byte-identical run to run.
 * @see cmdb-semantics §1.4, §2, §4.4
 */
export function emitDocs(model: SpecModel): GeneratedFile[] {
  const pages = model.docs.operations.flatMap((operation) =>
    LANGUAGES.map((language) => ({
      path: `${DOCS_FOLDER}/${operation.apiName}.${language}.md`,
      contents: renderOperationPage(model, operation, language),
    })),
  );
  const files = [...pages, { path: `${DOCS_FOLDER}/index.html`, contents: renderHtmlReference(model) }];
  return files.sort((a, b) => compareText(a.path, b.path));
}
