import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import { packedTarball } from "../package/packed-tarball.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const RECIPES = join(REPO, "examples/ci");

interface Shell {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Shell> {
  return new Promise((resolve) => {
    // The update check is off; installs come from the npm cache npm ci filled.
    const quiet = { npm_config_update_notifier: "false", npm_config_audit: "false", npm_config_fund: "false" };
    execFile(file, args, { cwd, env: { ...process.env, ...quiet, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

async function git(cwd: string, ...args: string[]): Promise<void> {
  const run = await sh("git", ["-c", "user.name=ci", "-c", "user.email=ci@example.com", ...args], cwd);
  if (run.code !== 0) throw new Error(`git ${args.join(" ")}: ${run.stderr}`);
}

let scratch: string;
let team: string;

// A team's repository as CI checks it out: cmdb-contract as a dev dependency (this checkout, packed), a copy of the spec on main in `origin`, and a pull-request branch that edits the copy.
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "cmdb-ci-"));
  const origin = join(scratch, "origin.git");
  team = join(scratch, "team");
  await git(scratch, "init", "-q", "--bare", "-b", "main", origin);
  await git(scratch, "init", "-q", "-b", "main", team);
  await writeFile(join(team, "package.json"), `${JSON.stringify({ name: "team", private: true }, null, 2)}\n`);
  // The package as the team gets it (the tarball npm publish would upload), from the npm cache npm ci filled.
  const tarball = (await packedTarball()).path;
  const install = await sh(
    "npm",
    ["install", "--prefer-offline", "--save-dev", "--no-audit", "--no-fund", tarball],
    team,
  );
  expect(install.stderr).not.toContain("ERR!");
  await writeFile(join(team, ".gitignore"), "node_modules/\n");
  await mkdir(join(team, "spec"));
  await copyFile(SPEC_PATH, join(team, "spec/cmdb.openapi.yaml"));
  await git(team, "add", ".");
  await git(team, "commit", "-qm", "pin the CMDB spec");
  await git(team, "remote", "add", "origin", origin);
  await git(team, "push", "-q", "origin", "main");
}, 600_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Puts the pull request's version of the spec in the work tree: the main copy with one text replacement. */
async function editSpec(from: string, to: string): Promise<void> {
  const text = await readFile(SPEC_PATH, "utf8");
  expect(text).toContain(from);
  await writeFile(join(team, "spec/cmdb.openapi.yaml"), text.replace(from, to));
}

const BREAKING: [string, string] = [
  "          maxItems: 100\n          description: >-\n            The service instances",
  "          maxItems: 50\n          description: >-\n            The service instances",
];
const COMPATIBLE: [string, string] = [
  "      summary: Create service instances in a module\n",
  "      summary: Create service instances in one module\n",
];

describe("examples/ci/github-actions.yml: spec changed", () => {
  async function runJob(): Promise<{ last: Shell; summary: string }> {
    const workflow = parse(await readFile(join(RECIPES, "github-actions.yml"), "utf8"));
    const job = workflow.jobs["spec-changed"];
    expect(job.name).toBe("spec changed");
    const summaryFile = join(scratch, `summary-${Date.now()}.md`);
    await writeFile(summaryFile, "");
    let last: Shell = { code: 0, stdout: "", stderr: "" };
    const steps = job.steps.filter((s: { run?: string }) => typeof s.run === "string");
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const step of steps) {
      // GitHub runs a `run:` step as `bash -e {0}` with the job's env.
      last = await sh("bash", ["-e", "-c", step.run], team, { ...job.env, GITHUB_STEP_SUMMARY: summaryFile });
      if (last.code !== 0) break;
    }
    return { last, summary: await readFile(summaryFile, "utf8") };
  }

  it("fails on a breaking change and puts the Markdown report in the job summary", async () => {
    await editSpec(...BREAKING);
    const { last, summary } = await runJob();
    expect(last.stderr).toBe("");
    expect(last.code).toBe(1);
    expect(summary).toMatch(/^## Spec changes: 1 breaking for consumers, 0 breaking for providers, 0 compatible/);
    expect(summary).toContain(
      "`git:origin/main:spec/cmdb.openapi.yaml` → `spec/cmdb.openapi.yaml` (fails --fail-on breaking)",
    );
    expect(summary).toContain("now allows at most 50 items (was at most 100 items)");
  });

  it("passes a compatible change and still reports it", async () => {
    await editSpec(...COMPATIBLE);
    const { last, summary } = await runJob();
    expect(last.code).toBe(0);
    expect(summary).toContain("## Spec changes: 0 breaking for consumers, 0 breaking for providers, 1 compatible");
  });
});

describe("examples/ci/gitlab-ci.yml: spec changed", () => {
  async function runJob(): Promise<Shell> {
    const pipeline = parse(await readFile(join(RECIPES, "gitlab-ci.yml"), "utf8"));
    const job = pipeline["spec changed"];
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    // GitLab runs the script lines one after another in one shell that stops at the first failure.
    return sh("bash", ["-e", "-o", "pipefail", "-c", job.script.join("\n")], team, job.variables);
  }

  it("fails on a breaking change and keeps the Markdown report", async () => {
    await editSpec(...BREAKING);
    const run = await runJob();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("### Breaking for consumers (1)");
    expect(await readFile(join(team, "spec-diff.md"), "utf8")).toMatch(/^## Spec changes: 1 breaking for consumers/);
  });

  it("passes when the spec did not change", async () => {
    await copyFile(SPEC_PATH, join(team, "spec/cmdb.openapi.yaml"));
    const run = await runJob();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("## Spec changes: no changes");
  });
});
