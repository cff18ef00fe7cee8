import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  CmdbApiError,
  type CmdbClientOptions,
  CmdbHttpError,
  type CmdbRequestOptions,
  CmdbTimeoutError,
  createCaller,
  createRedactor,
  isCmdbError,
  readEnvelope,
} from "../../../generator/runtime/client-runtime.ts";
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
} from "../loopback-esb.ts";

// The runtime is tested on its own, through `createCaller` as a generated method calls it; test/generator/client.test.ts
// checks what the emitter adds from the spec (routes, methods, which auth fields are secrets).

const esb = useLoopbackEsb();

const CREATE_PATH = "/api/c/compapi/v2/cc/create_service_instance/";

/** A one-method client, wired the way the generated `createCmdbClient` wires each method to the caller. */
function client(options: Partial<CmdbClientOptions> = {}) {
  const all = { baseUrl: esb.baseUrl, auth: AUTH, ...options };
  const call = createCaller(all, [all.auth.bk_app_secret, all.auth.bk_token]);
  return {
    createServiceInstance: (params: object, request?: CmdbRequestOptions) =>
      call<unknown>("createServiceInstance", CREATE_PATH, params, request),
  };
}

describe("createCaller: requests", () => {
  it.each([
    ["without a trailing slash", () => esb.baseUrl],
    ["with a trailing slash", () => `${esb.baseUrl}/`],
  ])("posts to the route %s and merges the auth fields into the body", async (_name, base) => {
    const ids = await client({ baseUrl: base() }).createServiceInstance(CREATE);
    expect(ids).toEqual([100, 101]);
    expect(esb.seen).toHaveLength(1);
    expect(esb.seen[0]?.method).toBe("POST");
    expect(esb.seen[0]?.url).toBe(CREATE_PATH);
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
});

describe("createCaller: errors", () => {
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

  it.each([
    [
      "a non-2xx status with an HTML page",
      { status: 502, contentType: "text/html", body: "<html><h1>502 Bad Gateway</h1></html>" },
      502,
      "status is not 2xx",
      "<html><h1>502 Bad Gateway</h1></html>",
    ],
    [
      "HTTP 200 with an HTML page",
      { contentType: "text/html", body: "<html>\n  <p>login</p>\n</html>" },
      200,
      "not JSON",
      "<html> <p>login</p> </html>",
    ],
    [
      "an envelope without message",
      { body: JSON.stringify({ result: true, code: 0, data: [1] }) },
      200,
      "not a CMDB envelope",
      '{"result":true,"code":0,"data":[1]}',
    ],
    [
      "result true with a non-zero code",
      { body: envelope({ code: 1199006, data: [1] }) },
      200,
      "not a CMDB envelope",
      "result",
    ],
    [
      "result true without data",
      { body: JSON.stringify({ result: true, code: 0, message: "ok", request_id: "r" }) },
      200,
      "not a CMDB envelope",
      "result",
    ],
    ["a JSON array", { body: "[1,2]" }, 200, "not a CMDB envelope", "[1,2]"],
  ] as const)("throws CmdbHttpError on %s", async (_name, answer, status, why, excerpt) => {
    esb.reply = () => answer;
    const error = await rejection(client().createServiceInstance(CREATE));
    expect(error).toBeInstanceOf(CmdbHttpError);
    expect(error).toMatchObject({ status, operation: "createServiceInstance" });
    expect((error as CmdbHttpError).message).toContain(why);
    expect((error as CmdbHttpError).excerpt).toContain(excerpt);
    expect(esb.seen).toHaveLength(1);
  });

  it("keeps only a short excerpt of a long body", async () => {
    esb.reply = () => ({ status: 500, contentType: "text/plain", body: "x".repeat(5000) });
    const error = (await rejection(client().createServiceInstance(CREATE))) as CmdbHttpError;
    expect(error.excerpt.length).toBe(200);
  });

  it("throws CmdbHttpError with status 0 when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(client({ baseUrl: `http://127.0.0.1:${port}` }).createServiceInstance(CREATE));
    expect(error).toBeInstanceOf(CmdbHttpError);
    expect(error).toMatchObject({ status: 0, excerpt: "" });
  });

  it("throws CmdbTimeoutError after timeoutMs and sends the create once", async () => {
    esb.reply = () => ({ hang: true });
    const error = await rejection(client({ timeoutMs: 50 }).createServiceInstance(CREATE));
    expect(error).toBeInstanceOf(CmdbTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50, operation: "createServiceInstance" });
    expect(esb.seen).toHaveLength(1);
  });

  it("lets one call override the timeout", async () => {
    esb.reply = () => ({ hang: true });
    const error = await rejection(client({ timeoutMs: 60_000 }).createServiceInstance(CREATE, { timeoutMs: 20 }));
    expect(error).toMatchObject({ name: "CmdbTimeoutError", timeoutMs: 20 });
  });

  it("honours the caller's AbortSignal with the signal's reason", async () => {
    esb.reply = () => ({ hang: true });
    const controller = new AbortController();
    const pending = client().createServiceInstance(CREATE, { signal: controller.signal });
    await vitestWaitFor(() => esb.seen.length === 1);
    controller.abort(new Error("user cancelled"));
    const error = await rejection(pending);
    expect(error).toEqual(new Error("user cancelled"));
    expect(esb.seen).toHaveLength(1);
  });

  it("does not send a request when the signal is already aborted", async () => {
    const error = await rejection(client().createServiceInstance(CREATE, { signal: AbortSignal.abort() }));
    expect((error as Error).name).toBe("AbortError");
    expect(esb.seen).toHaveLength(0);
  });

  it("never retries a create, whatever the failure", async () => {
    esb.reply = () => ({ status: 503, body: "busy" });
    await rejection(client().createServiceInstance(CREATE));
    expect(esb.seen).toHaveLength(1);
  });
});

