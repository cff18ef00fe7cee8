import { mkdtemp, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { CANARY_SECRET } from "../../contracts/shared/canary.ts";

/** Runs `cmdb-contract verify` in-process and answers its exit code and everything it printed. */
async function verify(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runVerify(args, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// Short limits keep these tests quick; the default per-request timeout is 5 s.
const FAST = ["--timeout-ms", "300", "--property-runs", "2"];

describe("runVerify against a broken provider", () => {
  it.each([
    [
      "hangs",
      (_req: unknown, _res: unknown) => {
        // Never answers.
      },
      /no complete answer within 300 ms/,
    ],
    ["resets connections", (req: { socket: { destroy(): void } }) => req.socket.destroy(), /reset/],
    [
      "answers an HTML page",
      (_req: unknown, res: { writeHead(s: number, h: object): void; end(t: string): void }) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html><body>502 Bad Gateway</body></html>");
      },
      /not JSON \(text\/html\): <html><body>502 Bad Gateway/,
    ],
    [
      "answers 10 MB",
      (_req: unknown, res: { writeHead(s: number, h: object): void; end(t: string): void }) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"data":"${"x".repeat(10 * 1024 * 1024)}"}`);
      },
      /exceeds 1048576 bytes/,
    ],
  ])("reports a provider that %s as a failure with the reason (exit 1)", async (_name, handler, reason) => {
    const url = await listen(handler as Parameters<typeof createServer>[1]);
    const { code, out } = await verify(["--provider-url", url, ...FAST]);
    expect(code).toBe(1);
    const summary = out.slice(out.indexOf("Summary"));
    expect(summary).toMatch(/Envelope: \d+ failed/);
    expect(summary).toMatch(reason);
    expect(out).toMatch(/FAIL: \d+ checks, \d+ failed/);
  });
});

describe("runVerify exit code 2", () => {
  it("when the provider cannot be reached", async () => {
    const url = await listen(() => {});
    const server = servers.pop() as Server;
    await new Promise((resolve) => server.close(resolve));
    const { code, err } = await verify(["--provider-url", url]);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot reach the provider at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it("on an unreadable pact folder", async () => {
    const { code, err } = await verify(["--pacts", "/nonexistent/pacts", "--property-runs", "0"]);
    expect(code).toBe(2);
    expect(err).toContain("/nonexistent/pacts");
  });

  it("on a live file that is missing", async () => {
    const { code, err } = await verify(["--provider-url", "http://127.0.0.1:9", "--live", "/nonexistent/live.yaml"]);
    expect(code).toBe(2);
    expect(err).toContain("/nonexistent/live.yaml");
  });

  it.each([
    [["--timeout-ms", "soon"], /--timeout-ms/],
    [["--property-runs", "-1"], /--property-runs must be a whole number from 0 to 1000000, not "-1"/],
    [["--timeout-ms=99999999999"], /--timeout-ms must be a whole number from 1 to 2147483647/],
    [["--provider-url", "ftp://x"], /not an http/],
    [["--live", "x.yaml"], /--live needs --provider-url/],
    [["--bogus"], /bogus/],
  ])("on bad arguments %j (thrown as a UsageError)", async (args, message) => {
    await expect(verify(args)).rejects.toThrow(message);
  });
});

describe("runVerify reports", () => {
  it("are byte-identical from run to run, for a failing provider too (apart from its port)", async () => {
    const { startReferenceCmdb } = await import("../../provider/server.ts");
    const dir = await mkdtemp(join(tmpdir(), "verify-"));
    const texts: string[] = [];
    for (const run of [1, 2]) {
      const cmdb = await startReferenceCmdb({ fault: "unmatched-bind-row-kept" });
      try {
        const file = join(dir, `run-${run}.json`);
        expect((await verify(["--provider-url", cmdb.url, "--json", file])).code).toBe(1);
        texts.push((await readFile(file, "utf8")).split(cmdb.url).join("<provider>"));
      } finally {
        await cmdb.close();
      }
    }
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).toContain('"rule": "template-lock"');
  });
});

describe("runVerify against the embedded reference CMDB (npm start)", () => {
  it("passes every check, writes JSON and JUnit reports without secrets, and answers --help", async () => {
    const dir = await mkdtemp(join(tmpdir(), "verify-"));
    const json = join(dir, "report.json");
    const junit = join(dir, "report.xml");
    const { code, out } = await verify(["--json", json, "--junit", junit]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/^\[ *1\/\d+\] ok {3}spec/m);
    expect(out).toMatch(/PASS: \d+ checks, 0 failed/);
    const report = JSON.parse(await readFile(json, "utf8")) as { passed: boolean; totals: { checks: number } };
    expect(report.passed).toBe(true);
    expect(report.totals.checks).toBeGreaterThan(90);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="cmdb-contract verify" tests="\d+" failures="0"/,
    );
    for (const text of [out, xml, await readFile(json, "utf8")]) {
      expect(text).not.toContain(CANARY_SECRET);
      expect(text).not.toContain("fixture-secret-not-real");
    }
    expect((await verify(["--help"])).out).toContain("Usage: cmdb-contract verify");
  });
});

describe("runVerify --state-token", () => {
  it("sends the token with every state setup (Pact states included), and never prints it", async () => {
    const { startReferenceCmdb } = await import("../../provider/server.ts");
    const token = "state-token-for-verify";
    const cmdb = await startReferenceCmdb({ stateToken: token });
    try {
      const refused = await verify(["--provider-url", cmdb.url, "--property-runs", "2"]);
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(/state setup answered HTTP 401/);
      const passed = await verify(["--provider-url", cmdb.url, "--property-runs", "2", "--state-token", token]);
      expect(passed.code, passed.out).toBe(0);
      expect(passed.out + passed.err + refused.out).not.toContain(token);
    } finally {
      await cmdb.close();
    }
  });
});
