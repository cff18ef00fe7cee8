/**
 * A failure's `setup` and `reproduce` lines must reproduce it on their own: against a provider with the same fault,
 * verify reports failures; the lines are read back out of the report, the placeholders filled with values of our
 * choosing (one value per placeholder, in every line), and sent with `fetch` to a fresh provider with that fault,
 * whose answer must show the deviation the report named.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { CANARY_SECRET } from "../../contracts/shared/canary.ts";
import { loadWorlds } from "../../contracts/shared/worlds.ts";
import type { CheckFailure, CheckSource } from "../../contracts/verify/report.ts";
import { sortProcesses } from "../../contracts/verify/step.ts";
import { showValue } from "../../contracts/verify/values.ts";
import type { FaultName } from "../../provider/faults.ts";
import { startReferenceCmdb } from "../../provider/server.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { readOperationPaths } from "../../spec/operations.ts";

/** The values a user would fill in: one per placeholder, none of them the fixtures' real ones. */
const FILL: Readonly<Record<string, string>> = {
  "<BK_APP_SECRET>": "filled-in-app-secret",
  "<BK_TOKEN>": "filled-in-token",
  "<OTHER_BK_APP_SECRET>": "filled-in-wrong-secret",
  "<OTHER_BK_TOKEN>": "filled-in-wrong-token",
};

interface VerifyRun {
  code: number;
  providerUrl: string;
  stateSetupUrl: string;
  summary: string;
  jsonText: string;
  xml: string;
  checks: { source: CheckSource; name: string; failures: CheckFailure[] }[];
}

/** Runs `cmdb-contract verify --json --junit` against a reference CMDB with one fault. */
async function verifyAgainst(fault: FaultName, propertyRuns: number, route = "esb"): Promise<VerifyRun> {
  const cmdb = await startReferenceCmdb({ fault });
  const dir = await mkdtemp(join(tmpdir(), "reproduce-"));
  const json = join(dir, "report.json");
  const junit = join(dir, "report.xml");
  let out = "";
  try {
    const args = [
      "--provider-url",
      cmdb.url,
      "--json",
      json,
      "--junit",
      junit,
      "--property-runs",
      String(propertyRuns),
      "--route",
      route,
    ];
    const code = await runVerify(args, {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        out += t;
      },
    });
    const jsonText = await readFile(json, "utf8");
    return {
      code,
      providerUrl: cmdb.url,
      stateSetupUrl: cmdb.stateSetupUrl,
      summary: out.slice(out.indexOf("\nSummary")),
      jsonText,
      xml: await readFile(junit, "utf8"),
      checks: (JSON.parse(jsonText) as { checks: VerifyRun["checks"] }).checks,
    };
  } finally {
    await cmdb.close();
  }
}

/** Splits a shell line into words the way `sh` does for the quoting `formatCurl` uses ('…' and \'). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === "\\") {
      word = (word ?? "") + (line[i + 1] ?? "");
      i++;
    } else if (c === " ") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** A request a pasted curl line sends. */
interface PastedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** What a pasted curl line would send, to the fresh provider instead of the reported one, placeholders filled in. */
function requestOf(line: string, reportedUrl: string, freshUrl: string): PastedRequest {
  const fill = (text: string): string => {
    let filled = text;
    for (const [placeholder, value] of Object.entries(FILL)) filled = filled.split(placeholder).join(value);
    expect(filled.match(/<[A-Z][A-Z0-9_]*>/g) ?? [], "every placeholder has a value").toEqual([]);
    return filled;
  };
  const words = shellWords(line);
  expect(words.slice(0, 3)).toEqual(["curl", "-sS", "-X"]);
  const url = words[4] as string;
  expect(url.startsWith(reportedUrl), url).toBe(true);
  const headers: Record<string, string> = {};
  words.forEach((word, i) => {
    if (word !== "-H") return;
    const header = words[i + 1] as string;
    const colon = header.indexOf(": ");
    headers[header.slice(0, colon).toLowerCase()] = fill(header.slice(colon + 2));
  });
  const data = fill(words[words.indexOf("-d") + 1] as string);
  return { method: words[3] as string, url: freshUrl + url.slice(reportedUrl.length), headers, body: JSON.parse(data) };
}

async function send(request: PastedRequest): Promise<Record<string, unknown>> {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: JSON.stringify(request.body),
  });
  return (await res.json()) as Record<string, unknown>;
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  return send({ method: "POST", url, headers: { "content-type": "application/json" }, body });
}

/**
 * Sends a failure's lines to a fresh provider with the fault, in the order the report prints them (setup, earlier
 * steps, reproduce); answers the reproduce request's body and its answer.
 */
