import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_CREATE_PROCESSES } from "../../provider/create-service-instance.ts";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { parseWorld, WORLD_LIMITS, type World, WorldError } from "../../provider/world.ts";
import { AUTH, designWorld, esbUrl, post, rawCreateBody } from "./fixtures.ts";

const MAX = Number.MAX_SAFE_INTEGER;
let running: RunningReferenceCmdb | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: Parameters<typeof startReferenceCmdb>[0]): Promise<RunningReferenceCmdb> {
  running = await startReferenceCmdb(options);
  return running;
}

const hosts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ bk_host_id: 1000 + i, bk_host_innerip: "10.1.0.1" }));
const rawInstances = (n: number, processes: number) =>
  Array.from({ length: n }, (_, i) => ({
    bk_host_id: 1000 + i,
    processes: Array.from({ length: processes }, () => ({
      process_info: { bk_process_name: "p", bk_func_name: "p" },
    })),
  }));

/** The design world with 100 hosts in the raw module 60. */
function wideWorld(nextIds: World["next_ids"] = {}): World {
  const world = designWorld();
  world.hosts = [...(world.hosts ?? []), ...hosts(100)];
  const raw = world.modules?.find((m) => m.bk_module_id === 60);
  if (raw) raw.host_ids = [...(raw.host_ids ?? []), ...hosts(100).map((h) => h.bk_host_id)];
  world.next_ids = nextIds;
  return world;
}

