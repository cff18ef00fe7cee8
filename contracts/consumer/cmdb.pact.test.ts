/**
 * Consumer contracts of the CMDB API, one interaction per test, in the style of pact-js `examples/http`, written
 * twice: for the ESB route (provider `bk-cmdb`) and for the API gateway route (provider `bk-cmdb-apigw`, paths
 * relative to the stage, auth in the `X-Bkapi-Authorization` header, CMDB's native envelope).
 * Every interaction is driven through the generated client against the Pact mock server; bodies are wrapped in
 * matchers derived from the spec's schemas; every provider state carries its whole world in `params.world`, so any
 * provider that implements the one state-setup endpoint of DESIGN.md can be verified against these pacts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CmdbGatewayError,
  type CreateServiceInstanceParams,
  isCmdbError,
  type ListProcessInstanceData,
} from "../../generated/index.ts";
import { ROUTES, type Route } from "../../spec/operations.ts";
import { BREAKS_COMMENT, RULE_COMMENT } from "../shared/pact-format.ts";
import type { RuleGroup } from "../shared/rules.ts";
import { defaultAuth, type World } from "../shared/worlds.ts";
import {
  annotate,
  clientFor,
  codePointer,
  createHarness,
  failureEnvelope,
  type PactHarness,
  PROVIDERS,
  publishPacts,
  requestOf,
  responseBody,
  responseOf,
  successResponse,
  worldOf,
} from "./pact-harness.ts";

/** The parameters of a provider state, as pact-js types them. */
type StateParams = Parameters<ReturnType<PactHarness["pact"]["addInteraction"]>["given"]>[1];

/** Service instance 100 on templated module 61, host 10, with the process made from template 7. */
const EXISTING_INSTANCE = {
  id: 100,
  bk_biz_id: 2,
  bk_module_id: 61,
  bk_host_id: 10,
  name: "10.0.0.5_nginx_80",
  service_template_id: 5,
  processes: [
    {
      bk_process_id: 1000,
      process_template_id: 7,
      property: {
        bk_process_name: "nginx",
        bk_func_name: "nginx",
        work_path: "/data",
        proc_num: 4,
        bind_info: [{ ip: "10.0.0.5", port: "80", protocol: "1", enable: true, template_row_id: 1 }],
      },
    },
  ],
};

const EXISTING_INSTANCE_PATCH: World = {
  service_instances: [EXISTING_INSTANCE],
  next_ids: { service_instance: 101, process: 1001 },
};

/** The `relation` of process `processId`, made from process template `templateId` in instance 100 on host 10. */
function relationOnHost10(processId: number, templateId: number) {
  return {
    bk_biz_id: 2,
    bk_process_id: processId,
    service_instance_id: 100,
    process_template_id: templateId,
    bk_host_id: 10,
    bk_supplier_account: "0",
  };
}

/** A create the provider must reject, with the code of cmdb-semantics §1.2 (or §5, §4.1), on either route. */
interface Rejection {
  state: string;
  /** Top-level replacements of world "demo". */
  worldPatch?: World;
  description: string;
  params: CreateServiceInstanceParams;
  code: number;
  message: string;
  /** The request-schema rule the body breaks on purpose (see BREAKS_COMMENT). */
  breaks?: string;
  auth?: Record<string, string>;
  permission?: unknown;
  /** The gateway's own answer on the gateway route, where it answers before CMDB (a `GatewayError`). */
  gateway?: { status: number; body: Record<string, unknown> };
}

const raw = (hostId: number, info: Record<string, unknown> = { bk_process_name: "a", bk_func_name: "a" }) => ({
  bk_host_id: hostId,
  processes: [{ process_template_id: 0, process_info: info }],
});

const RAW_MODULE_STATE = "business 2 has module 60 without a service template, with hosts 10, 11 and 12";
const TEMPLATED_MODULE_STATE =
  "business 2 has module 61 bound to service template 5 (process templates 7 and 8), with hosts 10, 11 and 12";

