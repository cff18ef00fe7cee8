import type { OpenApiDocument } from "../../spec/load-spec.ts";
import { resolvePointer } from "../../spec/load-spec.ts";
import { type BilingualText, buildModel, type OperationModel } from "../model/build-model.ts";
import { type FieldRow, type FieldTable, flattenSchema, isObject, normalizeSpace, readText } from "./docs-schema.ts";

/** One request or response example of an operation, as pretty-printed JSON. */
export interface ExampleDoc {
  name: string;
  summary: string;
  description: string;
  json: string;
}

/** One entry of `x-cmdb-error-codes`, as the docs list it. */
export interface ErrorCodeDoc {
  code: number;
  name: string;
  layer: string;
  when: string;
  args: string;
  message: BilingualText;
  /** The ESB API names (`create_service_instance`) of the operations that can answer it. */
  apis: string[];
}

/** One step of `x-cmdb-validation-order`. */
export interface ValidationStepDoc {
  step: number;
  code: number;
  when: string;
}

/** One place where the real CMDB differs from its published API page (cmdb-semantics §1.4). */
export interface DifferenceDoc {
  subject: string;
  description: BilingualText;
}

/** One row of the worked lock example: a template field, the caller's value and what the CMDB stores. */
export interface WorkedRow {
  field: string;
  template: string;
  locked: boolean;
  caller: string;
  stored: string;
}

/** The worked example of the lock rules, assembled from the spec's examples by process template ID. */
export interface WorkedExample {
  processTemplateId: number;
  template: ExampleDoc;
  request: ExampleDoc;
  stored: ExampleDoc;
  rows: WorkedRow[];
}

/** `x-cmdb-template-lock` as the docs show it. */
export interface LockDoc {
  description: BilingualText;
  lockableFields: { field: string; type: string; alwaysLocked: boolean }[];
  /** The remaining rule data, flattened to dotted keys (`caller_value.locked` → `ignore`). */
  rules: { key: string; value: string }[];
  worked: WorkedExample | undefined;
}

/** One operation's page. */
export interface OperationDoc {
  operationId: string;
  apiName: string;
  method: string;
  path: string;
  esbDest: string;
  summary: BilingualText;
  description: BilingualText;
  commonArgs: FieldTable[];
  params: FieldTable[];
  response: FieldTable[];
  requestExamples: ExampleDoc[];
  responseExamples: ExampleDoc[];
  validationOrder: ValidationStepDoc[];
  errorCodes: ErrorCodeDoc[];
  /** Whether the operation applies the template lock rules (its description refers to `x-cmdb-template-lock`). */
  appliesLockRules: boolean;
  /** The fields of its request that carry the `bind_info` matching rules (`bind_info`, `template_row_id`). */
  bindInfoRows: FieldRow[];
  differences: DifferenceDoc[];
}

/** Everything the Markdown pages and the HTML reference show, read from the spec once. */
export interface DocsModel {
  title: string;
  summary: BilingualText;
  description: BilingualText;
  /** The spec's own sentences about where it departs from the published page (from `info.description`). */
  differencesIntro: BilingualText;
  commonArgsNote: BilingualText;
  operations: OperationDoc[];
  errorCodes: ErrorCodeDoc[];
  lock: LockDoc;
}

const LOCK_KEY = "x-cmdb-template-lock";
/** Where a description says that the published page differs; the spec words it this way in both places. */
const PUBLISHED_PAGE = /published (API )?page/i;
const PUBLISHED_PAGE_ZH = /官方文档/;

/**
 * Reads everything the docs show from the spec: operations (via the normalized model), their tables, examples,
 * validation order and error codes, the lock rules with a worked example, and the documented differences.
 * @see cmdb-semantics §1.2, §1.4, §2.1, §2.2, §4.4
 * @throws SpecError when the spec cannot be turned into the normalized model.
 */
export function buildDocsModel(document: OpenApiDocument): DocsModel {
  const model = buildModel(document);
  const rawCodes = Array.isArray(document["x-cmdb-error-codes"]) ? document["x-cmdb-error-codes"] : [];
  const apiNames = new Map(model.operations.map((o) => [o.operationId, o.apiName]));
  const errorCodes: ErrorCodeDoc[] = model.errorCodes.map((entry) => ({
    code: entry.code,
    name: entry.name,
    layer: entry.layer,
    when: entry.when,
    args: normalizeSpace(rawCodes.find((raw) => raw.code === entry.code)?.args),
    message: entry.message,
    apis: entry.operations.map((id) => apiNames.get(id) ?? id),
  }));
  const operations = model.operations.map((operation) => buildOperation(document, model.authSchema, operation, errorCodes));
  const info = document.info;
  const scheme = Object.values(document.components.securitySchemes ?? {})[0];
  return {
    title: normalizeSpace(info.title),
    summary: readText(info, "summary"),
    description: readText(info),
    differencesIntro: {
      en: pickSentences(readText(info).en, ". ", PUBLISHED_PAGE),
      zh: pickSentences(readText(info).zh, "。", PUBLISHED_PAGE_ZH),
    },
    commonArgsNote: readText(scheme),
    operations,
    errorCodes,
    lock: buildLock(document[LOCK_KEY], operations),
  };
}

