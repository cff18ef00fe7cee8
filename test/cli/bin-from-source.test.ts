import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SOURCES = [
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "cli",
  "spec",
  "generator",
  "generated",
].concat(["provider", "contracts", "lib", "diff"]);

let clone: string;

/** Runs `node cli/bin-from-source.mjs …` (what `npm start` runs) in the clone. */
function runFromSource(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["cli/bin-from-source.mjs", ...args],
      { cwd: clone, env: { ...process.env, PACT_DO_NOT_TRACK: "true" } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const transpiledTrees = async (): Promise<string[]> =>
  (await readdir(join(clone, "node_modules/.cache/cmdb-contract"))).filter((name) => /^[0-9a-f]{20}$/.test(name));

// A fresh clone of the sources beside the installed packages, with no transpiled tree yet.
beforeAll(async () => {
  clone = await mkdtemp(join(tmpdir(), "cmdb-from-source-"));
  for (const path of SOURCES) await cp(join(REPO, path), join(clone, path), { recursive: true });
  await mkdir(join(clone, "node_modules"));
  for (const name of await readdir(join(REPO, "node_modules"))) {
    if (name !== ".cache") await symlink(join(REPO, "node_modules", name), join(clone, "node_modules", name));
  }
});
afterAll(async () => {
  await rm(clone, { recursive: true, force: true });
});

describe("cli/bin-from-source.mjs (npm start)", () => {
  it("runs verify in a fresh clone, reuses its transpiled tree, and runs an edited source at once", async () => {
    const first = await runFromSource(["verify", "--property-runs", "5", "--fuzz-runs", "13"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/PASS: \d+ checks, 0 failed/);
    const trees = await transpiledTrees();
    expect(trees).toHaveLength(1);
    // The spec swagger-parser found valid is remembered beside them.
    expect(await readdir(join(clone, "node_modules/.cache/cmdb-contract/valid-specs"))).toHaveLength(1);

    expect((await runFromSource(["--help"])).stdout).toContain("Contract toolkit for BlueKing CMDB");
    expect(await transpiledTrees()).toEqual(trees);

    const main = join(clone, "cli/main.ts");
    await writeFile(main, (await readFile(main, "utf8")).replace("Contract toolkit for", "Edited toolkit for"));
    const edited = await runFromSource(["--help"]);
    expect(edited.stdout).toContain("Edited toolkit for BlueKing CMDB");
    expect(await transpiledTrees()).toHaveLength(2);
  });
});
