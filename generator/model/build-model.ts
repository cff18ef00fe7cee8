import {
  escapePointer,
  type OpenApiDocument,
  resolvePointer,
  SpecError,
  type SpecProblem,
} from "../../spec/load-spec.ts";
import { buildDocsModel } from "./docs-model.ts";
import type {
  ErrorCodeModel,
  FieldRuleModel,
  FieldRulesModel,
  GatewayOperationModel,
  OperationModel,
  SpecModel,
} from "./spec-model.ts";
import { compareText, isObject, normalizeSpace, readBilingual } from "./text.ts";

/** The auth fields DESIGN.md names as secrets; a `writeOnly` or `format: password` property is one too. */
const KNOWN_SECRET_FIELDS = ["access_token", "bk_app_secret", "bk_token"];

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const SCHEMA_REF_PREFIX = "#/components/schemas/";

/**
 * Builds the normalized model of a spec, once for every emitter: one record per operation with its method name,
 * params and success schemas and error codes, the error codes, and what the docs pages show, with every text
 * normalised; collects every problem into one {@link SpecError}.
 * @see spec/cmdb.openapi.yaml `x-cmdb-error-codes`
 * @throws SpecError listing every operation that cannot be turned into a client method, and why.
 */
export function buildModel(document: OpenApiDocument, specFile = "spec"): SpecModel {
  const problems: SpecProblem[] = [];
  const report = (pointer: string, message: string): void => {
    problems.push({ code: "semantic", pointer, message });
  };
  const errorCodes = buildErrorCodes(document, report);
  const operations: OperationModel[] = [];
  const gateways: { twin: string; operation: GatewayOperationModel }[] = [];
  let authSchema: string | undefined;
  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      const pointer = `/paths/${escapePointer(path)}/${method}`;
      // A gateway operation is a second route of an ESB one (`x-cmdb-operation`), not a method of its own.
      if (operation["x-cmdb-route"] === "apigw") {
        const gateway = buildGatewayOperation(document, path, method, pointer, operation, report);
        if (gateway) gateways.push(gateway);
        continue;
      }
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
  attachGateways(document, operations, gateways, report);
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
  const apiNames = new Map(operations.map((o) => [o.operationId, o.apiName]));
  for (const entry of errorCodes) entry.apis = entry.operations.map((id) => apiNames.get(id) ?? id);
  return {
    title: normalizeSpace(document.info?.title),
    authSchema,
    envelopeSchema,
    secretFields: findSecretFields(document, authSchema),
    operations,
    errorCodes,
    innerErrorCodes: readInnerErrorCodes(document),
    fieldRules: readFieldRules(document),
    docs: buildDocsModel(document, authSchema, operations),
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
      description: readBilingual(operation),
      requestSchema: request.schema,
      paramsSchemas: request.params,
      successSchema,
      errorCodes: errorCodes.filter((e) => e.operations.includes(operationId)).map((e) => e.code),
      gateway: undefined,
    },
  };
}

/**
 * A gateway operation (`x-cmdb-route: apigw`): POST or DELETE, a request schema by `$ref` (no common args: they
 * travel in the `X-Bkapi-Authorization` header) and a success envelope, tied to its ESB twin by `x-cmdb-operation`.
 * @see cmdb-semantics §0, §5
 */
function buildGatewayOperation(
  document: OpenApiDocument,
  path: string,
  method: string,
  pointer: string,
  operation: Record<string, unknown>,
  report: (pointer: string, message: string) => void,
): { twin: string; operation: GatewayOperationModel } | undefined {
  const { operationId, "x-cmdb-operation": twin } = operation;
  if (typeof operationId !== "string" || typeof twin !== "string") {
    report(pointer, "a gateway operation needs an operationId and x-cmdb-operation naming the ESB operation it serves");
    return undefined;
  }
  if (method !== "post" && method !== "delete") {
    report(
      pointer,
      `is a ${method.toUpperCase()}; the client sends gateway operations as POST or DELETE with a JSON body`,
    );
    return undefined;
  }
  const where = `${pointer}/requestBody/content/application~1json/schema`;
  const requestSchema = schemaName(resolvePointer(operation, "/requestBody/content/application~1json/schema"));
  if (!requestSchema) report(where, `must be a $ref to ${SCHEMA_REF_PREFIX}<Name> (the parameters, no common args)`);
  const successSchema = findSuccessSchema(document, pointer, operation, report);
  if (!requestSchema || !successSchema) return undefined;
  return {
    twin,
    operation: {
      operationId,
      method,
      path,
      pointer,
      summary: readBilingual(operation, "summary"),
      description: readBilingual(operation),
      requestSchema,
      successSchema,
    },
  };
}

