import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { loadProviderSpec } from "../../provider/spec-data.ts";
import type { TemplateProperty, World } from "../../provider/world.ts";
import { AUTH, designWorld, esbUrl, post, rawCreateBody, setWorld } from "./fixtures.ts";

const spec = loadProviderSpec();
const examples = spec.document.components.examples ?? {};
const example = (name: string) => structuredClone(examples[name]?.value) as Record<string, unknown>;
const FIXED = "2026-01-01T00:00:00Z";

/** The world the spec's examples are written against (DESIGN.md's world, with the examples' app). */
function exampleWorld(): World {
  const template = example("GetProcTemplateSuccess").data as { property: TemplateProperty };
  return {
    supplier_account: "0",
    apps: [{ bk_app_code: "esb_test", bk_app_secret: "xxx", skip_user_auth: true }],
    businesses: [
      { bk_biz_id: 1, bk_biz_name: "seed" },
      { bk_biz_id: 2, bk_biz_name: "demo" },
    ],
    hosts: [
      { bk_host_id: 2, bk_host_innerip: "10.0.0.2" },
      { bk_host_id: 10, bk_host_innerip: "10.0.0.5" },
      { bk_host_id: 11, bk_host_innerip: "10.0.0.6" },
    ],
    service_templates: [
      { id: 5, bk_biz_id: 2, name: "nginx", process_templates: [{ id: 7, property: template.property }] },
    ],
    modules: [
      { bk_module_id: 60, bk_biz_id: 2, service_template_id: 0, host_ids: [10, 11] },
      { bk_module_id: 61, bk_biz_id: 2, service_template_id: 5, host_ids: [10, 11] },
    ],
    next_ids: { service_instance: 100, process: 1000 },
  };
}

let cmdb: RunningReferenceCmdb;
beforeAll(async () => {
  cmdb = await startReferenceCmdb({ world: exampleWorld(), clock: () => new Date(FIXED) });
});
afterAll(async () => {
  await cmdb.close();
});

const call = (operation: string, body: unknown, headers: Record<string, string> = {}) =>
  post(esbUrl(cmdb.url, operation), body, headers);
const withoutRequestId = (json: Record<string, unknown>) => ({ ...json, request_id: "" });

describe("startReferenceCmdb: the spec's examples, answered exactly", () => {
  it("templated create, then list_process_instance equals the ListProcessInstanceSuccess example", async () => {
    await setWorld(cmdb.stateSetupUrl, exampleWorld());
    const created = await call("create_service_instance", example("CreateServiceInstanceTemplatedRequest"));
    expect(spec.validator.validate("#/components/schemas/CreateServiceInstanceSuccess", created.json)).toEqual([]);
    expect(created.json.data).toEqual([100]);
    const listed = await call("list_process_instance", example("ListProcessInstanceRequest"));
    expect(spec.validator.validate("#/components/schemas/ListProcessInstanceSuccess", listed.json)).toEqual([]);
    expect(withoutRequestId(listed.json)).toEqual(withoutRequestId(example("ListProcessInstanceSuccess")));
  });

  it("get_proc_template equals the GetProcTemplateSuccess example", async () => {
    const res = await call("get_proc_template", example("GetProcTemplateRequest"));
    expect(spec.validator.validate("#/components/schemas/GetProcTemplateSuccess", res.json)).toEqual([]);
    expect(withoutRequestId(res.json)).toEqual(withoutRequestId(example("GetProcTemplateSuccess")));
  });

  it("delete_service_instance equals the DeleteServiceInstanceSuccess example and removes the processes", async () => {
    const res = await call("delete_service_instance", example("DeleteServiceInstanceRequest"));
    expect(spec.validator.validate("#/components/schemas/DeleteServiceInstanceSuccess", res.json)).toEqual([]);
    expect(withoutRequestId(res.json)).toEqual(withoutRequestId(example("DeleteServiceInstanceSuccess")));
    const listed = await call("list_process_instance", example("ListProcessInstanceRequest"));
    expect(listed.json.data).toEqual([]);
    // The host is free again for the templated module.
    expect((await call("create_service_instance", example("CreateServiceInstanceTemplatedRequest"))).json.code).toBe(0);
  });

  it("the seed request: legacy keys dropped, server keys overwritten, process_template_id ignored", async () => {
    const world = exampleWorld();
    world.modules?.push({ bk_module_id: 160, bk_biz_id: 1, host_ids: [2] });
    await setWorld(cmdb.stateSetupUrl, world);
    const seed = example("CreateServiceInstanceSeedRequest");
    seed.bk_module_id = 160;
    const created = await call("create_service_instance", seed);
    expect(created.json).toMatchObject({ result: true, code: 0, data: [100] });
    const listed = await call("list_process_instance", { ...AUTH_EXAMPLE, bk_biz_id: 1, service_instance_id: 100 });
    expect(spec.validator.validate("#/components/schemas/ListProcessInstanceSuccess", listed.json)).toEqual([]);
    const [process] = listed.json.data as { property: Record<string, unknown>; relation: Record<string, unknown> }[];
    expect(process?.relation).toEqual({
      bk_biz_id: 1,
      bk_process_id: 1000,
      service_instance_id: 100,
      process_template_id: 0,
      bk_host_id: 2,
      bk_supplier_account: "0",
    });
    expect(process?.property).toMatchObject({ bk_process_id: 1000, bk_biz_id: 1, bind_info: null, timeout: 30 });
    for (const legacy of ["port", "bind_ip", "protocol", "auto_time_gap", "bk_func_id"]) {
      expect(process?.property).not.toHaveProperty(legacy);
    }
  });
});

