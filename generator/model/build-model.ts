import {
  escapePointer,
  type OpenApiDocument,
  resolvePointer,
  SpecError,
  type SpecProblem,
} from "../../spec/load-spec.ts";

/** A text of the spec in both languages; either may be empty when the spec leaves it out. */
export interface BilingualText {
  en: string;
  zh: string;
}

/** One operation as the client emitter needs it: names derived once, schemas named, error codes listed. */
export interface OperationModel {
  /** The spec's `operationId`, which is also the client method name (`createServiceInstance`). */
  operationId: string;
  /** The HTTP method in lower case (`post`). */
  method: string;
  /** The route (`/api/c/compapi/v2/cc/create_service_instance/`). */
  path: string;
  /** The ESB API name, the last segment of the route (`create_service_instance`). */
  apiName: string;
  /** The JSON pointer of the operation in the spec, for error messages. */
  pointer: string;
  summary: BilingualText;
  description: BilingualText;
  /** The request body schema, common args included (`CreateServiceInstanceRequest`). */
  requestSchema: string;
  /** The `allOf` members of the request schema that are not the common args (`CreateServiceInstanceParams`). */
  paramsSchemas: string[];
  /** The success envelope schema (`result: true`) of the 200 response (`CreateServiceInstanceSuccess`). */
  successSchema: string;
  /** The codes of `x-cmdb-error-codes` that list this operation, ascending. */
  errorCodes: number[];
}

/** One entry of `x-cmdb-error-codes` as the client documents it. */
export interface ErrorCodeModel {
  code: number;
  name: string;
  layer: string;
  when: BilingualText;
  message: BilingualText;
  operations: string[];
}

/** The normalized model every emitter reads: the spec's operations, auth fields and error codes, sorted. */
export interface ClientModel {
  title: string;
  /** The schema holding the ESB common args (`CommonArgs`), merged into every request body. */
  authSchema: string;
  /** The envelope schema the success envelopes extend (`Envelope`), whose `permission` errors carry. */
  envelopeSchema: string;
  /** The auth fields whose values are secrets and are redacted from every error. */
  secretFields: string[];
  /** Operations sorted by `operationId`. */
  operations: OperationModel[];
  /** Every error code, ascending and unique. */
  errorCodes: ErrorCodeModel[];
}

/** The auth fields DESIGN.md names as secrets; a `writeOnly` or `format: password` property is one too. */
const KNOWN_SECRET_FIELDS = ["bk_app_secret", "bk_token"];

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const SCHEMA_REF_PREFIX = "#/components/schemas/";

/**
 * Builds the normalized model of a spec: one record per operation with its method name, params and success
 * schemas and error codes, collecting every problem into one {@link SpecError}.
 * @see spec/cmdb.openapi.yaml `x-cmdb-error-codes`
 * @throws SpecError listing every operation that cannot be turned into a client method, and why.
 */
export function buildModel(document: OpenApiDocument, specFile = "spec"): ClientModel {
  const problems: SpecProblem[] = [];
  const report = (pointer: string, message: string): void => {
    problems.push({ code: "semantic", pointer, message });
  };
  const errorCodes = buildErrorCodes(document, report);
  const operations: OperationModel[] = [];
  let authSchema: string | undefined;
  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      const pointer = `/paths/${escapePointer(path)}/${method}`;
      const built = buildOperation(document, path, method, pointer, operation, errorCodes, report);
      if (!built) continue;
      operations.push(built.operation);
      if (authSchema !== undefined && authSchema !== built.authSchema) {
        report(
          `${pointer}/requestBody`,
          `uses common args ${built.authSchema}, but another operation uses ${authSchema}`,
        );
      }
      authSchema ??= built.authSchema;
    }
  }
  operations.sort((a, b) => compareText(a.operationId, b.operationId));
  for (let i = 1; i < operations.length; i++) {
    const [previous, current] = [operations[i - 1], operations[i]];
    if (previous && current && previous.operationId === current.operationId) {
      report(
        current.pointer,
        `operationId "${current.operationId}" is also used by ${previous.pointer}; make it unique`,
      );
    }
  }
  if (operations.length === 0 && problems.length === 0) {
    report("/paths", "the spec has no operation to generate a client method for");
  }
  const known = new Set(operations.map((o) => o.operationId));
  const entries: unknown[] = Array.isArray(document["x-cmdb-error-codes"]) ? document["x-cmdb-error-codes"] : [];
  entries.forEach((entry, i) => {
    const names = isObject(entry) && Array.isArray(entry.operations) ? entry.operations : [];
    for (const name of names) {
      if (!known.has(String(name))) report(`/x-cmdb-error-codes/${i}/operations`, `names unknown operation "${name}"`);
    }
  });
  const envelopeSchema = findEnvelopeSchema(document, operations[0]);
  if (operations[0] && !envelopeSchema) {
    report(
      `/components/schemas/${escapePointer(operations[0].successSchema)}`,
      "must be an allOf whose first member is a $ref to the envelope schema (result, code, message, permission, data)",
    );
  }
  if (problems.length > 0 || authSchema === undefined || envelopeSchema === undefined) {
    throw new SpecError(specFile, problems);
  }
  return {
    title: String(document.info?.title ?? ""),
    authSchema,
    envelopeSchema,
    secretFields: findSecretFields(document, authSchema),
    operations,
    errorCodes,
  };
}

