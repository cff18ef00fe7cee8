import type { FieldTable } from "../model/schema-tables.ts";
import type {
  BilingualText,
  ErrorCodeModel,
  ExampleDoc,
  LockDoc,
  OperationDoc,
  SpecModel,
  WorkedRow,
} from "../model/spec-model.ts";
import { LABELS } from "./docs-labels.ts";
import { codesOf, isFieldPath } from "./docs-markdown.ts";

type LabelKey = keyof typeof LABELS;

/**
 * Renders the HTML reference: one self-contained page (inline CSS, no script, a Content-Security-Policy that forbids
 * every network load) with the four operations, their parameters, examples and error codes, the template lock rules
 * with the worked example, the full error-code table and the differences from the published page, in Chinese and
 * English side by side.
 * @see cmdb-semantics §1.4, §2, §4.4
 */
export function renderHtmlReference(model: SpecModel): string {
  const nav = [
    `<p class="nav-group">${heading("operations")}</p>`,
    ...model.docs.operations.map(
      (o) =>
        `<a href="#op-${o.apiName}"><span class="method">${esc(o.method.toUpperCase())}</span><span class="nav-name">${esc(o.apiName)}</span><span class="nav-sub">${esc(o.summary.zh || o.summary.en)}</span></a>`,
    ),
    `<p class="nav-group">${heading("overview")}</p>`,
    `<a href="#template-lock">${heading("lockRules")}</a>`,
    `<a href="#error-codes">${heading("errorCodes")}</a>`,
    `<a href="#differences">${heading("differences")}</a>`,
  ];
  const body = [
    `<header class="hero" id="overview">`,
    `<h1>${esc(model.title)}</h1>`,
    bilingualBlock(model.docs.summary, "lead"),
    bilingualBlock(model.docs.description, "intro"),
    `</header>`,
    ...model.docs.operations.map((o) => renderOperation(model, o)),
    renderLockSection(model.docs.lock, model.docs.operations),
    `<section id="error-codes" class="panel">`,
    `<h2>${heading("errorCodes")}</h2>`,
    renderErrorCodes(model.errorCodes, true),
    `</section>`,
    renderDifferences(model),
  ];
  return [
    "<!doctype html>",
    `<html lang="zh-CN">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    // The reference must load nothing: no script, and no fetch of any kind beyond its own inline style.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(model.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<aside class="sidebar"><div class="brand">${esc(model.title)}</div><nav>${nav.join("")}</nav></aside>`,
    `<main>`,
    ...body,
    `</main>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function renderOperation(model: SpecModel, o: OperationDoc): string {
  const out = [
    `<section class="operation panel" id="op-${o.apiName}">`,
    `<h2><span class="method">${esc(o.method.toUpperCase())}</span> <span class="op-name">${esc(o.apiName)}</span></h2>`,
    bilingualBlock(o.summary, "lead"),
    `<dl class="endpoint">`,
    `<dt>${heading("requestUrl")}</dt><dd><code>${esc(o.path)}</code></dd>`,
    `<dt>${heading("method")}</dt><dd><code>${esc(o.method.toUpperCase())}</code></dd>`,
    o.esbDest === "" ? "" : `<dt>${heading("backend")}</dt><dd><code>${esc(o.esbDest)}</code></dd>`,
    `</dl>`,
    `<h3>${heading("description")}</h3>`,
    bilingualBlock(o.description, "prose"),
    `<h3>${heading("requestParams")}</h3>`,
    `<h4>${heading("commonParams")}</h4>`,
    bilingualBlock(model.docs.commonArgsNote, "note"),
    renderTables(o.commonArgs, true),
    `<h4>${heading("interfaceParams")}</h4>`,
    renderTables(o.params, true),
    `<h3>${heading("requestExample")}</h3>`,
    renderExamples(o.requestExamples, o.apiName === model.docs.operations[0]?.apiName),
    `<h3>${heading("responseExample")}</h3>`,
    renderExamples(o.responseExamples, false),
    `<h3>${heading("responseParams")}</h3>`,
    renderTables(o.response, false),
  ];
  if (o.validationOrder.length > 0) {
    out.push(`<h3>${heading("validationOrder")}</h3>`, "<table><thead><tr>");
    out.push(
      `<th class="narrow">${heading("step")}</th><th class="narrow">${heading("code")}</th><th>${heading("when")}</th>`,
    );
    out.push("</tr></thead><tbody>");
    for (const s of o.validationOrder) {
      out.push(
        `<tr><td>${s.step}</td><td><a class="code" href="#code-${s.code}">${s.code}</a></td><td>${bilingualCell(s.when)}</td></tr>`,
      );
    }
    out.push("</tbody></table>");
  }
  out.push(`<h3>${heading("errorCodes")}</h3>`, renderErrorCodes(codesOf(model, o), false));
  if (o.appliesLockRules) {
    out.push(`<p class="see"><a href="#template-lock">${heading("lockRules")} →</a></p>`);
  }
  out.push("</section>");
  return out.filter((line) => line !== "").join("\n");
}

function renderTables(tables: readonly FieldTable[], withRequired: boolean): string {
  return tables
    .map((table) => {
      const title =
        table.path === ""
          ? ""
          : `<h4><code>${esc(table.path)}</code> ${esc(LABELS.fieldsOf.zh)} <span class="h-en">${esc(LABELS.fieldsOf.en)}</span></h4>`;
      const head = withRequired
        ? `<th>${heading("field")}</th><th class="narrow">${heading("type")}</th><th class="narrow">${heading("required")}</th><th>${heading("text")}</th>`
        : `<th>${heading("name")}</th><th class="narrow">${heading("type")}</th><th>${heading("text")}</th>`;
      const rows = table.rows.map((r) => {
        const badge = r.deprecated ? `<span class="tag deprecated">${heading("deprecated")}</span> ` : "";
        const cells = [
          `<td class="field"><code>${fieldPath(r.path)}</code></td>`,
          `<td><span class="type">${esc(r.type)}</span></td>`,
          withRequired ? `<td>${r.required ? yes() : no()}</td>` : "",
          `<td>${badge}${bilingualCell(r.description)}</td>`,
        ];
        return `<tr${r.deprecated ? ` class="is-deprecated"` : ""}>${cells.join("")}</tr>`;
      });
      return `${title}\n<table><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
    })
    .join("\n");
}

