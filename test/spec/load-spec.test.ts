import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.ts";
import { loadSpec, resolvePointer, SPEC_PATH, SpecError } from "../../spec/load-spec.ts";
import { runCommand } from "../cli/run-command.ts";

let dir: string;
let specText: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cmdb-spec-"));
  specText = await readFile(SPEC_PATH, "utf8");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadBroken(name: string, text: string): Promise<SpecError> {
  const file = join(dir, name);
  await writeFile(file, text);
  const error = await loadSpec(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpecError);
  return error as SpecError;
}

describe("loadSpec", () => {
  it("loads the shipped spec with its four operations on both routes and x-cmdb data", async () => {
    const { document } = await loadSpec();
    const operationIds = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((op) => (op as { operationId: string }).operationId),
    );
    expect(operationIds.filter(Boolean).sort()).toEqual([
      "apigwCreateServiceInstance",
      "apigwDeleteServiceInstance",
      "apigwGetProcTemplate",
      "apigwListProcessInstance",
      "createServiceInstance",
      "deleteServiceInstance",
      "getProcTemplate",
      "listProcessInstance",
    ]);
    expect(document["x-cmdb-error-codes"].length).toBeGreaterThan(10);
    expect(document["x-cmdb-template-lock"].always_locked).toEqual(["bk_process_name", "bk_func_name"]);
  });

  const cases: [string, { edit: (text: string) => string; want: { pointer?: string; line?: number; text: RegExp } }][] =
    [
      [
        "a missing $ref names the pointer of the $ref",
        {
          edit: (t) =>
            t.replace(
              '$ref: "#/components/schemas/ServiceInstanceToCreate"',
              '$ref: "#/components/schemas/NoSuchSchema"',
            ),
          want: {
            pointer: "/components/schemas/CreateServiceInstanceParams/properties/instances/items/$ref",
            // The line and column, then the pointer: each can be read (and clicked) on its own.
            text: /openapi\.yaml:\d+:\d+: at #\/components\/schemas\/CreateServiceInstanceParams\/\S+: \$ref "#\/components\/schemas\/NoSuchSchema" points at nothing/,
          },
        },
      ],
      [
        "a wrong type names the pointer and the line",
        {
          edit: (t) =>
            t.replace("openapi: 3.1.0\ninfo:\n  title:", "openapi: 3.1.0\ninfo:\n  title: [not, a, string]\n  x-was:"),
          want: { pointer: "/info/title", line: 3, text: /must be string/ },
        },
      ],
      [
        "a schema type that JSON Schema does not know names its pointer",
        {
          edit: (t) => t.replace(/(CreateServiceInstanceParams:[\s\S]*?bk_biz_id:\n\s+type: )integer/, "$1integr"),
          want: {
            pointer: "/components/schemas/CreateServiceInstanceParams/properties/bk_biz_id/type",
            text: /must be one of array, boolean, integer, null, number, object, string .*OpenAPI 3\.1 schema dialect\), not "integr"/,
          },
        },
      ],
      [
        "a schema keyword of the wrong kind names its pointer",
        {
          edit: (t) =>
            t.replace(
              "      x-cmdb-seed-table: 接口参数\n",
              "      x-cmdb-seed-table: 接口参数\n      minProperties: many\n",
            ),
          want: {
            pointer: "/components/schemas/CreateServiceInstanceParams/minProperties",
            text: /must be integer .*, not "many"/,
          },
        },
      ],
      [
        "invalid YAML names the line",
        {
          edit: (t) => t.replace("paths:\n", "paths:\n  bad: [unclosed\n"),
          want: { text: /openapi\.yaml:\d+:\d+/ },
        },
      ],
    ];
  it.each(cases)("%s", async (_name, { edit, want }) => {
    const broken = edit(specText);
    expect(broken).not.toBe(specText);
    const error = await loadBroken("cmdb.openapi.yaml", broken);
    expect(error.file).toContain("cmdb.openapi.yaml");
    expect(error.message).toContain(join(dir, "cmdb.openapi.yaml"));
    expect(error.message).toMatch(want.text);
    if (want.pointer) expect(error.problems.map((p) => p.pointer)).toContain(want.pointer);
    if (want.line) expect(error.problems.find((p) => p.pointer === want.pointer)?.line).toBe(want.line);
  });

  it.each(cases)("exits 2 from the command line on %s, naming the file and the place", async (name, { edit, want }) => {
    const file = join(dir, `cli-${cases.findIndex(([n]) => n === name)}.openapi.yaml`);
    await writeFile(file, edit(specText));
    const { code, stderr } = await runCommand(runCli, [
      "generate",
      "--spec",
      file,
      "--out",
      join(dir, "out"),
      "--check",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(file);
    expect(stderr).toMatch(want.text);
    if (want.pointer) expect(stderr).toContain(`#${want.pointer}`);
  });

  it("docs refuses an invalid schema too, exiting 2 with its pointer", async () => {
    const file = join(dir, "docs.openapi.yaml");
    await writeFile(
      file,
      specText.replace(/(ServiceInstanceToCreate:[\s\S]*?bk_host_id:\n\s+type: )integer/, "$1integr"),
    );
    const { code, stderr } = await runCommand(runCli, ["docs", "--spec", file, "--out", join(dir, "docs-out")]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:`);
    expect(stderr).toContain("#/components/schemas/ServiceInstanceToCreate/properties/bk_host_id/type");
  });

  it("reports an unreadable file by name", async () => {
    const error = await loadSpec(join(dir, "missing.yaml")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).message).toMatch(/missing\.yaml.*cannot read/);
  });
});

describe("resolvePointer", () => {
  const doc = { paths: { "/a/b": { post: { x: [1, 2] } } }, "t~n": 1 };
  const cases: [string, { given: string; want: unknown }][] = [
    ["root", { given: "", want: doc }],
    ["escaped slash", { given: "/paths/~1a~1b/post/x/1", want: 2 }],
    ["escaped tilde", { given: "/t~0n", want: 1 }],
    ["missing step", { given: "/paths/nope", want: undefined }],
  ];
  it.each(cases)("%s", (_name, { given, want }) => {
    expect(resolvePointer(doc, given)).toEqual(want);
  });
});
