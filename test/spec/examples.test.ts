import { beforeAll, describe, expect, it } from "vitest";
import { type LoadedSpec, loadSpec, resolvePointer } from "../../spec/load-spec.ts";
import { createSchemaValidator, loadWorldSchema, type SchemaValidator } from "../../spec/schema-validator.ts";

let spec: LoadedSpec;
let validator: SchemaValidator;

interface ExampleUse {
  name: string;
  operationId: string;
  /** The ESB operationId whose rules and error codes apply (the operation's own, or its `x-cmdb-operation`). */
  ruleOperationId: string;
  route: "esb" | "apigw";
  where: "request" | "response";
  status: string;
  schemaRef: string;
  value: unknown;
}

type Content = Record<string, { examples?: Record<string, { $ref: string }> }>;

/** A `$ref` (to `components/responses`) resolved, with the pointer of what it points at. */
function follow(node: unknown, pointer: string): { node: unknown; pointer: string } {
  const ref = (node as { $ref?: string }).$ref;
  return ref ? { node: resolvePointer(spec.document, ref.slice(1)), pointer: ref } : { node, pointer };
}

/** Every example the spec attaches to a request or response, with the schema it must satisfy. */
function collectExampleUses(): ExampleUse[] {
  const uses: ExampleUse[] = [];
  for (const [path, item] of Object.entries(spec.document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (method !== "post" && method !== "delete") continue;
      const op = raw as {
        operationId: string;
        "x-cmdb-route"?: "apigw";
        "x-cmdb-operation"?: string;
        requestBody: { content: Content };
        responses: Record<string, unknown>;
      };
      const base = `#/paths/${path.replace(/\//g, "~1")}/${method}`;
      const common = {
        operationId: op.operationId,
        ruleOperationId: op["x-cmdb-operation"] ?? op.operationId,
        route: op["x-cmdb-route"] ?? "esb",
      } as const;
      const add = (where: ExampleUse["where"], status: string, content: Content, pointer: string) => {
        const media = Object.keys(content)[0] as string;
        for (const [name, ref] of Object.entries(content[media]?.examples ?? {})) {
          uses.push({
            ...common,
            name,
            where,
            status,
            schemaRef: `${pointer}/content/${media.replace("/", "~1")}/schema`,
            value: (resolvePointer(spec.document, ref.$ref.slice(1)) as { value: unknown }).value,
          });
        }
      };
      add("request", "", op.requestBody.content, `${base}/requestBody`);
      for (const [status, response] of Object.entries(op.responses)) {
        const { node, pointer } = follow(response, `${base}/responses/${status}`);
        add("response", status, (node as { content: Content }).content, pointer);
      }
    }
  }
  return uses;
}

/** The business error code of a CMDB envelope: `code` on the ESB route, `bk_error_code` on the gateway route. */
function codeOf(use: ExampleUse): number {
  const value = use.value as { code?: number; bk_error_code?: number };
  return (use.route === "esb" ? value.code : value.bk_error_code) as number;
}

beforeAll(async () => {
  spec = await loadSpec();
  validator = createSchemaValidator(spec.document, await loadWorldSchema());
});

