import type {
  ErrorCodeModel,
  FieldRuleModel,
  FieldRulesModel,
  LockDoc,
  OperationDoc,
  SpecModel,
  WorkedRow,
} from "../model/spec-model.ts";
import { renderGatewayErrorsSection, renderGatewayHtml, renderRoutesHtml } from "./docs-html-gateway.ts";
import {
  bilingualBlock,
  bilingualCell,
  bilingualInline,
  esc,
  fieldPath,
  heading,
  inline,
  no,
  renderExamples,
  renderTables,
  yes,
} from "./docs-html-parts.ts";
import { codesOf, FIELD_RULE_HEADERS, fieldRuleCells, isFieldPath } from "./docs-markdown.ts";
import { STYLE } from "./docs-style.ts";

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
    model.docs.gatewayErrors.length > 0 ? `<a href="#gateway-errors">${heading("gatewayErrors")}</a>` : "",
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
    renderGatewayErrorsSection(model),
    renderFieldRulesSection(model.fieldRules),
    `<section id="inner-error-codes" class="panel">`,
    `<h2>${heading("innerErrorCodes")}</h2>`,
    renderErrorCodes(model.innerErrorCodes, false),
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
    renderRoutesHtml(model, o),
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
    renderTables(o.response, false, o.envelopeVariants?.codes),
    renderGatewayHtml(o),
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

function renderFieldRulesSection(rules: FieldRulesModel): string {
  if (rules.processFields.length === 0) return "";
  const table = (list: readonly FieldRuleModel[]): string => {
    const head = FIELD_RULE_HEADERS.map((h) => `<th>${heading(h)}</th>`).join("");
    const rows = list.map((r) => {
      const cells = fieldRuleCells(r, [yes(), no()]).map((c, i) =>
        i === 6
          ? `<td>${c}</td>`
          : (i === 0 || i === 5) && c !== ""
            ? `<td><code>${esc(c)}</code></td>`
            : `<td>${esc(c)}</td>`,
      );
      return `<tr>${cells.join("")}</tr>`;
    });
    return `<table class="field-rules"><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
  };
  return [
    `<section id="field-rules" class="panel">`,
    `<h2>${heading("fieldRules")}</h2>`,
    bilingualBlock(rules.description, "prose"),
    table(rules.processFields),
    `<h3>${heading("bindInfoFields")}</h3>`,
    table(rules.bindInfoFields),
    `</section>`,
  ].join("\n");
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
      `<th class="narrow">${heading("outcome")}</th>`,
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

/** The outcome column names what the lock rules did; ignored and dropped caller values are struck through. */
function renderWorkedRow(r: WorkedRow): string {
  const value = (text: string) => (text === "" ? `<span class="none">—</span>` : `<code>${esc(text)}</code>`);
  const ignored = r.outcome === "ignored" || r.outcome === "dropped";
  const stored = r.outcome === "taken" || r.outcome === "cleared" ? "applied" : r.outcome === "ignored" ? "kept" : "";
  return [
    `<tr${r.locked ? ` class="is-locked"` : ""}>`,
    `<td class="field"><code>${esc(r.field)}</code></td>`,
    `<td>${value(r.template)}</td>`,
    `<td>${r.locked ? `<span class="tag locked">${heading("yes")}</span>` : no()}</td>`,
    `<td${ignored ? ` class="ignored"` : ""}>${value(r.caller)}</td>`,
    `<td${stored === "" ? "" : ` class="${stored}"`}>${value(r.stored)}</td>`,
    `<td>${heading(r.outcome)}</td>`,
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
