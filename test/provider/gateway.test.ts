import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createReferenceCmdb } from "../../provider/app.ts";
import { createRateLimiter, GATEWAY_RESOURCES, matchGatewayPath } from "../../provider/gateway.ts";
import { OPERATIONS, type Operation } from "../../provider/operations.ts";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { loadProviderSpec } from "../../provider/spec-data.ts";
import { OPERATION_IDS, readOperationRoutes } from "../../spec/operations.ts";
import { AUTH, designWorld, esbUrl, post, rawCreateBody, setWorld } from "./fixtures.ts";

const HEADER = JSON.stringify(AUTH);
const { bk_app_code: _code, bk_app_secret: _secret, bk_username: _user, ...BODY } = rawCreateBody();

/** Sends a gateway request and answers the status, the headers and the parsed body. */
async function gateway(
  url: string,
  body: unknown,
  options: { method?: string; auth?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const auth = options.auth === undefined ? HEADER : options.auth;
  const res = await fetch(url, {
    method: options.method ?? "POST",
    headers: {
      "content-type": "application/json",
      ...(auth === null ? {} : { "x-bkapi-authorization": auth }),
      ...options.headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

let cmdb: RunningReferenceCmdb;
let prod: string;
beforeAll(async () => {
  cmdb = await startReferenceCmdb({ world: designWorld() });
  prod = `${cmdb.url}/api/bk-cmdb/prod`;
});
afterAll(async () => {
  await cmdb.close();
});

describe("the API gateway route of the reference CMDB", () => {
  it("creates under /api/bk-cmdb/<stage>/ and at the root, answering the native envelope and X-Bkapi-Request-Id", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const staged = await gateway(`${prod}/api/v3/create/proc/service_instance`, BODY);
    expect(staged.status).toBe(200);
    expect(staged.json).toEqual({
      result: true,
      bk_error_code: 0,
      bk_error_msg: "success",
      permission: null,
      data: [100],
    });
    expect(staged.headers.get("x-bkapi-request-id")).toMatch(/^[0-9a-f]{32}$/);
    const root = await gateway(`${cmdb.url}/api/v3/create/proc/service_instance`, { ...BODY, bk_module_id: 60 });
    // Same host and module: the shared business rules answer, in the native envelope.
    expect(root.json.result).toBe(true);
    const other = await gateway(`${cmdb.url}/api/bk-cmdb/test/api/v3/findmany/proc/process_instance`, {
      bk_biz_id: 2,
      service_instance_id: 100,
    });
    expect((other.json.data as unknown[]).length).toBe(1);
    expect(other.headers.get("x-bkapi-request-id")).not.toBe(staged.headers.get("x-bkapi-request-id"));
  });

  it("a business failure is HTTP 200 with result false, the ESB route's code and message, and data null", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const body = { ...BODY, instances: [] };
    const native = await gateway(`${prod}/api/v3/create/proc/service_instance`, body);
    const esb = await post(esbUrl(cmdb.url, "create_service_instance"), { ...body, ...AUTH });
    expect(native.status).toBe(200);
    expect(native.json).toEqual({
      result: false,
      bk_error_code: esb.json.code,
      bk_error_msg: esb.json.message,
      permission: null,
      data: null,
    });
    expect(native.json).not.toHaveProperty("request_id");
  });

  it.each([
    ["empty instances", { ...BODY, instances: [] }],
    ["101 instances", { ...BODY, instances: Array.from({ length: 101 }, () => ({ bk_host_id: 10 })) }],
    ["an unknown module", { ...BODY, bk_module_id: 999 }],
    ["a built-in module", { ...BODY, bk_module_id: 62 }],
    ["a template without process templates", { ...BODY, bk_module_id: 63, instances: [{ bk_host_id: 10 }] }],
    ["a host outside the module", { ...BODY, instances: [{ bk_host_id: 12, processes: [] }] }],
    ["an entry without process_info", { ...BODY, instances: [{ bk_host_id: 10, processes: [{}] }] }],
    ["a wrong top-level type", { ...BODY, bk_biz_id: "2" }],
    [
      "a raw value error",
      { ...BODY, instances: [{ bk_host_id: 10, processes: [{ process_info: { proc_num: -1 } }] }] },
    ],
  ])("the same rules answer on both routes: %s", async (_name, body) => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const esb = await post(esbUrl(cmdb.url, "create_service_instance"), { ...body, ...AUTH });
    const native = await gateway(`${prod}/api/v3/create/proc/service_instance`, body);
    expect(esb.json.code).not.toBe(0);
    expect([native.json.bk_error_code, native.json.bk_error_msg]).toEqual([esb.json.code, esb.json.message]);
  });

  it("get_proc_template takes its ID from the path; delete uses DELETE", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const read = await gateway(`${prod}/api/v3/find/proc/proc_template/id/7`, {
      bk_biz_id: 2,
      process_template_id: 999,
    });
    expect(read.json.result).toBe(true);
    expect((read.json.data as { id: number }).id).toBe(7);
    const bad = await gateway(`${prod}/api/v3/find/proc/proc_template/id/x7`, { bk_biz_id: 2 });
    expect([bad.status, bad.json.bk_error_code]).toEqual([200, 1199006]);
    await gateway(`${prod}/api/v3/create/proc/service_instance`, BODY);
    const url = `${prod}/api/v3/deletemany/proc/service_instance`;
    const deleted = await gateway(url, { bk_biz_id: 2, service_instance_ids: [100] }, { method: "DELETE" });
    expect(deleted.json).toMatchObject({ result: true, bk_error_code: 0, data: null });
    // The same path with POST is no resource of the gateway.
    const wrongMethod = await gateway(url, { bk_biz_id: 2, service_instance_ids: [100] });
    expect([wrongMethod.status, wrongMethod.json.code]).toEqual([404, 1640401]);
  });

  it.each([
    ["no header", null, "X-Bkapi-Authorization"],
    ["a header that is not JSON", "bk_app_code=demo", "JSON object"],
    ["no bk_app_code", JSON.stringify({ bk_app_secret: "s3cr3t" }), "bk_app_code cannot be empty"],
    ["no bk_app_secret", JSON.stringify({ bk_app_code: "demo" }), "bk_app_secret cannot be empty"],
    ["a wrong secret", JSON.stringify({ ...AUTH, bk_app_secret: "wrong-secret-value" }), "[demo]"],
    ["an unknown app", JSON.stringify({ ...AUTH, bk_app_code: "nobody" }), "[nobody]"],
  ])("%s: HTTP 400 1640001 INVALID_ARGS, before CMDB sees the request", async (_name, auth, says) => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const before = cmdb.snapshot();
    const res = await gateway(`${prod}/api/v3/create/proc/service_instance`, BODY, { auth });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code_name: "INVALID_ARGS", code: 1640001, result: false, data: null });
    expect(res.json.message).toContain(says);
    expect(JSON.stringify(res.json)).not.toContain("wrong-secret-value");
    expect(res.headers.get("x-bkapi-request-id")).toMatch(/^[0-9a-f]{32}$/);
    expect(cmdb.snapshot()).toEqual(before);
  });

  it.each([
    ["an unknown resource under the stage", "/api/bk-cmdb/prod/api/v3/create/proc/nothing"],
    ["an ESB path under the stage", "/api/bk-cmdb/prod/api/c/compapi/v2/cc/create_service_instance/"],
    ["an unknown /api/v3 path at the root", "/api/v3/findmany/nothing"],
    ["no stage", "/api/bk-cmdb/"],
  ])("%s: HTTP 404 1640401 API_NOT_FOUND", async (_name, path) => {
    const res = await gateway(`${cmdb.url}${path}`, BODY);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code_name: "API_NOT_FOUND", code: 1640401, result: false, data: null });
    expect(res.headers.get("x-bkapi-request-id")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("credentials in the body are not read; bk_username is forwarded unverified (cmdb-semantics §5)", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const noHeader = await gateway(`${prod}/api/v3/create/proc/service_instance`, { ...BODY, ...AUTH }, { auth: null });
    expect(noHeader.status).toBe(400);
    // "strict" does not skip user auth on ESB; the gateway does not verify the user, so its bk_username passes.
    const strict = JSON.stringify({ bk_app_code: "strict", bk_app_secret: "s3cr3t-2", bk_username: "carol" });
    const created = await gateway(`${prod}/api/v3/create/proc/service_instance`, BODY, { auth: strict });
    expect(created.json.result).toBe(true);
  });

  it("with no user at all CMDB refuses the JWT: 1199998 'user is not set'; a bk_token names its user for IAM", async () => {
    const world = designWorld();
    world.iam = { enabled: true, grants: [{ user: "bob", action: "create_biz_service_instance", bk_biz_id: 2 }] };
    await setWorld(cmdb.stateSetupUrl, world);
    const url = `${prod}/api/v3/create/proc/service_instance`;
    const noUser = await gateway(url, BODY, { auth: JSON.stringify({ bk_app_code: "demo", bk_app_secret: "s3cr3t" }) });
    expect(noUser.json).toMatchObject({ result: false, bk_error_code: 1199998, bk_error_msg: "user is not set" });
    const denied = await gateway(url, BODY);
    expect(denied.json).toMatchObject({ result: false, bk_error_code: 9900403 });
    expect(denied.json.permission).toMatchObject({ actions: [{ id: "create_biz_service_instance" }] });
    const bob = JSON.stringify({ bk_app_code: "demo", bk_app_secret: "s3cr3t", bk_token: "tok-bob" });
    expect((await gateway(url, BODY, { auth: bob })).json.result).toBe(true);
  });

  it("the abuse limits hold on the gateway route: an oversized body answers 1199004 in the native envelope", async () => {
    const small = await startReferenceCmdb({ world: designWorld(), maxBodyBytes: 1024 });
    try {
      const res = await gateway(`${small.url}/api/bk-cmdb/prod/api/v3/create/proc/service_instance`, {
        ...BODY,
        padding: "x".repeat(4096),
      });
      expect(res.json).toMatchObject({ result: false, bk_error_code: 1199004, data: null });
    } finally {
      await small.close();
    }
  });

  it("a state step on a gateway path replays through the gateway, its common args (or the world's first app) in the header", async () => {
    const steps = [
      { path: "/api/v3/create/proc/service_instance", body: { ...BODY, ...AUTH } },
      { path: "/api/bk-cmdb/prod/api/v3/create/proc/service_instance", body: { ...BODY, bk_module_id: 60, ...AUTH } },
      // No credentials in the body: the world's first app, acting as admin.
      { path: "/api/v3/deletemany/proc/service_instance", body: { bk_biz_id: 2, service_instance_ids: [101] } },
    ];
    const ok = await post(cmdb.stateSetupUrl, { state: "s", params: { world: designWorld(), steps }, action: "setup" });
    expect(ok.status).toBe(200);
    const listed = await gateway(`${prod}/api/v3/findmany/proc/process_instance`, {
      bk_biz_id: 2,
      service_instance_id: 100,
    });
    expect((listed.json.data as unknown[]).length).toBe(1);
    const wrong = [{ path: steps[0]?.path, body: { ...BODY, ...AUTH, bk_app_secret: "nope" } }];
    const refused = await post(cmdb.stateSetupUrl, {
      state: "s",
      params: { world: designWorld(), steps: wrong },
      action: "setup",
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain("failed with code 1640001");
  });
});