describe("spec examples", () => {
  it("attaches every component example to an operation", () => {
    const used = new Set(collectExampleUses().map((u) => JSON.stringify(u.value)));
    const unused = Object.entries(spec.document.components.examples ?? {})
      .filter(([, e]) => !used.has(JSON.stringify(e.value)))
      .map(([name]) => name);
    expect(unused).toEqual([]);
  });

  it("has the seed request, a templated and a non-templated success, and at least four failures", () => {
    const uses = collectExampleUses().filter((u) => u.operationId === "createServiceInstance");
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.map((u) => u.name)).toEqual(
      expect.arrayContaining(["seed", "nonTemplated", "templated", "nonTemplatedSuccess", "templatedSuccess"]),
    );
    const failures = uses.filter((u) => u.where === "response" && (u.value as { result: boolean }).result === false);
    expect(failures.length).toBeGreaterThanOrEqual(4);
  });

  it("validates every example against the schema of the place it is attached to", () => {
    const problems = collectExampleUses().flatMap((u) =>
      validator
        .validate(u.schemaRef, u.value)
        .map((p) => `${u.operationId} ${u.where} ${u.name}: ${p.pointer} ${p.message}`),
    );
    expect(problems).toEqual([]);
  });

  it("uses only error codes that x-cmdb-error-codes lists for that operation", () => {
    const codes = new Map(spec.document["x-cmdb-error-codes"].map((e) => [e.code, e]));
    const answers = collectExampleUses().filter((u) => u.where === "response" && u.status === "200");
    expect(answers.filter((u) => u.route === "apigw").length).toBeGreaterThanOrEqual(8);
    const wrong = answers
      .map((u) => ({ u, code: codeOf(u) }))
      .filter(({ u, code }) => code !== 0 && !codes.get(code)?.operations.includes(u.ruleOperationId))
      .map(({ u, code }) => `${u.operationId} ${u.name}: ${code}`);
    expect(wrong).toEqual([]);
    // ESB's own codes never come back through the gateway, which has codes of its own.
    const esbOnly = answers.filter((u) => u.route === "apigw" && codes.get(codeOf(u))?.layer === "esb");
    expect(esbOnly.map((u) => u.name)).toEqual([]);
  });

  it("answers the gateway's own errors with the status and code name x-cmdb-gateway-error-codes lists", () => {
    const listed = spec.document["x-cmdb-gateway-error-codes"] ?? [];
    const byCode = new Map(listed.map((e) => [e.code, e]));
    const errors = collectExampleUses().filter((u) => u.where === "response" && u.status !== "200");
    const seen = new Set<number>();
    for (const u of errors) {
      const { code, code_name } = u.value as { code: number; code_name: string };
      seen.add(code);
      expect(u.route, u.name).toBe("apigw");
      expect({ status: String(byCode.get(code)?.status), code_name: byCode.get(code)?.code_name }, u.name).toEqual({
        status: u.status,
        code_name,
      });
    }
    // Every listed code has an example, on every gateway operation (cmdb-semantics §4.4).
    expect([...seen].sort()).toEqual(listed.map((e) => e.code).sort());
    const perOperation = new Map<string, Set<string>>();
    for (const u of errors)
      perOperation.set(u.operationId, (perOperation.get(u.operationId) ?? new Set()).add(u.status));
    expect([...perOperation.keys()].sort()).toEqual([
      "apigwCreateServiceInstance",
      "apigwDeleteServiceInstance",
      "apigwGetProcTemplate",
      "apigwListProcessInstance",
    ]);
    for (const statuses of perOperation.values()) {
      expect([...statuses].sort()).toEqual(["400", "403", "404", "413", "429", "502", "504"]);
    }
  });

  it("gives every gateway operation a request, a success and the ESB twin's request schema without common args", () => {
    const uses = collectExampleUses().filter((u) => u.route === "apigw");
    for (const id of ["createServiceInstance", "listProcessInstance", "getProcTemplate", "deleteServiceInstance"]) {
      const mine = uses.filter((u) => u.ruleOperationId === id);
      expect(
        mine.some((u) => u.where === "request"),
        id,
      ).toBe(true);
      expect(
        mine.some((u) => u.status === "200" && (u.value as { result: boolean }).result),
        id,
      ).toBe(true);
      for (const request of mine.filter((u) => u.where === "request")) {
        expect(Object.keys(request.value as object), `${id} ${request.name}`).not.toContain("bk_app_secret");
      }
    }
  });

  it("tells the native envelope of the gateway route from the ESB body its published pages show", () => {
    const ref = "#/paths/~1api~1v3~1create~1proc~1service_instance/post/responses/200/content/application~1json/schema";
    // The ESB body on the gateway route is an UNCONFIRMED alternative (cmdb-semantics §4.3), not the native envelope.
    expect(
      validator.validate(ref, { result: true, code: 0, message: "success", permission: null, data: [1] }),
    ).not.toEqual([]);
    expect(
      validator.validate(ref, { result: true, bk_error_code: 0, bk_error_msg: "success", permission: null, data: [1] }),
    ).toEqual([]);
    // A failure never carries data other than null.
    expect(
      validator.validate(ref, { result: false, bk_error_code: 1199010, bk_error_msg: "x", permission: null, data: [] }),
    ).not.toEqual([]);
  });

  it("rejects a failure example whose result disagrees with its code, pointing into the spec", () => {
    const ref =
      "#/paths/~1api~1c~1compapi~1v2~1cc~1create_service_instance~1/post/responses/200/content/application~1json/schema";
    const problems = validator.validate(ref, {
      result: true,
      code: 1199010,
      message: "'service_instance_ids' 未赋值",
      permission: null,
      request_id: "1f2e3d4c5b6a79880f1e2d3c4b5a6978",
      data: null,
    });
    expect(problems.map((p) => p.schemaPointer)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^cmdb\.openapi\.yaml#\/components\/schemas\/ErrorEnvelope/)]),
    );
  });
});