async function replay(
  failure: CheckFailure,
  run: VerifyRun,
  fresh: { url: string },
): Promise<{ body: Record<string, unknown>; answer: Record<string, unknown> }> {
  expect(failure.setup, "the failure has a setup line").toBeDefined();
  const setup = requestOf(failure.setup as string, run.stateSetupUrl, `${fresh.url}/_cmdb/state`);
  expect(setup.body).toMatchObject({
    state: expect.any(String),
    params: { world: expect.any(Object) },
    action: "setup",
  });
  expect(await send(setup)).toEqual({ result: true });
  for (const step of failure.earlierSteps ?? []) await send(requestOf(step.curl, run.providerUrl, fresh.url));
  const reproduce = requestOf(failure.curl as string, run.providerUrl, fresh.url);
  return { body: reproduce.body as Record<string, unknown>, answer: await send(reproduce) };
}

/** The processes of a service instance on the fresh provider, sorted as the report's pointers count them. */
async function listProcesses(
  freshUrl: string,
  createBody: Record<string, unknown>,
  id: unknown,
): Promise<Record<string, unknown>[]> {
  const { bk_app_code, bk_app_secret, bk_username, bk_biz_id } = createBody;
  const body = { bk_app_code, bk_app_secret, bk_username, bk_biz_id, service_instance_id: id };
  return sortProcesses((await post(freshUrl + paths.listProcessInstance, body)).data);
}

function find(run: VerifyRun, source: CheckSource, name: RegExp, pointer: RegExp): CheckFailure {
  const failure = run.checks
    .filter((c) => c.source === source && name.test(c.name))
    .flatMap((c) => c.failures)
    .find((f) => pointer.test(f.pointer));
  expect(failure, `a ${source} failure at ${pointer} in ${name}`).toBeDefined();
  return failure as CheckFailure;
}

let paths: ReturnType<typeof readOperationPaths>;
let fixtureSecrets: string[];
const fresh: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  paths = readOperationPaths((await loadSpec()).document);
  // Read by hand rather than with collectSecrets, so that a secret the verifier overlooks is still looked for.
  fixtureSecrets = [...(await loadWorlds()).values()].flatMap((world) => [
    ...((world.apps ?? []) as { bk_app_secret: string }[]).map((app) => app.bk_app_secret),
    ...Object.keys((world.tokens ?? {}) as object),
  ]);
  expect(fixtureSecrets).toEqual(["fixture-secret-not-real", "tok-admin"]);
});

afterAll(async () => {
  for (const cmdb of fresh.splice(0)) await cmdb.close();
});

async function freshProvider(fault: FaultName): Promise<{ url: string }> {
  const cmdb = await startReferenceCmdb({ fault });
  fresh.push(cmdb);
  return cmdb;
}

/** Checks what every faulty run must show: exit 1, setup lines everywhere, no secret in any output. */
function expectReproducibleReport(run: VerifyRun): void {
  expect(run.code, run.summary).toBe(1);
  const lines = run.summary.split("\n");
  const reproduce = lines.flatMap((line, i) => (line.startsWith("      reproduce: ") ? [i] : []));
  expect(reproduce.length).toBeGreaterThan(0);
  // Every failure of a state-setting check prints its setup (or earlier steps after it) right before reproduce.
  for (const i of reproduce)
    expect(lines[i - 1], lines.slice(i - 6, i + 1).join("\n")).toMatch(/^ {6}(setup|step \d+): +/);
  expect(run.summary).toContain(
    `      setup:     curl -sS -X POST '${run.stateSetupUrl}' -H 'Content-Type: application/json' -d '{"state":`,
  );
  expect(run.xml).toContain(`setup:     curl -sS -X POST '${run.stateSetupUrl}'`);
  expect(run.jsonText).toContain(`"setup": "curl -sS -X POST '${run.stateSetupUrl}'`);
  for (const text of [run.summary, run.jsonText, run.xml]) {
    for (const secret of [CANARY_SECRET, ...fixtureSecrets]) expect(text).not.toContain(secret);
    // Placeholders do the work, not the last-resort redaction (a <REDACTED> world could not be set up again).
    expect(text).not.toContain("<REDACTED>");
  }
}

