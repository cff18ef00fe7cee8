// The client runtime on the API gateway route (cmdb-semantics §4.3, §5), through `createCaller` as a generated
// method calls it, against a loopback server playing the gateway: the stage URL, the auth header (never the body),
// CMDB's native envelope, and the gateway's own errors with their rate-limit headers.
import { describe, expect, it } from "vitest";
import {
  CmdbApiError,
  type CmdbClientOptions,
  CmdbError,
  CmdbGatewayError,
  CmdbHttpError,
  createCaller,
} from "../../../generator/runtime/client-runtime.ts";
import {
  AUTH,
  CREATE,
  envelope,
  expectNoSecret,
  failure,
  gatewayError,
  native,
  rejection,
  SECRET,
  TOKEN,
  useLoopbackEsb,
} from "../loopback-esb.ts";

const gateway = useLoopbackEsb();

/** Each operation's ESB path and gateway route, as the generated client passes them. */
const ROUTES = {
  create: ["/api/c/compapi/v2/cc/create_service_instance/", "POST /api/v3/create/proc/service_instance"],
  get: ["/api/c/compapi/v2/cc/get_proc_template/", "POST /api/v3/find/proc/proc_template/id/{process_template_id}"],
  delete: ["/api/c/compapi/v2/cc/delete_service_instance/", "DELETE /api/v3/deletemany/proc/service_instance"],
} as const;

/** A three-method client on the gateway route, wired the way the generated `createCmdbClient` wires each method. */
function client(options: Partial<CmdbClientOptions> = {}) {
  const all: CmdbClientOptions = { baseUrl: gateway.baseUrl, auth: AUTH, route: "apigw", ...options };
  const call = createCaller(all, [all.auth.bk_app_secret, all.auth.bk_token]);
  return {
    create: (params: object) => call<unknown>("createServiceInstance", ROUTES.create[0], params, {}, ROUTES.create[1]),
    get: (params: object) => call<unknown>("getProcTemplate", ROUTES.get[0], params, {}, ROUTES.get[1]),
    delete: (params: object) => call<unknown>("deleteServiceInstance", ROUTES.delete[0], params, {}, ROUTES.delete[1]),
    esbOnly: (params: object) =>
      call<unknown>("listProcessInstance", "/api/c/compapi/v2/cc/list_process_instance/", params),
  };
}

