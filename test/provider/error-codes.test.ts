import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { loadProviderSpec } from "../../provider/spec-data.ts";
import type { World } from "../../provider/world.ts";
import { AUTH, designWorld, esbUrl, post, rawCreateBody, setWorld } from "./fixtures.ts";

const spec = loadProviderSpec();
let cmdb: RunningReferenceCmdb;

beforeAll(async () => {
  cmdb = await startReferenceCmdb({ world: designWorld() });
});
afterAll(async () => {
  await cmdb.close();
});
beforeEach(async () => {
  await setWorld(cmdb.stateSetupUrl, designWorld());
});

const create = (body: unknown, headers: Record<string, string> = {}) =>
  post(esbUrl(cmdb.url, "create_service_instance"), body, headers);

/** Asserts an HTTP 200 error envelope of the spec's `ErrorEnvelope` with this code and message. */
function expectFailure(res: { status: number; json: Record<string, unknown> }, code: number, message?: string): void {
  expect(res.status).toBe(200);
  expect(spec.validator.validate("#/components/schemas/ErrorEnvelope", res.json)).toEqual([]);
  expect(res.json.code).toBe(code);
  if (message !== undefined) expect(res.json.message).toBe(message);
}

const templated = (instances: unknown[]) => ({ ...AUTH, bk_biz_id: 2, bk_module_id: 61, instances });

describe("create_service_instance: the validation order of cmdb-semantics §1.2, one code per step", () => {
  it("step 1: empty instances → 1199010 naming service_instance_ids", async () => {
    expectFailure(
      await create({ ...AUTH, bk_biz_id: 2, bk_module_id: 60, instances: [] }),
      1199010,
      "'service_instance_ids' 未赋值",
    );
  });

  it("step 2: 101 instances → 1199035, before the module is even looked up", async () => {
    const instances = Array.from({ length: 101 }, () => ({ bk_host_id: 10 }));
    expectFailure(
      await create({ ...AUTH, bk_biz_id: 2, bk_module_id: 999, instances }),
      1199035,
      " create service instances 超过限制 100",
    );
  });

  it("step 3: an unknown or missing module → 1101034", async () => {
    expectFailure(
      await create(rawCreateBody({ bk_module_id: 999 })),
      1101034,
      "查询模块失败,get none or multiple modules",
    );
    expectFailure(await create(rawCreateBody({ bk_module_id: undefined })), 1101034);
  });

  it("step 4: a module of another business, or no bk_biz_id → 1113004", async () => {
    expectFailure(
      await create(rawCreateBody({ bk_module_id: 61, bk_biz_id: 3 })),
      1113004,
      "模块ID[61]不属于业务ID[3]",
    );
    expectFailure(await create(rawCreateBody({ bk_biz_id: undefined })), 1113004, "模块ID[60]不属于业务ID[0]");
  });

  it("step 5: a built-in module → 1199006 bk_module_id", async () => {
    expectFailure(await create(rawCreateBody({ bk_module_id: 62 })), 1199006, "'bk_module_id' 数据参数校验不通过");
  });

  it("step 6: a service template without process templates → 1199006 service_template_id", async () => {
    expectFailure(
      await create(rawCreateBody({ bk_module_id: 63 })),
      1199006,
      "'service_template_id' 数据参数校验不通过",
    );
  });

  it("step 7: a non-templated instance without processes → 1199010 instances.processes", async () => {
    const body = rawCreateBody();
    (body.instances as unknown[]).push({ bk_host_id: 11, processes: [] });
    expectFailure(await create(body), 1199010, "'instances.processes' 未赋值");
  });

  it("step 8: hosts outside the module (0 included) → 1110056 listing them", async () => {
    expectFailure(
      await create(templated([{ bk_host_id: 12 }, { bk_host_id: 0 }, { bk_host_id: 12 }])),
      1110056,
      "操作失败，以下主机不属于目标模块：[%!s(int64=12) %!s(int64=0)]",
    );
  });

  it("step 9: a host that already has an instance of the templated module → 1113016 with its IP", async () => {
    expect((await create(templated([{ bk_host_id: 10 }]))).json.code).toBe(0);
    expectFailure(await create(templated([{ bk_host_id: 10 }])), 1113016, "服务实例[10.0.0.5]已经存在");
  });

  it("step 9: also for an instance the world already holds", async () => {
    const world = designWorld();
    world.service_instances = [{ id: 50, bk_biz_id: 2, bk_module_id: 61, bk_host_id: 11 }];
    await setWorld(cmdb.stateSetupUrl, world);
    expectFailure(await create(templated([{ bk_host_id: 11 }])), 1113016, "服务实例[10.0.0.6,10.0.0.7]已经存在");
  });

  it("step 10: an entry without process_info crashes the request → 1199999, the same text in every language", async () => {
    const raw = rawCreateBody();
    (raw.instances as { processes: unknown[] }[])[0]?.processes.push({ process_template_id: 0 });
    expectFailure(await create(raw), 1199999, "proc Internal Server Error");
    expectFailure(await create(raw, { "Blueking-Language": "en" }), 1199999, "proc Internal Server Error");
    const matched = templated([{ bk_host_id: 10, processes: [{ process_template_id: 7, process_info: null }] }]);
    expectFailure(await create(matched), 1199999, "proc Internal Server Error");
    // An entry whose template ID matches nothing is ignored, process_info or not.
    const unmatched = templated([{ bk_host_id: 10, processes: [{ process_template_id: 99 }] }]);
    expect((await create(unmatched)).json.code).toBe(0);
  });

  it("step 11: a raw process without the key bk_func_name → 1199010, the message wrapped once more", async () => {
    const body = rawCreateBody();
    const info = (body.instances as { processes: { process_info: Record<string, unknown> }[] }[])[0]?.processes[0]
      ?.process_info;
    delete info?.bk_func_name;
    expectFailure(await create(body), 1199010, "''bk_func_name' 未赋值' 未赋值");
    expectFailure(await create(body, { "Blueking-Language": "en" }), 1199010, "''bk_func_name' unassigned' unassigned");
  });

  it("step 16: an unlocked templated value that fails the model → 1199011 wrapping the inner message once", async () => {
    const body = templated([
      { bk_host_id: 10, processes: [{ process_template_id: 7, process_info: { work_path: "x".repeat(2001) } }] },
    ]);
    expectFailure(await create(body), 1199011, "''工作路径' 数据越界' 参数无效或不存在");
    const omitted = templated([
      {
        bk_host_id: 10,
        processes: [{ process_template_id: 7, process_info: { bind_info: [{ template_row_id: 1 }] } }],
      },
    ]);
    expectFailure(await create(omitted), 1199011, "''bind_info' 数据参数校验不通过' 参数无效或不存在");
  });
});