const REJECTIONS: [string, Rejection][] = [
  [
    "an empty instances list with 1199010",
    {
      state: RAW_MODULE_STATE,
      description: "a request to create no service instance at all",
      params: { bk_biz_id: 2, bk_module_id: 60, instances: [] },
      code: 1199010,
      message: "'service_instance_ids' 未赋值",
      breaks: "/instances minItems",
    },
  ],
  [
    "more than 100 instances with 1199035",
    {
      state: TEMPLATED_MODULE_STATE,
      description: "a request to create 101 service instances",
      params: { bk_biz_id: 2, bk_module_id: 61, instances: Array.from({ length: 101 }, () => ({ bk_host_id: 10 })) },
      code: 1199035,
      message: " create service instances 超过限制 100",
      breaks: "/instances maxItems",
    },
  ],
  [
    "an unknown module with 1101034",
    {
      state: "business 2 has no module 999",
      description: "a request to create a service instance in a module that does not exist",
      params: { bk_biz_id: 2, bk_module_id: 999, instances: [raw(10)] },
      code: 1101034,
      message: "查询模块失败,get none or multiple modules",
    },
  ],
  [
    "a module of another business with 1113004",
    {
      state: "module 70 belongs to business 3, not business 2",
      description: "a request to create a service instance in a module of another business",
      params: { bk_biz_id: 2, bk_module_id: 70, instances: [raw(20)] },
      code: 1113004,
      message: "模块ID[70]不属于业务ID[2]",
    },
  ],
  [
    "a built-in module with 1199006",
    {
      state: "module 62 of business 2 is the built-in idle module",
      description: "a request to create a service instance in a built-in module",
      params: { bk_biz_id: 2, bk_module_id: 62, instances: [raw(12)] },
      code: 1199006,
      message: "'bk_module_id' 数据参数校验不通过",
    },
  ],
  [
    "a host that is not in the module with 1110056",
    {
      state: "host 20 is not in module 60 of business 2",
      description: "a request to create a service instance for a host outside the module",
      params: { bk_biz_id: 2, bk_module_id: 60, instances: [raw(20)] },
      code: 1110056,
      message: "操作失败，以下主机不属于目标模块：[%!s(int64=20)]",
    },
  ],
  [
    "a second instance for the same host on a templated module with 1113016",
    {
      state: "host 10 already has service instance 100 of templated module 61",
      worldPatch: EXISTING_INSTANCE_PATCH,
      description: "a request to create a second service instance for a host on a templated module",
      params: { bk_biz_id: 2, bk_module_id: 61, instances: [{ bk_host_id: 10 }] },
      code: 1113016,
      message: "服务实例[10.0.0.5]已经存在",
    },
  ],
  [
    "a process without bk_func_name with 1199010",
    {
      state: RAW_MODULE_STATE,
      description: "a request to create a process without bk_func_name on a module without a template",
      params: { bk_biz_id: 2, bk_module_id: 60, instances: [raw(10, { bk_process_name: "job_java" })] },
      code: 1199010,
      message: "''bk_func_name' 未赋值' 未赋值",
    },
  ],
  [
    "an invalid process value on a module without a template with 1199011",
    {
      state: RAW_MODULE_STATE,
      description: "a request to create a process whose proc_num is 0 on a module without a template",
      params: {
        bk_biz_id: 2,
        bk_module_id: 60,
        instances: [raw(10, { bk_process_name: "job_java", bk_func_name: "java", proc_num: 0 })],
      },
      breaks: "/instances/0/processes/0/process_info/proc_num minimum",
      code: 1199011,
      message: "'''启动数量' 数据参数校验不通过' 参数无效或不存在' 参数无效或不存在",
    },
  ],
  [
    "a processes entry without process_info with 1199999",
    {
      state: RAW_MODULE_STATE,
      description: "a request whose processes entry has no process_info",
      params: {
        bk_biz_id: 2,
        bk_module_id: 60,
        instances: [{ bk_host_id: 10, processes: [{ process_template_id: 0 }] }],
      },
      code: 1199999,
      message: "proc Internal Server Error",
    },
  ],
  [
    "bad credentials with 1306406 from ESB, or the gateway's own 400 1640001",
    {
      state: "app cmdb-contract is registered with another secret",
      description: "a request with a wrong app secret",
      params: { bk_biz_id: 2, bk_module_id: 60, instances: [raw(10)] },
      code: 1306406,
      message: "参数错误: APP Secret verification failed",
      auth: { bk_app_secret: "xxx-wrong-secret" },
      // The gateway checks the app before CMDB sees the request: its own 400 (cmdb-semantics §5).
      gateway: {
        status: 400,
        body: {
          code_name: "INVALID_ARGS",
          code: 1640001,
          message: 'Parameters error [reason="bk_app_code or bk_app_secret is incorrect"]',
          result: false,
          data: null,
        },
      },
    },
  ],
  [
    "a user without the IAM grant with 9900403 and the permission to apply for",
    {
      state: "IAM is enabled and user admin has no grant on business 2",
      worldPatch: { iam: { enabled: true, grants: [] } },
      description: "a request from a user without permission to create service instances",
      params: { bk_biz_id: 2, bk_module_id: 60, instances: [raw(10)] },
      code: 9900403,
      message: "没有操作的权限",
      permission: {
        system_id: "bk_cmdb",
        system_name: "配置平台",
        actions: [
          {
            id: "create_biz_service_instance",
            name: "服务实例新建",
            related_resource_types: [
              {
                system_id: "bk_cmdb",
                system_name: "配置平台",
                type: "biz",
                type_name: "业务",
                instances: [[{ type: "biz", type_name: "业务", id: "2", name: "demo" }]],
              },
            ],
          },
        ],
      },
    },
  ],
];