describe("createCaller on the gateway route: requests", () => {
  it("posts the parameters alone to the stage URL and sends the auth as JSON in X-Bkapi-Authorization", async () => {
    gateway.reply = () => ({ body: native({ data: [100, 101] }) });
    expect(await client().create(CREATE)).toEqual([100, 101]);
    const [seen] = gateway.seen;
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe("/api/bk-cmdb/prod/api/v3/create/proc/service_instance");
    expect(seen?.body).toEqual(CREATE);
    expect(JSON.parse(String(seen?.headers["x-bkapi-authorization"]))).toEqual(AUTH);
  });

  it("never copies an auth field into the body, whatever the parameters hold", async () => {
    gateway.reply = () => ({ body: native({ data: [100] }) });
    await client().create({ ...CREATE, bk_app_code: "from-params" });
    const text = JSON.stringify(gateway.seen[0]?.body);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
    expect(gateway.seen[0]?.body).not.toHaveProperty("bk_app_secret");
  });

  it.each<[string, Partial<CmdbClientOptions>, string]>([
    ["the prod stage by default", {}, "/api/bk-cmdb/prod/api/v3/create/proc/service_instance"],
    ["another stage", { stage: "stag" }, "/api/bk-cmdb/stag/api/v3/create/proc/service_instance"],
    [
      "no stage prefix when baseUrl is the stage URL (stage: null)",
      { stage: null },
      "/api/v3/create/proc/service_instance",
    ],
  ])("calls %s", async (_name, options, url) => {
    gateway.reply = () => ({ body: native({ data: [100] }) });
    await client({ ...options, baseUrl: `${gateway.baseUrl}/` }).create(CREATE);
    expect(gateway.seen[0]?.url).toBe(url);
  });

  it("puts a path parameter in the path and leaves it out of the body", async () => {
    gateway.reply = () => ({ body: native({ data: { id: 7 } }) });
    expect(await client().get({ bk_biz_id: 2, process_template_id: 7 })).toEqual({ id: 7 });
    expect(gateway.seen[0]?.url).toBe("/api/bk-cmdb/prod/api/v3/find/proc/proc_template/id/7");
    expect(gateway.seen[0]?.body).toEqual({ bk_biz_id: 2 });
  });

  it("sends CMDB's own method, DELETE with a JSON body, for delete_service_instance", async () => {
    gateway.reply = () => ({ body: native({ data: null }) });
    expect(await client().delete({ bk_biz_id: 2, service_instance_ids: [100] })).toBeNull();
    expect(gateway.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      [
        "DELETE",
        "/api/bk-cmdb/prod/api/v3/deletemany/proc/service_instance",
        { bk_biz_id: 2, service_instance_ids: [100] },
      ],
    ]);
  });

  it("refuses, without sending anything, an operation the spec gives no gateway route", async () => {
    const error = await rejection(client().esbOnly({ bk_biz_id: 2, service_instance_id: 100 }));
    expect(error).toBeInstanceOf(CmdbError);
    expect((error as Error).message).toBe("listProcessInstance: no apigw route in the spec");
    expect(gateway.seen).toHaveLength(0);
  });

  it("keeps the ESB route as it was: stage ignored, auth in the body, no auth header", async () => {
    await client({ route: "esb", stage: "stag" }).create(CREATE);
    expect(gateway.seen[0]?.url).toBe("/api/c/compapi/v2/cc/create_service_instance/");
    expect(gateway.seen[0]?.body).toEqual({ ...CREATE, ...AUTH });
    expect(gateway.seen[0]?.headers).not.toHaveProperty("x-bkapi-authorization");
  });
});

describe("createCaller on the gateway route: CMDB's answers", () => {
  it("reads a native failure into CmdbApiError, the request ID from X-Bkapi-Request-Id", async () => {
    gateway.reply = () => ({
      body: JSON.stringify({
        result: false,
        bk_error_code: 1199019,
        bk_error_msg: "数据不存在",
        permission: null,
        data: null,
      }),
      headers: { "x-bkapi-request-id": "gw-req-1" },
    });
    const error = await rejection(client().get({ bk_biz_id: 2, process_template_id: 8 }));
    expect(error).toBeInstanceOf(CmdbApiError);
    expect(error).toMatchObject({ code: 1199019, message: "数据不存在", requestId: "gw-req-1", permission: null });
  });

  it("reads a 9900403 denial without a data key, with its permission", async () => {
    const permission = { system_id: "bk_cmdb", system_name: "配置平台", actions: [] };
    gateway.reply = () => ({
      body: JSON.stringify({ result: false, bk_error_code: 9900403, bk_error_msg: "no permission", permission }),
    });
    const error = await rejection(client().create(CREATE));
    expect(error).toMatchObject({ name: "CmdbApiError", code: 9900403, permission, requestId: "" });
  });

  it("reads the ESB-style body the gateway's pages show (UNCONFIRMED, cmdb-semantics §4.3) the same way", async () => {
    gateway.reply = () => ({
      body: failure(1110056, "host not in module", { request_id: "body-req" }),
      headers: { "x-bkapi-request-id": "header-req" },
    });
    const error = await rejection(client().create(CREATE));
    expect(error).toMatchObject({
      name: "CmdbApiError",
      code: 1110056,
      message: "host not in module",
      requestId: "body-req",
    });
    gateway.reply = () => ({ body: envelope({ data: [5] }) });
    expect(await client().create(CREATE)).toEqual([5]);
  });

  it("throws CmdbHttpError for a 200 that is neither envelope", async () => {
    gateway.reply = () => ({ body: JSON.stringify({ result: true, bk_error_code: 0, data: [1] }) });
    const error = await rejection(client().create(CREATE));
    expect(error).toBeInstanceOf(CmdbHttpError);
    expect((error as Error).message).toContain("not a CMDB envelope");
  });
});

