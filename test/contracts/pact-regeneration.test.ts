import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PACTS_DIR } from "../../contracts/verify/pacts.ts";
import { CANARY_SECRET } from "../../contracts/verify/secrets.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("the consumer pact tests", () => {
  it("regenerate the committed pact files byte for byte, without the canary secret", async () => {
    const out = await mkdtemp(join(tmpdir(), "pacts-regenerated-"));
    const vitest = join(ROOT, "node_modules", "vitest", "vitest.mjs");
    const log = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(process.execPath, [vitest, "run", "contracts/consumer"], {
        cwd: ROOT,
        env: { ...process.env, CMDB_PACT_OUT: out, PACT_DO_NOT_TRACK: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let text = "";
      child.stdout.on("data", (c) => {
        text += c;
      });
      child.stderr.on("data", (c) => {
        text += c;
      });
      child.on("close", (code) => resolve({ code, text }));
    });
    expect(log.code, log.text).toBe(0);
    expect(log.text).not.toContain(CANARY_SECRET);
    const committed = (await readdir(PACTS_DIR)).filter((f) => f.endsWith(".json")).sort();
    expect((await readdir(out)).sort()).toEqual(committed);
    for (const name of committed) {
      const fresh = await readFile(join(out, name), "utf8");
      expect(fresh).not.toContain(CANARY_SECRET);
      expect(
        fresh === (await readFile(join(PACTS_DIR, name), "utf8")),
        `${name} differs: run npm test and commit it`,
      ).toBe(true);
    }
  });
});
