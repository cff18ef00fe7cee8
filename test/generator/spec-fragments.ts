// Small hand-written spec fragments for the generator's table tests: a valid ESB operation in a few lines, so each
// case changes one thing.
import type { OpenApiDocument } from "../../spec/load-spec.ts";

/** A tiny ESB operation: request = CommonArgs + <Name>Params, 200 = <Name>Success | ErrorEnvelope. */
export function esbOperation(operationId: string, name: string): Record<string, unknown> {
  return {
    operationId,
    summary: `${name} summary`,
    "x-summary-zh": `${name} 摘要`,
    requestBody: { content: { "application/json": { schema: { $ref: `#/components/schemas/${name}Request` } } } },
    responses: {
      "200": {
        description: "envelope",
        content: {
          "application/json": {
            schema: {
              oneOf: [{ $ref: `#/components/schemas/${name}Success` }, { $ref: "#/components/schemas/ErrorEnvelope" }],
            },
          },
        },
      },
    },
  };
}

/** A tiny API gateway operation serving `twin`: request = <Name>Params (no common args), 200 = <Name>Success. */
export function gatewayOperation(operationId: string, twin: string, name: string): Record<string, unknown> {
  const operation = esbOperation(operationId, name);
  return {
    ...operation,
    "x-cmdb-route": "apigw",
    "x-cmdb-operation": twin,
    requestBody: { content: { "application/json": { schema: { $ref: `#/components/schemas/${name}Params` } } } },
  };
}

function esbSchemas(name: string): Record<string, Record<string, unknown>> {
  return {
    [`${name}Request`]: {
      allOf: [{ $ref: "#/components/schemas/CommonArgs" }, { $ref: `#/components/schemas/${name}Params` }],
    },
    [`${name}Params`]: { type: "object", properties: { bk_biz_id: { type: "integer" } } },
    [`${name}Success`]: {
      allOf: [{ $ref: "#/components/schemas/Envelope" }, { properties: { result: { const: true } } }],
    },
  };
}

/** A document holding the operations (each `[path, method, operation]`) and error codes, with their schemas. */
export function spec(
  operations: [path: string, method: string, operation: Record<string, unknown>][],
  errorCodes: unknown[] = [],
): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, Record<string, unknown>> = {
    CommonArgs: {
      type: "object",
      properties: { bk_app_code: { type: "string" }, bk_app_secret: { type: "string" }, bk_token: { type: "string" } },
    },
    Envelope: { type: "object" },
    ErrorEnvelope: { allOf: [{ $ref: "#/components/schemas/Envelope" }, { properties: { result: { const: false } } }] },
  };
  for (const [path, method, operation] of operations) {
    // Each document gets its own copy: the broken-spec cases below mutate theirs.
    paths[path] = { ...paths[path], [method]: structuredClone(operation) };
    const ref = resolveName(operation);
    if (ref) Object.assign(schemas, esbSchemas(ref));
  }
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths,
    components: { schemas },
    "x-cmdb-error-codes": errorCodes as OpenApiDocument["x-cmdb-error-codes"],
    "x-cmdb-template-lock": {} as OpenApiDocument["x-cmdb-template-lock"],
  };
}

function resolveName(operation: Record<string, unknown>): string | undefined {
  const text = JSON.stringify(operation);
  return /schemas\/(\w+)Request/.exec(text)?.[1];
}