describe("the gateway's rate limit (serve --rate-limit), with an injected clock", () => {
  it("answers 429 1642902 past N requests per second per app, with the X-Bkapi-RateLimit-* headers", () => {
    let now = Date.parse("2026-01-01T00:00:00.250Z");
    const core = createReferenceCmdb({ world: designWorld(), rateLimit: 2, clock: () => new Date(now) });
    const send = (auth: Record<string, string>) =>
      core.handle({
        method: "POST",
        path: "/api/bk-cmdb/prod/api/v3/findmany/proc/process_instance",
        headers: { "x-bkapi-authorization": JSON.stringify(auth) },
        body: JSON.stringify({ bk_biz_id: 2, service_instance_id: 1 }),
      });
    const first = send(AUTH);
    expect([first.status, first.headers["x-bkapi-ratelimit-remaining"]]).toEqual([200, "1"]);
    expect(send(AUTH).headers["x-bkapi-ratelimit-remaining"]).toBe("0");
    const limited = send(AUTH);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body)).toMatchObject({ code_name: "RATE_LIMIT_RESTRICTION", code: 1642902, data: null });
    expect(limited.headers).toMatchObject({
      "x-bkapi-ratelimit-limit": "2",
      "x-bkapi-ratelimit-remaining": "0",
      "x-bkapi-ratelimit-reset": "1",
      "retry-after": "1",
    });
    expect(limited.headers["x-bkapi-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    // Another app has its own budget; the ESB route has none.
    expect(send({ bk_app_code: "strict", bk_app_secret: "s3cr3t-2", bk_username: "x" }).status).toBe(200);
    const esb = core.handle({
      method: "POST",
      path: "/api/c/compapi/v2/cc/list_process_instance/",
      headers: {},
      body: JSON.stringify({ ...AUTH, bk_biz_id: 2, service_instance_id: 1 }),
    });
    expect(esb.status).toBe(200);
    now += 750;
    expect(send(AUTH).status).toBe(200);
  });

  it("does not count a provider state's setup steps", () => {
    const core = createReferenceCmdb({ rateLimit: 1, clock: () => new Date(0) });
    const steps = [1, 2].map(() => ({
      path: "/api/v3/findmany/proc/process_instance",
      body: { ...AUTH, bk_biz_id: 2, service_instance_id: 1 },
    }));
    const setup = core.handle({
      method: "POST",
      path: "/_cmdb/state",
      headers: { host: "127.0.0.1", "content-type": "application/json" },
      body: JSON.stringify({ state: "s", params: { world: designWorld(), steps }, action: "setup" }),
      listen: { host: "127.0.0.1", port: 80 },
    });
    expect(setup.status, setup.body).toBe(200);
  });

  it("counts only admitted requests of the window", () => {
    let now = 5_000;
    const limiter = createRateLimiter(1, () => now);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
    now = 5_999;
    expect(limiter.take("a").allowed).toBe(false);
    now = 6_000;
    expect(limiter.take("a")).toEqual({
      allowed: true,
      headers: { "x-bkapi-ratelimit-limit": "1", "x-bkapi-ratelimit-remaining": "0", "x-bkapi-ratelimit-reset": "1" },
    });
  });
});