function buildOperation(
  document: OpenApiDocument,
  authSchema: string,
  operation: OperationModel,
  errorCodes: readonly ErrorCodeDoc[],
): OperationDoc {
  const raw = (document.paths[operation.path]?.[operation.method] ?? {}) as Record<string, unknown>;
  const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const params = operation.paramsSchemas.flatMap((name) => flattenSchema(document, schemaRef(name)));
  const requestExamples = readExamples(document, resolvePointer(raw, "/requestBody/content/application~1json/examples"));
  const validationOrder = (Array.isArray(raw["x-cmdb-validation-order"]) ? raw["x-cmdb-validation-order"] : [])
    .filter(isObject)
    .map((step) => ({ step: Number(step.step), code: Number(step.code), when: normalizeSpace(step.when) }));
  const rows = params.flatMap((t) => t.rows);
  const lock = document[LOCK_KEY];
  const match = isObject(lock) ? resolvePointer(lock, "/bind_info/match/caller_key") : undefined;
  const description = readText(raw);
  return {
    operationId: operation.operationId,
    apiName: operation.apiName,
    method: operation.method.toUpperCase(),
    path: operation.path,
    esbDest: normalizeSpace(raw["x-cmdb-esb-dest"]),
    summary: readText(raw, "summary"),
    description,
    commonArgs: flattenSchema(document, schemaRef(authSchema)),
    params,
    response: flattenSchema(document, schemaRef(operation.successSchema)),
    requestExamples,
    responseExamples: readExamples(document, resolvePointer(raw, "/responses/200/content/application~1json/examples")),
    validationOrder,
    errorCodes: errorCodes.filter((e) => e.apis.includes(operation.apiName)),
    appliesLockRules: description.en.includes(LOCK_KEY),
    bindInfoRows: rows.filter((row) => {
      const leaf = row.path.split(".").at(-1);
      return leaf === "bind_info" || leaf === match;
    }),
    differences: findDifferences(rows, requestExamples),
  };
}

/**
 * The differences from the published page the spec records today: fields whose description says the published page
 * differs, and, for an example taken from the published page, the deprecated fields it still sends.
 */
function findDifferences(rows: readonly FieldRow[], examples: readonly ExampleDoc[]): DifferenceDoc[] {
  const differences: DifferenceDoc[] = rows
    .filter((row) => PUBLISHED_PAGE.test(row.description.en))
    .map((row) => ({ subject: row.path, description: row.description }));
  for (const example of examples) {
    if (!PUBLISHED_PAGE.test(`${example.summary} ${example.description}`)) continue;
    const keys = collectKeys(JSON.parse(example.json));
    differences.push({ subject: example.summary, description: { en: example.description, zh: "" } });
    for (const row of rows) {
      const leaf = row.path.split(".").at(-1) ?? "";
      if (row.deprecated && keys.has(leaf)) differences.push({ subject: row.path, description: row.description });
    }
  }
  return differences;
}

function buildLock(rules: unknown, operations: readonly OperationDoc[]): LockDoc {
  const lock = isObject(rules) ? rules : {};
  const alwaysLocked = Array.isArray(lock.always_locked) ? lock.always_locked.map(String) : [];
  const lockableFields = (Array.isArray(lock.lockable_fields) ? lock.lockable_fields : [])
    .filter(isObject)
    .map((f) => ({ field: String(f.field), type: String(f.type), alwaysLocked: alwaysLocked.includes(String(f.field)) }));
  const shown = new Set(["description", "x-description-zh", "lockable_fields", "always_locked"]);
  const flat: { key: string; value: string }[] = [];
  const flatten = (node: unknown, prefix: string): void => {
    if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (prefix === "" && shown.has(key)) continue;
        flatten(value, prefix === "" ? key : `${prefix}.${key}`);
      }
    } else {
      flat.push({ key: prefix, value: Array.isArray(node) ? node.map(String).join(", ") : String(node) });
    }
  };
  flatten(lock, "");
  return { description: readText(lock), lockableFields, rules: flat, worked: buildWorkedExample(lock, operations) };
}

/**
 * Joins three examples of the spec by process template ID: a create request that updates a templated process, the
 * template as `get_proc_template` answers it, and the process as `list_process_instance` reads it back.
 * @see cmdb-semantics §2.2
 */