const AUTH_EXAMPLE = { bk_app_code: "esb_test", bk_app_secret: "xxx", bk_username: "admin" };

describe("startReferenceCmdb: envelope and routes", () => {
  it("answers every route with and without the trailing slash, with a fresh 32-hex request_id", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const ids = new Set<string>();
    for (const op of [
      "create_service_instance",
      "list_process_instance",
      "get_proc_template",
      "delete_service_instance",
    ]) {
      for (const url of [esbUrl(cmdb.url, op), esbUrl(cmdb.url, op).slice(0, -1)]) {
        const res = await fetch(url, { method: "POST", body: JSON.stringify({ ...AUTH, bk_biz_id: 2 }) });
        const json = (await res.json()) as Record<string, unknown>;
        expect(res.status).toBe(200);
        expect(Object.keys(json)).toEqual(["result", "code", "message", "permission", "request_id", "data"]);
        expect(json.request_id).toMatch(/^[0-9a-f]{32}$/);
        expect(res.headers.get("x-request-id")).toBe(json.request_id);
        ids.add(json.request_id as string);
      }
    }
    expect(ids.size).toBe(8);
  });

  it("creates one new ID per instance, in request order, each bound to its own host", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const res = await call("create_service_instance", {
      ...AUTH,
      bk_biz_id: 2,
      bk_module_id: 61,
      instances: [{ bk_host_id: 11 }, { bk_host_id: 10 }],
    });
    expect(res.json.data).toEqual([100, 101]);
    for (const [id, host] of [
      [100, 11],
      [101, 10],
    ]) {
      const listed = await call("list_process_instance", { ...AUTH, bk_biz_id: 2, service_instance_id: id });
      expect((listed.json.data as { relation: { bk_host_id: number } }[])[0]?.relation.bk_host_id).toBe(host);
    }
  });

  it("is all or nothing: a failing second instance leaves nothing of the first", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const before = cmdb.snapshot();
    const body = rawCreateBody();
    (body.instances as unknown[]).push({ bk_host_id: 11, processes: [{ process_info: { bk_process_name: "x" } }] });
    expect((await call("create_service_instance", body)).json.code).toBe(1199010);
    expect(cmdb.snapshot()).toEqual(before);
    expect((await call("create_service_instance", rawCreateBody())).json.data).toEqual([100]);
  });

  it("lists processes of a raw instance with every model field, trimmed strings and rows as sent", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const body = rawCreateBody();
    const process = (body.instances as { processes: { process_info: Record<string, unknown> }[] }[])[0]?.processes[0];
    if (process) process.process_info = { ...process.process_info, bk_process_name: "  job_java  ", unknown_key: 1 };
    expect((await call("create_service_instance", body)).json.code).toBe(0);
    const listed = await call("list_process_instance", { ...AUTH, bk_biz_id: 2, service_instance_id: 100 });
    const property = (listed.json.data as { property: Record<string, unknown> }[])[0]?.property ?? {};
    expect(Object.keys(property)).toEqual([
      "bk_process_id",
      "bk_biz_id",
      "bk_supplier_account",
      "service_instance_id",
      ...spec.processFields.map((f) => f.field),
      "bind_info",
      "create_time",
      "last_time",
    ]);
    expect(property.bk_process_name).toBe("job_java");
    expect(property.bind_info).toEqual([{ enable: true, ip: "127.0.0.1", port: "8008", protocol: "1" }]);
    expect(property.create_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("names instances created without a name from the host IP, first process name and first port", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    expect((await call("create_service_instance", rawCreateBody())).json.data).toEqual([100]);
    const body = { ...AUTH, bk_biz_id: 2, bk_module_id: 61, instances: [{ bk_host_id: 11 }, { bk_host_id: 10 }] };
    (body.instances[1] as Record<string, unknown>).service_instance_name = "given";
    expect((await call("create_service_instance", body)).json.data).toEqual([101, 102]);
    const { instances } = cmdb.snapshot() as { instances: [number, { name: string }][] };
    expect(instances.map(([id, i]) => [id, i.name])).toEqual([
      [100, "10.0.0.5_job_java_8008"],
      // The whole comma-joined inner IP string, then the template's process name and port.
      [101, "10.0.0.6,10.0.0.7_nginx_80"],
      [102, "given"],
    ]);
  });

  it("a process list of another business, or of an unknown instance, is empty", async () => {
    expect(
      (await call("list_process_instance", { ...AUTH, bk_biz_id: 3, service_instance_id: 100 })).json.data,
    ).toEqual([]);
    expect(
      (await call("list_process_instance", { ...AUTH, bk_biz_id: 2, service_instance_id: 999 })).json.data,
    ).toEqual([]);
  });
});

