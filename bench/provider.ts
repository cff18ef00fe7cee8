/**
 * Provider figures: valid non-templated creates (one instance, one process) per second of CPU time at 10 keep-alive
 * connections on loopback, against a bare `node:http` server that parses the same JSON and answers a fixed envelope,
 * measured in the same run with the same client; then the largest allowed create (`provider-largest.ts`).
 */
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { startReferenceCmdb } from "../provider/server.ts";
import { loadProviderSpec } from "../provider/spec-data.ts";
import type { World } from "../provider/world.ts";
import type { BenchFigure } from "./main.ts";
import { benchLargestCreate, median } from "./provider-largest.ts";

const CONNECTIONS = 10;
const DURATION_MS = 2_000;
const PATH = "/api/c/compapi/v2/cc/create_service_instance/";

const WORLD: World = {
  apps: [{ bk_app_code: "bench", bk_app_secret: "bench-secret", skip_user_auth: true }],
  businesses: [{ bk_biz_id: 2, bk_biz_name: "bench" }],
  hosts: [{ bk_host_id: 10, bk_host_innerip: "10.0.0.5" }],
  modules: [{ bk_module_id: 60, bk_biz_id: 2, host_ids: [10] }],
};

// The spec's own non-templated example, with the bench app's credentials.
const BODY = JSON.stringify({
  ...(loadProviderSpec().document.components.examples?.CreateServiceInstanceNonTemplatedRequest?.value as object),
  bk_app_code: "bench",
  bk_app_secret: "bench-secret",
});

/**
 * Measures the reference CMDB against the bare baseline. The 2 s of each are interleaved in eight 250 ms slices, so
 * load from other processes on a shared machine falls on both alike, and each figure is the median slice: a burst of
 * load from elsewhere spoils one slice, not the figure. The order alternates round by round (bare first, then the
 * CMDB first), so neither always runs in the wake of the other's garbage.
 */
export async function runBench(): Promise<BenchFigure[]> {
  const bare = await startBareServer();
  const cmdb = await startReferenceCmdb({ world: WORLD });
  const rates = { bare: [] as number[], cmdb: [] as number[] };
  try {
    const bareClient = createClient(bare.url);
    const cmdbClient = createClient(cmdb.url);
    await bareClient.warmUp();
    await cmdbClient.warmUp();
    const slices = [
      async () => rates.bare.push(rateOf(await bareClient.run(DURATION_MS / ROUNDS))),
      async () => rates.cmdb.push(rateOf(await cmdbClient.run(DURATION_MS / ROUNDS))),
    ];
    for (let round = 0; round < ROUNDS; round++) {
      for (const slice of round % 2 === 0 ? slices : [...slices].reverse()) await slice();
    }
    bareClient.close();
    cmdbClient.close();
  } finally {
    await cmdb.close();
    await bare.close();
  }
  return [
    {
      name: "provider: non-templated create at 10 connections",
      unit: "req/CPU-s",
      value: median(rates.cmdb),
      baseline: median(rates.bare),
      baselineName: "bare node:http JSON server",
      goal: { min: 0.85 },
    },
    ...(await benchLargestCreate()),
  ];
}

const ROUNDS = 8;

// Creates per second of this process's CPU time (client and server share it): on a machine shared with other work,
// wall time also counts the time other processes held the cores, CPU time does not.
function rateOf(slice: { good: number; cpuMs: number }): number {
  return (slice.good * 1000) / slice.cpuMs;
}

// The baseline answers what the CMDB answers: the same envelope (a five-digit ID, as most of the CMDB's creates here
// get) and the same headers, the request ID in `x-request-id` too, so the shared client parses alike from both.
async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const requestId = "0123456789abcdef0123456789abcdef";
  const envelope = JSON.stringify({
    result: true,
    code: 0,
    message: "success",
    permission: null,
    request_id: requestId,
    data: [10_001],
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "x-request-id": requestId,
        "content-length": envelope.length,
      });
      res.end(envelope);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// CONNECTIONS request loops over one keep-alive agent; `run` answers the successful creates within a time slice.
function createClient(baseUrl: string) {
  const url = new URL(PATH, baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const once = (): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(BODY) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            text += c;
          });
          res.on("end", () => resolve(res.statusCode === 200 && text.includes('"result":true')));
        },
      );
      req.on("error", reject);
      req.end(BODY);
    });
  const run = async (ms: number): Promise<{ good: number; ms: number; cpuMs: number }> => {
    const cpu = process.cpuUsage();
    let good = 0;
    let bad = 0;
    const started = performance.now();
    const deadline = started + ms;
    const loop = async (): Promise<void> => {
      while (performance.now() < deadline) {
        if (await once()) good++;
        else bad++;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, loop));
    if (bad > 0) throw new Error(`bench: ${bad} of ${good + bad} requests to ${url.href} were not successful creates`);
    const used = process.cpuUsage(cpu);
    return { good, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  };
  return {
    // Opens the connections and warms the JIT before any slice is timed.
    warmUp: () => run(300),
    run,
    close: () => agent.destroy(),
  };
}
