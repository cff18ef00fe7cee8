/**
 * `verify --route apigw`: every check over the API gateway route (paths under the stage, header auth, CMDB's native
 * envelope), with answers of the gateway itself reported as gateway failures and secrets redacted in every form.
 */
import { copyFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { PACTS_DIR } from "../../contracts/shared/pact-format.ts";
import { loadWorlds } from "../../contracts/shared/worlds.ts";
import { startReferenceCmdb } from "../../provider/server.ts";
import { runCommand } from "../cli/run-command.ts";

async function verify(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const run = await runCommand(runVerify, args);
  return { code: run.code, out: run.stdout, err: run.stderr };
}

const SECRET = "fixture-secret-not-real";
let pactDir: string;

/** A one-interaction gateway pact (provider bk-cmdb-apigw) over the demo world, as the pact of a gateway consumer. */
async function writeGatewayPact(dir: string): Promise<void> {
  const world = (await loadWorlds()).get("demo");
  const auth = JSON.stringify({ bk_app_code: "cmdb-contract", bk_app_secret: SECRET, bk_username: "admin" });
  const pact = {
    consumer: { name: "gateway-consumer" },
    provider: { name: "bk-cmdb-apigw" },
    interactions: [
      {
        type: "Synchronous/HTTP",
        description: "a gateway delete of an instance the business does not have",
        providerStates: [{ name: "the demo world", params: { world } }],
        request: {
          method: "DELETE",
          path: "/api/v3/deletemany/proc/service_instance",
          headers: { "Content-Type": ["application/json"], "X-Bkapi-Authorization": [auth] },
          body: {
            contentType: "application/json",
            encoded: false,
            content: { bk_biz_id: 2, service_instance_ids: [5] },
          },
        },
        response: {
          status: 200,
          body: {
            contentType: "application/json",
            encoded: false,
            content: { bk_error_code: 0, bk_error_msg: "success", data: null, permission: null, result: true },
          },
        },
      },
    ],
    metadata: { pactSpecification: { version: "4.0" } },
  };
  await writeFile(join(dir, "gateway.json"), JSON.stringify(pact, null, 2));
}

beforeAll(async () => {
  pactDir = await mkdtemp(join(tmpdir(), "apigw-pacts-"));
  await writeGatewayPact(pactDir);
});

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const FAST = ["--property-runs", "2", "--fuzz-runs", "13", "--timeout-ms", "2000"];

describe("verify --route apigw against the reference CMDB", () => {
  it("passes the clean provider over a stage, reaching every operation under /api/bk-cmdb/<stage>/", async () => {
    const cmdb = await startReferenceCmdb();
    try {
      const { code, out } = await verify([
        "--provider-url",
        cmdb.url,
        "--route",
        "apigw",
        "--stage",
        "test",
        "--pacts",
        pactDir,
      ]);
      expect(code, out).toBe(0);
      expect(out).toContain(", over the API gateway route, stage test");
      expect(out).toContain("Summary for ");
      expect(out).toMatch(
        /Gateway \(answers of the API gateway itself, not of CMDB\): passed \(\d+ responses checked\)/,
      );
      expect(out).toContain("reject/bad-credentials");
      expect(out).not.toContain(SECRET);
    } finally {
      await cmdb.close();
    }
  });

  it("reports a fault of the native envelope under Envelope, with a gateway reproduce line", async () => {
    const cmdb = await startReferenceCmdb({ fault: "code-as-string" });
    try {
      const { code, out } = await verify(["--provider-url", cmdb.url, "--route", "apigw", "--pacts", pactDir, ...FAST]);
      expect(code).toBe(1);
      const summary = out.slice(out.indexOf("\nSummary"));
      expect(summary).toMatch(/ {2}Envelope: \d+ failed/);
      expect(summary).toContain("at /bk_error_code");
      expect(summary).toMatch(
        /reproduce: curl -sS -X POST 'http:\/\/127\.0\.0\.1:\d+\/api\/bk-cmdb\/prod\/api\/v3\/[^']+' -H 'X-Bkapi-Authorization: \{"bk_app_code":"cmdb-contract","bk_app_secret":"<BK_APP_SECRET>"/,
      );
      expect(out).not.toContain(SECRET);
    } finally {
      await cmdb.close();
    }
  });
});

describe("verify --route apigw against a gateway that refuses every call", () => {
  it("reports the gateway's own answers as gateway failures in their own words, not as CMDB rules broken", async () => {
    const url = await listen((req, res) => {
      if (req.url === "/_cmdb/state") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"result":true}');
        return;
      }
      // Echoes the credential header back: the report must still not show the secret.
      const echoed = String(req.headers["x-bkapi-authorization"]);
      res.writeHead(400, { "content-type": "application/json", "x-bkapi-request-id": "r1" });
      res.end(
        JSON.stringify({
          code_name: "INVALID_ARGS",
          code: 1640001,
          message: `bad ${echoed}`,
          result: false,
          data: null,
        }),
      );
    });
    const dir = await mkdtemp(join(tmpdir(), "apigw-report-"));
    const json = join(dir, "report.json");
    const { code, out } = await verify([
      "--provider-url",
      url,
      "--route",
      "apigw",
      "--pacts",
      pactDir,
      "--json",
      json,
      ...FAST,
    ]);
    expect(code).toBe(1);
    const summary = out.slice(out.indexOf("\nSummary"));
    expect(summary).toMatch(/Gateway \(answers of the API gateway itself, not of CMDB\): \d+ failed/);
    expect(summary).toContain("at (gateway)");
    expect(summary).toContain("actual   gateway answered 400 1640001 INVALID_ARGS");
    // The fixture that expects ESB's refusal of a wrong secret gets the gateway's 1640001 in its place and passes.
    expect(out).toMatch(/ok {3}fixture {2}reject\/bad-credentials/);
    // No CMDB code was ever compared against a gateway answer.
    expect(summary).not.toMatch(/at \/code\n\s+expected 0/);
    const report = await readFile(json, "utf8");
    expect(report).toContain('"rule": "gateway"');
    for (const text of [out, report]) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain("<REDACTED>");
    }
  });
});