describe("createCaller on the gateway route: the gateway's own errors", () => {
  it.each([
    [400, 1640001, "INVALID_ARGS", 'Parameters error [reason="bk_app_code or bk_app_secret is incorrect"]'],
    [404, 1640401, "API_NOT_FOUND", 'API not found [method="POST" path="/api/v3/create/proc/service_instance"]'],
    [502, 1650200, "BAD_GATEWAY", "Bad Gateway"],
    [504, 1650401, "REQUEST_BACKEND_TIMEOUT", "Request backend service timeout"],
  ])("throws CmdbGatewayError for HTTP %s %s", async (status, code, codeName, message) => {
    gateway.reply = () => ({
      status,
      body: gatewayError(code, codeName, message),
      headers: { "x-bkapi-request-id": "gw-1" },
    });
    const error = await rejection(client().create(CREATE));
    expect(error).toBeInstanceOf(CmdbGatewayError);
    expect(error).toMatchObject({
      name: "CmdbGatewayError",
      operation: "createServiceInstance",
      status,
      code,
      codeName,
      message,
      requestId: "gw-1",
      rateLimit: null,
    });
    expect(gateway.seen).toHaveLength(1);
  });

  it("exposes the X-Bkapi-RateLimit-* headers of a 429 and does not retry", async () => {
    gateway.reply = () => ({
      status: 429,
      body: gatewayError(1642902, "RATE_LIMIT_RESTRICTION", "API rate limit exceeded by stage strategy"),
      headers: {
        "x-bkapi-ratelimit-limit": "100",
        "x-bkapi-ratelimit-remaining": "0",
        "x-bkapi-ratelimit-reset": "1",
        "retry-after": "1",
      },
    });
    const error = await rejection(client().create(CREATE));
    expect(error).toMatchObject({
      status: 429,
      code: 1642902,
      codeName: "RATE_LIMIT_RESTRICTION",
      rateLimit: { limit: 100, remaining: 0, reset: 1 },
    });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ rateLimit: { limit: 100, remaining: 0, reset: 1 } });
    expect(gateway.seen).toHaveLength(1);
  });

  it("keeps CmdbHttpError for a non-2xx body that is not a gateway error (something behind the gateway)", async () => {
    gateway.reply = () => ({ status: 500, body: JSON.stringify({ error: "boom" }) });
    const error = await rejection(client().create(CREATE));
    expect(error).toBeInstanceOf(CmdbHttpError);
    expect(error).toMatchObject({ status: 500 });
  });
});

describe("createCaller on the gateway route: secrets", () => {
  // A gateway that echoes the auth header wherever it can: messages, request IDs, code names.
  const header = (s: { headers: Record<string, unknown> }) => String(s.headers["x-bkapi-authorization"]);

  it.each([
    [
      "a gateway error's message and code name",
      (s: Parameters<typeof header>[0]) => ({
        status: 400,
        body: gatewayError(1640001, `INVALID_ARGS ${header(s)}`, `Parameters error [reason="${header(s)}"]`),
        headers: { "x-bkapi-request-id": SECRET },
      }),
    ],
    [
      "a native failure's message and the request ID header",
      (s: Parameters<typeof header>[0]) => ({
        body: JSON.stringify({
          result: false,
          bk_error_code: 1199006,
          bk_error_msg: header(s),
          permission: { x: TOKEN },
        }),
        headers: { "x-bkapi-request-id": `id-${TOKEN}` },
      }),
    ],
    [
      "an HTML page",
      (s: Parameters<typeof header>[0]) => ({ status: 502, contentType: "text/html", body: `<pre>${header(s)}</pre>` }),
    ],
  ])("replaces the secret and the token with *** in %s", async (_name, answer) => {
    gateway.reply = answer;
    const error = await rejection(client().create(CREATE));
    expectNoSecret(error);
    expect(JSON.stringify(error)).toContain("***");
  });
});