function renderExamples(examples: readonly ExampleDoc[], openFirst: boolean): string {
  return examples
    .map((e, i) => {
      const open = openFirst && i === 0 ? " open" : "";
      const description = bilingualBlock(e.description, "example-note");
      return `<details class="example"${open}><summary>${bilingualInline(e.summary)}</summary>${description}<pre><code>${esc(e.json)}</code></pre></details>`;
    })
    .join("\n");
}

function renderErrorCodes(codes: readonly ErrorCodeModel[], withApis: boolean): string {
  const head = [
    `<th>${heading("code")}</th>`,
    `<th>${heading("message")}</th>`,
    `<th>${heading("when")}</th>`,
    `<th>${heading("args")}</th>`,
    withApis ? `<th>${heading("apis")}</th>` : "",
  ].join("");
  const rows = codes.map((e) => {
    const id = withApis ? ` id="code-${e.code}"` : "";
    const apis = e.apis.map((a) => `<a href="#op-${esc(a)}">${esc(a)}</a>`).join("<br>");
    const cells = [
      `<td class="code-cell"><span class="code layer-${esc(e.layer)}">${e.code}</span> <span class="layer">${esc(e.layer)}</span><div class="const">${esc(e.name)}</div></td>`,
      `<td class="message">${bilingualCell(e.message)}</td>`,
      `<td class="when">${bilingualCell(e.when)}</td>`,
      `<td>${bilingualCell(e.args)}</td>`,
      withApis ? `<td class="apis">${apis}</td>` : "",
    ];
    return `<tr${id}>${cells.join("")}</tr>`;
  });
  return `<table class="error-codes"><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

function renderLockSection(lock: LockDoc, operations: readonly OperationDoc[]): string {
  const out = [`<section id="template-lock" class="panel">`, `<h2>${heading("lockRules")}</h2>`];
  out.push(bilingualBlock(lock.description, "prose"));
  out.push(`<h3>${heading("lockableFields")}</h3>`, `<ul class="chips">`);
  for (const f of lock.lockableFields) {
    const always = f.alwaysLocked ? ` <span class="tag locked">${heading("alwaysLocked")}</span>` : "";
    out.push(`<li><code>${esc(f.field)}</code> <span class="type">${esc(f.type)}</span>${always}</li>`);
  }
  out.push("</ul>");
  if (lock.worked) {
    const w = lock.worked;
    out.push(`<h3>${heading("workedExample")}</h3>`, `<ol class="worked-steps">`);
    out.push(
      `<li><strong>${heading("processTemplate")}</strong> <code>process_template_id = ${w.processTemplateId}</code>: ${bilingualInline(w.template.summary)}</li>`,
    );
    out.push(
      `<li><strong>${heading("request")}</strong>: ${bilingualInline(w.request.summary)}${bilingualBlock(w.request.description, "example-note")}</li>`,
    );
    out.push(`<li><strong>${heading("readBack")}</strong>: ${bilingualInline(w.stored.summary)}</li>`, "</ol>");
    const head = [
      `<th>${heading("field")}</th>`,
      `<th>${heading("templateValue")}</th>`,
      `<th class="narrow">${heading("locked")}</th>`,
      `<th>${heading("callerValue")}</th>`,
      `<th>${heading("storedValue")}</th>`,
    ];
    out.push(`<table class="worked"><thead><tr>${head.join("")}</tr></thead><tbody>`);
    for (const r of w.rows) out.push(renderWorkedRow(r));
    out.push("</tbody></table>");
    out.push(renderExamples([w.template, w.request, w.stored], false));
  }
  const bindRows = operations.flatMap((o) => (o.appliesLockRules ? o.bindInfoRows : []));
  if (bindRows.length > 0) {
    out.push(`<h3>${heading("bindInfo")}</h3>`);
    out.push(`<table><thead><tr><th>${heading("field")}</th><th>${heading("text")}</th></tr></thead><tbody>`);
    for (const r of bindRows) {
      out.push(
        `<tr><td class="field"><code>${fieldPath(r.path)}</code></td><td>${bilingualCell(r.description)}</td></tr>`,
      );
    }
    out.push("</tbody></table>");
  }
  out.push(`<h3>${heading("ruleData")}</h3>`, `<div class="rule-groups">`);
  for (const [group, rules] of groupRules(lock.rules)) {
    out.push(
      `<table class="rules"><thead><tr><th colspan="2">${group === "" ? "x-cmdb-template-lock" : `<code>${esc(group)}</code>`}</th></tr></thead><tbody>`,
    );
    for (const r of rules) {
      const key = group === "" ? r.key : r.key.slice(group.length + 1);
      out.push(`<tr><td><code>${esc(key)}</code></td><td><code>${esc(r.value)}</code></td></tr>`);
    }
    out.push("</tbody></table>");
  }
  out.push("</div>", "</section>");
  return out.join("\n");
}

/** The flattened rule data grouped by its first key segment (`caller_value`, `bind_info`, …), top-level keys first. */
function groupRules(rules: LockDoc["rules"]): [string, LockDoc["rules"]][] {
  const groups = new Map<string, LockDoc["rules"]>([["", []]]);
  for (const rule of rules) {
    const group = rule.key.includes(".") ? (rule.key.split(".")[0] as string) : "";
    groups.set(group, [...(groups.get(group) ?? []), rule]);
  }
  return [...groups.entries()].filter(([, list]) => list.length > 0);
}

/** A stored value equal to the template's while the caller sent another one shows the lock at work. */
function renderWorkedRow(r: WorkedRow): string {
  const kept = r.caller !== "" && r.caller !== r.stored && r.stored === r.template;
  const applied = r.caller !== "" && r.caller === r.stored && r.caller !== r.template;
  const value = (text: string) => (text === "" ? `<span class="none">—</span>` : `<code>${esc(text)}</code>`);
  const storedClass = kept ? "kept" : applied ? "applied" : "";
  return [
    `<tr${r.locked ? ` class="is-locked"` : ""}>`,
    `<td class="field"><code>${esc(r.field)}</code></td>`,
    `<td>${value(r.template)}</td>`,
    `<td>${r.locked ? `<span class="tag locked">${heading("yes")}</span>` : no()}</td>`,
    `<td${kept ? ` class="ignored"` : ""}>${value(r.caller)}</td>`,
    `<td${storedClass === "" ? "" : ` class="${storedClass}"`}>${value(r.stored)}</td>`,
    "</tr>",
  ].join("");
}

function renderDifferences(model: SpecModel): string {
  const out = [`<section id="differences" class="panel">`, `<h2>${heading("differences")}</h2>`];
  out.push(bilingualBlock(model.docs.differencesIntro, "prose"));
  for (const o of model.docs.operations) {
    if (o.differences.length === 0) continue;
    out.push(`<h3><a href="#op-${o.apiName}">${esc(o.apiName)}</a></h3>`);
    out.push(
      `<table><thead><tr><th>${heading("topic")}</th><th>${heading("published")}</th><th>${heading("actual")}</th></tr></thead><tbody>`,
    );
    for (const d of o.differences) {
      const subject = isFieldPath(d.topic) ? `<code>${esc(d.topic)}</code>` : inline(d.topic);
      out.push(
        `<tr><td class="field">${subject}</td><td>${bilingualCell(d.published)}</td><td>${bilingualCell(d.actual)}</td></tr>`,
      );
    }
    out.push("</tbody></table>");
  }
  out.push("</section>");
  return out.join("\n");
}

/** A dotted field path with its parents dimmed, so the field itself stands out. */
function fieldPath(path: string): string {
  const cut = path.lastIndexOf(".") + 1;
  return cut === 0 ? esc(path) : `<span class="prefix">${esc(path.slice(0, cut))}</span>${esc(path.slice(cut))}`;
}

/** A heading in both languages: the Chinese one first, the English one beside it, quieter. */
function heading(key: LabelKey): string {
  const { zh, en } = LABELS[key];
  return `${esc(zh)} <span class="h-en">${esc(en)}</span>`;
}

function yes(): string {
  return `<span class="req">${heading("yes")}</span>`;
}

function no(): string {
  return `<span class="opt">${heading("no")}</span>`;
}

function bilingualBlock(text: BilingualText, className: string): string {
  const parts = [];
  if (text.zh !== "") parts.push(`<p class="${className} zh">${inline(text.zh)}</p>`);
  if (text.en !== "" && text.en !== text.zh) parts.push(`<p class="${className} en">${inline(text.en)}</p>`);
  return parts.join("\n");
}

/** A short text on one line: the Chinese first, the English beside it, quieter (as {@link heading} does). */
function bilingualInline(text: BilingualText): string {
  if (text.zh === "") return inline(text.en);
  const en = text.en === "" || text.en === text.zh ? "" : ` <span class="h-en">${inline(text.en)}</span>`;
  return `<span class="zh">${inline(text.zh)}</span>${en}`;
}

function bilingualCell(text: BilingualText): string {
  const zh = text.zh === "" ? "" : `<div class="zh">${inline(text.zh)}</div>`;
  const en = text.en === "" || text.en === text.zh ? "" : `<div class="en">${inline(text.en)}</div>`;
  return `${zh}${en}`;
}

/** Escapes text, then turns the spec's Markdown code spans into `<code>`. */
function inline(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const STYLE = `
:root{--blue:#3a84ff;--blue-dark:#1768ef;--ink:#313238;--muted:#63656e;--faint:#979ba5;--line:#dcdee5;--soft:#f5f7fa;--panel:#fff;--bg:#f0f2f5;--green:#2dcb56;--orange:#ff9c01;--red:#ea3636}
*{box-sizing:border-box}
html{scroll-behavior:smooth}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.6 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei","Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,pre{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12.5px}
a{color:var(--blue);text-decoration:none}
a:hover{text-decoration:underline}
.sidebar{position:fixed;top:0;left:0;bottom:0;width:272px;overflow-y:auto;background:#1f2a3d;color:#c4c6cc;padding:20px 0}
.brand{color:#fff;font-weight:600;font-size:15px;line-height:1.4;padding:0 20px 16px;border-bottom:1px solid #2f3c52}
.sidebar nav a{display:block;padding:8px 20px;color:#c4c6cc;border-left:3px solid transparent}
.sidebar nav a:hover{background:#26344b;color:#fff;text-decoration:none;border-left-color:var(--blue)}
.nav-group{margin:18px 20px 6px;font-size:12px;letter-spacing:.04em;color:#7d8699;text-transform:uppercase}
.nav-group .h-en{color:#5d6679}
.nav-name{display:block;color:#fff;font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px;margin-top:2px}
.nav-sub{display:block;font-size:12px;color:#8d95a5}
.sidebar .method{font-size:10px;padding:0 5px}
.sidebar .h-en{display:block;font-size:12px;color:#8d95a5;margin:0}
main{margin-left:272px;padding:28px 36px 80px;max-width:1320px}
.hero{background:linear-gradient(120deg,#1f2a3d,#2c4a7f);color:#fff;border-radius:8px;padding:28px 32px;margin-bottom:24px}
.hero h1{margin:0 0 8px;font-size:24px;font-weight:600}
.hero p{margin:6px 0;max-width:980px}
.hero .en{color:#c9d6ee}
.hero code{background:rgba(255,255,255,.12);color:#fff;border-color:transparent}
.hero p.en{color:#b8c7e3}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:24px 28px;margin-bottom:24px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
h2{margin:0 0 8px;font-size:20px;font-weight:600;display:flex;align-items:center;gap:10px;flex-wrap:wrap}
h3{margin:26px 0 10px;font-size:16px;font-weight:600;padding-left:10px;border-left:3px solid var(--blue)}
h4{margin:18px 0 8px;font-size:14px;font-weight:600}
.h-en{color:var(--faint);font-weight:400;margin-left:6px;font-size:.9em}
.op-name{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace}
.method{display:inline-block;background:var(--green);color:#fff;border-radius:3px;font-size:12px;font-weight:600;padding:1px 8px;line-height:1.6;font-family:inherit}
.lead{font-size:15px;margin:4px 0}
.lead.en,.prose.en,.note.en{color:var(--muted)}
.prose,.note{margin:6px 0;max-width:1040px}
.note{font-size:13px}
p.en{margin-top:2px}
dl.endpoint{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;background:var(--soft);border-radius:6px;padding:12px 16px;margin:14px 0}
dl.endpoint dt{color:var(--muted)}
dl.endpoint dd{margin:0}
:not(pre)>code{background:var(--soft);border:1px solid #eaebf0;border-radius:3px;padding:0 4px;color:#c7254e;word-break:break-word}
.rule-groups{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:0 16px;align-items:start}
table.rules th code{color:var(--ink)}
td.field code,.rules code,.chips code,dd code,.worked code{color:var(--ink)}
.prefix{color:var(--faint)}
table{width:100%;border-collapse:collapse;margin:8px 0 14px;font-size:13px}
th,td{border:1px solid var(--line);padding:7px 10px;text-align:left;vertical-align:top}
th{background:#f0f1f5;font-weight:600;white-space:nowrap}
th .h-en{display:block;margin:0;font-size:11px}
tbody tr:nth-child(even){background:#fafbfd}
td.field{white-space:nowrap}
th.narrow{width:1%}
td .en{color:var(--muted);font-size:12.5px;margin-top:2px}
td .zh+.en{border-top:1px dashed #eceef2;padding-top:2px}
.type{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;color:#3a84ff;white-space:nowrap}
.req{color:var(--red);font-weight:600;white-space:nowrap}
.opt{color:var(--faint);white-space:nowrap}
.req .h-en,.opt .h-en,.tag .h-en{font-size:11px;margin-left:3px}
.tag{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;white-space:nowrap}
.tag.locked{background:#fff1db;color:#b36b00;border:1px solid #ffd695}
.tag.deprecated{background:#f0f1f5;color:var(--muted);border:1px solid var(--line)}
tr.is-deprecated td{color:var(--faint)}
span.code{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-weight:600;color:var(--red)}
span.code.layer-esb{color:#9b59b6}
span.code.layer-iam{color:var(--orange)}
a.code{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-weight:600}
.layer{font-size:11px;color:var(--faint);text-transform:uppercase;letter-spacing:.05em}
td.code-cell{width:210px;min-width:210px}
.const{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:11.5px;color:var(--muted);overflow-wrap:anywhere;margin-top:2px}
td.message{min-width:220px}
td.when{min-width:300px}
td.apis{white-space:nowrap;font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
details.example{border:1px solid var(--line);border-radius:6px;margin:8px 0;background:#fff}
details.example>summary{cursor:pointer;padding:8px 12px;font-weight:500;background:var(--soft);border-radius:6px}
details.example[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
.example-note{margin:8px 12px;color:var(--muted);font-size:13px}
pre{margin:0;padding:12px 16px;background:#1e2330;color:#d7dce5;border-radius:0 0 6px 6px;overflow-x:auto;line-height:1.5}
ul.chips{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:8px}
ul.chips li{border:1px solid var(--line);border-radius:16px;padding:3px 12px;background:var(--soft)}
ol.worked-steps{padding-left:22px;margin:8px 0 12px}
ol.worked-steps li{margin:4px 0}
table.worked tr.is-locked td:first-child{box-shadow:inset 3px 0 0 var(--orange)}
td.ignored code{text-decoration:line-through;color:var(--faint)}
td.kept{background:#fff7e8}
td.applied{background:#e9f9ee}
.none{color:var(--faint)}
.see{margin:14px 0 0}
@media (max-width:960px){.sidebar{position:static;width:auto}main{margin-left:0;padding:16px}}
@media print{.sidebar{display:none}main{margin-left:0}}
`
  .trim()
  .replace(/\n/g, "");
