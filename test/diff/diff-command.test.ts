import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { runCli } from "../../cli/main.ts";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import { runCommand } from "../cli/run-command.ts";

const BIN = fileURLToPath(new URL("../../cli/bin.ts", import.meta.url));
// The command as a clone runs it: the source under tsx (from this checkout, whatever the working folder).
const TSX = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const C = "breaking-for-consumers";
const P = "breaking-for-providers";
const CREATE = "/paths/~1api~1c~1compapi~1v2~1cc~1create_service_instance~1/post";
const DELETE = "/paths/~1api~1c~1compapi~1v2~1cc~1delete_service_instance~1/post";
const S = "/components/schemas";

/** Runs `cmdb-contract` as a user would, in a real process; never rejects on a non-zero exit. */
function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", TSX, BIN, ...args], { cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr)) : resolve(stdout),
    );
  });
}

// One breaking change of each kind the issue names, made to a copy of the real spec the way a person edits YAML.
const EDITS: [path: (string | number)[], edit: (value: YAMLSeq) => unknown][] = [
  [["components", "schemas", "ServiceInstanceToCreate", "required"], (v) => [...v.toJSON(), "service_instance_name"]],
  [["components", "schemas", "ProcessInfo", "properties", "proc_num", "type"], () => ["string", "null"]],
  [["components", "schemas", "Protocol", "enum"], () => ["1", "2", "3"]],
  [["components", "schemas", "ListProcessInstanceParams", "properties", "bk_biz_id", "format"], () => "int32"],
  [["components", "schemas", "ProcessInfo", "properties", "work_path", "type"], () => "string"],
  [["components", "schemas", "BindInfoRow", "additionalProperties"], () => true],
  [["components", "schemas", "CreateServiceInstanceParams", "properties", "instances", "maxItems"], () => 50],
  [["x-cmdb-template-lock", "always_locked"], (v) => [...v.toJSON(), "work_path"]],
  [["x-cmdb-template-lock", "caller_value", "unlocked_null"], () => "ignore"],
  [["x-cmdb-template-lock", "bind_info", "match", "caller_key"], () => "row_id"],
  [["x-cmdb-field-rules", "process_fields", 0, "max_bytes"], () => 128],
];

// The changes those edits must produce, as "class pointer": at least one per kind.
const EXPECTED = [
  `${C} ${S}/ServiceInstanceToCreate/required`,
  `${C} ${S}/ProcessInfo/properties/proc_num/type`,
  `${P} ${S}/ProcessInfo/properties/proc_num/type`,
  `${C} ${S}/Protocol/enum`,
  `${P} ${S}/Protocol/enum`,
  `${C} ${S}/ListProcessInstanceParams/properties/bk_biz_id/format`,
  `${C} ${S}/ProcessInfo/properties/work_path/type`,
  `${P} ${S}/ProcessInfo/properties/work_path/type`,
  `${P} ${S}/BindInfoRow/additionalProperties`,
  `${C} ${S}/BindInfoRow/additionalProperties`,
  `${C} ${S}/CreateServiceInstanceParams/properties/instances/maxItems`,
  `${C} ${DELETE}`,
  `${C} /x-cmdb-error-codes/4/operations`,
  `${P} /x-cmdb-error-codes/4/operations`,
  `${C} /x-cmdb-field-rules/process_fields/0/max_bytes`,
  `${P} /x-cmdb-field-rules/process_fields/0/max_bytes`,
  `${C} /x-cmdb-template-lock/always_locked/2`,
  `${P} /x-cmdb-template-lock/always_locked/2`,
  `${C} /x-cmdb-template-lock/caller_value/unlocked_null`,
  `${P} /x-cmdb-template-lock/bind_info/match/caller_key`,
  `${C} ${CREATE}/x-cmdb-validation-order/3`,
  `${P} ${CREATE}/x-cmdb-validation-order/3`,
];

