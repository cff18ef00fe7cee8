/**
 * The package as a user gets it: `npm pack`, installed into a fresh project (from the npm cache `npm ci` filled;
 * the registry only when the cache misses), then used through its bin and its `exports` on plain Node.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandRun } from "../cli/run-command.ts";
import { strictConsumerTsconfig } from "../consumer-tsconfig.ts";
import { type PackedTarball, packedTarball } from "./packed-tarball.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const NPX = process.platform === "win32" ? "npx.cmd" : "npx";
// What the project's own dependency list pins, so the consumer type-checks with the same compiler and Node types.
const TYPES_NODE = "@types/node@20.19.43";

/** Runs a command in `cwd` and collects what it printed; a command that hangs is killed after `limitMs`. */
function run(cwd: string, command: string, args: string[], limitMs = 240_000): Promise<CommandRun> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PACT_DO_NOT_TRACK: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    // What an enclosing `npx -c …` or `npm run` passes down describes that command, not this one.
    for (const key of ["npm_config_call", "npm_config_package", "npm_config_local_prefix"]) delete env[key];
    execFile(command, args, { cwd, env, timeout: limitMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

let scratch: string;
let project: string;
let packed: PackedTarball;
let install: CommandRun;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "cmdb-packed-"));
  // `npm pack` runs `prepack`, the build: the tarball holds what `npm publish` would.
  packed = await packedTarball();
  project = join(scratch, "consumer");
  await mkdir(project);
  await writeFile(
    join(project, "package.json"),
    `${JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)}\n`,
  );
  install = await run(project, NPM, ["install", "--prefer-offline", "--save-dev", packed.path, TYPES_NODE]);
  expect(install.code, install.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships compiled code with declarations, the spec and the contracts, and no tests, bench or CI", () => {
    const paths = packed.files.map((f) => f.path);
    for (const folder of ["test/", "bench/", ".ci/", "cli/", "provider/", "node_modules/"])
      expect(
        paths.filter((p) => p.startsWith(folder)),
        folder,
      ).toEqual([]);
    // The one TypeScript source it ships: the client runtime `generate` copies into the generated client.
    expect(paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([
      "generator/runtime/client-runtime.ts",
    ]);
    expect(paths).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "dist/cli/bin.js",
        "dist/lib/index.js",
        "dist/lib/index.d.ts",
        "spec/cmdb.openapi.yaml",
        "spec/world.schema.json",
        "contracts/pacts/cmdb-contract-consumer-bk-cmdb.json",
        "contracts/fixtures/worlds/demo.yaml",
      ]),
    );
  });

  it("installs without warnings and without a TypeScript loader", () => {
    expect(install.stderr).not.toMatch(/npm warn/i);
    expect(existsSync(join(project, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(project, "node_modules/esbuild"))).toBe(false);
  });

  it("answers `npx cmdb-contract --help`", async () => {
    const help = await run(project, NPX, ["cmdb-contract", "--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("Usage: cmdb-contract <command> [options]");
    expect(help.stdout).toMatch(/generate .*\n.*docs .*\n.*serve .*\n.*diff .*\n.*verify /);
  });

  it("generates a client into src/cmdb that type-checks, with the library's types, under a strict tsconfig", async () => {
    const generate = await run(project, NPX, ["cmdb-contract", "generate", "--out", "src/cmdb", "--no-docs"]);
    expect(generate.code, generate.stderr).toBe(0);
    expect(existsSync(join(project, "node_modules/cmdb-contract/generated"))).toBe(false);
    await writeFile(
      join(project, "src/use.ts"),
      [
        'import { createCmdbClient, isCmdbError } from "./cmdb/index.js";',
        'import { type GenerateResult, isSpecError, specPath, startReferenceCmdb, verify, type VerifyReport } from "cmdb-contract";',
        "",
        "const cmdb = await startReferenceCmdb();",
        'const client = createCmdbClient({ baseUrl: cmdb.url, auth: { bk_app_code: "a", bk_app_secret: "s" } });',
        "const ids: number[] = await client.createServiceInstance({ bk_biz_id: 2, bk_module_id: 61, instances: [] }).catch((e: unknown) => {",
        "  if (isCmdbError(e) || isSpecError(e)) return [];",
        "  throw e;",
        "});",
        "const report: VerifyReport = await verify({ providerUrl: cmdb.url, propertyRuns: 1 });",
        "const result: GenerateResult | undefined = undefined;",
        "console.log(ids, report.checks.length, specPath, result);",
        "await cmdb.close();",
        "",
      ].join("\n"),
    );
    // The README's examples of the library, each as a file of the consumer's, so they stay true.
    const readme = await readFile(join(REPO, "README.md"), "utf8");
    const library = readme.slice(readme.indexOf("### Library"), readme.indexOf("\n## ", readme.indexOf("### Library")));
    const examples = [...library.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
    expect(examples.length).toBeGreaterThanOrEqual(6);
    for (const [i, example] of examples.entries()) await writeFile(join(project, `src/readme-${i}.ts`), example);
    const tsconfig = strictConsumerTsconfig(["node"]);
    await writeFile(join(project, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
    const tsc = await run(project, process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "."]);
    expect(tsc.code, tsc.stdout).toBe(0);
  });

  it("`verify` passes against `serve`", async () => {
    let serve: ChildProcess | undefined;
    try {
      serve = spawn(join(project, "node_modules/.bin/cmdb-contract"), ["serve", "--port", "0"], { cwd: project });
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        serve?.stdout?.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        serve?.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      const verify = await run(project, NPX, [
        "cmdb-contract",
        "verify",
        "--provider-url",
        url,
        "--property-runs",
        "5",
      ]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      expect(verify.stdout).toMatch(/passed/i);
    } finally {
      serve?.kill("SIGTERM");
    }
  });

  it('gives startReferenceCmdb, verify and the file subpaths through `import("cmdb-contract")`', async () => {
    const script = join(project, "start-and-close.mjs");
    await writeFile(
      script,
      [
        'import { createRequire } from "node:module";',
        'const api = await import("cmdb-contract");',
        "const cmdb = await api.startReferenceCmdb();",
        'const answer = await fetch(cmdb.url + "/api/c/compapi/v2/cc/create_service_instance/", { method: "POST", body: "{}" });',
        "const body = await answer.json();",
        "await cmdb.close();",
        "const require = createRequire(import.meta.url);",
        "console.log(JSON.stringify({",
        "  exports: [typeof api.startReferenceCmdb, typeof api.verify, typeof api.generate, typeof api.isSpecError],",
        "  code: body.code,",
        '  spec: require.resolve("cmdb-contract/cmdb.openapi.yaml") === api.specPath,',
        '  worldSchema: require.resolve("cmdb-contract/world.schema.json") === api.worldSchemaPath,',
        "}));",
        "",
      ].join("\n"),
    );
    const started = await run(project, process.execPath, [script]);
    expect(started.code, started.stderr).toBe(0);
    const seen = JSON.parse(started.stdout) as { exports: string[]; code: number; spec: boolean; worldSchema: boolean };
    expect(seen.exports).toEqual(["function", "function", "function", "function"]);
    expect(seen.code).not.toBe(0); // an empty body is an ESB error envelope, answered by a running CMDB
    expect(seen.spec).toBe(true);
    expect(seen.worldSchema).toBe(true);
    expect(await readFile(join(project, "node_modules/cmdb-contract/LICENSE"), "utf8")).toContain("MIT License");
  });
});
