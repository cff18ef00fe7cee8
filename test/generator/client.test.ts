// The generated client as a caller sees it: what the emitter wrote from the spec (one method per operation on each
// route, the auth fields merged into the body or sent in the gateway's header, which of them are secrets, the code
// union). The runtime's behaviour
// (errors, timeouts, abort, redaction) is tested on its own in runtime/client-runtime.test.ts.
import { describe, expect, it } from "vitest";
import { type CmdbClient, CmdbGatewayError, createCmdbClient, isCmdbError } from "../../generated/index.ts";
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
} from "./loopback-esb.ts";

const esb = useLoopbackEsb();

const client = () => createCmdbClient({ baseUrl: esb.baseUrl, auth: AUTH });

describe("createCmdbClient", () => {
  it.each<[keyof CmdbClient, string, (api: CmdbClient) => Promise<unknown>, object, unknown]>([
    [
      "createServiceInstance",
      "/api/c/compapi/v2/cc/create_service_instance/",
      (api) => api.createServiceInstance(CREATE),
      CREATE,
      [100, 101],
    ],
    [
      "listProcessInstance",
      "/api/c/compapi/v2/cc/list_process_instance/",
      (api) => api.listProcessInstance({ bk_biz_id: 2, service_instance_id: 100 }),
      { bk_biz_id: 2, service_instance_id: 100 },
      [{ property: {}, relation: {} }],
    ],
    [
      "getProcTemplate",
      "/api/c/compapi/v2/cc/get_proc_template/",
      (api) => api.getProcTemplate({ bk_biz_id: 2, process_template_id: 7 }),
      { bk_biz_id: 2, process_template_id: 7 },
      { id: 7 },
    ],
    [
      "deleteServiceInstance",
      "/api/c/compapi/v2/cc/delete_service_instance/",
      (api) => api.deleteServiceInstance({ bk_biz_id: 2, service_instance_ids: [100] }),
      { bk_biz_id: 2, service_instance_ids: [100] },
      null,
    ],
  ])("%s posts its parameters and the auth fields to %s and resolves to data", async (_m, path, call, params, data) => {
    esb.reply = () => ({ body: envelope({ data }) });
    expect(await call(client())).toEqual(data);
    expect(esb.seen.map((s) => [s.method, s.url, s.body])).toEqual([["POST", path, { ...params, ...AUTH }]]);
  });

  it("redacts both secret auth fields of the spec (bk_app_secret, bk_token) when the server echoes them", async () => {
    esb.reply = (seen) => ({ body: failure(1306406, `Parameters error: ${JSON.stringify(seen.body)}`) });
    const error = await rejection(client().createServiceInstance(CREATE));
    expectNoSecret(error);
    expect((error as Error).message).toBe(
      `Parameters error: ${JSON.stringify({ ...CREATE, ...AUTH })
        .replace(SECRET, "***")
        .replace(TOKEN, "***")}`,
    );
  });

  it("answers result: false with an error isCmdbError narrows by the spec's codes", async () => {
    esb.reply = () => ({ body: failure(1113016, "service instance bound to host [10.0.0.5] already exist") });
    const error = await rejection(client().createServiceInstance(CREATE));
    expect(isCmdbError(error, 1113016)).toBe(true);
    expect(isCmdbError(error, 1110056)).toBe(false);
    expect(error).toMatchObject({ name: "CmdbApiError", code: 1113016, operation: "createServiceInstance" });
  });
});

