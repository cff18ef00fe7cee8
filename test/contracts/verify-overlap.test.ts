import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type CheckResult, type VerifyOptions, verify } from "../../contracts/verify/index.ts";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function startCmdb(): Promise<RunningReferenceCmdb> {
  const cmdb = await startReferenceCmdb({});
  running.push(cmdb);
  return cmdb;
}

/** A loopback relay to `target` that forwards each request once `open()` resolves; `seen` counts what arrived. */
async function startRelay(target: string, open: () => Promise<void>): Promise<{ url: string; seen: () => number }> {
  let seen = 0;
  const server: Server = createServer((req, res) => {
    seen += 1;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      await open();
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method ?? "POST",
        headers: { "content-type": String(req.headers["content-type"] ?? "application/json") },
        body: Buffer.concat(chunks),
      });
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.push({
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen };
}

/** Runs verify and answers the report with every `onCheck` and `onProgress` call, in order. */
async function verifyRecorded(options: VerifyOptions): Promise<{ events: string[]; checks: CheckResult[] }> {
  const events: string[] = [];
  const report = await verify({
    ...options,
    onCheck: (check, done, total) => events.push(`[${done}/${total}] ${check.source} ${check.name}`),
    onProgress: (note) => events.push(`… ${note}`),
  });
  return { events, checks: report.checks };
}

const SMALL = { propertyRuns: 10, fuzzRuns: 13, providerLabel: "the reference CMDB" } as const;

describe("verify with a second instance of the provider", () => {
  it("runs the fixture, property and fuzz phases beside the Pact verifier", async () => {
    const [first, second] = await Promise.all([startCmdb(), startCmdb()]);
    // The first instance answers nothing until the second has been asked something: a run that started the later
    // phases only after the pacts would wait on its first state setup until the timeout, and fail the pacts.
    let opened!: () => void;
    const secondAsked = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const pactSide = await startRelay(first.url, () => secondAsked);
    const localSide = await startRelay(second.url, async () => opened());
    const { checks } = await verifyRecorded({
      ...SMALL,
      providerUrl: pactSide.url,
      secondProvider: { providerUrl: localSide.url },
      limits: { timeoutMs: 3_000, maxResponseBytes: 1024 * 1024 },
    });
    expect(checks.filter((c) => c.failures.length > 0)).toEqual([]);
    expect(checks.filter((c) => c.source === "pact").length).toBeGreaterThan(10);
    expect(localSide.seen()).toBeGreaterThan(100);
  });

  it("reports the same checks in the same order, progress notes included, as a run on one instance", async () => {
    const [first, second] = await Promise.all([startCmdb(), startCmdb()]);
    const alone = await verifyRecorded({ ...SMALL, providerUrl: first.url });
    const beside = await verifyRecorded({
      ...SMALL,
      providerUrl: first.url,
      secondProvider: { providerUrl: second.url, stateSetupUrl: second.stateSetupUrl },
    });
    expect(beside.events).toEqual(alone.events);
    expect(beside.checks).toEqual(alone.checks);
    expect(alone.events.some((e) => e.startsWith("… property"))).toBe(true);
  });
});