function problemsOf(fn: () => unknown): { pointer: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof WorldError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("IDs stay safe integers", () => {
  it("a create that would pass 2^53 - 1 fails whole with 1199058, and the IDs before it are handed out once", async () => {
    const cmdb = await start({ world: wideWorld({ service_instance: MAX - 1 }) });
    const create = (n: number) =>
      post(esbUrl(cmdb.url, "create_service_instance"), { ...AUTH, ...rawCreateBody(), instances: rawInstances(n, 1) });
    const before = cmdb.snapshot();
    const three = await create(3);
    expect(three.json).toMatchObject({ result: false, code: 1199058, data: null });
    expect(cmdb.snapshot()).toEqual(before);
    expect((await create(2)).json.data).toEqual([MAX - 1, MAX]);
    expect((await create(1)).json.code).toBe(1199058);
  });

  it("process IDs too: the create that would need one past the last fails whole", async () => {
    const cmdb = await start({ world: wideWorld({ process: MAX }) });
    const create = (processes: number) =>
      post(esbUrl(cmdb.url, "create_service_instance"), { ...rawCreateBody(), instances: rawInstances(1, processes) });
    const before = cmdb.snapshot();
    expect((await create(2)).json.code).toBe(1199058);
    expect(cmdb.snapshot()).toEqual(before);
    expect((await create(1)).json.code).toBe(0);
  });

  it.each([
    ["next_ids of 1e300", { next_ids: { service_instance: 1e300 } }, "/next_ids/service_instance"],
    ["a host ID of 1e20", { hosts: [{ bk_host_id: 1e20, bk_host_innerip: "10.0.0.1" }] }, "/hosts/0/bk_host_id"],
    ["a module's business of -2^60", { modules: [{ bk_module_id: 1, bk_biz_id: -(2 ** 60) }] }, "/modules/0/bk_biz_id"],
  ])("the world schema refuses %s", (_name, world, pointer) => {
    expect(problemsOf(() => parseWorld(world, "w")).map((p) => p.pointer)).toContain(pointer);
  });
});

describe("bounded work", () => {
  it(`a create of more than ${MAX_CREATE_PROCESSES} processes answers 1199035 before building any`, async () => {
    const cmdb = await start({ world: wideWorld() });
    const before = cmdb.snapshot();
    const over = await post(esbUrl(cmdb.url, "create_service_instance"), {
      ...rawCreateBody(),
      instances: rawInstances(100, MAX_CREATE_PROCESSES / 100 + 1),
    });
    expect(over.json).toMatchObject({ code: 1199035, data: null });
    expect(over.json.message).toContain(`${MAX_CREATE_PROCESSES}`);
    expect(cmdb.snapshot()).toEqual(before);
    const atLimit = await post(esbUrl(cmdb.url, "create_service_instance"), {
      ...rawCreateBody(),
      instances: rawInstances(100, MAX_CREATE_PROCESSES / 100),
    });
    expect((atLimit.json.data as number[]).length).toBe(100);
  });

  it("a service template holds at most 50 process templates, so a templated create makes at most 5,000", () => {
    const world = designWorld();
    const template = world.service_templates?.[0];
    const first = template?.process_templates[0];
    if (!template || !first) throw new Error("the design world has a process template");
    template.process_templates = Array.from(
      { length: WORLD_LIMITS.maxProcessTemplatesPerServiceTemplate + 1 },
      (_, i) => ({ ...first, id: 1000 + i }),
    );
    const problems = problemsOf(() => parseWorld(world, "w"));
    expect(problems.map((p) => p.pointer)).toEqual(["/service_templates/0/process_templates"]);
    expect(WORLD_LIMITS.maxProcessTemplatesPerServiceTemplate * 100).toBe(MAX_CREATE_PROCESSES);
  });

  it(`a world of more than ${WORLD_LIMITS.maxRows} rows is refused before the schema walks it`, () => {
    const world = { modules: [{ bk_module_id: 1, bk_biz_id: 2, host_ids: Array(WORLD_LIMITS.maxRows).fill("x") }] };
    const problems = problemsOf(() => parseWorld(world, "w"));
    // One problem for the whole world: the schema never reported the 50,000 bad host IDs.
    expect(problems).toEqual([{ pointer: "", message: expect.stringMatching(/more than 50000 rows/) }]);
  });
});

describe("slow and many clients", () => {
  /** Opens a raw connection, writes `text`, answers what the server sent before closing. */
  function rawExchange(url: string, text: string): Promise<string> {
    const { port, hostname } = new URL(url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => socket.write(text));
      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        received += chunk;
      });
      socket.on("close", () => resolve(received));
      // A connection the server refuses may end in a reset: what it answered (nothing) is the result.
      socket.on("error", () => resolve(received));
    });
  }

  it("an incomplete body is answered 408 and closed once the request timeout passes", async () => {
    const cmdb = await start({ world: designWorld(), requestTimeoutMs: 200 });
    const head = `POST /api/c/compapi/v2/cc/create_service_instance/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"bk_biz_id":`;
    expect(await rawExchange(cmdb.url, head)).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("connections past the limit are closed unanswered; a freed place serves again", async () => {
    const cmdb = await start({ world: designWorld(), maxConnections: 2 });
    const { port, hostname } = new URL(cmdb.url);
    const request = "POST /api/c/compapi/v2/cc/get_proc_template/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
    // Two keep-alive connections that have each been answered once: the server surely counts them.
    const held = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect(Number(port), hostname, () => socket.write(request));
            socket.once("data", () => resolve(socket));
          }),
      ),
    );
    expect(await rawExchange(cmdb.url, request)).toBe("");
    for (const socket of held) socket.destroy();
    // The server sees the two closes at its own pace: try again, a bounded number of times.
    let answer = "";
    for (let attempt = 0; attempt < 50 && answer === ""; attempt++) {
      answer = await rawExchange(cmdb.url, request.replace("HTTP/1.1", "HTTP/1.0"));
      if (answer === "") await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("--cors", () => {
  const ORIGIN = "http://localhost:5173";
  const preflight = (url: string, origin: string) =>
    fetch(esbUrl(url, "create_service_instance"), {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });

  it("answers a preflight of its origin only, and marks that origin's answers readable", async () => {
    const cmdb = await start({ world: designWorld(), cors: ORIGIN });
    const ok = await preflight(cmdb.url, ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(ok.headers.get("access-control-allow-methods")).toBe("POST, DELETE");
    const foreign = await preflight(cmdb.url, "http://attacker.example");
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const created = await fetch(esbUrl(cmdb.url, "create_service_instance"), {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify(rawCreateBody()),
    });
    expect(created.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(((await created.json()) as { code: number }).code).toBe(0);
  });

  it("is off by default: no preflight is answered with CORS headers", async () => {
    const cmdb = await start({ world: designWorld() });
    const res = await preflight(cmdb.url, ORIGIN);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.status).not.toBe(204);
  });
});
