// The part of the model only the docs show: parameter tables, examples, validation order, the lock rules with their
// worked example, and the differences from the published page.
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import { resolvePointer } from "../../spec/load-spec.ts";
import { describeEnvelopeVariants, flattenSchema } from "./schema-tables.ts";
import type {
  DifferenceDoc,
  DocsModel,
  ExampleDoc,
  GatewayDoc,
  GatewayErrorDoc,
  GatewayOperationModel,
  LockDoc,
  OperationDoc,
  OperationModel,
} from "./spec-model.ts";
import { isObject, normalizeSpace, readBilingual } from "./text.ts";
import { buildWorkedExample } from "./worked-example.ts";

const LOCK_KEY = "x-cmdb-template-lock";
const DIFFERENCES_KEY = "x-cmdb-published-page-differences";
/** The sentences of `info.description` about the published page introduce the differences. */
const PUBLISHED_PAGE = /published (API )?page/i;
const PUBLISHED_PAGE_ZH = /官方文档/;

/**
 * Reads what the docs show beyond the operations and error codes: each operation's tables, examples and validation
 * order, the lock rules with a worked example, and the documented differences.
 * @see cmdb-semantics §1.2, §1.4, §2.1, §2.2
 */
export function buildDocsModel(
  document: OpenApiDocument,
  authSchema: string,
  operations: readonly OperationModel[],
): DocsModel {
  const lockOperations = readLockOperations(document[LOCK_KEY]);
  const pages = operations.map((operation) =>
    buildOperation(document, authSchema, operation, lockOperations.includes(operation.operationId)),
  );
  const info = document.info;
  const scheme = Object.values(document.components.securitySchemes ?? {})[0];
  const gatewayErrors = (document["x-cmdb-gateway-error-codes"] ?? [])
    .filter(isObject)
    .map(
      (e): GatewayErrorDoc => ({
        status: Number(e.status),
        code: Number(e.code),
        codeName: String(e.code_name ?? ""),
        when: readBilingual(e, "when", "when_zh"),
      }),
    )
    .sort((a, b) => a.status - b.status || a.code - b.code);
  const description = readBilingual(info);
  return {
    summary: readBilingual(info, "summary"),
    description,
    differencesIntro: {
      en: pickSentences(description.en, ". ", PUBLISHED_PAGE),
      zh: pickSentences(description.zh, "。", PUBLISHED_PAGE_ZH),
    },
    commonArgsNote: readBilingual(scheme),
    operations: pages,
    lock: buildLock(document[LOCK_KEY], pages),
    gatewayErrors,
    gatewayErrorExamples: readGatewayErrorExamples(document, operations.find((o) => o.gateway)?.gateway),
  };
}

function buildOperation(
  document: OpenApiDocument,
  authSchema: string,
  operation: OperationModel,
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
      when: readBilingual(step, "when", "when_zh"),
    }));
  const rows = params.flatMap((t) => t.rows);
  const response = flattenSchema(document, schemaRef(operation.successSchema));
  const failure = findFailureSchema(raw, operation.successSchema);
  const lock = document[LOCK_KEY];
  const match = isObject(lock) ? resolvePointer(lock, "/bind_info/match/caller_key") : undefined;
  return {
    ...operation,
    esbDest: normalizeSpace(raw["x-cmdb-esb-dest"]),
    commonArgs: flattenSchema(document, schemaRef(authSchema)),
    params,
    response,
    envelopeVariants:
      failure && response[0] ? describeEnvelopeVariants(document, response[0], schemaRef(failure)) : undefined,
    requestExamples,
    responseExamples: readExamples(document, resolvePointer(raw, "/responses/200/content/application~1json/examples")),
    validationOrder,
    appliesLockRules,
    bindInfoRows: rows.filter((row) => {
      const leaf = row.path.split(".").at(-1);
      return leaf === "bind_info" || leaf === match;
    }),
    differences: [...readDifferences(raw), ...readDifferences(gatewayRaw(document, operation.gateway))],
    gateway: operation.gateway ? buildGatewayDoc(document, operation.gateway) : undefined,
  };
}

