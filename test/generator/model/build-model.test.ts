import { describe, expect, it } from "vitest";
import { buildModel } from "../../../generator/model/build-model.ts";
import { loadSpec, type OpenApiDocument, SpecError } from "../../../spec/load-spec.ts";
import { esbOperation, gatewayOperation, spec } from "../spec-fragments.ts";

const CREATE = [
  "/api/c/compapi/v2/cc/create_service_instance/",
  "post",
  esbOperation("createServiceInstance", "Create"),
] as const;
const LIST = [
  "/api/c/compapi/v2/cc/list_process_instance/",
  "post",
  esbOperation("listProcessInstance", "List"),
] as const;
const errorCode = (code: number, name: string, operations: string[]) => ({
  code,
  name,
  layer: "cmdb" as const,
  operations,
  when: "  a   case\n",
  when_zh: "情况",
  message_zh: "中文",
  message_en: "english",
});

describe("buildModel", () => {
  it.each([
    [
      "derives names and schemas of one operation",
      {
        given: spec([[...CREATE]]),
        want: {
          operationId: "createServiceInstance",
          apiName: "create_service_instance",
          method: "post",
          path: "/api/c/compapi/v2/cc/create_service_instance/",
          requestSchema: "CreateRequest",
          paramsSchemas: ["CreateParams"],
          successSchema: "CreateSuccess",
          summary: { en: "Create summary", zh: "Create 摘要" },
          description: { en: "", zh: "" },
        },
      },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(buildModel(given).operations[0]).toMatchObject(want);
  });

  it.each([
    [
      "sorts operations by operationId, whatever the spec order",
      { given: spec([[...LIST], [...CREATE]]), want: ["createServiceInstance", "listProcessInstance"] },
    ],
    [
      "keeps sorted order when the spec is already sorted",
      { given: spec([[...CREATE], [...LIST]]), want: ["createServiceInstance", "listProcessInstance"] },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(buildModel(given).operations.map((o) => o.operationId)).toEqual(want);
  });

  it.each([
    [
      "sorts the error-code union ascending and lists each operation's codes",
      {
        given: spec(
          [[...CREATE], [...LIST]],
          [
            errorCode(1199010, "NeedSet", ["listProcessInstance", "createServiceInstance"]),
            errorCode(1101034, "GetModule", ["createServiceInstance"]),
          ],
        ),
        want: {
          codes: [1101034, 1199010],
          perOperation: { createServiceInstance: [1101034, 1199010], listProcessInstance: [1199010] },
          first: {
            code: 1101034,
            name: "GetModule",
            when: { en: "a case", zh: "情况" },
            message: { en: "english", zh: "中文" },
          },
        },
      },
    ],
  ])("%s", (_name, { given, want }) => {
    const model = buildModel(given);
    expect(model.errorCodes.map((e) => e.code)).toEqual(want.codes);
    expect(Object.fromEntries(model.operations.map((o) => [o.operationId, o.errorCodes]))).toEqual(want.perOperation);
    expect(model.errorCodes[0]).toMatchObject(want.first);
  });

  it("finds the auth schema and its secret fields", () => {
    const model = buildModel(spec([[...CREATE]]));
    expect(model.authSchema).toBe("CommonArgs");
    expect(model.secretFields).toEqual(["bk_app_secret", "bk_token"]);
  });

  const broken = (mutate: (doc: OpenApiDocument) => void) => {
    const doc = spec([[...CREATE]], [errorCode(1199010, "NeedSet", ["createServiceInstance"])]);
    mutate(doc);
    return doc;
  };
  const createOp = (doc: OpenApiDocument) => doc.paths[CREATE[0]]?.post as Record<string, unknown>;

  it.each([
    [
      "an operation without operationId",
      {
        given: broken((d) => delete createOp(d).operationId),
        want: {
          pointer: "/paths/~1api~1c~1compapi~1v2~1cc~1create_service_instance~1/post",
          message: "operationId is required",
        },
      },
    ],
    [
      "a GET operation",
      {
        given: broken((d) => {
          d.paths[CREATE[0]] = { get: createOp(d) };
        }),
        want: {
          pointer: "/paths/~1api~1c~1compapi~1v2~1cc~1create_service_instance~1/get",
          message: "ESB operations are POST",
        },
      },
    ],
    [
      "an inline request schema",
      {
        given: broken((d) => {
          createOp(d).requestBody = { content: { "application/json": { schema: { type: "object" } } } };
        }),
        want: {
          pointer:
            "/paths/~1api~1c~1compapi~1v2~1cc~1create_service_instance~1/post/requestBody/content/application~1json/schema",
          message: "must be a $ref",
        },
      },
    ],
    [
      "a request without common args",
      {
        given: broken((d) => {
          d.components.schemas.CreateRequest = { allOf: [{ $ref: "#/components/schemas/CreateParams" }] };
        }),
        want: { pointer: "/components/schemas/CreateRequest", message: "common args" },
      },
    ],
    [
      "a response without a success envelope",
      {
        given: broken((d) => {
          d.components.schemas.CreateSuccess = { type: "object" };
        }),
        want: {
          pointer:
            "/paths/~1api~1c~1compapi~1v2~1cc~1create_service_instance~1/post/responses/200/content/application~1json/schema",
          message: "exactly one success envelope",
        },
      },
    ],
    [
      "an error code listed twice",
      {
        given: broken((d) => {
          d["x-cmdb-error-codes"].push(errorCode(1199010, "Again", []));
        }),
        want: { pointer: "/x-cmdb-error-codes/1/code", message: "listed twice" },
      },
    ],
    [
      "an error code naming an unknown operation",
      {
        given: broken((d) => {
          d["x-cmdb-error-codes"].push(errorCode(1, "X", ["nope"]));
        }),
        want: { pointer: "/x-cmdb-error-codes/1/operations", message: 'unknown operation "nope"' },
      },
    ],
    [
      "a gateway operation serving no ESB operation",
      {
        given: broken((d) => {
          d.paths["/api/v3/create"] = { post: gatewayOperation("apigwCreate", "createNothing", "Create") };
        }),
        want: { pointer: "/paths/~1api~1v3~1create/post/x-cmdb-operation", message: 'names "createNothing"' },
      },
    ],
    [
      "a gateway path naming a parameter its ESB operation does not have",
      {
        given: broken((d) => {
          d.paths["/api/v3/create/{module}"] = {
            post: gatewayOperation("apigwCreate", "createServiceInstance", "Create"),
          };
        }),
        want: { pointer: "/paths/~1api~1v3~1create~1{module}/post", message: "{module}, which is no parameter" },
      },
    ],
    [
      "a gateway operation that is a PUT",
      {
        given: broken((d) => {
          d.paths["/api/v3/create"] = { put: gatewayOperation("apigwCreate", "createServiceInstance", "Create") };
        }),
        want: { pointer: "/paths/~1api~1v3~1create/put", message: "POST or DELETE" },
      },
    ],
  ])("reports %s as a SpecError with its pointer", (_name, { given, want }) => {
    let error: unknown;
    try {
      buildModel(given, "fixture.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    const problems = (error as SpecError).problems;
    expect(problems).toContainEqual(
      expect.objectContaining({ pointer: want.pointer, message: expect.stringContaining(want.message) }),
    );
    expect((error as SpecError).message).toContain(`fixture.yaml#${want.pointer}`);
  });

  it("reads the repo's spec: four ESB operations and every error code of x-cmdb-error-codes", async () => {
    const { document } = await loadSpec();
    const model = buildModel(document);
    expect(model.operations.map((o) => [o.operationId, o.paramsSchemas, o.successSchema])).toEqual([
      ["createServiceInstance", ["CreateServiceInstanceParams"], "CreateServiceInstanceSuccess"],
      ["deleteServiceInstance", ["DeleteServiceInstanceParams"], "DeleteServiceInstanceSuccess"],
      ["getProcTemplate", ["GetProcTemplateParams"], "GetProcTemplateSuccess"],
      ["listProcessInstance", ["ListProcessInstanceParams"], "ListProcessInstanceSuccess"],
    ]);
    const specCodes = document["x-cmdb-error-codes"].map((e) => e.code).sort((a, b) => a - b);
    expect(model.errorCodes.map((e) => e.code)).toEqual(specCodes);
    expect(model.operations.find((o) => o.operationId === "getProcTemplate")?.errorCodes).toContain(1199019);
    expect(model.operations.find((o) => o.operationId === "createServiceInstance")?.errorCodes).not.toContain(1199019);
  });

  it("gives each ESB operation of the repo's spec its gateway twin, not a method of its own", async () => {
    const model = buildModel((await loadSpec()).document);
    expect(
      model.operations.map((o) => [o.operationId, o.gateway?.method, o.gateway?.path, o.gateway?.successSchema]),
    ).toEqual([
      ["createServiceInstance", "post", "/api/v3/create/proc/service_instance", "NativeCreateServiceInstanceSuccess"],
      [
        "deleteServiceInstance",
        "delete",
        "/api/v3/deletemany/proc/service_instance",
        "NativeDeleteServiceInstanceSuccess",
      ],
      [
        "getProcTemplate",
        "post",
        "/api/v3/find/proc/proc_template/id/{process_template_id}",
        "NativeGetProcTemplateSuccess",
      ],
      ["listProcessInstance", "post", "/api/v3/findmany/proc/process_instance", "NativeListProcessInstanceSuccess"],
    ]);
    expect(model.operations.find((o) => o.operationId === "getProcTemplate")?.gateway?.requestSchema).toBe(
      "ApigwGetProcTemplateParams",
    );
  });
});