describe("the read-back schema", () => {
  it("rejects a stored process that kept a legacy flat key, which the real CMDB drops (§2.3)", () => {
    const example = structuredClone(spec.document.components.examples?.ListProcessInstanceSuccess?.value) as {
      data: { property: Record<string, unknown> }[];
    };
    const ref = "#/components/schemas/ListProcessInstanceSuccess";
    expect(validator.validate(ref, example)).toEqual([]);
    (example.data[0] as { property: Record<string, unknown> }).property.port = "8008,8443";
    expect(validator.validate(ref, example).map((p) => p.pointer)).toContain("/data/0/property/port");
  });
});

describe("x-cmdb data", () => {
  it("lists each error code once, with both messages and only known operations", () => {
    const operationIds = new Set(
      Object.values(spec.document.paths).flatMap((item) =>
        Object.values(item)
          .filter((op) => (op as Record<string, unknown>)["x-cmdb-route"] === undefined)
          .map((op) => (op as { operationId: string }).operationId),
      ),
    );
    const entries = spec.document["x-cmdb-error-codes"];
    expect(new Set(entries.map((e) => e.code)).size).toBe(entries.length);
    for (const e of entries) {
      expect(e.message_zh, String(e.code)).not.toBe("");
      expect(e.message_en, String(e.code)).not.toBe("");
      expect(
        e.operations.filter((o) => !operationIds.has(o)),
        String(e.code),
      ).toEqual([]);
    }
  });

  it("names in the validation order only codes the error list has", () => {
    const codes = new Set(spec.document["x-cmdb-error-codes"].map((e) => e.code));
    const create = spec.document.paths["/api/c/compapi/v2/cc/create_service_instance/"]?.post as {
      "x-cmdb-validation-order": { code: number }[];
    };
    const order = create["x-cmdb-validation-order"];
    expect(order.map((s) => s.code).filter((c) => !codes.has(c))).toEqual([]);
    // cmdb-semantics §1.2: the first four checks, in this order.
    expect(order.slice(0, 4).map((s) => s.code)).toEqual([1199010, 1199035, 1101034, 1113004]);
  });

  it("locks only fields that both the template property and process_info have", () => {
    const lock = spec.document["x-cmdb-template-lock"];
    const schemas = spec.document.components.schemas as Record<string, { properties: Record<string, unknown> }>;
    const templateFields = Object.keys(schemas.ProcessTemplateProperty?.properties ?? {});
    const processFields = Object.keys(schemas.ProcessInfo?.properties ?? {});
    const lockable = lock.lockable_fields.map((f) => f.field);
    expect(lockable.filter((f) => !templateFields.includes(f) || !processFields.includes(f))).toEqual([]);
    expect(lock.always_locked.filter((f) => !lockable.includes(f))).toEqual([]);
    // cmdb-semantics §2.2 lists 17 scalar fields; bind_info is locked per row and sub-field instead.
    expect(lockable).toHaveLength(17);
    expect(lock.bind_info.sub_fields).toEqual(["ip", "port", "protocol", "enable"]);
  });

  it("describes every field in English and Chinese", () => {
    const missing: string[] = [];
    const walk = (node: unknown, pointer: string, refining: boolean): void => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) walk(n, `${pointer}/${i}`, refining);
        return;
      }
      if (node === null || typeof node !== "object") return;
      const schema = node as Record<string, unknown>;
      // The allOf refinements of Envelope narrow fields that Envelope already describes.
      const narrowsRef = Array.isArray(schema.allOf) && schema.allOf.some((s) => "$ref" in (s as object));
      for (const [key, value] of Object.entries(schema)) {
        if (key === "properties" && !refining) {
          for (const [name, prop] of Object.entries(value as Record<string, Record<string, unknown>>)) {
            if (!("$ref" in prop) && (!prop.description || !prop["x-description-zh"]))
              missing.push(`${pointer}/properties/${name}`);
          }
        }
        walk(value, `${pointer}/${key}`, key === "allOf" ? narrowsRef : refining && key !== "items");
      }
    };
    walk(spec.document.components.schemas, "#/components/schemas", false);
    expect(missing).toEqual([]);
  });
});