describe("create_service_instance: the other codes of cmdb-semantics §1.3, §3, §4 and §5", () => {
  const rawWith = (info: Record<string, unknown>) => {
    const body = rawCreateBody();
    const process = (body.instances as { processes: { process_info: Record<string, unknown> }[] }[])[0]?.processes[0];
    if (process) process.process_info = { ...process.process_info, ...info };
    return body;
  };

  it("1199000: not JSON, a JSON array, a wrong top-level type, or a templated type mismatch", async () => {
    expectFailure(await create("{not json"), 1199000, "反序列化JSON数据失败");
    expectFailure(await create("[]"), 1199000);
    expectFailure(await create(rawCreateBody({ bk_biz_id: "2" })), 1199000);
    expectFailure(await create(rawCreateBody({ bk_biz_id: 2.5 })), 1199000);
    const body = templated([
      { bk_host_id: 10, processes: [{ process_template_id: 7, process_info: { proc_num: "4" } }] },
    ]);
    expectFailure(await create(body), 1199000);
  });

  it("1199000: JSON nested deeper than the limit", async () => {
    expectFailure(await create(`{"a":${"[".repeat(5000)}${"]".repeat(5000)}}`), 1199000);
    expectFailure(await create(`{"a":${"[".repeat(100_000)}`), 1199000);
  });

  it("1199004: a body over the size limit", async () => {
    const small = await startReferenceCmdb({ world: designWorld(), maxBodyBytes: 1024 });
    try {
      expectFailure(
        await post(esbUrl(small.url, "create_service_instance"), rawCreateBody({ pad: "x".repeat(2000) })),
        1199004,
        "数据读取失败",
      );
      // A chunked body (no Content-Length) that keeps coming: answered at the limit, the connection then closes.
      const chunked = new ReadableStream({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode("x".repeat(1000)));
        },
      });
      const res = await fetch(esbUrl(small.url, "create_service_instance"), {
        method: "POST",
        body: chunked,
        duplex: "half",
      } as RequestInit);
      expectFailure({ status: res.status, json: (await res.json()) as Record<string, unknown> }, 1199004);
    } finally {
      await small.close();
    }
  });

  it("1199011: every raw value error, the inner message (display name) wrapped twice", async () => {
    const twice = (inner: string) => `''${inner}' 参数无效或不存在' 参数无效或不存在`;
    const cases: [Record<string, unknown>, string][] = [
      [{ description: 5 }, "'备注' 必须为字符串类型"],
      [{ proc_num: "4" }, "'启动数量' 参数必须为整型"],
      [{ proc_num: 0 }, "'启动数量' 数据参数校验不通过"],
      [{ auto_start: "true" }, "'是否自动拉起' 必须为布尔类型"],
      [{ bk_process_name: null }, "'进程别名' 未赋值"],
      [{ bk_process_name: "   " }, "'进程别名' 未赋值"],
      // 86 CJK characters are 258 bytes: over the 256-byte limit of description (§3.1).
      [{ description: "备".repeat(86) }, "'备注' 数据越界"],
      [{ bind_info: [{ port: "80,443", protocol: "1", enable: true }] }, "'bind_info' 数据参数校验不通过"],
      [{ bind_info: [{ port: "80", protocol: "5", enable: true }] }, "'bind_info' 数据参数校验不通过"],
      [{ bind_info: [{ port: "80", protocol: "1", enable: null }] }, "'bind_info' 数据参数校验不通过"],
      [{ bind_info: [{ port: "80", extra: 1 }] }, "'bind_info' 数据参数校验不通过"],
      [
        { bind_info: [{ ip: "not-an-ip::", port: "80", protocol: "1", enable: true }] },
        "'bind_info' 数据参数校验不通过",
      ],
    ];
    for (const [info, inner] of cases) expectFailure(await create(rawWith(info)), 1199011, twice(inner));
    expectFailure(
      await create(rawWith({ description: "备".repeat(86) }), { "Blueking-Language": "en" }),
      1199011,
      "''Data out of bounds%!(EXTRA string=备注)' the parameter is invalid or does not exist' the parameter is invalid or does not exist",
    );
    // 85 CJK characters are 255 bytes; padding does not count (the limit applies after trimming).
    expect((await create(rawWith({ description: ` ${"备".repeat(85)} ` }))).json.code).toBe(0);
  });

  it("CMDB's request decoding: field names in any ASCII case, number literals kept (§1.1)", async () => {
    const upper = JSON.stringify({ ...AUTH, BK_BIZ_ID: 2, Bk_Module_Id: 60, INSTANCES: rawCreateBody().instances });
    expect((await create(upper)).json.code).toBe(0);
    const raw = JSON.stringify(rawWith({ proc_num: 2 })).replace('"proc_num":2', '"proc_num":2.0');
    expectFailure(await create(raw), 1199011, "'''启动数量' 数据参数校验不通过' 参数无效或不存在' 参数无效或不存在");
    const templatedBody = JSON.stringify(
      templated([{ bk_host_id: 10, processes: [{ process_template_id: 7, process_info: { proc_num: 2 } }] }]),
    ).replace('"proc_num":2', '"proc_num":2.0');
    expectFailure(await create(templatedBody), 1199000);
    expectFailure(await create(JSON.stringify(rawCreateBody()).replace('"bk_biz_id":2', '"bk_biz_id":2.0')), 1199000);
  });

  it("1199006: a name over 256 bytes, or a business that does not exist", async () => {
    const long = rawCreateBody();
    (long.instances as Record<string, unknown>[])[0] = {
      ...(long.instances as Record<string, unknown>[])[0],
      service_instance_name: "名".repeat(90),
    };
    expectFailure(await create(long), 1199006, "'name' 数据参数校验不通过");
    const world: World = { ...designWorld(), businesses: [] };
    await setWorld(cmdb.stateSetupUrl, world);
    expectFailure(await create(rawCreateBody()), 1199006, "'bk_biz_id' 数据参数校验不通过");
  });

  it("1108008: a template whose process fails the model (a port list)", async () => {
    const world = designWorld();
    const row = world.service_templates?.[0]?.process_templates[0]?.property.bind_info?.value?.[0];
    if (row?.port) row.port.value = "80,443";
    await setWorld(cmdb.stateSetupUrl, world);
    expectFailure(await create(templated([{ bk_host_id: 10 }])), 1108008, "创建进程失败");
  });

  it("1108008: a template without bk_func_name (the process model requires it)", async () => {
    const world = designWorld();
    const property = world.service_templates?.[0]?.process_templates[0]?.property as unknown as Record<string, unknown>;
    delete property.bk_func_name;
    await setWorld(cmdb.stateSetupUrl, world);
    expectFailure(await create(templated([{ bk_host_id: 10 }])), 1108008);
  });

  it("1306406: a missing app code, a wrong secret, or an unverified user", async () => {
    const { bk_app_code: _code, ...noCode } = rawCreateBody();
    expectFailure(await create(noCode), 1306406, "参数错误: APP Code [bk_app_code] cannot be empty");
    const wrong = await create(rawCreateBody({ bk_app_secret: "not-the-secret" }));
    expectFailure(wrong, 1306406);
    expect(JSON.stringify(wrong.json)).not.toContain("not-the-secret");
    expectFailure(await create(rawCreateBody({ bk_app_code: "strict", bk_app_secret: "s3cr3t-2" })), 1306406);
    expect(
      (await create(rawCreateBody({ bk_app_code: "strict", bk_app_secret: "s3cr3t-2", bk_token: "tok-admin" }))).json
        .code,
    ).toBe(0);
  });

  it("9900403: IAM on and no grant → the permission object of the spec's example", async () => {
    const world = designWorld();
    world.iam = { enabled: true, grants: [{ user: "admin", action: "find_business_resource", bk_biz_id: 2 }] };
    await setWorld(cmdb.stateSetupUrl, world);
    const res = await create(rawCreateBody());
    expectFailure(res, 9900403, "没有操作的权限");
    const example = spec.document.components.examples?.ErrorPermissionDenied?.value as { permission: unknown };
    expect(res.json.permission).toEqual(example.permission);
    const listed = await post(esbUrl(cmdb.url, "list_process_instance"), {
      ...AUTH,
      bk_biz_id: 2,
      service_instance_id: 1,
    });
    expect(listed.json.code).toBe(0);
  });

  it("messages in English with Blueking-Language: en", async () => {
    expectFailure(
      await create(rawCreateBody({ bk_module_id: 61, bk_biz_id: 3 }), { "Blueking-Language": "en" }),
      1113004,
      "ModuleID [61] has not belong to  businessID [3]",
    );
  });
});

