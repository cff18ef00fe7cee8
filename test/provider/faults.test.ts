import { afterEach, describe, expect, it } from "vitest";
import { FAULT_NAMES, type FaultName } from "../../provider/faults.ts";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { AUTH, designWorld, esbUrl, post, rawCreateBody } from "./fixtures.ts";

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