describe("createCaller: secret redaction", () => {
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

  it("redacts a secret the server echoes JSON-escaped", async () => {
    const quoted = 'se"cr\\et';
    esb.reply = (s) => ({ body: failure(1306406, JSON.stringify(s.body)) });
    const error = await rejection(
      client({ auth: { bk_app_code: "demo", bk_app_secret: quoted } }).createServiceInstance(CREATE),
    );
    expect((error as Error).message).not.toContain(JSON.stringify(quoted).slice(1, -1));
    expect(JSON.stringify(error)).not.toContain(JSON.stringify(quoted).slice(1, -1));
  });

  it("redacts a secret in the message of a failing fetch", async () => {
    const error = await rejection(
      client({
        fetch: async () => {
          throw new TypeError(`cannot send ${SECRET}`);
        },
      }).createServiceInstance(CREATE),
    );
    expect(error).toBeInstanceOf(CmdbHttpError);
    expectNoSecret(error);
  });
});

describe("createCaller: injected fetch", () => {
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

  it.each([
    [
      "result: false",
      () => new Response(failure(1199006, "'bk_module_id' data parameter verification does not pass")),
      CmdbApiError,
    ],
    ["an HTML 502", () => new Response("<html>502</html>", { status: 502 }), CmdbHttpError],
    ["a wrong envelope", () => new Response("{}"), CmdbHttpError],
  ] as const)("maps %s to its error class", async (_name, respond, errorClass) => {
    const error = await rejection(client({ fetch: async () => respond() }).createServiceInstance(CREATE));
    expect(error).toBeInstanceOf(errorClass);
  });

  it("times out a fetch that never settles, aborting its signal", async () => {
    let signal: AbortSignal | undefined;
    const error = await rejection(
      client({
        timeoutMs: 10,
        fetch: (_url, init) =>
          new Promise((_resolve, reject) => {
            signal = init.signal ?? undefined;
            init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
          }),
      }).createServiceInstance(CREATE),
    );
    expect(error).toBeInstanceOf(CmdbTimeoutError);
    expect(signal?.aborted).toBe(true);
  });

  it("times out a short call while a longer one started with it on the same client still succeeds", async () => {
    const pending: { signal: AbortSignal; answer: () => void }[] = [];
    const api = client({
      fetch: (_url, init) =>
        new Promise((resolve, reject) => {
          const signal = init.signal as AbortSignal;
          signal.addEventListener("abort", () => reject(signal.reason));
          pending.push({ signal, answer: () => resolve(new Response(envelope({ data: [7] }))) });
        }),
    });
    const short = api.createServiceInstance(CREATE, { timeoutMs: 20 });
    const long = api.createServiceInstance(CREATE, { timeoutMs: 60_000 });
    expect(await rejection(short)).toMatchObject({ name: "CmdbTimeoutError", timeoutMs: 20 });
    expect(pending[1]?.signal.aborted).toBe(false);
    pending[1]?.answer();
    expect(await long).toEqual([7]);
  });

  it("still times out when the caller passes a signal of its own", async () => {
    const error = await rejection(
      client({
        fetch: (_url, init) =>
          new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
      }).createServiceInstance(CREATE, { signal: new AbortController().signal, timeoutMs: 20 }),
    );
    expect(error).toMatchObject({ name: "CmdbTimeoutError", timeoutMs: 20 });
  });
});

describe("readEnvelope", () => {
  it.each([
    ["a success with data", { result: true, code: 0, message: "ok", data: null }, true],
    ["a failure without data", { result: false, code: 1199006, message: "bad" }, true],
    ["a native success", { result: true, bk_error_code: 0, bk_error_msg: "success", data: [1] }, true],
    ["a native failure without data (9900403)", { result: false, bk_error_code: 9900403, bk_error_msg: "no" }, true],
    ["result true with a non-zero code", { result: true, code: 1, message: "ok", data: 1 }, false],
    ["a native result true with a non-zero code", { result: true, bk_error_code: 1, bk_error_msg: "", data: 1 }, false],
    ["result false with code 0", { result: false, code: 0, message: "bad" }, false],
    ["a success without data", { result: true, code: 0, message: "ok" }, false],
    ["a string code", { result: false, code: "1199006", message: "bad" }, false],
    ["no message", { result: false, code: 1 }, false],
    ["a native code without a message", { result: false, bk_error_code: 1 }, false],
    ["null", null, false],
    ["an array", [true, 0], false],
  ])("%s → %s", (_name, given, want) => {
    expect(readEnvelope(given) !== undefined).toBe(want);
  });

  it("answers the body itself, without a copy", () => {
    const body = { result: false, bk_error_code: 1199019, bk_error_msg: "数据不存在", data: null };
    expect(readEnvelope(body)).toBe(body);
  });
});

describe("createRedactor", () => {
  it.each([
    ["every occurrence", ["s3cret"], "a s3cret b s3cret", "a *** b ***"],
    ["the JSON-escaped form", ['a"b'], '{"x":"a\\"b"}', '{"x":"***"}'],
    ["the longer secret first when one contains the other", ["ab", "abcd"], "abcd ab", "*** ***"],
    ["nothing for an empty or missing secret", ["", undefined], "text", "text"],
  ])("replaces %s", (_name, secrets, given, want) => {
    expect(createRedactor(secrets)(given)).toBe(want);
  });
});

async function vitestWaitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