describe("startReferenceCmdb: state setup", () => {
  it("setup replaces the state, teardown empties it, an empty world is an empty CMDB", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    expect((await call("create_service_instance", rawCreateBody())).json.code).toBe(0);
    expect((await post(cmdb.stateSetupUrl, { state: "s", action: "teardown" })).json).toEqual({ result: true });
    expect((await call("create_service_instance", rawCreateBody())).json.code).toBe(1306406);
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const empty = await post(cmdb.stateSetupUrl, { state: "s", action: "setup", params: { world: {} } });
    expect(empty.json).toEqual({ result: true });
    expect((await call("create_service_instance", rawCreateBody())).json.code).toBe(1306406);
  });

  it("an invalid world answers 400 with every problem and leaves the state untouched", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const before = cmdb.snapshot();
    const bad = {
      ...designWorld(),
      hosts: [{ bk_host_id: "ten" }],
      modules: [
        { bk_module_id: 1, bk_biz_id: 2 },
        { bk_module_id: 1, bk_biz_id: 2 },
      ],
    };
    const res = await post(cmdb.stateSetupUrl, { state: "s", action: "setup", params: { world: bad } });
    expect(res.status).toBe(400);
    const pointers = (res.json.problems as { pointer: string }[]).map((p) => p.pointer);
    expect(pointers).toContain("/hosts/0/bk_host_id");
    expect(cmdb.snapshot()).toEqual(before);
    expect((await call("create_service_instance", rawCreateBody())).json.code).toBe(0);
  });

  it("stateSetup: false answers the setup path like any unknown path", async () => {
    const plain = await startReferenceCmdb({ stateSetup: false });
    try {
      const res = await post(plain.stateSetupUrl, { state: "s", action: "setup", params: { world: designWorld() } });
      expect(res.status).toBe(404);
      expect(res.json.code).toBe(1306404);
    } finally {
      await plain.close();
    }
  });
});

describe("startReferenceCmdb: close", () => {
  it("ends open keep-alive connections, so close() never hangs", async () => {
    const other = await startReferenceCmdb({ world: designWorld() });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(esbUrl(other.url, "get_proc_template"), { method: "POST", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end("{}");
    });
    expect(status).toBe(200);
    await other.close();
    await expect(fetch(esbUrl(other.url, "get_proc_template"), { method: "POST" })).rejects.toThrow();
    agent.destroy();
  });
});
