import type { FieldTable } from "../model/schema-tables.ts";
import type {
  BilingualText,
  ErrorCodeModel,
  ExampleDoc,
  FieldRuleModel,
  FieldRulesModel,
  LockDoc,
  OperationDoc,
  SpecModel,
} from "../model/spec-model.ts";
import { type Language, label, variantHeaders } from "./docs-labels.ts";

/**
 * Renders one operation's API page in one language, in the layout of BlueKing's published pages (请求地址, 请求方法,
 * 功能描述, 请求参数, 请求参数示例, 返回结果示例, 返回结果参数说明), followed by its validation order, error codes, lock
 * rules and the differences from the published page.
 * @see cmdb-semantics §1.4, §2, §4.4
 */
export function renderOperationPage(model: SpecModel, operation: OperationDoc, language: Language): string {
  const l = (key: Parameters<typeof label>[0]) => label(key, language);
  const other: Language = language === "zh" ? "en" : "zh";
  const out: string[] = [];
  out.push(`# ${operation.apiName}`, "");
  out.push(
    `${pick(operation.summary, language)} · [${label("otherLanguage", language)}](${operation.apiName}.${other}.md)`,
  );
  out.push("", `### ${l("requestUrl")}`, "", operation.path, "");
  out.push(`### ${l("method")}`, "", operation.method.toUpperCase(), "");
  if (operation.esbDest !== "") out.push(`${l("backend")}: \`${operation.esbDest}\``, "");
  out.push(`### ${l("description")}`, "", pick(operation.description, language), "");
  out.push(...renderRoutesMarkdown(model, operation, language));

  out.push(`### ${l("requestParams")}`, "");
  out.push(`#### ${l("commonParams")}`, "");
  if (pick(model.docs.commonArgsNote, language) !== "") out.push(pick(model.docs.commonArgsNote, language), "");
  out.push(...renderTables(operation.commonArgs, language, true, 4));
  operation.params.forEach((table, i) => {
    if (i === 0 || table.path === "") out.push(`#### ${l("interfaceParams")}`, "");
    out.push(...renderTables([table], language, true, 4));
  });

  out.push(`### ${l("requestExample")}`, "", ...renderExamples(operation.requestExamples, language));
  out.push(`### ${l("responseExample")}`, "", ...renderExamples(operation.responseExamples, language));
  out.push(`### ${l("responseParams")}`, "");
  out.push(...renderTables(operation.response, language, false, 4, "response", operation.envelopeVariants?.codes));
  out.push(...renderGatewayMarkdown(model, operation, language));

  if (operation.validationOrder.length > 0) {
    out.push(`### ${l("validationOrder")}`, "");
    out.push(row([l("step"), l("code"), l("when")]), row(["---", "---", "---"]));
    for (const step of operation.validationOrder) {
      out.push(row([String(step.step), String(step.code), pick(step.when, language)]));
    }
    out.push("");
  }
  out.push(`### ${l("errorCodes")}`, "", ...renderErrorCodes(codesOf(model, operation), language, false));
  if (operation.appliesLockRules && model.innerErrorCodes.length > 0) {
    out.push(`### ${l("innerErrorCodes")}`, "", ...renderErrorCodes(model.innerErrorCodes, language, false));
  }
  if (operation.appliesLockRules) out.push(...renderFieldRules(model.fieldRules, language));
  if (operation.appliesLockRules) out.push(...renderLock(model.docs.lock, operation, language));
  if (operation.differences.length > 0) {
    out.push(`### ${l("differences")}`, "");
    if (pick(model.docs.differencesIntro, language) !== "") out.push(pick(model.docs.differencesIntro, language), "");
    out.push(row([l("topic"), l("published"), l("actual")]), row(["---", "---", "---"]));
    for (const d of operation.differences) {
      out.push(row([topic(d.topic), pick(d.published, language), pick(d.actual, language)]));
    }
    out.push("");
  }
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

/**
 * The two routes of an operation side by side: where each is, how the app and user travel, the envelope, the front
 * door's own errors and the client option; nothing when the spec gives the operation no gateway route.
 * @see cmdb-semantics §4.2, §4.3, §5
 */
function renderRoutesMarkdown(model: SpecModel, operation: OperationDoc, language: Language): string[] {
  const g = operation.gateway;
  if (!g) return [];
  const l = (key: Parameters<typeof label>[0]) => label(key, language);
  const esbCodes = model.errorCodes.filter((e) => e.layer === "esb").map((e) => String(e.code));
  const gatewayCodes = model.docs.gatewayErrors.map((e) => `${e.status} ${e.code}`);
  return [
    `### ${l("routes")}`,
    "",
    row([l("route"), l("esbRoute"), l("gatewayRoute")]),
    row(["---", "---", "---"]),
    row([l("requestUrl"), code(operation.path), code(`${g.serverUrl}${g.path}`)]),
    row([l("method"), operation.method.toUpperCase(), g.method.toUpperCase()]),
    row([l("auth"), `${code(model.authSchema)} ${l("inBody")}`, `${code(g.authHeader)} ${l("inHeader")}`]),
    row([l("envelope"), code(model.envelopeSchema), code(g.envelopeSchema)]),
    row([l("frontDoorErrors"), `HTTP 200: ${esbCodes.join(", ")}`, `\`GatewayError\`: ${gatewayCodes.join(", ")}`]),
    row([l("generatedClient"), code('route: "esb"'), code('route: "apigw"')]),
    "",
  ];
}

/**
 * The operation through the API gateway: its description, path and body parameters, examples, the native envelope's
 * table and the gateway's own errors.
 * @see cmdb-semantics §4.3, §4.4, §5
 */
function renderGatewayMarkdown(model: SpecModel, operation: OperationDoc, language: Language): string[] {
  const g = operation.gateway;
  if (!g) return [];
  const l = (key: Parameters<typeof label>[0]) => label(key, language);
  const out = [`### ${l("throughGateway")}`, "", `${g.method.toUpperCase()} ${code(`${g.serverUrl}${g.path}`)}`, ""];
  out.push(pick(g.description, language), "");
  if (g.pathParams.length > 0)
    out.push(...renderTables([{ path: "", rows: g.pathParams }], language, true, 4, l("pathParams")));
  out.push(...renderTables(g.params, language, true, 4, l("bodyParams")));
  out.push(`#### ${l("requestExample")}`, "", ...renderExamples(g.requestExamples, language, 5));
  out.push(`#### ${l("responseExample")}`, "", ...renderExamples(g.responseExamples, language, 5));
  out.push(...renderTables(g.response, language, false, 4, l("responseParams"), g.envelopeVariants?.codes));
  out.push(`#### ${l("gatewayErrors")}`, "", row([l("status"), l("code"), l("codeName"), l("when")]));
  out.push(row(["---", "---", "---", "---"]));
  for (const e of model.docs.gatewayErrors) {
    out.push(row([String(e.status), String(e.code), code(e.codeName), pick(e.when, language)]));
  }
  out.push("", ...renderExamples(model.docs.gatewayErrorExamples, language, 5));
  return [...out, ""];
}

/** The error-code table of the docs; `withApis` adds the column of operations that can answer each code. */
export function renderErrorCodes(codes: readonly ErrorCodeModel[], language: Language, withApis: boolean): string[] {
  const l = (key: Parameters<typeof label>[0]) => label(key, language);
  const headers = [l("code"), l("name"), l("messageZh"), l("messageEn"), l("when"), l("args")];
  if (withApis) headers.push(l("apis"));
  const out = [row(headers), row(headers.map(() => "---"))];
  for (const e of codes) {
    const cells = [
      String(e.code),
      code(e.name),
      e.message.zh,
      e.message.en,
      pick(e.when, language),
      pick(e.args, language),
    ];
    if (withApis) cells.push(e.apis.join(", "));
    out.push(row(cells));
  }
  return [...out, ""];
}

function renderLock(lock: LockDoc, operation: OperationDoc, language: Language): string[] {
  const l = (key: Parameters<typeof label>[0]) => label(key, language);
  const out = [`### ${l("lockRules")}`, "", pick(lock.description, language), ""];
  out.push(
    `#### ${l("lockableFields")}`,
    "",
    row([l("field"), l("type"), l("alwaysLocked")]),
    row(["---", "---", "---"]),
  );
  for (const f of lock.lockableFields) out.push(row([f.field, f.type, f.alwaysLocked ? l("yes") : l("no")]));
  out.push("");
  if (operation.bindInfoRows.length > 0) {
    out.push(`#### ${l("bindInfo")}`, "", row([l("field"), l("text")]), row(["---", "---"]));
    for (const r of operation.bindInfoRows) out.push(row([r.path, pick(r.description, language)]));
    out.push("");
  }
  out.push(`#### ${l("ruleData")}`, "", row([l("rule"), l("value")]), row(["---", "---"]));
  for (const r of lock.rules) out.push(row([code(r.key), code(r.value)]));
  out.push("");
  const worked = lock.worked;
  if (worked) {
    out.push(`#### ${l("workedExample")}`, "");
    const text = (t: BilingualText) => pick(t, language);
    out.push(
      `- ${l("processTemplate")} (\`process_template_id\` ${worked.processTemplateId}): ${text(worked.template.summary)}`,
    );
    out.push(
      `- ${l("request")}: ${joinSentences(sentence(text(worked.request.summary), language), text(worked.request.description))}`,
    );
    out.push(`- ${l("readBack")}: ${text(worked.stored.summary)}`, "");
    const headers = [l("field"), l("templateValue"), l("locked"), l("callerValue"), l("storedValue"), l("outcome")];
    out.push(row(headers), row(headers.map(() => "---")));
    for (const r of worked.rows) {
      const locked = r.locked ? l("yes") : l("no");
      out.push(row([r.field, code(r.template), locked, code(r.caller), code(r.stored), l(r.outcome)]));
    }
    out.push("");
  }
  return out;
}

/** Parameter or response tables as Markdown, each under a heading of `level` but the top one (`topTitle`). */
function renderTables(
  tables: readonly FieldTable[],
  language: Language,
  withRequired: boolean,
  level: number,
  topTitle?: string,
  variantCodes?: readonly number[],
): string[] {
  const l = (key: Parameters<typeof label>[0]) => label(key, language);
  const out: string[] = [];
  for (const table of tables) {
    const title = table.path === "" ? topTitle : `${table.path} ${l("fieldsOf")}`;
    if (title !== undefined) out.push(`${"#".repeat(level)} ${title}`, "");
    const variants = table.path === "" && variantCodes !== undefined;
    const types = variants ? variantHeaders(variantCodes, language) : [l("type")];
    const headers = withRequired ? [l("field"), ...types, l("required"), l("text")] : [l("name"), ...types, l("text")];
    out.push(row(headers), row(headers.map(() => "---")));
    for (const r of table.rows) {
      const text = r.deprecated
        ? joinSentences(l("deprecated"), pick(r.description, language))
        : pick(r.description, language);
      const typeCells = variants ? (r.variantTypes ?? [r.type]) : [r.type];
      out.push(
        row(
          withRequired ? [r.path, ...typeCells, r.required ? l("yes") : l("no"), text] : [r.path, ...typeCells, text],
        ),
      );
    }
    out.push("");
  }
  return out;
}

/** Examples as Markdown: each under its summary (a heading of `level`), with its description and pretty-printed JSON. */
function renderExamples(examples: readonly ExampleDoc[], language: Language, level = 4): string[] {
  return examples.flatMap((e) => [
    `${"#".repeat(level)} ${pick(e.summary, language)}`,
    "",
    ...(pick(e.description, language) === "" ? [] : [pick(e.description, language), ""]),
    "```json",
    e.json,
    "```",
    "",
  ]);
}

/** Joins two sentences; Chinese sentences end in "。" and need no space between them. */
function joinSentences(first: string, second: string): string {
  return first.endsWith("。") ? `${first}${second}` : `${first} ${second}`;
}

/** A summary closed as a sentence, with the full stop of its language. */
function sentence(text: string, language: Language): string {
  return /[.。]$/u.test(text) ? text : `${text}${language === "zh" ? "。" : "."}`;
}

/** The text in the wanted language, falling back to the other one when the spec has only that. */
function pick(text: BilingualText, language: Language): string {
  return text[language] !== "" ? text[language] : text[language === "zh" ? "en" : "zh"];
}

/** A field rule's cells, in the order of {@link FIELD_RULE_HEADERS}; `required` as the given yes/no words. */
export function fieldRuleCells(rule: FieldRuleModel, yesNo: [string, string]): string[] {
  const range =
    rule.minimum !== undefined || rule.maximum !== undefined ? `${rule.minimum ?? ""}–${rule.maximum ?? ""}` : "";
  return [
    rule.field,
    rule.displayName,
    rule.type,
    rule.maxBytes === undefined ? "" : String(rule.maxBytes),
    range,
    rule.pattern ?? "",
    rule.required ? yesNo[0] : yesNo[1],
  ];
}

/** The table headers of a field-rule table. */
export const FIELD_RULE_HEADERS = ["field", "displayName", "type", "maxBytes", "range", "pattern", "required"] as const;

function renderFieldRules(rules: FieldRulesModel, language: Language): string[] {
  if (rules.processFields.length === 0) return [];
  const l = (key: Parameters<typeof label>[0]) => label(key, language);
  const table = (list: readonly FieldRuleModel[]): string[] => [
    row(FIELD_RULE_HEADERS.map((h) => l(h))),
    row(FIELD_RULE_HEADERS.map(() => "---")),
    ...list.map((r) =>
      row(fieldRuleCells(r, [l("yes"), l("no")]).map((c, i) => ((i === 0 || i === 5) && c ? `\`${c}\`` : c))),
    ),
    "",
  ];
  return [
    `### ${l("fieldRules")}`,
    "",
    pick(rules.description, language),
    "",
    ...table(rules.processFields),
    `#### ${l("bindInfoFields")}`,
    "",
    ...table(rules.bindInfoFields),
  ];
}

/** One Markdown table row; pipes and line breaks in a cell are escaped. */
function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, "\\|").replace(/\n/g, " ")).join(" | ")} |`;
}

/** A topic that is a field path reads as code; a phrase ("legacy flat fields") as text. */
export function isFieldPath(text: string): boolean {
  return /^[A-Za-z_][\w.]*$/.test(text);
}

function topic(text: string): string {
  return isFieldPath(text) ? code(text) : text;
}

/** A code span, or a dash for nothing. */
function code(text: string): string {
  return text === "" ? "—" : `\`${text}\``;
}

/** The error codes an operation can answer, ascending. */
export function codesOf(model: SpecModel, operation: OperationDoc): ErrorCodeModel[] {
  return model.errorCodes.filter((e) => operation.errorCodes.includes(e.code));
}