let dir: string;
let oldSpec: string;
let newSpec: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cmdb-diff-"));
  oldSpec = join(dir, "old.yaml");
  newSpec = join(dir, "new.yaml");
  await copyFile(SPEC_PATH, oldSpec);
  const doc = parseDocument(await readFile(SPEC_PATH, "utf8"));
  for (const [path, edit] of EDITS) doc.setIn(path, edit(doc.getIn(path, true) as YAMLSeq));
  doc.deleteIn(["paths", "/api/c/compapi/v2/cc/delete_service_instance/"]);
  const codes = doc.get("x-cmdb-error-codes", true) as YAMLSeq<YAMLMap>;
  const invalidValue = codes.items.findIndex((item) => item.get("code") === 1199011);
  expect(invalidValue).toBe(4);
  const operations = doc.getIn(["x-cmdb-error-codes", invalidValue, "operations"], true) as YAMLSeq;
  operations.add("listProcessInstance");
  const order = doc.getIn(
    ["paths", "/api/c/compapi/v2/cc/create_service_instance/", "post", "x-cmdb-validation-order"],
    true,
  ) as YAMLSeq;
  [order.items[2], order.items[3]] = [order.items[3], order.items[2]];
  await writeFile(newSpec, doc.toString());
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cmdb-contract diff (a real process on a copy of the spec)", () => {
  it("finds one breaking change of each kind, as JSON for a bot, byte-identical run to run", async () => {
    const first = await cli(["diff", oldSpec, newSpec, "--format", "json"], dir);
    const again = await cli(["diff", oldSpec, newSpec, "--format", "json"], dir);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(1);
    expect(again.stdout).toBe(first.stdout);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ old: oldSpec, new: newSpec, failOn: "breaking", failed: true });
    const found = report.changes.map((c: { class: string; pointer: string }) => `${c.class} ${c.pointer}`);
    for (const want of EXPECTED) expect(found).toContain(want);
    const deleted = report.changes.find((c: { pointer: string }) => c.pointer === DELETE);
    expect(deleted).toMatchObject({ side: "old", kind: "operation", operations: ["deleteServiceInstance"] });
    expect(deleted.message).toBe(
      "`deleteServiceInstance` (POST /api/c/compapi/v2/cc/delete_service_instance/) is gone: callers of it now fail.",
    );
  });

  it("prints text for a terminal, grouped by whom a change breaks", async () => {
    const run = await cli(["diff", oldSpec, newSpec], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^cmdb-contract diff: .*old\.yaml → .*new\.yaml\n\d+ breaking for consumers, \d+ breaking for providers, \d+ compatible \(fails --fail-on breaking\)\n/,
    );
    expect(run.stdout).toContain("\nBreaking for consumers (");
    expect(run.stdout).toContain("\nBreaking for providers (");
    expect(run.stdout).toContain(
      "  #/components/schemas/CreateServiceInstanceParams/properties/instances/maxItems  [apigwCreateServiceInstance, createServiceInstance]\n" +
        "    `CreateServiceInstanceParams.instances` now allows at most 50 items (was at most 100 items) in requests",
    );
    expect(run.stdout).toContain("`work_path` is now always locked: callers' values for it are always ignored");
  });

  it("prints Markdown ready for a pull request", async () => {
    const run = await cli(["diff", oldSpec, newSpec, "--format", "markdown"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^## Spec changes: \d+ breaking for consumers, \d+ breaking for providers/);
    expect(run.stdout).toContain("### Breaking for consumers (");
    expect(run.stdout).toContain("| Where | Operations | Why |\n| --- | --- | --- |\n| `#");
    expect(run.stdout).toContain(
      "| `#/x-cmdb-template-lock/caller_value/unlocked_null` | `createServiceInstance` | What a caller's explicit null does to an unlocked field",
    );
  });

  it("exits by --fail-on: 0 for none, 1 when that side breaks", async () => {
    expect((await cli(["diff", oldSpec, newSpec, "--fail-on", "none"], dir)).code).toBe(0);
    expect((await cli(["diff", oldSpec, newSpec, "--fail-on", "breaking-for-providers"], dir)).code).toBe(1);
    const same = await cli(["diff", oldSpec, oldSpec, "--fail-on", "any"], dir);
    expect(same).toMatchObject({ code: 0, stderr: "" });
    expect(same.stdout).toContain("no changes");
  });

  it("ends at once on bad arguments, without waiting for the specs it started loading (exit 2)", async () => {
    const run = await cli(["diff", oldSpec, newSpec, "--format", "html"], dir);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toBe('cmdb-contract diff: --format must be text, markdown or json, not "html"\n');
  });

  it("reads git:REF:PATH and names a bad revision (exit 2)", async () => {
    const repo = join(dir, "repo");
    await git(["init", "-q", "-b", "main", repo], dir);
    await copyFile(oldSpec, join(repo, "cmdb.openapi.yaml"));
    await git(["add", "."], repo);
    await git(["commit", "-qm", "spec"], repo);
    await copyFile(newSpec, join(repo, "cmdb.openapi.yaml"));
    const run = await cli(["diff", "git:main:cmdb.openapi.yaml", "cmdb.openapi.yaml", "--format", "json"], repo);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).changes.length).toBeGreaterThanOrEqual(EXPECTED.length);
    const bad = await cli(["diff", "git:no-such-branch:cmdb.openapi.yaml", "cmdb.openapi.yaml"], repo);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain(
      "cmdb-contract diff: OLD cannot be read:\ngit:no-such-branch:cmdb.openapi.yaml: git show no-such-branch:cmdb.openapi.yaml failed:",
    );
  });
});

