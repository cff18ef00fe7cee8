import { afterEach, describe, expect, it } from "vitest";
import { FAULT_NAMES, type FaultName } from "../../provider/faults.ts";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { AUTH, designWorld, esbUrl, post, rawCreateBody, setWorld } from "./fixtures.ts";

let running: RunningReferenceCmdb | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(fault?: FaultName) {
  running = await startReferenceCmdb({ world: designWorld(), ...(fault ? { fault } : {}) });
  const url = running.url;
  return (operation: string, body: unknown) => post(esbUrl(url, operation), body);
}

const templated = (instances: unknown[]) => ({ ...AUTH, bk_biz_id: 2, bk_module_id: 61, instances });
const rawWith = (info: Record<string, unknown>) => {
  const body = rawCreateBody();
  const process = (body.instances as { processes: { process_info: Record<string, unknown> }[] }[])[0]?.processes[0];
  if (process) process.process_info = { ...process.process_info, ...info };
  return body;
};
const overriding = templated([
  {
    bk_host_id: 10,
    processes: [
      {
        process_template_id: 7,
        process_info: {
          bk_process_name: "renamed",
          user: "nobody",
          bind_info: [
            { template_row_id: 1, ip: "10.0.0.5", port: "8080", protocol: "1", enable: false },
            { template_row_id: 9, ip: "10.0.0.5", port: "9090", protocol: "1", enable: true },
          ],
        },
      },
    ],
  },
]);

type Observe = (call: Awaited<ReturnType<typeof start>>) => Promise<unknown>;

async function firstProcess(call: Awaited<ReturnType<typeof start>>, id: number) {
  const listed = await call("list_process_instance", { ...AUTH, bk_biz_id: 2, service_instance_id: id });
  return (listed.json.data as { property: Record<string, unknown> }[])[0]?.property;
}

