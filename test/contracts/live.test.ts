import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { loadWorlds } from "../../contracts/shared/worlds.ts";
import { LiveConfigError, loadLiveConfig } from "../../contracts/verify/live-config.ts";
import type { FaultName } from "../../provider/faults.ts";
import { startReferenceCmdb } from "../../provider/server.ts";
import type { World } from "../../provider/world.ts";

/** A real CMDB's business, modules and hosts (here: the reference CMDB with world "demo"), without the template IDs. */
const LIVE_HEAD = `auth: { bk_app_code: cmdb-contract, bk_username: admin }
bk_biz_id: 2
non_templated_module: 60
templated_module: 61
`;
const HOST_12 = `  - { bk_host_id: 12, bk_host_innerip: "10.0.0.7", bk_host_outerip: "" }\n`;
const HOST_11 = `  - { bk_host_id: 11, bk_host_innerip: "10.0.0.6,10.0.0.16", bk_host_outerip: "" }\n`;
const LIVE_FILE = `${LIVE_HEAD}process_template_ids: [7, 8]\nhosts:\n${HOST_12}`;
const DISCOVERING_LIVE_FILE = `${LIVE_HEAD}hosts:\n${HOST_12}${HOST_11}`;

let dir: string;
const previousSecret = process.env.CMDB_BK_APP_SECRET;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "live-"));
  // The live secret comes from the environment, never from the file.
  process.env.CMDB_BK_APP_SECRET = "fixture-secret-not-real";
});

afterEach(() => {
  if (previousSecret === undefined) delete process.env.CMDB_BK_APP_SECRET;
  else process.env.CMDB_BK_APP_SECRET = previousSecret;
});

async function writeLiveFile(text: string): Promise<string> {
  const file = join(dir, "live.yaml");
  await writeFile(file, text);
  return file;
}

/** The service instances and processes of a reference CMDB (its ID counters left out: they only ever grow). */
function instancesOf(cmdb: { snapshot(): unknown }): unknown {
  const { instances, processes, templatedInstances } = cmdb.snapshot() as Record<string, unknown>;
  return { instances, processes, templatedInstances };
}

/**
 * Runs `verify --live` against the reference CMDB started with world "demo" (plus instances that already exist on
 * the templated module for `occupiedHosts`) and no state setup.
 */
async function verifyLive(
  options: { file?: string; fault?: FaultName; occupiedHosts?: number[]; args?: string[] } = {},
) {
  const demo = (await loadWorlds()).get("demo") as World;
  const world = {
    ...demo,
    service_instances: (options.occupiedHosts ?? []).map((bk_host_id, i) => ({
      id: 90 + i,
      bk_biz_id: 2,
      bk_module_id: 61,
      bk_host_id,
      service_template_id: 5,
    })),
  } as World;
  const cmdb = await startReferenceCmdb({
    world,
    stateSetup: false,
    ...(options.fault ? { fault: options.fault } : {}),
  });
  const liveFile = await writeLiveFile(options.file ?? LIVE_FILE);
  const before = instancesOf(cmdb);
  let out = "";
  try {
    const code = await runVerify(["--provider-url", cmdb.url, "--live", liveFile, ...(options.args ?? [])], {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        out += t;
      },
    });
    return { code, out: out.replaceAll(cmdb.url, "<URL>"), before, after: instancesOf(cmdb) };
  } finally {
    await cmdb.close();
  }
}

describe("verify --live", () => {
  it("creates, reads back, checks the lock rules and deletes what it created", async () => {
    const { code, out, before, after } = await verifyLive();
    expect(code, out).toBe(0);
    expect(out).toContain("live: create on the templated module, read back and check the lock rules");
    expect(out).toMatch(/live: delete the \d+ service instance\(s\) verify created/);
    expect(out).not.toContain("discovered");
    expect(after).toEqual(before);
    expect(out).not.toContain("fixture-secret-not-real");
  });

  it("reports a broken lock rule and still deletes what it created", async () => {
    const { code, out, before, after } = await verifyLive({ fault: "locked-scalar-overridden" });
    expect(code).toBe(1);
    expect(out).toMatch(/Template lock: \d+ failed/);
    // No state was set up in live mode: a failure has a reproduce line and no setup line.
    expect(out).toMatch(/^ {6}reproduce: curl /m);
    expect(out).not.toMatch(/^ {6}setup:/m);
    expect(after).toEqual(before);
  });
});

describe("verify --live --route apigw", () => {
  it("runs the live checks and --fuzz-live through the gateway route (header auth, DELETE) and leaves nothing", async () => {
    const { code, out, before, after } = await verifyLive({ args: ["--route", "apigw", "--fuzz-live"] });
    expect(code, out).toBe(0);
    expect(out).toContain("over the API gateway route, stage prod");
    expect(out).toMatch(/live: delete the \d+ service instance\(s\) verify created/);
    expect(out).toMatch(/ok {3}fuzz {5}a wrong type: \d+ case/);
    expect(after).toEqual(before);
  });

  it("reports a broken lock rule with a gateway reproduce line, the secret a placeholder in the header", async () => {
    const { code, out, before, after } = await verifyLive({
      fault: "locked-scalar-overridden",
      args: ["--route", "apigw"],
    });
    expect(code).toBe(1);
    expect(out).toMatch(/Template lock: \d+ failed/);
    expect(out).toMatch(
      /^ {6}reproduce: curl -sS -X POST '<URL>\/api\/bk-cmdb\/prod\/api\/v3\/create\/proc\/service_instance' -H 'X-Bkapi-Authorization: \{"bk_app_code":"cmdb-contract","bk_app_secret":"<BK_APP_SECRET>","bk_username":"admin"\}'/m,
    );
    expect(out).not.toContain("fixture-secret-not-real");
    expect(after).toEqual(before);
  });
});

