/**
 * `cmdb-contract publish-pacts`: spec-validated pacts go to a Pact Broker through Pact's official CLI. A local test
 * double of the broker (pact-broker-double.ts) records what `pact-broker publish` sent.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPublishPacts } from "../../cli/publish-pacts.ts";
import { runCommand } from "../cli/run-command.ts";
import { startBrokerDouble } from "./pact-broker-double.ts";

const TOKEN = "pub-t0ken-1a2b3c4d5e";
const PACT_FILE = new URL("../../contracts/pacts/cmdb-contract-consumer-bk-cmdb.json", import.meta.url);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cmdb-publish-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function publish(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  const run = await runCommand((a, io) => runPublishPacts(a, io, env), args);
  return { code: run.code, out: run.stdout + run.stderr };
}

describe("publish-pacts", () => {
  it("publishes the committed pact under the consumer name, version, branch and tags given", async () => {
    const broker = await startBrokerDouble({ auth: `Bearer ${TOKEN}` });
    try {
      const run = await publish(
        ["--consumer-app-version", "9f1c2ab", "--consumer", "team-a-deployer", "--branch", "main", "--tag", "prod"],
        { PACT_BROKER_BASE_URL: broker.url, PACT_BROKER_TOKEN: TOKEN },
      );
      expect(run.code, run.out).toBe(0);
      type Published = {
        pacticipantName: string;
        pacticipantVersionNumber: string;
        branch?: string;
        tags?: string[];
        contracts: { consumerName: string; providerName: string; content: string }[];
      };
      // One publication per committed pact: the ESB route's (bk-cmdb) and the API gateway route's (bk-cmdb-apigw).
      const all = broker.published as Published[];
      expect(all.map((r) => r.contracts.map((c) => c.providerName)).sort()).toEqual([["bk-cmdb"], ["bk-cmdb-apigw"]]);
      const request = all.find((r) => r.contracts[0]?.providerName === "bk-cmdb") as Published;
      expect(request).toMatchObject({
        pacticipantName: "team-a-deployer",
        pacticipantVersionNumber: "9f1c2ab",
        branch: "main",
        tags: ["prod"],
      });
      expect(request.contracts.map((c) => [c.consumerName, c.providerName])).toEqual([["team-a-deployer", "bk-cmdb"]]);
      // The content is the committed pact with the consumer renamed (the CLI stamps its own metadata).
      const committed = JSON.parse(await readFile(PACT_FILE, "utf8"));
      const sent = JSON.parse(Buffer.from(request.contracts[0]?.content ?? "", "base64").toString("utf8"));
      expect(sent.consumer).toEqual({ name: "team-a-deployer" });
      expect(sent.provider).toEqual(committed.provider);
      expect(sent.interactions).toEqual(committed.interactions);
      expect(run.out).toContain("published: team-a-deployer 9f1c2ab -> bk-cmdb");
      expect(run.out).not.toContain(TOKEN);
      expect(broker.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    } finally {
      await broker.close();
    }
  });

  it("does not publish a pact that contradicts the spec, publishes the others and exits 1", async () => {
    const pacts = join(dir, "mixed");
    await rm(pacts, { recursive: true, force: true });
    await (await import("node:fs/promises")).mkdir(pacts);
    await copyFile(PACT_FILE, join(pacts, "a-good.json"));
    const bad = JSON.parse(await readFile(PACT_FILE, "utf8"));
    bad.consumer.name = "drifted-consumer";
    // The spec says `code` is an integer; this consumer expects a string.
    bad.interactions[0].response.body.content.code = "0";
    await writeFile(join(pacts, "b-drifted.json"), JSON.stringify(bad));
    const broker = await startBrokerDouble();
    try {
      const run = await publish(["--pact-broker-url", broker.url, "--consumer-app-version", "1", "--pacts", pacts], {});
      expect(run.code, run.out).toBe(1);
      expect(run.out).toContain(`not published: ${join(pacts, "b-drifted.json")} contradicts the spec`);
      const names = broker.published.flatMap((p) =>
        (p.contracts as { consumerName: string }[]).map((c) => c.consumerName),
      );
      expect(names).toEqual(["cmdb-contract-consumer"]);
    } finally {
      await broker.close();
    }
  });

  it("exits 1 and says so when the broker refuses the publication, never printing the token", async () => {
    const broker = await startBrokerDouble({ auth: "Bearer another" });
    try {
      const run = await publish(["--pact-broker-url", broker.url, "--consumer-app-version", "1"], {
        PACT_BROKER_TOKEN: TOKEN,
      });
      expect(run.code).toBe(1);
      expect(run.out).toContain("pact-broker publish failed");
      expect(run.out).not.toContain(TOKEN);
      expect(broker.published).toEqual([]);
    } finally {
      await broker.close();
    }
  });

  it.each([
    [["--consumer-app-version", "1"], "--pact-broker-url (or $PACT_BROKER_BASE_URL) is required"],
    [["--pact-broker-url", "http://127.0.0.1:9"], "--consumer-app-version is required"],
    [["--pact-broker-url", "ftp://x", "--consumer-app-version", "1"], "is not an http(s) URL"],
  ])("refuses %j", async (args, message) => {
    await expect(publish(args, {})).rejects.toThrow(message);
  });
});