// One observation per fault, each through the ESB routes only; the value differs between the real rule and the fault.
const OBSERVATIONS: Record<FaultName, Observe> = {
  "code-as-string": async (call) => typeof (await call("create_service_instance", rawCreateBody())).json.code,
  "result-code-mismatch": async (call) =>
    (await call("create_service_instance", rawCreateBody({ bk_module_id: 9 }))).json.result,
  "http-400-on-business-error": async (call) =>
    (await call("create_service_instance", rawCreateBody({ bk_module_id: 9 }))).status,
  "data-not-null-on-failure": async (call) =>
    (await call("create_service_instance", rawCreateBody({ bk_module_id: 9 }))).json.data,
  "locked-scalar-overridden": async (call) => {
    await call("create_service_instance", overriding);
    return (await firstProcess(call, 100))?.user;
  },
  "unmatched-bind-row-kept": async (call) => {
    await call("create_service_instance", overriding);
    return ((await firstProcess(call, 100))?.bind_info as unknown[] | undefined)?.length;
  },
  "process-name-overridable": async (call) => {
    await call("create_service_instance", overriding);
    return (await firstProcess(call, 100))?.bk_process_name;
  },
  "locked-bind-port-overridden": async (call) => {
    await call("create_service_instance", overriding);
    return ((await firstProcess(call, 100))?.bind_info as { port: string }[] | undefined)?.[0]?.port;
  },
  "no-rollback": async (call) => {
    const body = rawCreateBody();
    (body.instances as unknown[]).push({ bk_host_id: 11, processes: [{ process_info: { bk_process_name: "x" } }] });
    await call("create_service_instance", body);
    return (await call("create_service_instance", rawCreateBody())).json.data;
  },
  "ids-reversed": async (call) =>
    (await call("create_service_instance", templated([{ bk_host_id: 10 }, { bk_host_id: 11 }]))).json.data,
  "host-check-skipped": async (call) =>
    (await call("create_service_instance", templated([{ bk_host_id: 12 }]))).json.code,
  "instance-limit-ignored": async (call) => {
    const instances = Array.from({ length: 101 }, () => rawCreateBody().instances).flat();
    return (await call("create_service_instance", { ...rawCreateBody(), instances })).json.code;
  },
  "raw-value-error-unwrapped": async (call) =>
    (await call("create_service_instance", rawWith({ proc_num: 0 }))).json.code,
  "missing-process-info-tolerated": async (call) =>
    (await call("create_service_instance", templated([{ bk_host_id: 10, processes: [{ process_template_id: 7 }] }])))
      .json.code,
  "string-length-in-characters": async (call) =>
    (await call("create_service_instance", rawWith({ description: "备".repeat(86) }))).json.code,
  "earlier-duplicate-entry-not-decoded": async (call) => {
    const entries = [
      { process_template_id: 7, process_info: { proc_num: "4" } },
      { process_template_id: 7, process_info: { proc_num: 5 } },
    ];
    return (await call("create_service_instance", templated([{ bk_host_id: 10, processes: entries }]))).json.code;
  },
  "template-enable-null-false-on-update": async (call) => {
    const world = designWorld();
    const row = world.service_templates?.[0]?.process_templates[0]?.property.bind_info?.value?.[0];
    if (row) row.enable = { value: null, as_default_value: false };
    await setWorld(`${running?.url}/_cmdb/state`, world);
    const entry = { process_template_id: 7, process_info: {} };
    return (await call("create_service_instance", templated([{ bk_host_id: 10, processes: [entry] }]))).json.code;
  },
  "empty-bind-info-as-list": async (call) => {
    const world = designWorld();
    world.service_templates?.[0]?.process_templates.push({
      id: 8,
      property: {
        bk_process_name: { value: "logrotate", as_default_value: true },
        bk_func_name: { value: "logrotate", as_default_value: true },
      },
    });
    await setWorld(`${running?.url}/_cmdb/state`, world);
    await call("create_service_instance", templated([{ bk_host_id: 10 }]));
    const listed = await call("list_process_instance", { ...AUTH, bk_biz_id: 2, service_instance_id: 100 });
    return (listed.json.data as { property: Record<string, unknown> }[])[1]?.property.bind_info;
  },
  "bind-info-stored-trimmed": async (call) => {
    await call("create_service_instance", rawWith({ bind_info: [{ port: " 8008 ", protocol: "1", enable: true }] }));
    return ((await firstProcess(call, 100))?.bind_info as { port: string }[] | undefined)?.[0]?.port;
  },
  "raw-missing-fields-null": async (call) => {
    await call("create_service_instance", rawCreateBody());
    return (await firstProcess(call, 100))?.description;
  },
  "host-ids-printed-plainly": async (call) =>
    (await call("create_service_instance", templated([{ bk_host_id: 20 }]))).json.message,
  "bind-ip-pattern-unanchored": async (call) =>
    (
      await call(
        "create_service_instance",
        rawWith({ bind_info: [{ ip: "not-an-ip::", port: "80", protocol: "1", enable: true }] }),
      )
    ).json.code,
  "deleted-instance-still-listed": async (call) => {
    await call("create_service_instance", rawCreateBody());
    await call("delete_service_instance", { ...AUTH, bk_biz_id: 2, service_instance_ids: [100] });
    const listed = await call("list_process_instance", { ...AUTH, bk_biz_id: 2, service_instance_id: 100 });
    return (listed.json.data as unknown[]).length;
  },
  "read-back-fails": async (call) => {
    await call("create_service_instance", rawCreateBody());
    return (await call("list_process_instance", { ...AUTH, bk_biz_id: 2, service_instance_id: 100 })).json.result;
  },
  "non-object-entry-500": (call) =>
    call("create_service_instance", { ...rawCreateBody(), instances: [null] }).then(
      (answer) => answer.status,
      () => "no JSON envelope",
    ),
  "unlisted-code": async (call) =>
    (await call("create_service_instance", { ...rawCreateBody(), bk_biz_id: "2" })).json.code,
  "read-back-empty": async (call) => {
    await call("create_service_instance", rawCreateBody());
    return ((await firstProcess(call, 100)) as unknown) ?? "no process";
  },
};

describe("FAULT_NAMES", () => {
  it("holds the twelve faults of the issue", () => {
    for (const name of [
      "code-as-string",
      "result-code-mismatch",
      "http-400-on-business-error",
      "data-not-null-on-failure",
      "locked-scalar-overridden",
      "unmatched-bind-row-kept",
      "process-name-overridable",
      "no-rollback",
      "ids-reversed",
      "host-check-skipped",
      "instance-limit-ignored",
      "deleted-instance-still-listed",
    ]) {
      expect(FAULT_NAMES).toContain(name);
    }
  });

  it.each(FAULT_NAMES.map((name) => [name]))("%s changes what a caller observes on the ESB routes", async (name) => {
    const observe = OBSERVATIONS[name];
    const real = await observe(await start());
    await running?.close();
    const faulty = await observe(await start(name));
    expect(faulty).not.toEqual(real);
  });
});
