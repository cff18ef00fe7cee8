import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { loadWorlds } from "../../contracts/verify/scenarios.ts";
import type { FaultName } from "../../provider/faults.ts";
import { startReferenceCmdb } from "../../provider/server.ts";
import type { World } from "../../provider/world.ts";

const LIVE_FILE = `# A real CMDB's business, modules and hosts (here: the reference CMDB with world "demo").
auth: { bk_app_code: cmdb-contract, bk_username: admin }
bk_biz_id: 2
non_templated_module: 60
templated_module: 61
process_template_ids: [7, 8]
hosts:
  - { bk_host_id: 12, bk_host_innerip: "10.0.0.7", bk_host_outerip: "" }
`;

let liveFile: string;
const previousSecret = process.env.CMDB_BK_APP_SECRET;

beforeEach(async () => {
  liveFile = join(await mkdtemp(join(tmpdir(), "live-")), "live.yaml");
  await writeFile(liveFile, LIVE_FILE);
  // The live secret comes from the environment, never from the file.
  process.env.CMDB_BK_APP_SECRET = "fixture-secret-not-real";
});

afterEach(() => {
  if (previousSecret === undefined) delete process.env.CMDB_BK_APP_SECRET;
  else process.env.CMDB_BK_APP_SECRET = previousSecret;
});

/** Runs `verify --live` against the reference CMDB started with a world and no state setup. */
async function verifyLive(fault?: FaultName) {
  const world = (await loadWorlds()).get("demo") as World;
  const cmdb = await startReferenceCmdb({ world, stateSetup: false, ...(fault ? { fault } : {}) });
  const before = cmdb.snapshot() as { instances: unknown[] };
  let out = "";
  try {
    const code = await runVerify(["--provider-url", cmdb.url, "--live", liveFile], {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        out += t;
      },
    });
    const after = cmdb.snapshot() as { instances: unknown[] };
    return { code, out, before, after };
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
    expect(after.instances).toEqual(before.instances);
    expect(out).not.toContain("fixture-secret-not-real");
  });

  it("reports a broken lock rule and still deletes what it created", async () => {
    const { code, out, before, after } = await verifyLive("locked-scalar-overridden");
    expect(code).toBe(1);
    expect(out).toMatch(/Template lock: \d+ failed/);
    // No state was set up in live mode: a failure has a reproduce line and no setup line.
    expect(out).toMatch(/^ {6}reproduce: curl /m);
    expect(out).not.toMatch(/^ {6}setup:/m);
    expect(after.instances).toEqual(before.instances);
  });
});