describe("GATEWAY_RESOURCES", () => {
  it("are the spec's gateway operations, each in front of the ESB operation the spec names", () => {
    const document = loadProviderSpec().document;
    const gateway = readOperationRoutes(document, "apigw");
    const esb = readOperationRoutes(document, "esb");
    const fromSpec = OPERATION_IDS.map((id) => ({
      operation: esb[id].path.split("/").filter(Boolean).pop(),
      method: gateway[id].method.toUpperCase(),
      path: gateway[id].path,
    }));
    expect([...GATEWAY_RESOURCES]).toEqual(fromSpec);
  });
});

describe("matchGatewayPath", () => {
  it.each([
    ["POST", "/api/bk-cmdb/prod/api/v3/create/proc/service_instance", "create_service_instance"],
    ["POST", "/api/v3/find/proc/proc_template/id/42", "get_proc_template"],
    ["DELETE", "/api/bk-cmdb/stag/api/v3/deletemany/proc/service_instance", "delete_service_instance"],
    ["GET", "/api/v3/findmany/proc/process_instance", "unknown"],
    ["POST", "/api/v3/find/proc/proc_template/id/", "unknown"],
    ["POST", "/api/c/compapi/v2/cc/create_service_instance/", undefined],
  ])("%s %s → %s", (method, path, want) => {
    const match = matchGatewayPath(method, path);
    expect(match === undefined ? undefined : match.kind === "unknown" ? "unknown" : match.resource.operation).toBe(
      want,
    );
  });
});