describe("the observation operations' codes", () => {
  it("get_proc_template: 1199019 for an unknown template or one of another business", async () => {
    const url = esbUrl(cmdb.url, "get_proc_template");
    expectFailure(await post(url, { ...AUTH, bk_biz_id: 2, process_template_id: 70 }), 1199019, "数据不存在");
    expectFailure(await post(url, { ...AUTH, bk_biz_id: 3, process_template_id: 7 }), 1199019);
    expectFailure(await post(url, { ...AUTH, bk_biz_id: 2 }), 1199010, "'process_template_id' 未赋值");
  });

  it("list_process_instance and delete_service_instance: 1199010, 1199000 and 1199035", async () => {
    expectFailure(await post(esbUrl(cmdb.url, "list_process_instance"), { ...AUTH, bk_biz_id: 2 }), 1199010);
    expectFailure(
      await post(esbUrl(cmdb.url, "list_process_instance"), { ...AUTH, bk_biz_id: "2", service_instance_id: 1 }),
      1199000,
    );
    const del = esbUrl(cmdb.url, "delete_service_instance");
    expectFailure(
      await post(del, { ...AUTH, bk_biz_id: 2, service_instance_ids: [] }),
      1199010,
      "'service_instance_ids' 未赋值",
    );
    const many = Array.from({ length: 501 }, (_, i) => i + 1);
    expectFailure(
      await post(del, { ...AUTH, bk_biz_id: 2, service_instance_ids: many }),
      1199035,
      " delete service instances 超过限制 500",
    );
  });

  it("an unknown path answers HTTP 404 with ESB's 1306404 envelope", async () => {
    const res = await post(`${cmdb.url}/api/c/compapi/v2/cc/search_business/`, { ...AUTH });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({
      result: false,
      code: 1306404,
      message: "组件不存在",
      permission: null,
      data: null,
    });
  });
});