describe("verify --route apigw against a provider answering the gateway docs' ESB-style body", () => {
  it("accepts code/message as the UNCONFIRMED alternative, checks it with the same rules, and says so in a note", async () => {
    const cmdb = await startReferenceCmdb();
    // A gateway whose answers carry `code`/`message` (as the gateway docs show) instead of CMDB's native keys.
    const url = await listen(async (req, res, body) => {
      const answer = await fetch(`${cmdb.url}${req.url}`, {
        method: req.method ?? "POST",
        headers: Object.fromEntries(
          Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string" && e[0] !== "host"),
        ),
        body,
      });
      const json = (await answer.json()) as Record<string, unknown>;
      const { bk_error_code, bk_error_msg, ...rest } = json;
      const docsStyle = "bk_error_code" in json ? { ...rest, code: bk_error_code, message: bk_error_msg } : json;
      res.writeHead(answer.status, {
        "content-type": "application/json",
        "x-bkapi-request-id": answer.headers.get("x-bkapi-request-id") ?? "",
      });
      res.end(JSON.stringify(docsStyle));
    });
    try {
      const { out } = await verify(["--provider-url", url, "--route", "apigw", "--pacts", pactDir, ...FAST]);
      expect(out).toContain(
        "note: lenient: the provider answers the gateway route with the ESB-style code/message body",
      );
      expect(out).toMatch(/ok {3}fixture {2}create\/templated-two-hosts-in-order/);
      expect(out).toMatch(/ok {3}property/);
      expect(out).not.toMatch(/FAIL (fixture|property|fuzz)/);
    } finally {
      await cmdb.close();
    }
  });
});

describe("verify --route and --stage: usage", () => {
  it.each([
    [["--route", "soap"], /--route: "soap" is not a route; one of esb, apigw/],
    [["--stage", "test"], /--stage names a stage of the API gateway: it goes with --route apigw/],
    [["--route", "apigw", "--stage", "a b"], /--stage must be a gateway stage name/],
    [["--route", "apigw", "--stage", ""], /--stage must be a gateway stage name/],
  ])("refuses %j", async (args, message) => {
    await expect(verify(args)).rejects.toThrow(message);
  });

  it("--help explains both routes, the stage and gateway failures", async () => {
    const { out } = await verify(["--help"]);
    for (const part of ["--route esb|apigw", "--stage NAME", "bk-cmdb-apigw", "X-Bkapi-Authorization", "1640001"]) {
      expect(out).toContain(part);
    }
  });

  it("exits 2 naming the provider when the pact folder has no pact of the route", async () => {
    const cmdb = await startReferenceCmdb();
    try {
      const esbOnly = await mkdtemp(join(tmpdir(), "esb-pacts-"));
      await copyFile(join(PACTS_DIR, "cmdb-contract-consumer-bk-cmdb.json"), join(esbOnly, "esb.json"));
      const { code, err } = await verify(["--provider-url", cmdb.url, "--route", "apigw", "--pacts", esbOnly]);
      expect(code).toBe(2);
      expect(err).toContain(
        'no pact of provider "bk-cmdb-apigw" (the --route apigw pacts); the folder has pacts of: bk-cmdb',
      );
    } finally {
      await cmdb.close();
    }
  });
});
