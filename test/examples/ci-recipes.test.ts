/**
 * The CI recipes of examples/ci/ work as written: this test parses both files and runs every shell step of their
 * provider, consumer and can-i-deploy jobs with bash, in a temporary project that installed the packed package,
 * against the reference CMDB the recipes start and a local test double of the Pact Broker. Only what cannot run
 * here is not run: `uses:` actions (checkout, setup-node, upload-artifact; the uploaded path is checked instead)
 * and the `npm ci` install steps (the project was installed from the tarball before). The spec-changed job has its
 * own test (spec-changed-job.test.ts).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type BrokerDouble, startBrokerDouble } from "../contracts/pact-broker-double.ts";
import { packedTarball } from "../package/packed-tarball.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TOKEN = "ci-t0ken-5e6f7a8b9c";
const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const PROJECT_NAME = "team-a-deployer";
const INSTALL_STEPS = new Set(["npm ci", "npm ci --cache .npm --prefer-offline"]);
const KNOWN_ACTIONS = new Set(["actions/checkout@v4", "actions/setup-node@v4", "actions/upload-artifact@v4"]);

/** One shell run of a step: its exit code and everything it printed. */
interface StepRun {
  name: string;
  code: number;
  output: string;
}

/** What running one job gave: each step that ran, in order, and whether the job was skipped by its condition. */
interface JobRun {
  skipped: boolean;
  steps: StepRun[];
  /** The job's outcome as CI would show it: every step passed. */
  ok: boolean;
}

let project: string;
let broker: BrokerDouble;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "cmdb-ci-recipe-"));
  await writeFile(join(project, "package.json"), `${JSON.stringify({ name: PROJECT_NAME, private: true })}\n`);
  // What the recipes' `npm ci` gives a project with cmdb-contract as a dev dependency: the packed package (the
  // tarball npm publish would upload), installed from the npm cache npm ci filled.
  const tarball = (await packedTarball()).path;
  const install = await sh(`npm install --prefer-offline --save-dev --no-audit --no-fund "${tarball}"`, {});
  expect(install.code, install.output).toBe(0);
  // The consumer committed its generated client.
  const generated = await sh("npx cmdb-contract generate --out src/cmdb", {});
  expect(generated.code, generated.output).toBe(0);
  broker = await startBrokerDouble({ auth: `Bearer ${TOKEN}` });
}, 600_000);

afterAll(async () => {
  await broker?.close();
  await rm(project, { recursive: true, force: true });
});