describe("createCmdbClient with route: apigw", () => {
  const gateway = () => createCmdbClient({ baseUrl: esb.baseUrl, auth: AUTH, route: "apigw" });

  it.each<[keyof CmdbClient, string, string, (api: CmdbClient) => Promise<unknown>, object, unknown]>([
    [
      "createServiceInstance",
      "POST",
      "/api/bk-cmdb/prod/api/v3/create/proc/service_instance",
      (api) => api.createServiceInstance(CREATE),
      CREATE,
      [100, 101],
    ],
    [
      "listProcessInstance",
      "POST",
      "/api/bk-cmdb/prod/api/v3/findmany/proc/process_instance",
      (api) => api.listProcessInstance({ bk_biz_id: 2, service_instance_id: 100 }),
      { bk_biz_id: 2, service_instance_id: 100 },
      [{ property: {}, relation: {} }],
    ],
    [
      "getProcTemplate",
      "POST",
      "/api/bk-cmdb/prod/api/v3/find/proc/proc_template/id/7",
      (api) => api.getProcTemplate({ bk_biz_id: 2, process_template_id: 7 }),
      { bk_biz_id: 2 },
      { id: 7 },
    ],
    [
      "deleteServiceInstance",
      "DELETE",
      "/api/bk-cmdb/prod/api/v3/deletemany/proc/service_instance",
      (api) => api.deleteServiceInstance({ bk_biz_id: 2, service_instance_ids: [100] }),
      { bk_biz_id: 2, service_instance_ids: [100] },
      null,
    ],
  ])(
    "%s sends %s %s with the auth header only and reads the native envelope",
    async (_m, method, url, call, body, data) => {
      esb.reply = () => ({ body: native({ data }) });
      expect(await call(gateway())).toEqual(data);
      expect(esb.seen.map((s) => [s.method, s.url, s.body])).toEqual([[method, url, body]]);
      expect(JSON.parse(String(esb.seen[0]?.headers["x-bkapi-authorization"]))).toEqual(AUTH);
      expect(JSON.stringify(esb.seen[0]?.body)).not.toContain(SECRET);
    },
  );

  it("answers the same CmdbApiError as the ESB route for the same failure", async () => {
    esb.reply = () => ({
      body: JSON.stringify({
        result: false,
        bk_error_code: 1113016,
        bk_error_msg: "exists",
        permission: null,
        data: null,
      }),
      headers: { "x-bkapi-request-id": "gw-9" },
    });
    const viaGateway = await rejection(gateway().createServiceInstance(CREATE));
    esb.reply = () => ({ body: failure(1113016, "exists", { request_id: "gw-9" }) });
    const viaEsb = await rejection(client().createServiceInstance(CREATE));
    expect(isCmdbError(viaGateway, 1113016)).toBe(true);
    expect(JSON.parse(JSON.stringify(viaGateway))).toEqual(JSON.parse(JSON.stringify(viaEsb)));
  });

  it("throws CmdbGatewayError for a wrong secret, without the secret or the token anywhere in it", async () => {
    esb.reply = (seen) => ({
      status: 400,
      body: gatewayError(
        1640001,
        "INVALID_ARGS",
        `Parameters error [reason="bad ${String(seen.headers["x-bkapi-authorization"])}"]`,
      ),
    });
    const error = await rejection(gateway().createServiceInstance(CREATE));
    expect(error).toBeInstanceOf(CmdbGatewayError);
    expect(error).toMatchObject({ status: 400, code: 1640001, codeName: "INVALID_ARGS" });
    expectNoSecret(error);
  });

  it("sends an access_token in place of the user in the header, and redacts it from an echoing answer", async () => {
    const accessToken = "canary-access-token-5d1e";
    esb.reply = (seen) => ({
      status: 400,
      body: gatewayError(1640001, "INVALID_ARGS", `bad ${String(seen.headers["x-bkapi-authorization"])}`),
    });
    const auth = { bk_app_code: "demo", bk_app_secret: SECRET, access_token: accessToken };
    const error = await rejection(
      createCmdbClient({ baseUrl: esb.baseUrl, auth, route: "apigw" }).createServiceInstance(CREATE),
    );
    expect(JSON.parse(String(esb.seen[0]?.headers["x-bkapi-authorization"]))).toEqual(auth);
    expect(esb.seen[0]?.body).toEqual(CREATE);
    expect(JSON.stringify(error)).not.toContain(accessToken);
    expect((error as Error).message).toBe(
      `bad ${JSON.stringify(auth).replace(SECRET, "***").replace(accessToken, "***")}`,
    );
  });
});