/**
 * A create of one instance on host 10 of templated module 61, its process from template 7, with caller values for
 * locked fields (bk_process_name, user) and unlocked ones (work_path, proc_num) and the given bind_info rows.
 */
function templatedCreate(bindInfo: Record<string, unknown>[]): CreateServiceInstanceParams {
  const processInfo = {
    bk_process_name: "renamed",
    user: "root",
    work_path: "/opt/nginx",
    proc_num: 8,
    bind_info: bindInfo,
  };
  return {
    bk_biz_id: 2,
    bk_module_id: 61,
    instances: [{ bk_host_id: 10, processes: [{ process_template_id: 7, process_info: processInfo }] }],
  } as CreateServiceInstanceParams;
}

/** The create the read-back state replays: locked row values changed, and a row that matches no template row. */
const LOCKED_CREATE = templatedCreate([
  { template_row_id: 1, ip: "10.0.0.99", port: "8081", protocol: "2", enable: false },
  { template_row_id: 99, ip: "10.0.0.98", port: "9999", protocol: "1", enable: true },
]);

/**
 * The values of the read-back that the lock rules decide (cmdb-semantics §2.1, §2.2), as JSON pointers into the
 * response: they are exact in the pact, everything else is matched by shape. Template 7 locks bk_process_name,
 * bk_func_name, user, timeout, start_cmd and row 1's ip/port/protocol; work_path, proc_num and row 1's enable are
 * unlocked and take the caller's values; the caller's row 99 matches no template row and is dropped (the list
 * has exactly the template's two rows); template 8's name is always locked.
 */
const LOCK_DECIDED = [
  ...["bk_process_name", "bk_func_name", "user", "timeout", "start_cmd", "work_path", "proc_num"].map(
    (f) => `/data/0/property/${f}`,
  ),
  ...["ip", "port", "protocol", "enable", "template_row_id"].map((f) => `/data/0/property/bind_info/0/${f}`),
  "/data/0/property/bind_info/1/template_row_id",
  "/data/0/relation/process_template_id",
  "/data/1/property/bk_process_name",
  "/data/1/relation/process_template_id",
];

