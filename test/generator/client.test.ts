// The generated client as a caller sees it: the routes and methods the emitter wrote from the spec, and the auth
// fields it hands the runtime as secrets. The runtime itself is tested in runtime/client-runtime.test.ts.
import { describe, expect, it } from "vitest";
import { CmdbApiError, type CmdbClientOptions, createCmdbClient, isCmdbError } from "../../generated/index.ts";
import {
  AUTH,
  CREATE,
  envelope,
  expectNoSecret,
  failure,
  rejection,
  SECRET,
  type Seen,
  TOKEN,
  useLoopbackEsb,
} from "./loopback-esb.ts";

const esb = useLoopbackEsb();

function client(options: Partial<CmdbClientOptions> = {}) {
  return createCmdbClient({ baseUrl: esb.baseUrl, auth: AUTH, ...options });
}

describe("createCmdbClient: requests", () => {
  it.each([
    ["without a trailing slash", () => esb.baseUrl],
    ["with a trailing slash", () => `${esb.baseUrl}/`],
  ])("posts to the ESB route %s and merges the auth fields into the body", async (_name, base) => {
    const ids = await client({ baseUrl: base() }).createServiceInstance(CREATE);
    expect(ids).toEqual([100, 101]);
    expect(esb.seen).toHaveLength(1);
    expect(esb.seen[0]?.method).toBe("POST");
    expect(esb.seen[0]?.url).toBe("/api/c/compapi/v2/cc/create_service_instance/");
    expect(esb.seen[0]?.body).toEqual({ ...CREATE, ...AUTH });
    expect(esb.seen[0]?.headers["content-type"]).toBe("application/json");
  });

  it("sends the language as Blueking-Language, and the client's and the call's headers", async () => {
    await client({ language: "en", headers: { "x-team": "ops" } }).createServiceInstance(CREATE, {
      headers: { "x-call": "1" },
    });
    expect(esb.seen[0]?.headers["blueking-language"]).toBe("en");
    expect(esb.seen[0]?.headers["x-team"]).toBe("ops");
    expect(esb.seen[0]?.headers["x-call"]).toBe("1");
  });

  it.each([
    ["listProcessInstance", "/api/c/compapi/v2/cc/list_process_instance/", [{ property: {}, relation: {} }]],
    ["getProcTemplate", "/api/c/compapi/v2/cc/get_proc_template/", { id: 7 }],
    ["deleteServiceInstance", "/api/c/compapi/v2/cc/delete_service_instance/", null],
  ] as const)("%s posts to its route and resolves to data", async (method, path, data) => {
    esb.reply = () => ({ body: envelope({ data }) });
    const api = client();
    const result =
      method === "listProcessInstance"
        ? await api.listProcessInstance({ bk_biz_id: 2, service_instance_id: 100 })
        : method === "getProcTemplate"
          ? await api.getProcTemplate({ bk_biz_id: 2, process_template_id: 7 })
          : await api.deleteServiceInstance({ bk_biz_id: 2, service_instance_ids: [100] });
    expect(result).toEqual(data);
    expect(esb.seen[0]?.url).toBe(path);
  });
});

describe("createCmdbClient: errors", () => {
  it("throws CmdbApiError with code, message, requestId, permission and operation on result: false", async () => {
    const permission = { system_id: "bk_cmdb", system_name: "配置平台", actions: [] };
    esb.reply = () => ({
      body: failure(9900403, "Do not have access permission.", { permission, request_id: "req-9" }),
    });
    const error = await rejection(client().createServiceInstance(CREATE));
    expect(error).toBeInstanceOf(CmdbApiError);
    expect(error).toMatchObject({
      name: "CmdbApiError",
      code: 9900403,
      message: "Do not have access permission.",
      requestId: "req-9",
      permission,
      operation: "createServiceInstance",
    });
  });

  it("isCmdbError tells codes apart", async () => {
    esb.reply = () => ({ body: failure(1113016, "service instance bound to host [10.0.0.5] already exist") });
    const error = await rejection(client().createServiceInstance(CREATE));
    expect(isCmdbError(error)).toBe(true);
    expect(isCmdbError(error, 1113016)).toBe(true);
    expect(isCmdbError(error, 1110056)).toBe(false);
    expect(isCmdbError(new Error("other"))).toBe(false);
  });
});

describe("createCmdbClient: secret redaction", () => {
  // A server that echoes the whole request back wherever it can.
  const echo = (request: Seen) => JSON.stringify(request.body);

  it.each([
    ["in the message of result: false", (s: Seen) => ({ body: failure(1306406, `Parameters error: ${echo(s)}`) })],
    [
      "in request_id and permission",
      (s: Seen) => ({
        body: failure(9900403, "denied", { request_id: SECRET, permission: { [TOKEN]: [echo(s), { note: SECRET }] } }),
      }),
    ],
    ["in an HTML error page", (s: Seen) => ({ status: 500, contentType: "text/html", body: `<pre>${echo(s)}</pre>` })],
    ["in a body that is not JSON", (s: Seen) => ({ contentType: "text/plain", body: `bad ${echo(s)}` })],
    ["in an envelope of the wrong shape", (s: Seen) => ({ body: JSON.stringify({ result: "yes", echo: s.body }) })],
  ])("replaces the secret and the token with *** %s", async (_name, answer) => {
    esb.reply = answer;
    const error = await rejection(client().createServiceInstance(CREATE));
    expectNoSecret(error);
    expect(JSON.stringify(error)).toContain("***");
  });
});

describe("createCmdbClient: injected fetch", () => {
  it("calls the given fetch with the URL, method, headers and body, and reads its Response", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const api = client({
      baseUrl: "https://paas.example.com/",
      language: "zh",
      fetch: async (url, init) => {
        calls.push({ url, init });
        return new Response(envelope({ data: [7] }), { status: 200 });
      },
    });
    expect(await api.createServiceInstance(CREATE)).toEqual([7]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("https://paas.example.com/api/c/compapi/v2/cc/create_service_instance/");
    expect(calls[0]?.init.method).toBe("POST");
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ ...CREATE, ...AUTH });
    expect(calls[0]?.init.headers).toMatchObject({ "blueking-language": "zh", "content-type": "application/json" });
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });
});