describe("a defect of the reference CMDB itself", () => {
  // A defect is simulated by making the create's logic throw; the server must answer it on each route in that route's
  // envelope, change nothing, and go on answering.
  const breakCreate = () =>
    vi.spyOn(OPERATIONS.get("create_service_instance") as Operation, "run").mockImplementation(() => {
      throw new TypeError("boom at the create");
    });

  it("answers 1199998 in the ESB envelope on the ESB route and in the native one on the gateway route", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    const before = cmdb.snapshot();
    const spy = breakCreate();
    try {
      const message = "Unknown or unrecognized error: boom at the create";
      const esb = await post(esbUrl(cmdb.url, "create_service_instance"), rawCreateBody());
      expect(esb).toEqual({
        status: 200,
        json: { result: false, code: 1199998, message, permission: null, request_id: expect.any(String), data: null },
      });
      expect(esb.json.request_id).toMatch(/^[0-9a-f]{32}$/);
      expect(esb.json.request_id).not.toBe("0".repeat(32));
      const native = await gateway(`${prod}/api/v3/create/proc/service_instance`, BODY);
      expect(native.status).toBe(200);
      expect(native.json).toEqual({
        result: false,
        bk_error_code: 1199998,
        bk_error_msg: message,
        permission: null,
        data: null,
      });
      expect(native.headers.get("x-bkapi-request-id")).toMatch(/^[0-9a-f]{32}$/);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
    expect(cmdb.snapshot()).toEqual(before);
    const after = await gateway(`${prod}/api/v3/create/proc/service_instance`, BODY);
    expect(after.json.result).toBe(true);
  });

  it("a defect in a provider state's setup step answers HTTP 500 and leaves the state as it was", async () => {
    await setWorld(cmdb.stateSetupUrl, designWorld());
    await post(esbUrl(cmdb.url, "create_service_instance"), rawCreateBody());
    const before = cmdb.snapshot();
    const spy = breakCreate();
    try {
      const step = { path: "/api/c/compapi/v2/cc/create_service_instance/", body: rawCreateBody() };
      const answer = await post(cmdb.stateSetupUrl, {
        action: "setup",
        params: { world: designWorld(), steps: [step] },
      });
      expect(answer).toEqual({
        status: 500,
        json: { result: false, message: "Unknown or unrecognized error: boom at the create" },
      });
    } finally {
      spy.mockRestore();
    }
    expect(cmdb.snapshot()).toEqual(before);
  });
});
