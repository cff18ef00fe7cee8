import type { OpenApiDocument } from "../../spec/load-spec.ts";
import { resolvePointer } from "../../spec/load-spec.ts";
import { type BilingualText, buildModel, type OperationModel } from "../model/build-model.ts";
import {
  type FieldRow,
  type FieldTable,
  flattenSchema,
  isObject,
  normalizeChineseSpace,
  normalizeSpace,
  readText,
} from "./docs-schema.ts";

/** One request or response example of an operation, as pretty-printed JSON. */
export interface ExampleDoc {
  name: string;
  /** `summary` and `x-summary-zh`; the English one falls back to the example's name. */
  summary: BilingualText;
  /** `description` and `x-description-zh`, both empty when the example has none. */
  description: BilingualText;
  json: string;
}

/** One entry of `x-cmdb-error-codes`, as the docs list it. */
export interface ErrorCodeDoc {
  code: number;
  name: string;
  layer: string;
  /** `when` and `when_zh`. */
  when: BilingualText;
  /** What fills the message's `%s` / `%d`: `args` and `args_zh`. */
  args: BilingualText;
  message: BilingualText;
  /** The ESB API names (`create_service_instance`) of the operations that can answer it. */
  apis: string[];
}

/** One step of `x-cmdb-validation-order`. */
export interface ValidationStepDoc {
  step: number;
  code: number;
  /** `when` and `when_zh`. */
  when: BilingualText;
}

/** One place where the real CMDB differs from its published API page (cmdb-semantics §1.4). */
export interface DifferenceDoc {
  /** A field path (`instances.processes`) or a short subject (`legacy flat fields`). */
  topic: string;
  /** The spec node it concerns (`#/components/schemas/…`). */
  pointer: string;
  published: BilingualText;
  actual: BilingualText;
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
  /** Whether the operation applies the template lock rules (`x-cmdb-template-lock.operations` lists it). */
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
const DIFFERENCES_KEY = "x-cmdb-published-page-differences";
/** The sentences of `info.description` about the published page introduce the differences. */
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
  const errorCodes: ErrorCodeDoc[] = model.errorCodes.map((entry) => {
    const raw: unknown = rawCodes.find((candidate) => isObject(candidate) && candidate.code === entry.code);
    const record = isObject(raw) ? raw : {};
    return {
      code: entry.code,
      name: entry.name,
      layer: entry.layer,
      // Folded Chinese YAML needs its own whitespace rule (no space between characters), so `when_zh` is read here.
      when: { en: entry.when.en, zh: normalizeChineseSpace(record.when_zh) },
      args: { en: normalizeSpace(record.args), zh: normalizeChineseSpace(record.args_zh) },
      message: entry.message,
      apis: entry.operations.map((id) => apiNames.get(id) ?? id),
    };
  });
  const lockOperations = readLockOperations(document[LOCK_KEY]);
  const operations = model.operations.map((operation) =>
    buildOperation(document, model.authSchema, operation, errorCodes, lockOperations.includes(operation.operationId)),
  );
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
  appliesLockRules: boolean,
): OperationDoc {
  const raw = (document.paths[operation.path]?.[operation.method] ?? {}) as Record<string, unknown>;
  const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const params = operation.paramsSchemas.flatMap((name) => flattenSchema(document, schemaRef(name)));
  const requestExamples = readExamples(
    document,
    resolvePointer(raw, "/requestBody/content/application~1json/examples"),
  );
  const validationOrder = (Array.isArray(raw["x-cmdb-validation-order"]) ? raw["x-cmdb-validation-order"] : [])
    .filter(isObject)
    .map((step) => ({
      step: Number(step.step),
      code: Number(step.code),
      when: { en: normalizeSpace(step.when), zh: normalizeChineseSpace(step.when_zh) },
    }));
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
    appliesLockRules,
    bindInfoRows: rows.filter((row) => {
      const leaf = row.path.split(".").at(-1);
      return leaf === "bind_info" || leaf === match;
    }),
    differences: readDifferences(raw),
  };
}

/**
 * The differences from the published page the spec records for an operation in `x-cmdb-published-page-differences`.
 * @see cmdb-semantics §1.4
 */
function readDifferences(raw: Record<string, unknown>): DifferenceDoc[] {
  const entries = Array.isArray(raw[DIFFERENCES_KEY]) ? raw[DIFFERENCES_KEY] : [];
  return entries.filter(isObject).map((entry) => ({
    topic: normalizeSpace(entry.topic),
    pointer: normalizeSpace(entry.pointer),
    published: { en: normalizeSpace(entry.published_en), zh: normalizeChineseSpace(entry.published_zh) },
    actual: { en: normalizeSpace(entry.actual_en), zh: normalizeChineseSpace(entry.actual_zh) },
  }));
}

function buildLock(rules: unknown, operations: readonly OperationDoc[]): LockDoc {
  const lock = isObject(rules) ? rules : {};
  const alwaysLocked = Array.isArray(lock.always_locked) ? lock.always_locked.map(String) : [];
  const lockableFields = (Array.isArray(lock.lockable_fields) ? lock.lockable_fields : [])
    .filter(isObject)
    .map((f) => ({
      field: String(f.field),
      type: String(f.type),
      alwaysLocked: alwaysLocked.includes(String(f.field)),
    }));
  // Shown elsewhere on the page (prose, the lockable-field table) or not a rule at all (`operations`).
  const shown = new Set(["description", "x-description-zh", "operations", "lockable_fields", "always_locked"]);
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
    rows.push({
      field,
      template: "",
      locked: false,
      caller: show(value, true),
      stored: show(stored[field], field in stored),
    });
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
    const summary = readText(example, "summary");
    return {
      name,
      summary: { en: summary.en || name, zh: summary.zh },
      description: readText(example),
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

/**
 * The operation IDs `x-cmdb-template-lock.operations` lists: the operations whose pages carry the lock rules.
 * @see cmdb-semantics §2
 */
function readLockOperations(rules: unknown): string[] {
  const operations = isObject(rules) && Array.isArray(rules.operations) ? rules.operations : [];
  return operations.map(String);
}

/** The sentences of a text that match a pattern, joined back together. */
function pickSentences(text: string, separator: string, pattern: RegExp): string {
  const sentences = text.split(separator).map((s) => s.trim());
  return sentences
    .filter((s) => pattern.test(s))
    .map((s) => (s.endsWith(separator.trim()) ? s : `${s}${separator.trim()}`))
    .join(separator === "。" ? "" : " ");
}
