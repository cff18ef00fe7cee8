import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { WORLD_LIMITS, type World } from "../../provider/world.ts";
import { designWorld, esbUrl, post, rawCreateBody } from "./fixtures.ts";

/** POSTs raw text with exactly the given headers (Host included), answering status, headers and parsed body. */
function send(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-length": Buffer.byteLength(body), ...headers } });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const setupBody = (world: unknown = designWorld()): string =>
  JSON.stringify({ state: "s", params: { world }, action: "setup" });
const JSON_TYPE = { "content-type": "application/json" };

let cmdb: RunningReferenceCmdb;
let hostPort: string;
beforeAll(async () => {
  cmdb = await startReferenceCmdb({ world: designWorld() });
  hostPort = new URL(cmdb.url).host;
});
afterAll(async () => {
  await cmdb.close();
});

/** A request that must be refused: the status, the message naming the problem, and nothing changed. */
async function expectRefused(
  body: string,
  headers: Record<string, string>,
  status: number,
  message: RegExp,
): Promise<Record<string, unknown>> {
  const before = cmdb.snapshot();
  expect((await post(esbUrl(cmdb.url, "create_service_instance"), rawCreateBody())).json.code).toBe(0);
  const changed = cmdb.snapshot();
  const res = await send(cmdb.stateSetupUrl, body, { host: hostPort, ...headers });
  expect(res.status).toBe(status);
  expect(res.json.result).toBe(false);
  expect(String(res.json.message)).toMatch(message);
  // The world loaded before (with the instance just created) is still there.
  expect(cmdb.snapshot()).toEqual(changed);
  expect(changed).not.toEqual(before);
  return res.json;
}

describe("handleStateRequest: bodies that are not a setup or a teardown", () => {
  it.each([
    ["an empty object", "{}", /action is required/],
    ["setup without params.world", JSON.stringify({ state: "s", action: "setup", params: {} }), /params\.world/],
    ["setup without params", JSON.stringify({ state: "s", action: "setup" }), /params must be an object/],
    ["params as a string", JSON.stringify({ state: "s", action: "setup", params: "oops" }), /params must be an object/],
    ["a world as the whole body", JSON.stringify(designWorld()), /looks like a world: wrap it as/],
    ["an unknown action", JSON.stringify({ action: "reset", params: { world: {} } }), /"setup" or "teardown"/],
    ["a JSON array", "[]", /must be a JSON object/],
  ])("%s answers 400 naming the problem and changes nothing", async (_name, body, message) => {
    await expectRefused(body, JSON_TYPE, 400, message);
  });

  it("takes a world over the 2 MiB ESB body limit, and answers 413 past the 4 MiB world limit", async () => {
    // A long supplier account is a cheap way to a big world of few rows.
    const big = setupBody({ ...designWorld(), supplier_account: "x".repeat(3 * 1024 * 1024) });
    const accepted = await send(cmdb.stateSetupUrl, big, { ...JSON_TYPE, host: hostPort });
    expect(accepted.status).toBe(200);
    // Declared past the limit: answered before the body is sent, so nothing is cut off mid-upload.
    const before = cmdb.snapshot();
    const { port, hostname } = new URL(cmdb.url);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write(
          `POST /_cmdb/state HTTP/1.1\r\nHost: ${hostPort}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${WORLD_LIMITS.maxBytes + 1}\r\n\r\n{`,
        ),
      );
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        text += chunk;
      });
      socket.on("close", () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 [\s\S]*larger than 4 MiB, the limit of a world/);
    expect(cmdb.snapshot()).toEqual(before);
  });

  it("a module naming a host missing from hosts answers 400 with its pointer", async () => {
    const world: World = designWorld();
    world.modules?.[0]?.host_ids?.push(99);
    const json = await expectRefused(setupBody(world), JSON_TYPE, 400, /host 99 is not in \/hosts/);
    expect(json.problems).toEqual([{ pointer: "/modules/0/host_ids/2", message: expect.stringMatching(/host 99/) }]);
  });
});

