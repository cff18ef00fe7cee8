/**
 * The fuzz phase tries what nobody wrote down. It must catch a provider that answers a non-envelope HTTP 500 for an
 * instance entry that is not an object, and one that answers a code the spec does not list, within the default run
 * count and for every seed tried; each failure is shrunk and reproducible.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { runCommand } from "../cli/run-command.ts";

async function verify(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await runCommand(runVerify, args);
  return { code, out: stdout + stderr };
}

const faulty: Partial<Record<"non-object-entry-500" | "unlisted-code", RunningReferenceCmdb>> = {};
beforeAll(async () => {
  faulty["non-object-entry-500"] = await startReferenceCmdb({ fault: "non-object-entry-500" });
  faulty["unlisted-code"] = await startReferenceCmdb({ fault: "unlisted-code" });
});
afterAll(async () => {
  for (const cmdb of Object.values(faulty)) await cmdb?.close();
});

// The lock rules are not what this file is about: skipping them keeps each run short.
const ONLY_FUZZ = ["--skip", "template-lock", "--property-runs", "0"];

describe("the fuzz phase of verify", () => {
  it.each([1, 7, 20_260_528])(
    "catches a non-envelope HTTP 500 for a non-object instance entry (seed %i)",
    async (seed) => {
      const cmdb = faulty["non-object-entry-500"] as RunningReferenceCmdb;
      const { code, out } = await verify(["--provider-url", cmdb.url, "--seed", String(seed), ...ONLY_FUZZ]);
      expect(code).toBe(1);
      expect(out).toMatch(
        /FAIL fuzz {5}null where an object belongs: .*shrunk after \d+ steps, seed \d+: \/instances\/\d+ = null/,
      );
      const summary = out.slice(out.indexOf("\nSummary"));
      expect(summary).toMatch(/✗ fuzz createServiceInstance: \/instances\/\d+ = null/);
      expect(summary).toMatch(/not JSON \(text\/html\): <html><body>500 Internal Server Error/);
      expect(summary).toMatch(/setup: {5}curl .*_cmdb\/state/);
      expect(summary).toMatch(/reproduce: curl .*create_service_instance\/.*"instances":\[[^\]]*null/);
    },
  );

  it.each([1, 7, 20_260_528])("catches a code the spec does not list for the operation (seed %i)", async (seed) => {
    const cmdb = faulty["unlisted-code"] as RunningReferenceCmdb;
    const { code, out } = await verify(["--provider-url", cmdb.url, "--seed", String(seed), ...ONLY_FUZZ]);
    expect(code).toBe(1);
    expect(out).toContain("expected a code x-cmdb-error-codes lists for");
    expect(out).toMatch(/actual {3}1199001 /);
  });

  it("shows --fuzz-runs 0 as skipped, never as passed", async () => {
    const cmdb = await startReferenceCmdb();
    try {
      const { code, out } = await verify(["--provider-url", cmdb.url, "--fuzz-runs", "0", ...ONLY_FUZZ]);
      expect(code, out).toBe(0);
      expect(out).toMatch(/\] SKIP fuzz {5}valid \(skipped: --fuzz-runs 0\)/);
      expect(out).not.toMatch(/\] ok {3}fuzz/);
    } finally {
      await cmdb.close();
    }
  });
});
