import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDocs } from "../../cli/docs.ts";
import { type CommandRun, runCommand } from "../cli/run-command.ts";

async function docs(...args: string[]): Promise<CommandRun> {
  return runCommand(runDocs, args);
}

let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "cmdb-docs-cli-"));
});

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe("runDocs", () => {
  it("answers --help with the options and the files it writes", async () => {
    const run = await docs("--help");
    expect(run.code).toBe(0);
    for (const text of ["--spec FILE", "--out DIR", "--check", "docs/index.html"]) expect(run.stdout).toContain(text);
  });

  it("writes only the docs, then finds them up to date, then names the one a hand edit changed", async () => {
    const written = await docs("--out", out);
    expect(written.code).toBe(0);
    const files = (await readdir(join(out, "docs"))).sort();
    expect(files).toContain("create_service_instance.zh.md");
    expect(files).toContain("index.html");
    expect(await readdir(out)).toEqual(["docs"]);

    expect((await docs("--out", out, "--check")).code).toBe(0);

    await writeFile(join(out, "docs", "get_proc_template.zh.md"), "edited by hand\n");
    const check = await docs("--out", out, "--check");
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(join("docs", "get_proc_template.zh.md"));
    expect(check.stderr).not.toContain("create_service_instance.zh.md");
  });
});