describe("runDiff", () => {
  it("answers --help with the options and the exit codes", async () => {
    const run = await runCommand(runCli, ["diff", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--format FORMAT");
    expect(run.stdout).toContain("--fail-on CLASS");
    expect(run.stdout).toContain("git:REF:PATH");
  });

  it.each([
    [["diff", "only-one.yaml"], "expected OLD and NEW, got 1 argument(s)"],
    [["diff", "a", "b", "--format", "html"], '--format must be text, markdown or json, not "html"'],
    [["diff", "a", "b", "--fail-on", "sometimes"], "--fail-on must be one of breaking, breaking-for-consumers"],
    [["diff", "a", "b", "--colour"], "Unknown option '--colour'"],
    [["diff", "git:main", "b"], "write a git revision as git:REF:PATH"],
  ])("refuses %j with exit 2", async (args, message) => {
    const run = await runCommand(runCli, args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
  });

  it("names the file, line and pointer of an invalid spec, and says which side (exit 2)", async () => {
    const broken = join(dir, "broken.yaml");
    const doc = parseDocument(await readFile(SPEC_PATH, "utf8"));
    doc.setIn(["components", "schemas", "Protocol", "$ref"], "#/components/schemas/Nowhere");
    await writeFile(broken, doc.toString());
    const run = await runCommand(runCli, ["diff", SPEC_PATH, broken]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^cmdb-contract diff: NEW is not a valid spec:\n.*broken\.yaml:\d+:\d+: at #\/components\/schemas\/Protocol\/\$ref: \$ref "#\/components\/schemas\/Nowhere" points at nothing/,
    );
  });

  it("names the line and column of YAML that does not parse, for both sides at once (exit 2)", async () => {
    const broken = join(dir, "not-yaml.yaml");
    await writeFile(broken, "openapi: 3.1.0\ninfo: {title: x\n");
    const run = await runCommand(runCli, ["diff", broken, join(dir, "missing.yaml")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^cmdb-contract diff: OLD is not a valid spec:\n.*not-yaml\.yaml:\d+:\d+: /);
    expect(run.stderr).toContain("\ncmdb-contract diff: NEW cannot be read:\n");
  });

  it("refuses a spec whose aliases stand for a huge tree (a YAML bomb), naming that side alone (exit 2)", async () => {
    // Eleven levels of ten aliases each: 758 bytes of text for a tree of 10^11 nodes.
    const levels = Array.from(
      { length: 11 },
      (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`,
    );
    const bomb = join(dir, "bomb.yaml");
    await writeFile(
      bomb,
      ["openapi: 3.1.0", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]", ...levels, "paths: {}", ""].join("\n"),
    );
    const run = await runCommand(runCli, ["diff", bomb, SPEC_PATH]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cmdb-contract diff: OLD is not a valid spec:\n");
    expect(run.stderr).toContain("bomb.yaml: Excessive alias count");
    expect(run.stderr).not.toContain("NEW");
  });

  it("says when a file cannot be read (exit 2)", async () => {
    const run = await runCommand(runCli, ["diff", join(dir, "missing.yaml"), SPEC_PATH]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cmdb-contract diff: OLD cannot be read:\n");
    expect(run.stderr).toContain("missing.yaml: cannot read the file (ENOENT");
  });
});
