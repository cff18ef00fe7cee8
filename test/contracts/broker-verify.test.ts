/**
 * `verify --pact-broker-url`: the pacts a Pact Broker selects are verified by Pact's official verifier, which
 * publishes the verdict. A local test double of the broker (pact-broker-double.ts) records what the tool sent.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import type { FaultName } from "../../provider/faults.ts";
import { startReferenceCmdb } from "../../provider/server.ts";
import { runCommand } from "../cli/run-command.ts";
import { type BrokerDouble, type StoredPact, startBrokerDouble } from "./pact-broker-double.ts";

const TOKEN = "brk-t0ken-9f8e7d6c5b4a";
const PACT = JSON.parse(
  await readFile(new URL("../../contracts/pacts/cmdb-contract-consumer-bk-cmdb.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

function stored(overrides: Partial<StoredPact> = {}): StoredPact {
  return {
    consumer: "cmdb-contract-consumer",
    provider: "bk-cmdb",
    consumerVersion: "c0ffee1",
    content: PACT,
    ...overrides,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cmdb-broker-verify-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `verify` against the reference CMDB (with a fault, maybe) and the broker double; fast phases off. */
async function verifyFromBroker(
  broker: BrokerDouble,
  extra: string[],
  options: { fault?: FaultName; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; out: string; json: string; junit: string }> {
  const cmdb = await startReferenceCmdb(options.fault ? { fault: options.fault } : {});
  const json = join(dir, "report.json");
  const junit = join(dir, "report.xml");
  await rm(json, { force: true });
  await rm(junit, { force: true });
  try {
    const args = ["--provider-url", cmdb.url, "--state-setup-url", cmdb.stateSetupUrl, "--pact-broker-url", broker.url];
    const fast = ["--property-runs", "0", "--fuzz-runs", "0", "--json", json, "--junit", junit];
    const env = options.env ?? { PACT_BROKER_TOKEN: TOKEN };
    const run = await runCommand((a, io) => runVerify(a, io, env), [...args, ...fast, ...extra]);
    return {
      code: run.code,
      out: run.stdout + run.stderr,
      json: await readFile(json, "utf8").catch(() => ""),
      junit: await readFile(junit, "utf8").catch(() => ""),
    };
  } finally {
    await cmdb.close();
  }
}

describe("verify --pact-broker-url", () => {
  it("sends the recommended selectors, verifies the clean reference CMDB and publishes success with version and branch", async () => {
    const broker = await startBrokerDouble({ auth: `Bearer ${TOKEN}`, pacts: [stored()] });
    try {
      const run = await verifyFromBroker(broker, [
        "--provider-version",
        "1.4.2+abc123",
        "--provider-branch",
        "main",
        "--publish-verification-results",
      ]);
      expect(run.code, run.out).toBe(0);
      const query = broker.requests.find((r) => r.method === "POST" && r.path.endsWith("/for-verification"));
      expect(query?.body).toMatchObject({
        consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }],
        providerVersionBranch: "main",
      });
      expect(broker.verificationResults).toHaveLength(1);
      expect(broker.verificationResults[0]?.body).toMatchObject({
        success: true,
        providerApplicationVersion: "1.4.2+abc123",
      });
      expect(broker.branchVersions).toEqual([{ pacticipant: "bk-cmdb", branch: "main", version: "1.4.2+abc123" }]);
      expect(run.out).toContain(`Pacts: 1 from the Pact Broker at ${broker.url}`);
      expect(run.out).toContain("cmdb-contract-consumer version c0ffee1 -> bk-cmdb");
      expect(run.out).toMatch(/ok {3}spec +a request for process template 7/);
      // The token went to the broker, and nowhere else.
      expect(broker.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
      for (const text of [run.out, run.json, run.junit]) expect(text).not.toContain(TOKEN);
    } finally {
      await broker.close();
    }
  });

  it("publishes success false when the provider breaks the contract, and fails the run", async () => {
    const broker = await startBrokerDouble({ auth: `Bearer ${TOKEN}`, pacts: [stored()] });
    try {
      const run = await verifyFromBroker(
        broker,
        [
          "--provider-version",
          "2.0.0",
          "--publish-verification-results",
          "--consumer-version-selectors",
          '{"branch":"feat-x"}',
        ],
        { fault: "code-as-string" },
      );
      expect(run.code, run.out).toBe(1);
      const query = broker.requests.find((r) => r.method === "POST" && r.path.endsWith("/for-verification"));
      expect(query?.body).toMatchObject({ consumerVersionSelectors: [{ branch: "feat-x" }] });
      expect(broker.verificationResults.map((r) => r.body.success)).toEqual([false]);
      expect(run.out).not.toContain(TOKEN);
    } finally {
      await broker.close();
    }
  });

  it.each([
    "locked-scalar-overridden",
    "unmatched-bind-row-kept",
    "process-name-overridable",
    "locked-bind-port-overridden",
  ] as const)(
    "publishes success false against the lock fault %s: the pact itself covers the lock rules",
    async (fault) => {
      const broker = await startBrokerDouble({ pacts: [stored()] });
      try {
        const run = await verifyFromBroker(broker, ["--provider-version", "3.0.0", "--publish-verification-results"], {
          fault,
          env: {},
        });
        // The official verifier fails the read-back interaction, so the broker records the failure.
        expect(run.code, run.out).toBe(1);
        expect(run.out).toMatch(/FAIL pact +a read-back of the processes a templated create made/);
        expect(broker.verificationResults.map((r) => r.body.success)).toEqual([false]);
      } finally {
        await broker.close();
      }
    },
  );

  it("publishes nothing without --publish-verification-results", async () => {
    const broker = await startBrokerDouble({ pacts: [stored()] });
    try {
      const run = await verifyFromBroker(broker, [], { env: {} });
      expect(run.code, run.out).toBe(0);
      expect(broker.verificationResults).toEqual([]);
      expect(run.out).toContain("results not published");
    } finally {
      await broker.close();
    }
  });

  it("counts a pending pact's failures as pending with --enable-pending, and fails on them without it", async () => {
    // A consumer's new expectation the provider does not meet yet: a response header it never sends.
    const content = structuredClone(PACT) as { interactions: { response: { headers?: Record<string, unknown> } }[] };
    const first = content.interactions[0] as { response: { headers?: Record<string, unknown> } };
    first.response.headers = { ...first.response.headers, "X-Cmdb-Trace": "on" };
    const broker = await startBrokerDouble({ auth: `Bearer ${TOKEN}`, pacts: [stored({ pending: true, content })] });
    try {
      const pending = await verifyFromBroker(broker, ["--enable-pending"]);
      expect(pending.code, pending.out).toBe(0);
      expect(pending.out).toMatch(/PEND pact/);
      expect(pending.out).toMatch(/PASS: \d+ checks, 0 failed, .*1 pending/);
      expect(pending.out).toContain("-> bk-cmdb (pending)");
      expect(JSON.parse(pending.json).checks.some((c: { status: string }) => c.status === "pending")).toBe(true);
      const query = broker.requests.find((r) => r.method === "POST" && r.path.endsWith("/for-verification"));
      expect(query?.body).toMatchObject({ includePendingStatus: true });

      const strict = await verifyFromBroker(broker, []);
      expect(strict.code, strict.out).toBe(1);
      expect(strict.out).not.toMatch(/PEND pact/);
    } finally {
      await broker.close();
    }
  });

  it("exits 2 naming the broker, never the token, when the broker refuses the credentials", async () => {
    const broker = await startBrokerDouble({ auth: "Bearer the-right-one", pacts: [stored()] });
    try {
      const run = await verifyFromBroker(broker, [], { env: { PACT_BROKER_TOKEN: TOKEN } });
      expect(run.code).toBe(2);
      expect(run.out).toContain(`${broker.url}/: the Pact Broker answered HTTP 401; set PACT_BROKER_TOKEN`);
      expect(run.out).not.toContain(TOKEN);
    } finally {
      await broker.close();
    }
  });

  it("sends basic auth from PACT_BROKER_USERNAME/PASSWORD", async () => {
    const basic = `Basic ${Buffer.from("ci:pa55-w0rd-xyz").toString("base64")}`;
    const broker = await startBrokerDouble({ auth: basic, pacts: [stored()] });
    try {
      const env = { PACT_BROKER_USERNAME: "ci", PACT_BROKER_PASSWORD: "pa55-w0rd-xyz" };
      const run = await verifyFromBroker(broker, ["--provider-version", "1", "--publish-verification-results"], {
        env,
      });
      expect(run.code, run.out).toBe(0);
      expect(broker.verificationResults).toHaveLength(1);
      for (const text of [run.out, run.json, run.junit]) expect(text).not.toContain("pa55-w0rd-xyz");
    } finally {
      await broker.close();
    }
  });

  it.each([
    [["--provider-version", "1"], "--provider-version goes with --pact-broker-url"],
    [["--pact-broker-url", "http://127.0.0.1:9", "--publish-verification-results"], "needs --provider-version"],
    [["--pact-broker-url", "http://127.0.0.1:9", "--consumer-version-selectors", "[1]"], "/0 must be a selector"],
    [["--pact-broker-url", "http://127.0.0.1:9", "--pacts", "x"], "give one"],
    [["--pact-broker-url", "broker.example.com"], "is not an http(s) URL"],
  ])("refuses %j (exit 2)", async (args, message) => {
    const io = { stdout: () => {}, stderr: () => {} };
    await expect(runVerify(args, io, {})).rejects.toThrow(message);
  });
});
