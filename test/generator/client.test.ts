import { createServer, type IncomingMessage, type Server } from "node:http";
// The generated client as a caller sees it: the routes and methods the emitter wrote from the spec, and the auth
// fields it hands the runtime as secrets. The runtime itself is tested in runtime/client-runtime.test.ts.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CmdbApiError, type CmdbClientOptions, createCmdbClient, isCmdbError } from "../../generated/index.ts";

// Canary secrets: if either ever shows up in an error, redaction failed.
const SECRET = "canary-secret-7f3a";
const TOKEN = "canary-token-19b2";
const AUTH = { bk_app_code: "demo", bk_app_secret: SECRET, bk_token: TOKEN };
const CREATE = { bk_biz_id: 2, bk_module_id: 61, instances: [{ bk_host_id: 10 }, { bk_host_id: 11 }] };

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

interface Reply {
  status?: number;
  contentType?: string;
  body?: string;
  /** Never answer (to test the timeout and abort). */
  hang?: boolean;
}

/** A loopback server whose next answers a test sets; it records every request it receives. */
let reply: (seen: Seen) => Reply;
let seen: Seen[];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: JSON.parse(text) };
      seen.push(request);
      const answer = reply(request);
      if (answer.hang) return;
      res.writeHead(answer.status ?? 200, { "content-type": answer.contentType ?? "application/json" });
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  reply = () => ({ body: envelope({ data: [100, 101] }) });
});

function envelope(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    result: true,
    code: 0,
    message: "success",
    permission: null,
    request_id: "req-1",
    data: null,
    ...fields,
  });
}

function failure(code: number, message: string, fields: Record<string, unknown> = {}): string {
  return envelope({ result: false, code, message, data: null, ...fields });
}

function client(options: Partial<CmdbClientOptions> = {}) {
  return createCmdbClient({ baseUrl, auth: AUTH, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

function expectNoSecret(error: unknown): void {
  const views = [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? "",
    JSON.stringify(error),
    JSON.stringify({ ...(error as object) }),
  ];
  for (const view of views) {
    expect(view).not.toContain(SECRET);
    expect(view).not.toContain(TOKEN);
  }
}

describe("createCmdbClient: requests", () => {
  it.each([
    ["without a trailing slash", () => baseUrl],
    ["with a trailing slash", () => `${baseUrl}/`],
  ])("posts to the ESB route %s and merges the auth fields into the body", async (_name, base) => {
    const ids = await client({ baseUrl: base() }).createServiceInstance(CREATE);
    expect(ids).toEqual([100, 101]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.url).toBe("/api/c/compapi/v2/cc/create_service_instance/");
    expect(seen[0]?.body).toEqual({ ...CREATE, ...AUTH });
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
  });

  it("sends the language as Blueking-Language, and the client's and the call's headers", async () => {
    await client({ language: "en", headers: { "x-team": "ops" } }).createServiceInstance(CREATE, {
      headers: { "x-call": "1" },
    });
    expect(seen[0]?.headers["blueking-language"]).toBe("en");
    expect(seen[0]?.headers["x-team"]).toBe("ops");
    expect(seen[0]?.headers["x-call"]).toBe("1");
  });

  it.each([
    ["listProcessInstance", "/api/c/compapi/v2/cc/list_process_instance/", [{ property: {}, relation: {} }]],
    ["getProcTemplate", "/api/c/compapi/v2/cc/get_proc_template/", { id: 7 }],
    ["deleteServiceInstance", "/api/c/compapi/v2/cc/delete_service_instance/", null],
  ] as const)("%s posts to its route and resolves to data", async (method, path, data) => {
    reply = () => ({ body: envelope({ data }) });
    const api = client();
    const result =
      method === "listProcessInstance"
        ? await api.listProcessInstance({ bk_biz_id: 2, service_instance_id: 100 })
        : method === "getProcTemplate"
          ? await api.getProcTemplate({ bk_biz_id: 2, process_template_id: 7 })
          : await api.deleteServiceInstance({ bk_biz_id: 2, service_instance_ids: [100] });
    expect(result).toEqual(data);
    expect(seen[0]?.url).toBe(path);
  });
});

describe("createCmdbClient: errors", () => {
  it("throws CmdbApiError with code, message, requestId, permission and operation on result: false", async () => {
    const permission = { system_id: "bk_cmdb", system_name: "配置平台", actions: [] };
    reply = () => ({ body: failure(9900403, "Do not have access permission.", { permission, request_id: "req-9" }) });
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
    reply = () => ({ body: failure(1113016, "service instance bound to host [10.0.0.5] already exist") });
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
    reply = answer;
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
