/**
 * The stages of `create_service_instance` whose order or storage a single code does not show: names built from the
 * values as sent, decoding before merging, keys folded on the templated path (cmdb-semantics §1.1, §1.3).
 */
import { describe, expect, it } from "vitest";
import { createReferenceCmdb } from "../../provider/app.ts";
import { AUTH, designWorld } from "./fixtures.ts";

type Answer = { code: number; message: string; data: unknown };

function cmdbWith(world = designWorld()) {
  const cmdb = createReferenceCmdb({ world, clock: () => new Date("2026-01-01T00:00:00Z") });
  const call = (operation: string, body: unknown): Answer => {
    const text = typeof body === "string" ? body : JSON.stringify({ ...AUTH, ...(body as object) });
    const response = cmdb.handle({
      method: "POST",
      path: `/api/c/compapi/v2/cc/${operation}/`,
      headers: {},
      body: text,
    });
    return JSON.parse(response.body) as Answer;
  };
  const firstProcess = (instanceId: number): Record<string, unknown> | undefined =>
    (
      call("list_process_instance", { bk_biz_id: 2, service_instance_id: instanceId }).data as {
        property: Record<string, unknown>;
      }[]
    )[0]?.property;
  return { cmdb, call, firstProcess };
}

const raw = (info: Record<string, unknown>) => ({
  bk_biz_id: 2,
  bk_module_id: 60,
  instances: [{ bk_host_id: 10, processes: [{ process_info: info }] }],
});
const templated = (processes: unknown[]) => ({
  bk_biz_id: 2,
  bk_module_id: 61,
  instances: [{ bk_host_id: 10, processes }],
});

describe("createServiceInstance (module without a template)", () => {
  it("names the instance from the first process as sent, but stores it trimmed (§1.3 A)", () => {
    const { cmdb, call, firstProcess } = cmdbWith();
    const info = {
      bk_process_name: " job_java ",
      bk_func_name: "java",
      bind_info: [{ ip: "127.0.0.1", port: " 8008 ", protocol: "1", enable: true }],
    };
    expect(call("create_service_instance", raw(info)).data).toEqual([100]);
    const { instances } = cmdb.snapshot() as { instances: [number, { name: string }][] };
    expect(instances[0]?.[1].name).toBe("10.0.0.5_ job_java _ 8008 ");
    expect(firstProcess(100)).toMatchObject({ bk_process_name: "job_java", bind_info: [{ port: " 8008 " }] });
  });

  it("trims what Go's strings.TrimSpace trims, and nothing else (§3.1)", () => {
    const { call, firstProcess } = cmdbWith();
    const info = {
      bk_process_name: "\t\u0085\u00a0\u3000 job_java\u2028\u205f\r\n",
      bk_func_name: "\ufeffjava\u200b",
      work_path: "\u1680\u2000\u200a/data\u202f\u2029\v\f",
    };
    expect(call("create_service_instance", raw(info)).data).toEqual([100]);
    expect(firstProcess(100)).toMatchObject({
      bk_process_name: "job_java",
      // U+FEFF and U+200B are not white space to Go.
      bk_func_name: "\ufeffjava\u200b",
      work_path: "/data",
    });
  });

  it("counts a padded string's limit after trimming, in UTF-8 bytes of every length (§3.1)", () => {
    const { call } = cmdbWith();
    // bk_func_name allows 256 bytes: 86 three-byte characters are 258, 85 of them 255 whatever the padding.
    const name = (text: string) => call("create_service_instance", raw({ bk_process_name: "a", bk_func_name: text }));
    expect(name(` ${"备".repeat(85)}${" ".repeat(300)}`).code).toBe(0);
    expect(name("备".repeat(86)).code).toBe(1199011);
    expect(name("é".repeat(128)).code).toBe(0);
    expect(name("é".repeat(129)).code).toBe(1199011);
  });

  it("rejects a non-integer literal that passes validation only when it must name the instance (§1.1)", () => {
    const { call } = cmdbWith();
    const body = (name: string) =>
      JSON.stringify({ ...AUTH, ...raw({ bk_process_name: "a", bk_func_name: "a", priority: 2 }) })
        .replace('"priority":2', '"priority":2.5')
        .replace('"bk_host_id":10', `"bk_host_id":10,"service_instance_name":"${name}"`);
    expect(call("create_service_instance", body("")).code).toBe(1199000);
    expect(call("create_service_instance", body("given")).code).toBe(0);
  });
});

describe("createServiceInstance (templated module)", () => {
  it("decodes every entry of every instance before it validates any (§1.3 B.3, B.4)", () => {
    const { call } = cmdbWith();
    // Instance 1's entry decodes but fails the model (1199011); instance 2's does not decode (1199000), and wins.
    const body = {
      bk_biz_id: 2,
      bk_module_id: 61,
      instances: [
        { bk_host_id: 10, processes: [{ process_template_id: 7, process_info: { proc_num: 0 } }] },
        { bk_host_id: 11, processes: [{ process_template_id: 7, process_info: { proc_num: "4" } }] },
      ],
    };
    expect(call("create_service_instance", body).code).toBe(1199000);
    expect(call("create_service_instance", { ...body, instances: body.instances.slice(0, 1) }).code).toBe(1199011);
  });

  it("folds process_info keys like encoding/json and clears only fields sent null under their own name (§1.1, §2.2)", () => {
    const { call, firstProcess } = cmdbWith();
    const entry = { process_template_id: 7, process_info: { WORK_PATH: "/srv", "\u017ftart_cmd": "./go" } };
    expect(call("create_service_instance", templated([entry])).code).toBe(0);
    expect(firstProcess(100)).toMatchObject({ work_path: "/srv", start_cmd: "./go" });
    // A null under another spelling decodes as "not sent": the template value stays.
    const cleared = { process_template_id: 7, process_info: { WORK_PATH: null } };
    const second = { bk_biz_id: 2, bk_module_id: 61, instances: [{ bk_host_id: 11, processes: [cleared] }] };
    expect(call("create_service_instance", second).code).toBe(0);
    expect(firstProcess(101)).toMatchObject({ work_path: "/data" });
  });
});
