/**
 * A release gate must survive any provider and never pass what it did not observe. Each test here is a provider a
 * user met (a mock without a state endpoint, one that hangs, one that answers 200,000 levels deep, one that echoes
 * secrets or control characters) and checks what `verify` answers: the exit code, a bounded number of requests,
 * the summary and the reports, no leaked secret and no raw control character.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { secretForms } from "../../contracts/verify/secrets.ts";
import { TRANSPORT_FAILURES_BEFORE_GIVING_UP } from "../../contracts/verify/session.ts";
import { startReferenceCmdb } from "../../provider/server.ts";
import { runCommand } from "../cli/run-command.ts";

async function verify(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await runCommand(runVerify, args);
  return { code, out: stdout, err: stderr };
}

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A provider on loopback: one handler for the state endpoint, one for every ESB call; counts what each got. */
interface HostileProvider {
  url: string;
  stateRequests: number;
  esbRequests: number;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function provider(handlers: { state: Handler; esb: Handler }): Promise<HostileProvider> {
  const counts = { stateRequests: 0, esbRequests: 0 };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (req.url?.startsWith("/_cmdb/state")) {
        counts.stateRequests += 1;
        handlers.state(req, body, res);
      } else {
        counts.esbRequests += 1;
        handlers.esb(req, body, res);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(counts, { url });
}

const json = (res: ServerResponse, status: number, value: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof value === "string" ? value : JSON.stringify(value));
};
const acceptState: Handler = (_req, _body, res) => json(res, 200, {});
const envelope = (data: unknown) => ({
  result: true,
  code: 0,
  message: "success",
  permission: null,
  request_id: "r",
  data,
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe("verify against a mock without a state endpoint (as Prism is)", () => {
  it("says once what to implement, keeps stdout under 10 KB, sends one state request, and fails", async () => {
    const mock = await provider({
      state: (_req, _body, res) => json(res, 404, { type: "NO_PATH_MATCHED_ERROR", title: "Route not resolved" }),
      esb: (_req, _body, res) => json(res, 200, envelope([1])),
    });
    const { code, out } = await verify(["--provider-url", mock.url]);
    expect(code).toBe(1);
    expect(Buffer.byteLength(out)).toBeLessThan(10_000);
    expect(out.match(/The provider has no usable state-setup endpoint/g)).toHaveLength(1);
    expect(out).toContain(`POST ${mock.url}/_cmdb/state`);
    expect(out).toContain('{"state": "<name>", "params": {"world": {…}}, "action": "setup" | "teardown"}');
    expect(out).toMatch(/--state-setup-url URL/);
    expect(out).toMatch(/--live FILE/);
    // Nothing was observed, so nothing passed: every check that needs a state fails, no ESB call was made.
    expect(out).toMatch(/Envelope: \d+ failed \(0 responses checked\)/);
    expect(out).not.toMatch(/\] ok {3}(pact|fixture|property)/);
    // The checks that needed a state are one line, not one each.
    expect(out).toMatch(
      /^\[\d+-\d+\/\d+\] FAIL \d+ check\(s\) not run: the provider has no usable state-setup endpoint/m,
    );
    expect(mock.stateRequests).toBe(1);
  });
});

describe("verify against a provider that hangs on every ESB call but answers its state endpoint", () => {
  it(`stops waiting after ${TRANSPORT_FAILURES_BEFORE_GIVING_UP} hanging requests and says why`, async () => {
    const mock = await provider({ state: acceptState, esb: () => {} });
    const { code, out } = await verify(["--provider-url", mock.url, "--timeout-ms", "200"]);
    expect(code).toBe(1);
    // The bound is in requests, so it holds at any timeout: 2 waits, then every other request fails at once.
    expect(mock.esbRequests).toBeLessThanOrEqual(TRANSPORT_FAILURES_BEFORE_GIVING_UP);
    expect(out).toMatch(/note: The provider stopped answering: 2 requests in a row got no complete answer/);
    expect(out).toMatch(/FAIL: \d+ checks, \d+ failed/);
  });
});

describe("verify against a provider that answers deeply nested data", () => {
  it.each([5_000, 200_000])("survives data nested %i levels deep: exit 1, summary and both reports", async (depth) => {
    const deep = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const mock = await provider({
      state: acceptState,
      esb: (_req, _body, res) =>
        json(res, 200, `{"result":true,"code":0,"message":"ok","permission":null,"request_id":"r","data":${deep}}`),
    });
    const dir = await mkdtemp(join(tmpdir(), "verify-deep-"));
    // The report folders do not exist yet: verify creates them.
    const jsonFile = join(dir, "reports", "nested", "verify.json");
    const junitFile = join(dir, "reports", "verify.xml");
    const { code, out } = await verify([
      "--provider-url",
      mock.url,
      "--property-runs",
      "3",
      "--json",
      jsonFile,
      "--junit",
      junitFile,
    ]);
    expect(code).toBe(1);
    expect(out).toMatch(/\nSummary for /);
    expect(out).toContain("… (cut at");
    expect((JSON.parse(await readFile(jsonFile, "utf8")) as { passed: boolean }).passed).toBe(false);
    expect(await readFile(junitFile, "utf8")).toMatch(
      /<testsuites name="cmdb-contract verify" tests="\d+" failures="[1-9]/,
    );
  });
});

describe("verify against a provider that answers control characters", () => {
  it("escapes them in stdout and in both reports", async () => {
    const nasty = "\u001b[2J\u001b[31mred\u0007bell\u0000nul\bback\u009bcsi";
    const mock = await provider({
      state: acceptState,
      esb: (_req, _body, res) =>
        json(res, 200, {
          result: false,
          code: 1199006,
          message: nasty,
          permission: null,
          request_id: nasty,
          data: null,
        }),
    });
    const dir = await mkdtemp(join(tmpdir(), "verify-control-"));
    const { code, out } = await verify([
      "--provider-url",
      mock.url,
      "--property-runs",
      "2",
      "--json",
      join(dir, "v.json"),
      "--junit",
      join(dir, "v.xml"),
    ]);
    expect(code).toBe(1);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain("\\u001b[31mred\\u0007bell");
    for (const file of ["v.json", "v.xml"]) expect(await readFile(join(dir, file), "utf8")).not.toMatch(RAW_CONTROL);
  });
});

describe("verify in live mode against a provider that echoes the secret back", () => {
  it("redacts the raw, JSON-escaped, URL-encoded and base64 forms everywhere", async () => {
    const secret = 'live"se\\cret/+ 0042';
    // Each answer echoes the secret in one more form, at the start of the message (which reports cut to 100 chars).
    let answers = 0;
    const echo: Handler = (_req, body, res) => {
      const at = body.indexOf("bk_app_secret");
      const forms = [
        body.slice(at, at + 60), // the request as JSON text: the secret JSON-escaped
        JSON.stringify(body.slice(at, at + 60)), // and escaped twice
        encodeURIComponent(secret),
        `${Buffer.from(`app:${secret}`).toString("base64")} ${secret}`,
      ];
      const message = `${forms[answers++ % forms.length]} was refused`;
      json(res, 200, { result: false, code: 1306406, message, permission: null, request_id: "r", data: null });
    };
    const mock = await provider({ state: acceptState, esb: echo });
    const dir = await mkdtemp(join(tmpdir(), "verify-secret-"));
    const live = join(dir, "live.json");
    await writeFile(
      live,
      JSON.stringify({
        bk_biz_id: 2,
        non_templated_module: 60,
        templated_module: 61,
        process_template_ids: [7],
        hosts: [{ bk_host_id: 10, bk_host_innerip: "10.0.0.5" }],
        auth: { bk_app_code: "cmdb-contract", bk_app_secret: secret, bk_username: "admin" },
      }),
    );
    const { code, out, err } = await verify([
      "--provider-url",
      mock.url,
      "--live",
      live,
      "--json",
      join(dir, "v.json"),
      "--junit",
      join(dir, "v.xml"),
    ]);
    expect(code).toBe(1);
    const texts = [out, err, await readFile(join(dir, "v.json"), "utf8"), await readFile(join(dir, "v.xml"), "utf8")];
    const junitForms = secretForms(secret).map((f) => f.replace(/&/g, "&amp;").replace(/"/g, "&quot;"));
    expect(answers).toBeGreaterThanOrEqual(4);
    for (const text of texts) {
      if (text !== err) expect(text).toMatch(/<REDACTED>|&lt;REDACTED&gt;/);
      for (const form of [...secretForms(secret), ...junitForms]) expect(text).not.toContain(form);
    }
  });
});

describe("verify never reports what it did not observe", () => {
  it("fails the template-lock rule when every read-back answers an error (--fault read-back-fails)", async () => {
    const cmdb = await startReferenceCmdb({ fault: "read-back-fails" });
    try {
      const { code, out } = await verify(["--provider-url", cmdb.url, "--property-runs", "3"]);
      expect(code).toBe(1);
      const lock = out.slice(out.indexOf("  Template lock:"));
      expect(lock).toMatch(/^ {2}Template lock: \d+ failed/);
      expect(lock).toContain("not observed: 1199006");
    } finally {
      await cmdb.close();
    }
  });

  it("shows --property-runs 0 as a skipped check, never as passed", async () => {
    const cmdb = await startReferenceCmdb();
    try {
      const { code, out } = await verify(["--provider-url", cmdb.url, "--property-runs", "0"]);
      expect(code, out).toBe(0);
      expect(out).toMatch(/\] SKIP property .*\(skipped: --property-runs 0\)/);
      expect(out).toMatch(/PASS: \d+ checks, 0 failed, 1 skipped/);
    } finally {
      await cmdb.close();
    }
  });

  it("reports a --skip rule as skipped and refuses an unknown one", async () => {
    const cmdb = await startReferenceCmdb();
    try {
      const { code, out } = await verify(["--provider-url", cmdb.url, "--skip", "template-lock"]);
      expect(code, out).toBe(0);
      expect(out).toContain("Template lock: skipped (--skip)");
      expect(out).not.toMatch(/\] ok {3}fixture {2}lock\//);
    } finally {
      await cmdb.close();
    }
    await expect(verify(["--skip", "locks"])).rejects.toThrow(/--skip: "locks" is not a rule; one of envelope/);
  });
});
