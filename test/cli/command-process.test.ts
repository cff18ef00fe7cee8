import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import type { CommandRun } from "./run-command.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
// The command as `npm run generate` runs it from a clone: the source under tsx, in its own process.
const TSX = pathToFileURL(join(REPO, "node_modules/tsx/dist/loader.mjs")).href;
const BIN = join(REPO, "cli/bin.ts");

/** Runs `cmdb-contract …` as a process in `cwd`; resolves only once the process has exited. */
function runProcess(cwd: string, ...args: string[]): Promise<CommandRun> {
  return new Promise((resolve) => {
    // A process that hangs is killed, so a failing run leaves nothing behind; the test then fails on its exit code.
    const options = { cwd, timeout: 50_000 };
    execFile(process.execPath, ["--import", TSX, BIN, ...args], options, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let scratch: string;
let specText: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "cmdb-command-process-"));
  specText = await readFile(SPEC_PATH, "utf8");
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("cmdb-contract generate, as a process", () => {
  // Each run below resolves only when the process exits: a worker thread left referenced would keep it alive, and
  // the test would fail on vitest's timeout instead of passing.
  it.each([
    ["a spec file that does not exist", null, "cannot read the file"],
    ["a YAML typo", (text: string) => text.replace(/^openapi: 3\.1\.0$/m, "openapi: [3.1.0"), "the spec is invalid"],
    [
      "a broken $ref",
      (text: string) =>
        text.replace('$ref: "#/components/schemas/CreateServiceInstanceRequest"', '$ref: "#/components/schemas/Nope"'),
      "#/components/schemas/Nope",
    ],
  ])("exits 2 with the error on %s, and stops its worker thread", async (name, edit, message) => {
    const spec = join(scratch, `${name.replaceAll(" ", "-")}.yaml`);
    if (edit) {
      const text = edit(specText);
      expect(text).not.toBe(specText);
      await writeFile(spec, text);
    }
    const out = join(scratch, "never-written");
    const run = await runProcess(scratch, "generate", "--spec", spec, "--out", out);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(spec);
    expect(run.stderr).toContain(message);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it("exits 2 on a bad option after its worker thread started", async () => {
    const run = await runProcess(scratch, "generate", "--frobnicate");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--frobnicate");
  });

  it("writes ./generated in the working folder by default; --no-docs writes only the types, client and index", async () => {
    const project = await mkdtemp(join(scratch, "consumer-"));
    const full = await runProcess(project, "generate");
    expect(full.code, full.stderr).toBe(0);
    expect(await readdir(join(project, "generated"))).toEqual(["client.gen.ts", "docs", "index.ts", "types.gen.ts"]);

    const slim = await mkdtemp(join(scratch, "slim-"));
    const run = await runProcess(slim, "generate", "--no-docs", "--out", "src/cmdb");
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(join(slim, "src/cmdb"))).sort()).toEqual(["client.gen.ts", "index.ts", "types.gen.ts"]);
    expect(run.stdout).toContain("generate: 3 of 3 files written to src/cmdb");
  });

  it("--check with --out and --no-docs fails on a stale client, and leaves a docs/ folder alone", async () => {
    const project = await mkdtemp(join(scratch, "check-"));
    await mkdir(join(project, "src/cmdb/docs"), { recursive: true });
    await writeFile(join(project, "src/cmdb/docs/ours.md"), "our own page\n");
    expect((await runProcess(project, "generate", "--out", "src/cmdb", "--no-docs")).code).toBe(0);
    expect((await runProcess(project, "generate", "--out", "src/cmdb", "--no-docs", "--check")).code).toBe(0);
    await writeFile(join(project, "src/cmdb/client.gen.ts"), "// stale\n");
    const check = await runProcess(project, "generate", "--out", "src/cmdb", "--no-docs", "--check");
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("src/cmdb/client.gen.ts");
    expect(check.stderr).toContain("Run `cmdb-contract generate --out src/cmdb --no-docs` and commit the result.");
    expect(await readFile(join(project, "src/cmdb/client.gen.ts"), "utf8")).toBe("// stale\n");
    expect(await readFile(join(project, "src/cmdb/docs/ours.md"), "utf8")).toBe("our own page\n");
  });

  it("refuses a default output folder inside node_modules", async () => {
    const inside = join(scratch, "node_modules/cmdb-contract");
    await mkdir(inside, { recursive: true });
    const run = await runProcess(inside, "generate");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("inside node_modules");
    expect(run.stderr).toContain("--out DIR");
    await expect(readdir(join(inside, "generated"))).rejects.toThrow(/ENOENT/);
  });
});