describe("a failure's setup and reproduce lines reproduce it on a fresh provider", () => {
  it("fixture scenario, --fault ids-reversed: the IDs come back in reverse order", async () => {
    const run = await verifyAgainst("ids-reversed", 0);
    expectReproducibleReport(run);
    const failure = find(run, "fixture", /^create\/templated-two-hosts-in-order$/, /^create \/data\/0 /);
    expect(run.summary).toContain(`      setup:     ${failure.setup}\n      reproduce: ${failure.curl}`);
    const cmdb = await freshProvider("ids-reversed");
    const { body, answer } = await replay(failure, run, cmdb);
    // The report: "…, instance 0 (service_instance_id 101)", actual "host 10: the IDs are not in request order".
    const id = Number(/service_instance_id (\d+)\)$/.exec(failure.scenario)?.[1]);
    const host = Number(/^host (\d+):/.exec(failure.actual)?.[1]);
    expect((answer.data as number[])[0]).toBe(id);
    const processes = await listProcesses(cmdb.url, body, id);
    expect(processes[0]?.relation).toMatchObject({ bk_host_id: host });
  });

  it("multi-step scenario, --fault deleted-instance-still-listed: after create and delete, processes are listed", async () => {
    const run = await verifyAgainst("deleted-instance-still-listed", 0);
    expectReproducibleReport(run);
    const failure = find(run, "fixture", /^observe\/deleted-instance-not-listed$/, /^list_process_instance/);
    expect(failure.earlierSteps?.map((s) => s.step)).toEqual([0, 1]);
    expect(run.summary).toMatch(
      / {6}setup: +curl .*\n {6}step 0: +curl .*create_service_instance.*\n {6}step 1: +curl .*delete_service_instance.*\n {6}reproduce: curl .*list_process_instance/,
    );
    const { answer } = await replay(failure, run, await freshProvider("deleted-instance-still-listed"));
    expect(`${(answer.data as unknown[]).length} process(es)`).toBe(failure.actual);
  });

  it("property check, --fault locked-scalar-overridden: the generated world reproduces the read-back value", async () => {
    const run = await verifyAgainst("locked-scalar-overridden", 30);
    expectReproducibleReport(run);
    const failure = find(
      run,
      "property",
      /^template lock of/,
      /^list_process_instance\(service_instance_id=\d+\) \/data\/\d+\/property\//,
    );
    const cmdb = await freshProvider("locked-scalar-overridden");
    const { body, answer } = await replay(failure, run, cmdb);
    const [, id, index, field] = /=(\d+)\) \/data\/(\d+)\/property\/(.+)$/.exec(failure.pointer) ?? [];
    expect(answer.data).toEqual([Number(id)]);
    const processes = await listProcesses(cmdb.url, body, Number(id));
    const property = (processes[Number(index)]?.property ?? {}) as Record<string, unknown>;
    expect(showValue(property[field as string])).toBe(failure.actual);
    expect(failure.actual).not.toBe(failure.expected);
  });

  it("gateway route, fixture scenario, --fault ids-reversed: the header line reproduces the reversed IDs", async () => {
    const run = await verifyAgainst("ids-reversed", 0, "apigw");
    expectReproducibleReport(run);
    const failure = find(run, "fixture", /^create\/templated-two-hosts-in-order$/, /^create \/data\/0 /);
    expect(failure.curl).toMatch(
      /^curl -sS -X POST '[^']+\/api\/bk-cmdb\/prod\/api\/v3\/create\/proc\/service_instance' -H 'X-Bkapi-Authorization: \{"bk_app_code":"cmdb-contract","bk_app_secret":"<BK_APP_SECRET>","bk_username":"admin"\}'/,
    );
    expect(failure.curl).not.toContain('"bk_app_secret":"<BK_APP_SECRET>","bk_biz_id"');
    const cmdb = await freshProvider("ids-reversed");
    const { answer } = await replay(failure, run, cmdb);
    const id = Number(/service_instance_id (\d+)\)$/.exec(failure.scenario)?.[1]);
    expect(answer).toMatchObject({ result: true, bk_error_code: 0 });
    expect((answer.data as number[])[0]).toBe(id);
  });

  it("pact interaction, --fault host-check-skipped: a host outside the module is accepted", async () => {
    const run = await verifyAgainst("host-check-skipped", 0);
    expectReproducibleReport(run);
    const failure = find(run, "pact", /host outside the module/, /^\$\.result$/);
    expect(failure.actual).toMatch(/^"true"/);
    const { answer } = await replay(failure, run, await freshProvider("host-check-skipped"));
    expect(answer.result).toBe(true);
  });

  it("pact interaction with a wrong secret, --fault result-code-mismatch: <OTHER_BK_APP_SECRET> stays wrong", async () => {
    const run = await verifyAgainst("result-code-mismatch", 0);
    expectReproducibleReport(run);
    const failure = find(run, "pact", /wrong app secret/, /^\$\.result$/);
    expect(failure.curl).toContain('"bk_app_secret":"<OTHER_BK_APP_SECRET>"');
    expect(failure.setup).toContain('"bk_app_secret":"<BK_APP_SECRET>"');
    const { answer } = await replay(failure, run, await freshProvider("result-code-mismatch"));
    // Refused for the wrong secret (a non-zero code), and yet `result: true`: the deviation the report named.
    expect(answer.code).not.toBe(0);
    expect(answer.result).toBe(true);
  });
});