function buildWorkedExample(
  lock: Record<string, unknown>,
  operations: readonly OperationDoc[],
): WorkedExample | undefined {
  const requests = operations.filter((o) => o.appliesLockRules).flatMap((o) => o.requestExamples);
  const responses = operations.flatMap((o) => o.responseExamples);
  for (const request of requests) {
    const entry = findTemplatedEntry(JSON.parse(request.json));
    if (!entry) continue;
    const template = responses.find((r) => isTemplate(JSON.parse(r.json).data, entry.id));
    const stored = responses.find((r) => findStored(JSON.parse(r.json).data, entry.id) !== undefined);
    if (!template || !stored) continue;
    const property = JSON.parse(template.json).data.property as Record<string, unknown>;
    const result = findStored(JSON.parse(stored.json).data, entry.id) ?? {};
    const subFields = resolvePointer(lock, "/bind_info/sub_fields");
    return {
      processTemplateId: entry.id,
      template,
      request,
      stored,
      rows: buildWorkedRows(property, entry.info, result, Array.isArray(subFields) ? subFields.map(String) : []),
    };
  }
  return undefined;
}

function buildWorkedRows(
  property: Record<string, unknown>,
  caller: Record<string, unknown>,
  stored: Record<string, unknown>,
  subFields: readonly string[],
): WorkedRow[] {
  const rows: WorkedRow[] = [];
  const show = (value: unknown, present: boolean) => (present ? JSON.stringify(value) : "");
  for (const [field, templateValue] of Object.entries(property)) {
    const cell = isObject(templateValue) ? templateValue : {};
    if (Array.isArray(cell.value) && field === "bind_info") {
      const callerRows = Array.isArray(caller.bind_info) ? caller.bind_info.filter(isObject) : [];
      const storedRows = Array.isArray(stored.bind_info) ? stored.bind_info.filter(isObject) : [];
      for (const templateRow of cell.value.filter(isObject)) {
        const callerRow = callerRows.find((r) => r.template_row_id === templateRow.row_id);
        const storedRow = storedRows.find((r) => r.template_row_id === templateRow.row_id);
        for (const sub of subFields) {
          const subCell = isObject(templateRow[sub]) ? (templateRow[sub] as Record<string, unknown>) : {};
          rows.push({
            field: `bind_info[row_id=${String(templateRow.row_id)}].${sub}`,
            template: show(subCell.value, "value" in subCell),
            locked: subCell.as_default_value === true,
            caller: show(callerRow?.[sub], callerRow !== undefined && sub in callerRow),
            stored: show(storedRow?.[sub], storedRow !== undefined && sub in storedRow),
          });
        }
      }
      continue;
    }
    rows.push({
      field,
      template: show(cell.value, "value" in cell),
      locked: cell.as_default_value === true,
      caller: show(caller[field], field in caller),
      stored: show(stored[field], field in stored),
    });
  }
  for (const [field, value] of Object.entries(caller)) {
    if (field in property) continue;
    rows.push({ field, template: "", locked: false, caller: show(value, true), stored: show(stored[field], field in stored) });
  }
  return rows;
}

function findTemplatedEntry(value: unknown): { id: number; info: Record<string, unknown> } | undefined {
  const instances = isObject(value) && Array.isArray(value.instances) ? value.instances : [];
  for (const instance of instances.filter(isObject)) {
    for (const process of (Array.isArray(instance.processes) ? instance.processes : []).filter(isObject)) {
      const id = process.process_template_id;
      if (typeof id === "number" && id > 0 && isObject(process.process_info)) return { id, info: process.process_info };
    }
  }
  return undefined;
}

function isTemplate(data: unknown, id: number): boolean {
  return isObject(data) && data.id === id && isObject(data.property);
}

function findStored(data: unknown, id: number): Record<string, unknown> | undefined {
  const items = Array.isArray(data) ? data.filter(isObject) : [];
  const item = items.find((i) => isObject(i.relation) && i.relation.process_template_id === id);
  return item && isObject(item.property) ? item.property : undefined;
}

function readExamples(document: OpenApiDocument, examples: unknown): ExampleDoc[] {
  if (!isObject(examples)) return [];
  return Object.entries(examples).map(([name, node]) => {
    const example = resolveExample(document, node);
    return {
      name,
      summary: normalizeSpace(example.summary) || name,
      description: normalizeSpace(example.description),
      json: JSON.stringify(example.value ?? null, null, 2),
    };
  });
}

function resolveExample(document: OpenApiDocument, node: unknown): Record<string, unknown> {
  let current: unknown = node;
  for (let depth = 0; depth < 8 && isObject(current) && typeof current.$ref === "string"; depth++) {
    current = resolvePointer(document, current.$ref.replace(/^#/, ""));
  }
  return isObject(current) ? current : {};
}

function collectKeys(value: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) collectKeys(item, keys);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      keys.add(key);
      collectKeys(item, keys);
    }
  }
  return keys;
}

/** The sentences of a text that match a pattern, joined back together. */
function pickSentences(text: string, separator: string, pattern: RegExp): string {
  const sentences = text.split(separator).map((s) => s.trim());
  return sentences
    .filter((s) => pattern.test(s))
    .map((s) => (s.endsWith(separator.trim()) ? s : `${s}${separator.trim()}`))
    .join(separator === "。" ? "" : " ");
}