/** The examples of a gateway operation's non-200 responses, `$ref`s to `components/responses` followed. */
function readGatewayErrorExamples(document: OpenApiDocument, gateway: GatewayOperationModel | undefined): ExampleDoc[] {
  const responses = gatewayRaw(document, gateway).responses;
  return Object.entries(isObject(responses) ? responses : {})
    .filter(([status]) => status !== "200")
    .flatMap(([, node]) =>
      readExamples(document, resolvePointer(resolveExample(document, node), "/content/application~1json/examples")),
    );
}

function gatewayRaw(document: OpenApiDocument, gateway: GatewayOperationModel | undefined): Record<string, unknown> {
  const raw = gateway ? document.paths[gateway.path]?.[gateway.method] : undefined;
  return isObject(raw) ? raw : {};
}

/**
 * The gateway route of an operation as its page shows it: the server it is relative to, the auth header, the body
 * and path parameters, examples, and the native envelope's table.
 * @see cmdb-semantics §4.3, §5
 */
function buildGatewayDoc(document: OpenApiDocument, gateway: GatewayOperationModel): GatewayDoc {
  const raw = gatewayRaw(document, gateway);
  const item = document.paths[gateway.path] ?? {};
  const server = Array.isArray(item.servers) ? item.servers[0] : undefined;
  const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const security = resolvePointer(raw, "/security/0");
  const schemeName = isObject(security) ? Object.keys(security)[0] : undefined;
  const scheme = schemeName ? document.components.securitySchemes?.[schemeName] : undefined;
  const response = flattenSchema(document, schemaRef(gateway.successSchema));
  const failure = findFailureSchema(raw, gateway.successSchema);
  const envelope = resolvePointer(document, `/components/schemas/${gateway.successSchema}/allOf/0/$ref`);
  const parameters = (Array.isArray(raw.parameters) ? raw.parameters : []).filter(isObject);
  return {
    ...gateway,
    serverUrl: isObject(server) ? normalizeSpace(server.url) : "",
    authHeader: isObject(scheme) ? normalizeSpace(scheme.name) : "",
    envelopeSchema: typeof envelope === "string" ? (envelope.split("/").at(-1) ?? "") : "",
    pathParams: parameters
      .filter((p) => p.in === "path")
      .map((p) => ({
        path: String(p.name),
        type: flattenSchema(document, { properties: { [String(p.name)]: p.schema } })[0]?.rows[0]?.type ?? "",
        required: true,
        deprecated: false,
        description: readBilingual(p),
      })),
    params: flattenSchema(document, schemaRef(gateway.requestSchema)),
    response,
    envelopeVariants:
      failure && response[0] ? describeEnvelopeVariants(document, response[0], schemaRef(failure)) : undefined,
    requestExamples: readExamples(document, resolvePointer(raw, "/requestBody/content/application~1json/examples")),
    responseExamples: readExamples(document, resolvePointer(raw, "/responses/200/content/application~1json/examples")),
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
    published: readBilingual(entry, "published_en", "published_zh"),
    actual: readBilingual(entry, "actual_en", "actual_zh"),
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
  return {
    description: readBilingual(lock),
    lockableFields,
    rules: flat,
    worked: buildWorkedExample(lock, operations),
  };
}

/** The failure envelope of the 200 response: the `oneOf` member that is not the success envelope (`ErrorEnvelope`). */
function findFailureSchema(raw: Record<string, unknown>, successSchema: string): string | undefined {
  const schema = resolvePointer(raw, "/responses/200/content/application~1json/schema/oneOf");
  const refs = (Array.isArray(schema) ? schema : []).map((member) => (isObject(member) ? member.$ref : undefined));
  const names = refs.filter((ref): ref is string => typeof ref === "string").map((ref) => ref.split("/").at(-1) ?? "");
  return names.find((name) => name !== successSchema);
}

function readExamples(document: OpenApiDocument, examples: unknown): ExampleDoc[] {
  if (!isObject(examples)) return [];
  return Object.entries(examples).map(([name, node]) => {
    const example = resolveExample(document, node);
    const summary = readBilingual(example, "summary");
    return {
      name,
      summary: { en: summary.en || name, zh: summary.zh },
      description: readBilingual(example),
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
