import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.ts";
import { generateFiles } from "../../generator/generate.ts";
import { loadSpec, SPEC_PATH, SpecError } from "../../spec/load-spec.ts";
import { strictConsumerTsconfig } from "../consumer-tsconfig.ts";
import { type CommandRun, runCommand } from "./run-command.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(REPO, "node_modules/typescript/bin/tsc");

async function generate(...args: string[]): Promise<CommandRun> {
  return runCommand(runCli, ["generate", ...args]);
}

/** Every file under a folder with its bytes, for byte-for-byte comparisons. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const files: Record<string, string> = {};
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    files[path.slice(dir.length + 1)] = (await readFile(path)).toString("base64");
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
}

// Folders outside the repo, as a team generating into its own repo would have.
let out: string;
let scratch: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "cmdb-generate-out-"));
  scratch = await mkdtemp(join(tmpdir(), "cmdb-generate-scratch-"));
});

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

describe("runGenerate", () => {
  it("answers --help with the options", async () => {
    const run = await generate("--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--spec FILE");
    expect(run.stdout).toContain("--out DIR");
    expect(run.stdout).toContain("--check");
  });

  it("writes a self-contained copy into --out, one line per file and a summary", async () => {
    const run = await generate("--out", out);
    expect(run.code).toBe(0);
    const written = Object.keys(await snapshot(out));
    expect(written).toEqual(expect.arrayContaining(["client.gen.ts", "index.ts", "types.gen.ts"]));
    for (const path of written) expect(run.stdout).toContain(join(out, path));
    expect(run.stdout).toMatch(new RegExp(`generate: ${written.length} of ${written.length} files written`));
    for (const path of written.filter((p) => p.endsWith(".ts"))) {
      const text = await readFile(join(out, path), "utf8");
      const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
      for (const specifier of specifiers)
        expect(specifier, `${path} imports ${specifier}`).toMatch(/^\.\/[\w.-]+\.js$/);
    }
  });

  it("type-checks the --out copy, used on both routes, in its own strict project with only TypeScript's lib.dom", async () => {
    const project = await mkdtemp(join(tmpdir(), "cmdb-generate-consumer-"));
    try {
      await generate("--out", join(project, "src/cmdb"));
      const tsconfig = strictConsumerTsconfig([]);
      await writeFile(join(project, "tsconfig.json"), JSON.stringify(tsconfig));
      await writeFile(join(project, "package.json"), JSON.stringify({ type: "module" }));
      await writeFile(
        join(project, "src/use.ts"),
        [
          'import { CmdbGatewayError, type CmdbClient, type CmdbRoute, createCmdbClient, isCmdbError } from "./cmdb/index.js";',
          'const auth = { bk_app_code: "a", bk_app_secret: "s", bk_username: "admin" };',
          'const cmdb = createCmdbClient({ baseUrl: "https://paas.example.com", auth });',
          "// The same methods through the API gateway: a stage, or a base URL that already is the stage's.",
          'const gateway: CmdbClient = createCmdbClient({ baseUrl: "https://bkapi.example.com", auth, route: "apigw", stage: "prod" });',
          'const route: CmdbRoute = "apigw";',
          'const staged = createCmdbClient({ baseUrl: "https://bkapi.example.com/api/bk-cmdb/prod", auth, route, stage: null });',
          "export async function create(client: CmdbClient = cmdb): Promise<number[]> {",
          "  try {",
          "    return await client.createServiceInstance({ bk_biz_id: 2, bk_module_id: 61, instances: [{ bk_host_id: 10 }] });",
          "  } catch (error) {",
          "    if (isCmdbError(error, 1113016)) return [];",
          "    if (error instanceof CmdbGatewayError && error.status === 429) {",
          "      const wait: number = error.rateLimit?.reset ?? 1;",
          '      throw new Error(error.codeName + " " + error.code + ": retry in " + wait + " s (" + error.requestId + ")");',
          "    }",
          "    throw error;",
          "  }",
          "}",
          "export const both = [create(cmdb), create(gateway), staged.getProcTemplate({ bk_biz_id: 2, process_template_id: 7 })];",
          "",
        ].join("\n"),
      );
      const run = await promisify(execFile)(process.execPath, [TSC, "-p", project]).then(
        () => ({ code: 0, output: "" }),
        (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
      );
      expect(run.output).toBe("");
      expect(run.code).toBe(0);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it("produces byte-identical output on every run", async () => {
    const again = await mkdtemp(join(scratch, "again-"));
    await generate("--out", out);
    await generate("--out", again);
    expect(await snapshot(again)).toEqual(await snapshot(out));
    const spec = await loadSpec();
    expect(await generateFiles(structuredClone(spec))).toEqual(await generateFiles(spec));
  });

  it("--check exits 0 when up to date, and 1 listing every differing file without writing", async () => {
    await generate("--out", out);
    expect((await generate("--out", out, "--check")).code).toBe(0);
    await writeFile(join(out, "client.gen.ts"), "// edited by hand\n");
    await unlink(join(out, "index.ts"));
    const before = await snapshot(out);
    const run = await generate("--out", out, "--check");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(join(out, "client.gen.ts"));
    expect(run.stderr).toContain(join(out, "index.ts"));
    expect(run.stderr).not.toContain(join(out, "types.gen.ts"));
    expect(run.stderr).toContain(`Run \`cmdb-contract generate --out ${out}\` and commit the result.`);
    expect(await snapshot(out)).toEqual(before);
  });

  it("--check lists files an earlier spec generated, and generate removes them but not the user's files", async () => {
    await generate("--out", out);
    await writeFile(join(out, "docs/removed_operation.en.md"), "old page\n");
    await writeFile(join(out, "notes.md"), "mine\n");
    const check = await generate("--out", out, "--check");
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`${join(out, "docs/removed_operation.en.md")} (no longer generated)`);
    expect(check.stderr).not.toContain("notes.md");
    const run = await generate("--out", out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`removed   ${join(out, "docs/removed_operation.en.md")}`);
    expect(Object.keys(await snapshot(out))).not.toContain("docs/removed_operation.en.md");
    expect(await readFile(join(out, "notes.md"), "utf8")).toBe("mine\n");
    await rm(join(out, "notes.md"));
    expect((await generate("--out", out, "--check")).code).toBe(0);
  });

  it.each([
    ["a YAML syntax error", (text: string) => `${text}\n  : : bad`, "the spec is invalid"],
    [
      "an operation without operationId",
      (text: string) => text.replace(/^ *operationId: getProcTemplate\n/m, ""),
      "operationId is required",
    ],
    ["a file that does not exist", () => null, "cannot read the file"],
  ])("exits 2 on %s and leaves the previous files byte-identical", async (_name, edit, message) => {
    await generate("--out", out);
    const before = await snapshot(out);
    const spec = join(scratch, "bad.openapi.yaml");
    const text = edit(await readFile(SPEC_PATH, "utf8"));
    if (text === null) await rm(spec, { force: true });
    else await writeFile(spec, text);
    const run = await generate("--spec", spec, "--out", out);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain(spec);
    expect(await snapshot(out)).toEqual(before);
  });

  it.each([
    ["info without a title", (text: string) => text.replace(/^ {2}title: .*\n/m, "")],
    ["an unsupported OpenAPI version", (text: string) => text.replace(/^openapi: 3\.1\.0$/m, "openapi: 9.9.9")],
    [
      "info without a title and an operation without operationId",
      (text: string) => text.replace(/^ {2}title: .*\n/m, "").replace(/^ *operationId: getProcTemplate\n/m, ""),
    ],
  ])(
    "exits 2 on a spec that breaks the OpenAPI schema (%s) with loadSpec's exact problems, writing nothing",
    async (_name, edit) => {
      await generate("--out", out);
      const before = await snapshot(out);
      const spec = join(scratch, "schema.openapi.yaml");
      await writeFile(spec, edit(await readFile(SPEC_PATH, "utf8")));
      const expected = await loadSpec(spec).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(expected).toBeInstanceOf(SpecError);
      expect((expected as SpecError).problems[0]?.code).toBe("schema");
      const run = await generate("--spec", spec, "--out", out);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`cmdb-contract generate: the spec is invalid\n${(expected as SpecError).message}\n`);
      expect(await snapshot(out)).toEqual(before);
    },
  );

  it("exits 2 on a write error and leaves the previous files byte-identical", async () => {
    const target = await mkdtemp(join(scratch, "write-error-"));
    await writeFile(join(target, "client.gen.ts"), "old client\n");
    await writeFile(join(target, "types.gen.ts"), "old types\n");
    // A folder where index.ts must go fails that write; client.gen.ts sorts before it and must stay old too.
    await mkdir(join(target, "index.ts"));
    const before = await snapshot(target);
    const run = await generate("--out", target);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot write ${join(target, "index.ts")}: a folder is in the way`);
    expect(await snapshot(target)).toEqual(before);
    expect(await readdir(target)).toEqual(["client.gen.ts", "index.ts", "types.gen.ts"]);
  });
});