describe("handleStateRequest: params.steps, setup requests replayed after the world", () => {
  const CREATE_PATH = "/api/c/compapi/v2/cc/create_service_instance/";

  it("replays each step as a caller's request, so the state holds what the steps made", async () => {
    const step = { path: CREATE_PATH, body: rawCreateBody() };
    const body = { state: "s", action: "setup", params: { world: designWorld(), steps: [step] } };
    const res = await send(cmdb.stateSetupUrl, JSON.stringify(body), { ...JSON_TYPE, host: hostPort });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const afterSteps = cmdb.snapshot() as { instances: unknown[]; nextInstanceId: number };
    // The world alone holds one instance fewer; the step's create took the next ID as any create would.
    await send(cmdb.stateSetupUrl, setupBody(), { ...JSON_TYPE, host: hostPort });
    const bare = cmdb.snapshot() as { instances: unknown[]; nextInstanceId: number };
    expect(afterSteps.instances).toHaveLength(bare.instances.length + 1);
    expect(afterSteps.nextInstanceId).toBe(bare.nextInstanceId + 1);
  });

  it("refuses a setup whose step fails, naming the step and its code, and keeps the state before", async () => {
    const failing = { path: CREATE_PATH, body: rawCreateBody({ bk_module_id: 999 }) };
    const body = {
      state: "s",
      action: "setup",
      params: { world: designWorld(), steps: [{ path: CREATE_PATH, body: rawCreateBody() }, failing] },
    };
    await expectRefused(
      JSON.stringify(body),
      JSON_TYPE,
      400,
      /params\.steps\/1 \(POST \/api\/c\/compapi\/v2\/cc\/create_service_instance\/\) failed with code \d+/,
    );
  });

  it.each([
    ["steps as an object", { path: CREATE_PATH }, /params\.steps must be a list/],
    ["a step without a body", [{ path: CREATE_PATH }], /params\.steps\/0 must be/],
    ["a step with a relative path", [{ path: "api/x", body: {} }], /params\.steps\/0 must be/],
    ["101 steps", Array.from({ length: 101 }, () => ({ path: CREATE_PATH, body: {} })), /at most 100/],
  ])("refuses %s with 400 and changes nothing", async (_name, steps, message) => {
    const body = { state: "s", action: "setup", params: { world: designWorld(), steps } };
    await expectRefused(JSON.stringify(body), JSON_TYPE, 400, message);
  });
});

describe("checkStateAccess: without a token", () => {
  it.each([
    ["localhost", "localhost"],
    ["127.0.0.1", "127.0.0.1"],
    ["[::1]", "[::1]"],
  ])("accepts Host %s with the port", async (_name, name) => {
    const port = new URL(cmdb.url).port;
    const res = await send(cmdb.stateSetupUrl, setupBody(), { ...JSON_TYPE, host: `${name}:${port}` });
    expect(res.status).toBe(200);
  });

  it.each([
    ["a foreign name (DNS rebinding)", "attacker.example"],
    ["a loopback name with another port", "localhost:1"],
    ["a loopback name without the port", "localhost"],
  ])("refuses Host of %s with 403", async (_name, host) => {
    await expectRefused(setupBody(), { ...JSON_TYPE, host }, 403, /is not this machine/);
  });

  it("accepts the exact listening address, and no other address of the loopback range", async () => {
    const other = await startReferenceCmdb({ host: "127.0.0.2" });
    try {
      const port = new URL(other.url).port;
      const ok = await send(other.stateSetupUrl, setupBody(), { ...JSON_TYPE, host: `127.0.0.2:${port}` });
      expect(ok.status).toBe(200);
      const refused = await send(other.stateSetupUrl, setupBody(), { ...JSON_TYPE, host: `127.0.0.3:${port}` });
      expect(refused.status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it("refuses a foreign Origin, and accepts its own", async () => {
    await expectRefused(setupBody(), { ...JSON_TYPE, origin: "http://attacker.example" }, 403, /Origin/);
    const own = await send(cmdb.stateSetupUrl, setupBody(), { ...JSON_TYPE, host: hostPort, origin: cmdb.url });
    expect(own.status).toBe(200);
  });

  it.each([
    ["text/plain", { "content-type": "text/plain" }],
    ["a form", { "content-type": "application/x-www-form-urlencoded" }],
    ["no content type", {}],
  ])("refuses %s with 415", async (_name, headers) => {
    await expectRefused(setupBody(), headers, 415, /Content-Type must be application\/json/);
  });
});

describe("checkStateAccess: with --state-token", () => {
  const TOKEN = "s3cret-state-token";
  let guarded: RunningReferenceCmdb;
  beforeAll(async () => {
    guarded = await startReferenceCmdb({ stateToken: TOKEN });
  });
  afterAll(async () => {
    await guarded.close();
  });

  it("accepts any Host that carries the token, as a CI service container reached by name", async () => {
    const res = await send(guarded.stateSetupUrl, setupBody(), {
      ...JSON_TYPE,
      host: "cmdb:8080",
      authorization: `Bearer ${TOKEN}`,
    });
    expect(res.status).toBe(200);
    const created = await post(esbUrl(guarded.url, "create_service_instance"), rawCreateBody());
    expect(created.json.code).toBe(0);
  });

  it.each([
    ["no Authorization", {}],
    ["a wrong token", { authorization: "Bearer not-the-token" }],
    ["another scheme", { authorization: `Basic ${TOKEN}` }],
  ])("answers 401 to %s, even from localhost, without echoing the token", async (_name, headers) => {
    const before = guarded.snapshot();
    const res = await send(guarded.stateSetupUrl, setupBody({}), {
      ...JSON_TYPE,
      host: new URL(guarded.url).host,
      ...headers,
    });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(JSON.stringify(res)).not.toContain(TOKEN);
    expect(guarded.snapshot()).toEqual(before);
  });
});