/**
 * Every interaction of one route's pact, against that route's Pact mock server. The descriptions and provider
 * states are the same on both routes, so a provider verifies the same rules through either door.
 */
function defineContracts(route: Route): void {
  let harness: PactHarness;
  let anyFailed = false;

  beforeAll(async () => {
    harness = await createHarness(route);
  });

  afterEach((context) => {
    if (context.task.result?.state === "fail") anyFailed = true;
  });

  afterAll(async () => {
    // A failed test leaves its interaction out of the pact: publishing then would silently drop it from the contract.
    if (anyFailed) return;
    // Checked against the spec and for the canary secret before it replaces the committed pact.
    await publishPacts(harness);
  });

  function withExistingInstance(): World {
    return worldOf(harness, "demo", EXISTING_INSTANCE_PATCH);
  }

  /** Starts an interaction with its plain-English state (carrying the world), description and rule. */
  function interaction(state: string, world: World, description: string, rule: RuleGroup) {
    annotate(harness, description, { [RULE_COMMENT]: rule });
    return harness.pact
      .addInteraction()
      .given(state, { world } as StateParams)
      .uponReceiving(description);
  }

  describe("create_service_instance", () => {
    it("creates one service instance on a module without a template", async () => {
      const world = worldOf(harness, "demo");
      const params: CreateServiceInstanceParams = {
        bk_biz_id: 2,
        bk_module_id: 60,
        instances: [
          {
            bk_host_id: 10,
            processes: [
              {
                process_template_id: 0,
                process_info: {
                  bk_process_name: "job_java",
                  bk_func_name: "java",
                  work_path: "/data/bkee",
                  proc_num: 1,
                  bind_info: [{ ip: "127.0.0.1", port: "8008", protocol: "1", enable: true }],
                },
              },
            ],
          },
        ],
      };
      await interaction(
        RAW_MODULE_STATE,
        world,
        "a request to create one service instance on a module without a template",
        "business-rules",
      )
        .withRequest(...requestOf(harness, "createServiceInstance", world, params))
        .willRespondWith(200, successResponse(harness, "createServiceInstance", [100]))
        .executeTest(async (mock) => {
          // The new ID is a fresh integer, one per requested instance.
          const ids = await clientFor(harness, world, mock.url).createServiceInstance(params);
          expect(ids).toHaveLength(1);
          expect(Number.isInteger(ids[0])).toBe(true);
        });
    });

    it("creates a service instance on a templated module, with locked and unlocked fields and bind_info rows", async () => {
      const world = worldOf(harness, "demo");
      // Template 7 locks bk_process_name, user and row 1's ip/port/protocol; work_path, proc_num and row 1's enable
      // are unlocked. The provider must apply the unlocked values and ignore the locked ones.
      const params = templatedCreate([
        { template_row_id: 1, ip: "10.0.0.99", port: "8081", protocol: "1", enable: false },
      ]);
      await interaction(
        TEMPLATED_MODULE_STATE,
        world,
        "a request to create a service instance on a templated module with locked and unlocked fields",
        // The answer is only the new IDs: this interaction can prove the create is accepted, not how the locks were
        // applied. The lock rules are claimed by the checks that read the processes back (fixtures, property check).
        "business-rules",
      )
        .withRequest(...requestOf(harness, "createServiceInstance", world, params))
        .willRespondWith(200, successResponse(harness, "createServiceInstance", [100]))
        .executeTest(async (mock) => {
          const ids = await clientFor(harness, world, mock.url).createServiceInstance(params);
          expect(ids).toHaveLength(1);
        });
    });

    /** One rejected create: the code is exact in the pact, the message matched by type. */
    it.each(REJECTIONS)("rejects %s", async (_name, rejection) => {
      const world = worldOf(harness, "demo", rejection.worldPatch);
      const builder = interaction(rejection.state, world, rejection.description, "business-rules");
      if (rejection.breaks !== undefined)
        annotate(harness, rejection.description, { [BREAKS_COMMENT]: rejection.breaks });
      const byGateway = harness.route === "apigw" ? rejection.gateway : undefined;
      const [status, response] = byGateway
        ? [byGateway.status, responseBody(harness, "createServiceInstance", byGateway.body, [], byGateway.status)]
        : [
            200,
            responseBody(
              harness,
              "createServiceInstance",
              failureEnvelope(harness, rejection.code, rejection.message, rejection.permission ?? null),
              [codePointer(harness)],
            ),
          ];
      await builder
        .withRequest(...requestOf(harness, "createServiceInstance", world, rejection.params, rejection.auth))
        .willRespondWith(status, responseOf(harness, response))
        .executeTest(async (mock) => {
          // The client always sends the canary secret; the pact records the example secret the state expects.
          const error = await clientFor(harness, world, mock.url)
            .createServiceInstance(rejection.params)
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          if (byGateway) {
            expect(error).toBeInstanceOf(CmdbGatewayError);
            expect(error).toMatchObject({ status: byGateway.status, code: byGateway.body.code });
            return;
          }
          expect(isCmdbError(error) && error.code).toBe(rejection.code);
          if (rejection.permission !== undefined) expect(isCmdbError(error) && error.permission).not.toBeNull();
        });
    });
  });

  describe("list_process_instance", () => {
    it("reads back the processes of a service instance", async () => {
      const world = withExistingInstance();
      const params = { bk_biz_id: 2, service_instance_id: 100 };
      const data: ListProcessInstanceData = [
        {
          property: {
            bk_process_id: 1000,
            bk_biz_id: 2,
            bk_supplier_account: "0",
            service_instance_id: 100,
            bk_process_name: "nginx",
            bk_func_name: "nginx",
            work_path: "/data",
            proc_num: 4,
            bind_info: [{ ip: "10.0.0.5", port: "80", protocol: "1", enable: true, template_row_id: 1 }],
          },
          relation: relationOnHost10(1000, 7),
        },
      ];
      await interaction(
        "host 10 already has service instance 100 of templated module 61",
        world,
        "a request for the processes of service instance 100",
        // Shapes only (the instance comes from the world, not from a create): the observation endpoint's envelope.
        "envelope",
      )
        .withRequest(...requestOf(harness, "listProcessInstance", world, params))
        .willRespondWith(200, successResponse(harness, "listProcessInstance", data))
        .executeTest(async (mock) => {
          const processes = await clientFor(harness, world, mock.url).listProcessInstance(params);
          expect(processes).toHaveLength(1);
          expect(processes[0]?.relation.process_template_id).toBe(7);
        });
    });
  });

  describe("list_process_instance after a templated create", () => {
    it("reads back the lock-decided values of the processes a create made", async () => {
      const world = worldOf(harness, "demo");
      // The state replays the create on the pact's own route: the auth in the body on ESB, in the header (the
      // world's default app and user) on the gateway, whose path is relative to the stage.
      const body = harness.route === "esb" ? { ...LOCKED_CREATE, ...defaultAuth(world) } : LOCKED_CREATE;
      const steps = [{ path: harness.routes.createServiceInstance.path, body }];
      const params = { bk_biz_id: 2, service_instance_id: 100 };
      const common = { bk_biz_id: 2, bk_supplier_account: "0", service_instance_id: 100 };
      const stamp = { create_time: "2026-01-01T00:00:00Z", last_time: "2026-01-01T00:00:00Z" };
      const data = [
        {
          property: {
            bk_process_id: 1000,
            ...common,
            bk_process_name: "nginx",
            bk_func_name: "nginx",
            description: "front proxy",
            bk_start_param_regex: "-c /etc/nginx",
            work_path: "/opt/nginx",
            user: "www",
            proc_num: 8,
            priority: 10,
            timeout: 30,
            bk_start_check_secs: 5,
            start_cmd: "./start.sh",
            stop_cmd: "./stop.sh",
            restart_cmd: "./restart.sh",
            face_stop_cmd: "./kill.sh",
            reload_cmd: "./reload.sh",
            pid_file: "/var/run/nginx.pid",
            auto_start: false,
            bind_info: [
              { enable: false, ip: "10.0.0.5", port: "80", protocol: "1", template_row_id: 1 },
              { enable: false, ip: "127.0.0.1", port: "8080", protocol: "1", template_row_id: 2 },
            ],
            ...stamp,
          },
          relation: relationOnHost10(1000, 7),
        },
        {
          property: {
            bk_process_id: 1001,
            ...common,
            bk_process_name: "logrotate",
            bk_func_name: "logrotate",
            work_path: "/var/log/nginx",
            proc_num: 1,
            // A template without bind rows gives its processes no bind_info at all (as the reference CMDB answers).
            bind_info: null,
            ...stamp,
          },
          relation: relationOnHost10(1001, 8),
        },
      ];
      const description = "a read-back of the processes a templated create made";
      annotate(harness, description, { [RULE_COMMENT]: "template-lock" });
      await harness.pact
        .addInteraction()
        .given(
          `${TEMPLATED_MODULE_STATE}; host 10 got service instance 100 from a create with caller values for locked fields`,
          { world, steps } as StateParams,
        )
        .uponReceiving(description)
        .withRequest(...requestOf(harness, "listProcessInstance", world, params))
        .willRespondWith(200, successResponse(harness, "listProcessInstance", data, LOCK_DECIDED))
        .executeTest(async (mock) => {
          const processes = await clientFor(harness, world, mock.url).listProcessInstance(params);
          expect(processes.map((p) => p.property.bk_process_name)).toEqual(["nginx", "logrotate"]);
        });
    });
  });

  describe("get_proc_template", () => {
    it("answers a process template with its locks", async () => {
      const world = worldOf(harness, "demo");
      const params = { bk_biz_id: 2, process_template_id: 7 };
      const template = {
        id: 7,
        bk_process_name: "nginx",
        bk_biz_id: 2,
        service_template_id: 5,
        property: {
          bk_process_name: { value: "nginx", as_default_value: true },
          bk_func_name: { value: "nginx", as_default_value: true },
          work_path: { value: "/data", as_default_value: false },
          proc_num: { value: 4, as_default_value: false },
          bind_info: {
            as_default_value: false,
            value: [
              {
                row_id: 1,
                ip: { value: "3", as_default_value: true },
                port: { value: "80", as_default_value: true },
                protocol: { value: "1", as_default_value: true },
                enable: { value: true, as_default_value: false },
              },
            ],
          },
        },
      };
      await interaction(TEMPLATED_MODULE_STATE, world, "a request for process template 7", "envelope")
        .withRequest(...requestOf(harness, "getProcTemplate", world, params))
        .willRespondWith(200, successResponse(harness, "getProcTemplate", template))
        .executeTest(async (mock) => {
          const found = await clientFor(harness, world, mock.url).getProcTemplate(params);
          expect(found.property.bk_process_name.as_default_value).toBe(true);
        });
    });
  });

  describe("delete_service_instance", () => {
    it("deletes a service instance", async () => {
      const world = withExistingInstance();
      const params = { bk_biz_id: 2, service_instance_ids: [100] };
      await interaction(
        "host 10 already has service instance 100 of templated module 61",
        world,
        "a request to delete service instance 100",
        "business-rules",
      )
        .withRequest(...requestOf(harness, "deleteServiceInstance", world, params))
        .willRespondWith(200, successResponse(harness, "deleteServiceInstance", null))
        .executeTest(async (mock) => {
          await expect(clientFor(harness, world, mock.url).deleteServiceInstance(params)).resolves.toBeNull();
        });
    });
  });
}

for (const route of ROUTES) {
  describe(`${PROVIDERS[route]}, the ${route} route`, () => defineContracts(route));
}