function buildOperation(
  document: OpenApiDocument,
  path: string,
  method: string,
  pointer: string,
  operation: Record<string, unknown>,
  errorCodes: readonly ErrorCodeModel[],
  report: (pointer: string, message: string) => void,
): { operation: OperationModel; authSchema: string } | undefined {
  const operationId = operation.operationId;
  if (typeof operationId !== "string" || !/^[a-z][A-Za-z0-9]*$/.test(operationId)) {
    report(pointer, "operationId is required to name the client method, in camelCase (e.g. createServiceInstance)");
    return undefined;
  }
  if (method !== "post") {
    report(
      pointer,
      `is a ${method.toUpperCase()}; ESB operations are POST with a JSON body, and the client sends only POST`,
    );
    return undefined;
  }
  const request = findRequest(document, pointer, operation, report);
  const successSchema = findSuccessSchema(document, pointer, operation, report);
  if (!request || !successSchema) return undefined;
  return {
    authSchema: request.authSchema,
    operation: {
      operationId,
      method,
      path,
      apiName: path.split("/").filter(Boolean).at(-1) ?? operationId,
      pointer,
      summary: readBilingual(operation, "summary"),
      description: readBilingual(operation, "description"),
      requestSchema: request.schema,
      paramsSchemas: request.params,
      successSchema,
      errorCodes: errorCodes.filter((e) => e.operations.includes(operationId)).map((e) => e.code),
    },
  };
}

/** The request schema must be a `$ref` to an `allOf` of `$ref`s, one of them holding the auth fields. */
function findRequest(
  document: OpenApiDocument,
  pointer: string,
  operation: Record<string, unknown>,
  report: (pointer: string, message: string) => void,
): { schema: string; authSchema: string; params: string[] } | undefined {
  const where = `${pointer}/requestBody/content/application~1json/schema`;
  const schema = schemaName(resolvePointer(operation, "/requestBody/content/application~1json/schema"));
  if (!schema) {
    report(where, `must be a $ref to ${SCHEMA_REF_PREFIX}<Name> so the client can name its parameters`);
    return undefined;
  }
  const members = document.components.schemas[schema]?.allOf;
  const names = Array.isArray(members) ? members.map(schemaName) : [];
  const authSchema = names.find((n) => n !== undefined && isAuthSchema(document, n));
  const params = names.filter((n): n is string => n !== undefined && n !== authSchema);
  if (!authSchema || params.length === 0 || names.includes(undefined)) {
    report(
      `/components/schemas/${escapePointer(schema)}`,
      "must be an allOf of $refs: the common args (with bk_app_code and bk_app_secret) and the interface parameters",
    );
    return undefined;
  }
  return { schema, authSchema, params };
}

