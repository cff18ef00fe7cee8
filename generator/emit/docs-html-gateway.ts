// The API gateway route in the HTML reference: each operation's two routes side by side, its gateway request and
// answer, and the gateway's own error codes (cmdb-semantics §4.3, §4.4, §5).
import type { OperationDoc, SpecModel } from "../model/spec-model.ts";
import { bilingualBlock, bilingualCell, esc, heading, renderExamples, renderTables } from "./docs-html-parts.ts";

/** The table of an operation's two routes, ESB beside the API gateway; empty when it has no gateway route. */
export function renderRoutesHtml(model: SpecModel, o: OperationDoc): string {
  const g = o.gateway;
  if (!g) return "";
  const code = (text: string) => `<code>${esc(text)}</code>`;
  const esbCodes = model.errorCodes.filter((e) => e.layer === "esb").map((e) => String(e.code));
  const gatewayCodes = model.docs.gatewayErrors.map((e) => `${e.status} ${e.code}`);
  const rows: [Parameters<typeof heading>[0], string, string][] = [
    ["requestUrl", code(o.path), code(`${g.serverUrl}${g.path}`)],
    ["method", code(o.method.toUpperCase()), code(g.method.toUpperCase())],
    ["auth", `${code(model.authSchema)} ${heading("inBody")}`, `${code(g.authHeader)} ${heading("inHeader")}`],
    ["envelope", code(model.envelopeSchema), code(g.envelopeSchema)],
    [
      "frontDoorErrors",
      `HTTP 200: ${esbCodes.join(", ")}`,
      `${code("GatewayError")}: <a href="#gateway-errors">${esc(gatewayCodes.join(", "))}</a>`,
    ],
    ["generatedClient", code('route: "esb"'), code('route: "apigw"')],
  ];
  return [
    `<h3>${heading("routes")}</h3>`,
    `<table class="routes"><thead><tr><th>${heading("route")}</th><th>${heading("esbRoute")}</th><th>${heading("gatewayRoute")}</th></tr></thead><tbody>`,
    ...rows.map(([key, esb, gateway]) => `<tr><th>${heading(key)}</th><td>${esb}</td><td>${gateway}</td></tr>`),
    "</tbody></table>",
  ].join("\n");
}

/** An operation through the API gateway: its description, parameters, examples and the native envelope's table. */
export function renderGatewayHtml(o: OperationDoc): string {
  const g = o.gateway;
  if (!g) return "";
  return [
    `<h3 class="gateway" id="apigw-${esc(o.apiName)}">${heading("throughGateway")}</h3>`,
    `<dl class="endpoint">`,
    `<dt>${heading("requestUrl")}</dt><dd><code>${esc(`${g.serverUrl}${g.path}`)}</code></dd>`,
    `<dt>${heading("method")}</dt><dd><code>${esc(g.method.toUpperCase())}</code></dd>`,
    `<dt>${heading("auth")}</dt><dd><code>${esc(g.authHeader)}</code> ${heading("inHeader")}</dd>`,
    `</dl>`,
    bilingualBlock(g.description, "prose"),
    g.pathParams.length > 0 ? `<h4>${heading("pathParams")}</h4>` : "",
    g.pathParams.length > 0 ? renderTables([{ path: "", rows: g.pathParams }], true) : "",
    `<h4>${heading("bodyParams")}</h4>`,
    renderTables(g.params, true),
    `<h4>${heading("requestExample")}</h4>`,
    renderExamples(g.requestExamples, false),
    `<h4>${heading("responseExample")}</h4>`,
    renderExamples(g.responseExamples, false),
    `<h4>${heading("responseParams")}</h4>`,
    renderTables(g.response, false, g.envelopeVariants?.codes),
  ]
    .filter((line) => line !== "")
    .join("\n");
}

/** The section of the gateway's own errors: status, code, code name and when each arises. */
export function renderGatewayErrorsSection(model: SpecModel): string {
  if (model.docs.gatewayErrors.length === 0) return "";
  const head = ["status", "code", "codeName", "when"] as const;
  return [
    `<section id="gateway-errors" class="panel">`,
    `<h2>${heading("gatewayErrors")}</h2>`,
    `<table class="gateway-errors"><thead><tr>${head.map((h) => `<th>${heading(h)}</th>`).join("")}</tr></thead><tbody>`,
    ...model.docs.gatewayErrors.map(
      (e) =>
        `<tr id="gateway-code-${e.code}"><td>${e.status}</td><td><span class="code">${e.code}</span></td><td><code>${esc(e.codeName)}</code></td><td>${bilingualCell(e.when)}</td></tr>`,
    ),
    "</tbody></table>",
    renderExamples(model.docs.gatewayErrorExamples, false),
    `</section>`,
  ].join("\n");
}