/** Gives each ESB operation its gateway twin; every `{name}` of a gateway path must be one of the twin's params. */
function attachGateways(
  document: OpenApiDocument,
  operations: readonly OperationModel[],
  gateways: readonly { twin: string; operation: GatewayOperationModel }[],
  report: (pointer: string, message: string) => void,
): void {
  for (const { twin, operation: gateway } of gateways) {
    const esb = operations.find((o) => o.operationId === twin);
    if (!esb) {
      report(`${gateway.pointer}/x-cmdb-operation`, `names "${twin}", which is no ESB operation of this spec`);
      continue;
    }
    if (esb.gateway) {
      report(gateway.pointer, `serves "${twin}" like ${esb.gateway.pointer}; keep one gateway operation per operation`);
      continue;
    }
    const params = esb.paramsSchemas.flatMap((name) => {
      const properties = document.components.schemas[name]?.properties;
      return isObject(properties) ? Object.keys(properties) : [];
    });
    for (const [, name] of gateway.path.matchAll(/{(\w+)}/g)) {
      if (name && !params.includes(name)) {
        report(
          gateway.pointer,
          `its path names {${name}}, which is no parameter of ${twin}; the client fills it from one`,
        );
      }
    }
    esb.gateway = gateway;
  }
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
      when: readBilingual(entry, "when", "when_zh"),
      args: readBilingual(entry, "args", "args_zh"),
      message: { en: String(entry.message_en ?? ""), zh: String(entry.message_zh ?? "") },
      operations: Array.isArray(entry.operations) ? entry.operations.map(String).sort(compareText) : [],
      apis: [],
    });
  });
  return [...byCode.values()].sort((a, b) => a.code - b.code);
}

// Inner codes answer no operation; the docs list them apart from the codes a caller receives.
function readFieldRules(document: OpenApiDocument): FieldRulesModel {
  const rules: Record<string, unknown> = isObject(document["x-cmdb-field-rules"]) ? document["x-cmdb-field-rules"] : {};
  const fields = (list: unknown, displayName: (f: Record<string, unknown>) => string): FieldRuleModel[] =>
    (Array.isArray(list) ? list : []).filter(isObject).map((f) => ({
      field: String(f.field ?? ""),
      displayName: displayName(f),
      type: String(f.type ?? ""),
      ...(typeof f.max_bytes === "number" ? { maxBytes: f.max_bytes } : {}),
      ...(typeof f.minimum === "number" ? { minimum: f.minimum } : {}),
      ...(typeof f.maximum === "number" ? { maximum: f.maximum } : {}),
      required: f.required === true,
      ...(typeof f.pattern === "string"
        ? { pattern: f.pattern }
        : Array.isArray(f.values)
          ? { pattern: f.values.map(String).join(" | ") }
          : {}),
    }));
  const bind: Record<string, unknown> = isObject(rules.bind_info) ? rules.bind_info : {};
  return {
    description: readBilingual(rules, "description", "x-description-zh"),
    processFields: fields(rules.process_fields, (f) => String(f.display_name ?? "")),
    bindInfoFields: fields(bind.sub_fields, () => String(bind.display_name ?? "bind_info")),
  };
}

function readInnerErrorCodes(document: OpenApiDocument): ErrorCodeModel[] {
  const entries = document["x-cmdb-inner-error-codes"];
  return (Array.isArray(entries) ? entries : []).filter(isObject).map((entry) => ({
    code: Number(entry.code),
    name: String(entry.name ?? ""),
    layer: String(entry.layer ?? ""),
    when: readBilingual(entry, "when", "when_zh"),
    args: readBilingual(entry, "args", "args_zh"),
    message: { en: String(entry.message_en ?? ""), zh: String(entry.message_zh ?? "") },
    operations: [],
    apis: [],
  }));
}

function schemaName(node: unknown): string | undefined {
  if (!isObject(node) || typeof node.$ref !== "string" || !node.$ref.startsWith(SCHEMA_REF_PREFIX)) return undefined;
  const name = node.$ref.slice(SCHEMA_REF_PREFIX.length);
  return name.includes("/") ? undefined : name.replace(/~1/g, "/").replace(/~0/g, "~");
}