describe("verify --live and the fuzz phase", () => {
  it("leaves the fuzz phase out without --fuzz-live, and says why", async () => {
    const { code, out } = await verifyLive();
    expect(code, out).toBe(0);
    expect(out).toMatch(/SKIP fuzz .*fuzzing writes to a live CMDB; --fuzz-live allows it/);
  });

  it("with --fuzz-live sends only bodies rejected before any write, and changes nothing", async () => {
    const { code, out, before, after } = await verifyLive({ args: ["--fuzz-live"] });
    expect(code, out).toBe(0);
    expect(out).toMatch(/ok {3}fuzz {5}a required field missing: \d+ case/);
    expect(out).toMatch(/ok {3}fuzz {5}an oversized array: \d+ case/);
    expect(out).not.toMatch(/fuzz {5}(valid|null where|an unknown key)/);
    expect(after).toEqual(before);
  });

  it("with --fuzz-live reports a create that should have been rejected and deletes what it made", async () => {
    const { code, out, before, after } = await verifyLive({ args: ["--fuzz-live"], fault: "instance-limit-ignored" });
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL fuzz {5}an oversized array: .*\/instances with 101 entries/);
    expect(out).toContain("expected a rejection (the body is invalid before anything is written)");
    expect(out).toMatch(/live: delete the \d+ service instance\(s\) verify created/);
    expect(after).toEqual(before);
  });
});

describe("verify --live without process_template_ids", () => {
  it("discovers the templates through the first listed host, passes, and leaves no service instance behind", async () => {
    const { code, out, before, after } = await verifyLive({ file: DISCOVERING_LIVE_FILE });
    expect(code, out).toBe(0);
    expect(out).toContain("live: module 61 has process template(s) 7, 8 (discovered through host 12)");
    expect(out).toContain("live: read 2 process template(s)");
    expect(out).toContain("ok   live     live: create on the templated module, read back and check the lock rules");
    expect(after).toEqual(before);
    expect(out).not.toContain("fixture-secret-not-real");
  });

  it("skips a host that already has an instance of the templated module", async () => {
    const { code, out, before, after } = await verifyLive({ file: DISCOVERING_LIVE_FILE, occupiedHosts: [12] });
    expect(code, out).toBe(0);
    expect(out).toContain("live: module 61 has process template(s) 7, 8 (discovered through host 11)");
    expect(after).toEqual(before);
  });

  it("still catches a provider that lets a caller override a locked field", async () => {
    const { code, out, before, after } = await verifyLive({
      file: DISCOVERING_LIVE_FILE,
      fault: "locked-scalar-overridden",
    });
    expect(code).toBe(1);
    expect(out).toMatch(/Template lock: \d+ failed/);
    expect(out).toContain(
      "✗ live: create on the templated module, read back and check the lock rules, instance 0 (service_instance_id ",
    );
    expect(after).toEqual(before);
  });

  it("says to add process_template_ids when every listed host already has an instance of the module", async () => {
    const { code, out, before, after } = await verifyLive({ file: DISCOVERING_LIVE_FILE, occupiedHosts: [12, 11] });
    expect(code).toBe(1);
    expect(out).toContain("FAIL live     live: create on the templated module, read back and check the lock rules");
    expect(out).toContain("at live file /process_template_ids");
    expect(out).toMatch(/host 12: 1113016 .*; host 11: 1113016 /);
    expect(out).toContain("add process_template_ids (the IDs of the module's process templates) to the live file");
    expect(out).not.toContain("fixture-secret-not-real");
    expect(after).toEqual(before);
  });

  it("answers the same output on the same CMDB state", async () => {
    const first = await verifyLive({ file: DISCOVERING_LIVE_FILE, occupiedHosts: [12, 11] });
    const second = await verifyLive({ file: DISCOVERING_LIVE_FILE, occupiedHosts: [12, 11] });
    const strip = (text: string): string => text.replace(/^\(\d+\.\d s\)$/m, "");
    expect(strip(second.out)).toBe(strip(first.out));
  });
});

describe("loadLiveConfig", () => {
  const cases: { name: string; ids: string; want: number[] | undefined | RegExp }[] = [
    { name: "keeps the given IDs", ids: "process_template_ids: [7, 8]\n", want: [7, 8] },
    { name: "leaves them out when the file does", ids: "", want: undefined },
    { name: "treats an empty key as left out", ids: "process_template_ids:\n", want: undefined },
    {
      name: "rejects IDs that are not integers",
      ids: "process_template_ids: [a]\n",
      want: /#\/process_template_ids: /,
    },
  ];
  for (const { name, ids, want } of cases) {
    it(name, async () => {
      const file = await writeLiveFile(`${LIVE_HEAD}${ids}hosts:\n${HOST_12}`);
      const loading = loadLiveConfig(file, { CMDB_BK_APP_SECRET: "fixture-secret-not-real" });
      if (want instanceof RegExp) {
        await expect(loading).rejects.toThrow(LiveConfigError);
        await expect(loading).rejects.toThrow(want);
      } else {
        expect((await loading).process_template_ids).toEqual(want);
      }
    });
  }
});