/** The success envelope is the `oneOf` member of the 200 response whose `result` is `const: true`. */
function findSuccessSchema(
  document: OpenApiDocument,
  pointer: string,
  operation: Record<string, unknown>,
  report: (pointer: string, message: string) => void,
): string | undefined {
  const schema = resolvePointer(operation, "/responses/200/content/application~1json/schema");
  const candidates = isObject(schema) && Array.isArray(schema.oneOf) ? schema.oneOf : [schema];
  const found = candidates.map(schemaName).filter((n): n is string => n !== undefined && isSuccessSchema(document, n));
  if (found.length !== 1) {
    report(
      `${pointer}/responses/200/content/application~1json/schema`,
      `must name exactly one success envelope ($ref to a schema with result: {const: true}); found ${found.length}`,
    );
    return undefined;
  }
  return found[0];
}

function isSuccessSchema(document: OpenApiDocument, name: string): boolean {
  const schema = document.components.schemas[name];
  const parts = [schema, ...(Array.isArray(schema?.allOf) ? schema.allOf : [])];
  return parts.some((part) => resolvePointer(part, "/properties/result/const") === true);
}

function findEnvelopeSchema(document: OpenApiDocument, operation: OperationModel | undefined): string | undefined {
  const members = operation ? document.components.schemas[operation.successSchema]?.allOf : undefined;
  return Array.isArray(members) ? schemaName(members[0]) : undefined;
}

function isAuthSchema(document: OpenApiDocument, name: string): boolean {
  const properties = document.components.schemas[name]?.properties;
  return isObject(properties) && "bk_app_code" in properties && "bk_app_secret" in properties;
}

function findSecretFields(document: OpenApiDocument, authSchema: string): string[] {
  const properties = document.components.schemas[authSchema]?.properties;
  const entries = isObject(properties) ? Object.entries(properties) : [];
  return entries
    .filter(
      ([name, p]) =>
        KNOWN_SECRET_FIELDS.includes(name) || (isObject(p) && (p.writeOnly === true || p.format === "password")),
    )
    .map(([name]) => name)
    .sort(compareText);
}

function buildErrorCodes(
  document: OpenApiDocument,
  report: (pointer: string, message: string) => void,
): ErrorCodeModel[] {
  const entries = document["x-cmdb-error-codes"];
  if (!Array.isArray(entries)) {
    report("/x-cmdb-error-codes", "must be a list of {code, name, operations, …} entries");
    return [];
  }
  const byCode = new Map<number, ErrorCodeModel>();
  entries.forEach((entry, i) => {
    if (!isObject(entry) || !Number.isInteger(entry.code) || entry.code === 0 || typeof entry.name !== "string") {
      report(`/x-cmdb-error-codes/${i}`, "needs an integer `code` other than 0 and a `name`");
      return;
    }
    const code = entry.code as number;
    if (byCode.has(code)) {
      report(`/x-cmdb-error-codes/${i}/code`, `code ${code} is listed twice; keep one entry`);
      return;
    }
    byCode.set(code, {
      code,
      name: entry.name,
      layer: String(entry.layer ?? ""),
      when: { en: normalizeSpace(String(entry.when ?? "")), zh: normalizeSpace(String(entry.when_zh ?? "")) },
      message: { en: String(entry.message_en ?? ""), zh: String(entry.message_zh ?? "") },
      operations: Array.isArray(entry.operations) ? entry.operations.map(String).sort(compareText) : [],
    });
  });
  return [...byCode.values()].sort((a, b) => a.code - b.code);
}

function readBilingual(node: Record<string, unknown>, key: "summary" | "description"): BilingualText {
  const en = node[key];
  const zh = node[`x-${key}-zh`];
  return {
    en: typeof en === "string" ? normalizeSpace(en) : "",
    zh: typeof zh === "string" ? normalizeSpace(zh) : "",
  };
}

function schemaName(node: unknown): string | undefined {
  if (!isObject(node) || typeof node.$ref !== "string" || !node.$ref.startsWith(SCHEMA_REF_PREFIX)) return undefined;
  const name = node.$ref.slice(SCHEMA_REF_PREFIX.length);
  return name.includes("/") ? undefined : name.replace(/~1/g, "/").replace(/~0/g, "~");
}

function normalizeSpace(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}

/** Code-point order, so the model does not depend on the machine's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
