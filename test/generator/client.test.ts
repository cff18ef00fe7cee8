// The generated client as a caller sees it: what the emitter wrote from the spec (one method per operation on its
// route, the auth fields merged into the body, which of them are secrets, the code union). The runtime's behaviour
// (errors, timeouts, abort, redaction) is tested on its own in runtime/client-runtime.test.ts.
import { describe, expect, it } from "vitest";
import { type CmdbClient, createCmdbClient, isCmdbError } from "../../generated/index.ts";
import {
  AUTH,
  CREATE,
  envelope,
  expectNoSecret,
  failure,
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
