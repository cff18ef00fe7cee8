// The pieces every part of the HTML reference is built from: bilingual headings and texts, tables and examples.
import type { FieldTable } from "../model/schema-tables.ts";
import type { BilingualText, ExampleDoc } from "../model/spec-model.ts";
import { LABELS, variantHeaders } from "./docs-labels.ts";

/** A key of the docs' labels. */
export type LabelKey = keyof typeof LABELS;

/** Parameter or response tables as HTML, with a type column per envelope variant when `variantCodes` is given. */
export function renderTables(
  tables: readonly FieldTable[],
  withRequired: boolean,
  variantCodes?: readonly number[],
): string {
  return tables
    .map((table) => {
      const title =
        table.path === ""
          ? ""
          : `<h4><code>${esc(table.path)}</code> ${esc(LABELS.fieldsOf.zh)} <span class="h-en">${esc(LABELS.fieldsOf.en)}</span></h4>`;
      const variants = table.path === "" && variantCodes !== undefined;
      const zh = variants ? variantHeaders(variantCodes, "zh") : [LABELS.type.zh];
      const en = variants ? variantHeaders(variantCodes, "en") : [LABELS.type.en];
      const types = zh.map(
        (text, i) => `<th class="narrow">${esc(text)} <span class="h-en">${esc(en[i] ?? "")}</span></th>`,
      );
      const head = withRequired
        ? `<th>${heading("field")}</th>${types.join("")}<th class="narrow">${heading("required")}</th><th>${heading("text")}</th>`
        : `<th>${heading("name")}</th>${types.join("")}<th>${heading("text")}</th>`;
      const rows = table.rows.map((r) => {
        const badge = r.deprecated ? `<span class="tag deprecated">${heading("deprecated")}</span> ` : "";
        const cells = [
          `<td class="field"><code>${fieldPath(r.path)}</code></td>`,
          ...(variants ? (r.variantTypes ?? [r.type]) : [r.type]).map(
            (t) => `<td><span class="type">${esc(t)}</span></td>`,
          ),
          withRequired ? `<td>${r.required ? yes() : no()}</td>` : "",
          `<td>${badge}${bilingualCell(r.description)}</td>`,
        ];
        return `<tr${r.deprecated ? ` class="is-deprecated"` : ""}>${cells.join("")}</tr>`;
      });
      return `${title}\n<table><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
    })
    .join("\n");
}

/** Examples as collapsible blocks of pretty-printed JSON under their summaries; the first one open when asked. */
export function renderExamples(examples: readonly ExampleDoc[], openFirst: boolean): string {
  return examples
    .map((e, i) => {
      const open = openFirst && i === 0 ? " open" : "";
      const description = bilingualBlock(e.description, "example-note");
      return `<details class="example"${open}><summary>${bilingualInline(e.summary)}</summary>${description}<pre><code>${esc(e.json)}</code></pre></details>`;
    })
    .join("\n");
}

/** A dotted field path with its parents dimmed, so the field itself stands out. */
export function fieldPath(path: string): string {
  const cut = path.lastIndexOf(".") + 1;
  return cut === 0 ? esc(path) : `<span class="prefix">${esc(path.slice(0, cut))}</span>${esc(path.slice(cut))}`;
}

/** A heading in both languages: the Chinese one first, the English one beside it, quieter (once when they are the same). */
export function heading(key: LabelKey): string {
  const { zh, en } = LABELS[key];
  return zh === en ? esc(zh) : `${esc(zh)} <span class="h-en">${esc(en)}</span>`;
}

/** The "yes" of a required column, highlighted. */
export function yes(): string {
  return `<span class="req">${heading("yes")}</span>`;
}

/** The "no" of a required column, quiet. */
export function no(): string {
  return `<span class="opt">${heading("no")}</span>`;
}

/** A text as one paragraph per language, Chinese first; the English one only when it differs. */
export function bilingualBlock(text: BilingualText, className: string): string {
  const parts = [];
  if (text.zh !== "") parts.push(`<p class="${className} zh">${inline(text.zh)}</p>`);
  if (text.en !== "" && text.en !== text.zh) parts.push(`<p class="${className} en">${inline(text.en)}</p>`);
  return parts.join("\n");
}

/** A short text on one line: the Chinese first, the English beside it, quieter (as {@link heading} does). */
export function bilingualInline(text: BilingualText): string {
  if (text.zh === "") return inline(text.en);
  const en = text.en === "" || text.en === text.zh ? "" : ` <span class="h-en">${inline(text.en)}</span>`;
  return `<span class="zh">${inline(text.zh)}</span>${en}`;
}

/** A table cell's text, one block per language. */
export function bilingualCell(text: BilingualText): string {
  const zh = text.zh === "" ? "" : `<div class="zh">${inline(text.zh)}</div>`;
  const en = text.en === "" || text.en === text.zh ? "" : `<div class="en">${inline(text.en)}</div>`;
  return `${zh}${en}`;
}

/** Escapes text, then turns the spec's Markdown code spans into `<code>`. */
export function inline(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

/** Escapes text for HTML. */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