describe("examples/ci/github-actions.yml", () => {
  let workflow: GithubWorkflow;
  beforeAll(async () => {
    workflow = parse(await readFile(join(ROOT, "examples/ci/github-actions.yml"), "utf8")) as GithubWorkflow;
  });

  it("has the provider, consumer and can-i-deploy jobs", () => {
    expect(Object.keys(workflow.jobs)).toEqual(expect.arrayContaining(["provider", "consumer", "can-i-deploy"]));
  });

  it("with a broker: verifies and publishes success from main, publishes the pacts, and gates on can-i-deploy", async () => {
    // The consumer publishes first: the provider verifies what the broker then selects.
    const consumer = await runGithubJob(workflow, "consumer", true);
    expect(consumer.ok, show(consumer)).toBe(true);
    expect(broker.published.at(-1)).toMatchObject({
      pacticipantName: PROJECT_NAME,
      pacticipantVersionNumber: SHA,
      branch: "main",
    });

    const before = broker.verificationResults.length;
    const provider = await runGithubJob(workflow, "provider", true);
    expect(provider.ok, show(provider)).toBe(true);
    expect(broker.verificationResults.slice(before).map((r) => r.body)).toEqual([
      expect.objectContaining({ success: true, providerApplicationVersion: SHA }),
    ]);
    expect(broker.verificationResults.at(-1)?.pact.consumer).toBe(PROJECT_NAME);
    expect(broker.branchVersions.at(-1)).toEqual({ pacticipant: "bk-cmdb", branch: "main", version: SHA });
    expect(await readFile(join(project, "reports/contracts.xml"), "utf8")).toContain("<testsuites");

    broker.deployable = true;
    const gate = await runGithubJob(workflow, "can-i-deploy", true);
    expect(gate.ok, show(gate)).toBe(true);
    expect(broker.requests.at(-1)?.path).toContain(`q[][pacticipant]=${PROJECT_NAME}&q[][version]=${SHA}`);
    expect(broker.requests.at(-1)?.path).toContain("environment=production");
    broker.deployable = false;
    const blocked = await runGithubJob(workflow, "can-i-deploy", true);
    expect(blocked.ok, show(blocked)).toBe(false);
    broker.deployable = true;
    for (const job of [provider, consumer, gate, blocked]) expect(show(job)).not.toContain(TOKEN);
    expect(broker.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  }, 300_000);

  it("without a broker: verifies the shipped pacts, skips the broker steps and the gate, fails on a stale client", async () => {
    const requests = broker.requests.length;
    const provider = await runGithubJob(workflow, "provider", false);
    expect(provider.ok, show(provider)).toBe(true);
    expect(show(provider)).toContain("(local, no Pact Broker)");
    const consumer = await runGithubJob(workflow, "consumer", false);
    expect(consumer.ok, show(consumer)).toBe(true);
    expect(consumer.steps.map((s) => s.name)).toEqual(["The committed client matches the spec"]);
    expect((await runGithubJob(workflow, "can-i-deploy", false)).skipped).toBe(true);
    expect(broker.requests.length).toBe(requests);

    const client = join(project, "src/cmdb/client.gen.ts");
    const text = await readFile(client, "utf8");
    await writeFile(client, `${text}\n// edited by hand\n`);
    try {
      const stale = await runGithubJob(workflow, "consumer", false);
      expect(stale.ok).toBe(false);
      expect(show(stale)).toContain("client.gen.ts");
    } finally {
      await writeFile(client, text);
    }
  }, 300_000);
});

describe("examples/ci/gitlab-ci.yml", () => {
  let pipeline: Record<string, GitlabJob | unknown>;
  beforeAll(async () => {
    pipeline = parse(await readFile(join(ROOT, "examples/ci/gitlab-ci.yml"), "utf8")) as Record<string, unknown>;
  });

  it("with a broker: the provider, consumer and can-i-deploy jobs run as written", async () => {
    const consumer = await runGitlabJob(pipeline, "contracts:consumer", true);
    expect(consumer.ok, show(consumer)).toBe(true);
    expect(broker.published.at(-1)).toMatchObject({ pacticipantName: PROJECT_NAME, branch: "main" });
    const before = broker.verificationResults.length;
    const provider = await runGitlabJob(pipeline, "contracts:provider", true);
    expect(provider.ok, show(provider)).toBe(true);
    expect(broker.verificationResults.slice(before).map((r) => r.body.success)).not.toContain(false);
    expect(broker.verificationResults.length).toBeGreaterThan(before);
    const gate = await runGitlabJob(pipeline, "contracts:can-i-deploy", true);
    expect(gate.ok, show(gate)).toBe(true);
    for (const job of [provider, consumer, gate]) expect(show(job)).not.toContain(TOKEN);
  }, 300_000);

  it("without a broker: the gate is skipped and the consumer job publishes nothing", async () => {
    const requests = broker.requests.length;
    expect((await runGitlabJob(pipeline, "contracts:can-i-deploy", false)).skipped).toBe(true);
    const consumer = await runGitlabJob(pipeline, "contracts:consumer", false);
    expect(consumer.ok, show(consumer)).toBe(true);
    expect(broker.requests.length).toBe(requests);
  }, 120_000);
});

// ---- running the recipes ----

interface GithubStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface GithubWorkflow {
  env?: Record<string, string>;
  jobs: Record<string, { if?: string; env?: Record<string, string>; steps: GithubStep[] }>;
}
interface GitlabJob {
  extends?: string;
  variables?: Record<string, string>;
  before_script?: string[];
  script?: string[];
  rules?: { if: string }[];
}

/** The values of the GitHub expressions the workflow may use; any other expression fails the test. */
function githubExpression(expression: string, withBroker: boolean): string | boolean {
  const values: Record<string, string | boolean> = {
    "vars.PACT_BROKER_BASE_URL": withBroker ? broker.url : "",
    "secrets.PACT_BROKER_TOKEN": withBroker ? TOKEN : "",
    "github.event.repository.name": PROJECT_NAME,
    "always()": true,
    "env.PACT_BROKER_BASE_URL != ''": withBroker,
    "vars.PACT_BROKER_BASE_URL != '' && github.ref_name == 'main'": withBroker,
  };
  const value = values[expression.trim()];
  if (value === undefined) throw new Error(`the test does not know the expression "${expression}"`);
  return value;
}

function githubEnv(block: Record<string, string> | undefined, withBroker: boolean): Record<string, string> {
  return Object.fromEntries(
    Object.entries(block ?? {}).map(([k, v]) => [
      k,
      String(v).replace(/\$\{\{(.+?)\}\}/g, (_, e: string) => String(githubExpression(e, withBroker))),
    ]),
  );
}

async function runGithubJob(workflow: GithubWorkflow, name: string, withBroker: boolean): Promise<JobRun> {
  const job = workflow.jobs[name];
  if (!job) throw new Error(`no job ${name}`);
  if (job.if !== undefined && githubExpression(job.if, withBroker) !== true)
    return { skipped: true, steps: [], ok: true };
  const env = {
    ...githubEnv(workflow.env, withBroker),
    ...githubEnv(job.env, withBroker),
    GITHUB_SHA: SHA,
    GITHUB_REF_NAME: "main",
    GITHUB_REPOSITORY: `acme/${PROJECT_NAME}`,
    CMDB_PORT: String(await freePort()),
  };
  const steps: StepRun[] = [];
  const groups: number[] = [];
  try {
    for (const step of job.steps) {
      if (step.uses !== undefined) {
        expect(KNOWN_ACTIONS, step.uses).toContain(step.uses);
        if (step.uses.startsWith("actions/upload-artifact")) {
          // What the action would upload must be there.
          await expect(readFile(join(project, String(step.with?.path), "contracts.xml"), "utf8")).resolves.toBeTruthy();
        }
        continue;
      }
      if (step.if !== undefined && githubExpression(step.if.replace(/^\$\{\{|\}\}$/g, ""), withBroker) !== true)
        continue;
      const script = String(step.run);
      if (INSTALL_STEPS.has(script.trim())) continue;
      const run = await sh(script, { ...env, ...githubEnv(step.env, withBroker) }, groups);
      steps.push({ name: step.name ?? script, ...run });
      if (run.code !== 0) return { skipped: false, steps, ok: false };
    }
    return { skipped: false, steps, ok: true };
  } finally {
    stopGroups(groups);
  }
}

async function runGitlabJob(pipeline: Record<string, unknown>, name: string, withBroker: boolean): Promise<JobRun> {
  const job = pipeline[name] as GitlabJob;
  const base = (job.extends ? pipeline[job.extends] : {}) as GitlabJob;
  const env: Record<string, string> = {
    ...((pipeline.variables ?? {}) as Record<string, string>),
    ...(job.variables ?? {}),
    CI_COMMIT_SHA: SHA,
    CI_COMMIT_REF_NAME: "main",
    CI_DEFAULT_BRANCH: "main",
    CI_PROJECT_NAME: PROJECT_NAME,
    CMDB_PORT: String(await freePort()),
    ...(withBroker ? { PACT_BROKER_BASE_URL: broker.url, PACT_BROKER_TOKEN: TOKEN } : {}),
  };
  const known: Record<string, boolean> = {
    "$PACT_BROKER_BASE_URL && $CI_COMMIT_REF_NAME == $CI_DEFAULT_BRANCH": withBroker,
  };
  for (const rule of job.rules ?? []) {
    if (known[rule.if] === undefined) throw new Error(`the test does not know the rule "${rule.if}"`);
  }
  if (job.rules && !job.rules.some((r) => known[r.if])) return { skipped: true, steps: [], ok: true };
  for (const line of [...(base.before_script ?? []), ...(job.before_script ?? [])]) {
    expect(INSTALL_STEPS, line).toContain(line);
  }
  const groups: number[] = [];
  try {
    // GitLab runs the script lines in one shell and stops at the first that fails.
    const run = await sh((job.script ?? []).join("\n"), env, groups);
    return { skipped: false, steps: [{ name, ...run }], ok: run.code === 0 };
  } finally {
    stopGroups(groups);
  }
}

/** Runs a script with `bash -eo pipefail` (as GitHub runs `run:`) in the project, in its own process group. */
function sh(
  script: string,
  env: Record<string, string>,
  groups: number[] = [],
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      cwd: project,
      env: {
        PATH: `${join(project, "node_modules/.bin")}:${process.env.PATH}`,
        HOME: process.env.HOME ?? tmpdir(),
        PACT_DO_NOT_TRACK: "true",
        ...(process.env.npm_config_cache !== undefined ? { npm_config_cache: process.env.npm_config_cache } : {}),
        npm_config_update_notifier: "false",
        ...env,
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid !== undefined) groups.push(child.pid);
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    // The recipes send a background process's output to a file, so the pipes close when the step's bash ends.
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Ends the process groups the job's steps started (a CMDB started in the background), as a CI runner does. */
function stopGroups(groups: number[]): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function show(job: JobRun): string {
  return job.steps.map((s) => `--- ${s.name} (exit ${s.code})\n${s.output}`).join("\n");
}
