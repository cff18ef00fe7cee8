/**
 * The read-only drift check of the committed pacts, like `generate --check` for generated/: the consumer tests run
 * in a child process and write their pacts to a temporary folder, which must equal contracts/pacts/ byte for byte.
 * `npm run pacts` is the one command that rewrites contracts/pacts/; `npm test` changes no tracked file.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CANARY_SECRET } from "../../contracts/shared/canary.ts";
import { PACTS_DIR } from "../../contracts/shared/pact-format.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function readPacts(dir: string): Promise<Map<string, string>> {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n), "utf8")] as const)));
}

function runConsumerTests(env: NodeJS.ProcessEnv): Promise<{ code: number | null; text: string }> {
  const vitest = join(ROOT, "node_modules", "vitest", "vitest.mjs");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, "run", "contracts/consumer"], {
      cwd: ROOT,
      env: { ...process.env, ...env, PACT_DO_NOT_TRACK: "true" },
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
}

describe("the consumer pact tests", () => {
  it("regenerate the committed pact files byte for byte, without the canary secret, and rewrite none", async () => {
    const committed = await readPacts(PACTS_DIR);
    const out = await mkdtemp(join(tmpdir(), "pacts-regenerated-"));
    const log = await runConsumerTests({ CMDB_PACT_OUT: out });
    expect(log.code, log.text).toBe(0);
    expect(log.text).not.toContain(CANARY_SECRET);
    const fresh = await readPacts(out);
    expect([...fresh.keys()]).toEqual([...committed.keys()]);
    for (const [name, text] of fresh) {
      expect(text).not.toContain(CANARY_SECRET);
      expect(text === committed.get(name), `${name} differs: run npm run pacts and commit it`).toBe(true);
    }
    // The run above, and the consumer tests of this very suite, leave contracts/pacts/ as it was.
    expect(await readPacts(PACTS_DIR)).toEqual(committed);
  });
});
