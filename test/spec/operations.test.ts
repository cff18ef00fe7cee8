import { beforeAll, describe, expect, it } from "vitest";
import { loadSpec, type OpenApiDocument } from "../../spec/load-spec.ts";
import { readOperationPaths, readOperationRoutes } from "../../spec/operations.ts";

let document: OpenApiDocument;
beforeAll(async () => {
  document = (await loadSpec()).document;
});

describe("readOperationRoutes", () => {
  it("reads the ESB routes by operationId: POST under /api/c/compapi/v2/cc/", () => {
    expect(readOperationRoutes(document, "esb")).toEqual({
      createServiceInstance: { method: "post", path: "/api/c/compapi/v2/cc/create_service_instance/" },
      listProcessInstance: { method: "post", path: "/api/c/compapi/v2/cc/list_process_instance/" },
      getProcTemplate: { method: "post", path: "/api/c/compapi/v2/cc/get_proc_template/" },
      deleteServiceInstance: { method: "post", path: "/api/c/compapi/v2/cc/delete_service_instance/" },
    });
  });

  it("reads the gateway routes by x-cmdb-operation: CMDB's own methods and stage-relative paths", () => {
    expect(readOperationRoutes(document, "apigw")).toEqual({
      createServiceInstance: { method: "post", path: "/api/v3/create/proc/service_instance" },
      listProcessInstance: { method: "post", path: "/api/v3/findmany/proc/process_instance" },
      getProcTemplate: { method: "post", path: "/api/v3/find/proc/proc_template/id/{process_template_id}" },
      deleteServiceInstance: { method: "delete", path: "/api/v3/deletemany/proc/service_instance" },
    });
  });

  it("names the route and the operations a spec lacks", () => {
    const esbOnly = structuredClone(document);
    for (const path of Object.keys(esbOnly.paths)) if (path.startsWith("/api/v3/")) delete esbOnly.paths[path];
    expect(() => readOperationRoutes(esbOnly, "apigw")).toThrow(
      "spec paths: no apigw operation createServiceInstance, listProcessInstance, getProcTemplate, deleteServiceInstance",
    );
    expect(readOperationRoutes(esbOnly, "esb").getProcTemplate.path).toBe("/api/c/compapi/v2/cc/get_proc_template/");
  });
});

describe("readOperationPaths", () => {
  it("keeps answering the ESB paths", () => {
    expect(readOperationPaths(document).deleteServiceInstance).toBe("/api/c/compapi/v2/cc/delete_service_instance/");
  });
});
