/**
 * The repository packed as `npm publish` would pack it, once per test run: test files run in parallel processes of
 * one vitest run, and `npm pack` rebuilds `dist/` in place, so two packs at once would read each other's half-built
 * output. The first caller packs under a lock folder; the others wait for its tarball.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** What `npm pack --json` says of the tarball: its file name (in `dir`) and the files it holds. */
export interface PackedTarball {
  path: string;
  files: { path: string }[];
}

/**
 * Answers the packed tarball of this run (packing it if no other test file has).
 * @throws Error with npm's output when `npm pack` fails.
 */
export async function packedTarball(): Promise<PackedTarball> {
  // One folder per vitest run: its test files are children of the same vitest process.
  const dir = join(tmpdir(), `cmdb-contract-pack-${process.ppid}`);
  const result = join(dir, "pack.json");
  try {
    await mkdir(dir);
  } catch {
    // Another test file is packing: wait for its result (a pack takes well under the test timeouts).
    while (!existsSync(result)) await sleep(200);
    return parseResult(await readFile(result, "utf8"));
  }
  const text = await new Promise<string>((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_audit: "false", npm_config_fund: "false" };
    for (const key of ["npm_config_call", "npm_config_package", "npm_config_local_prefix"]) delete env[key];
    execFile(
      "npm",
      ["pack", "--json", "--pack-destination", dir],
      { cwd: REPO, env, maxBuffer: 64 << 20 },
      (e, out, err) => (e ? reject(new Error(`npm pack failed: ${err || e.message}`)) : resolve(out)),
    );
  }).catch(async (error: Error) => {
    await writeFile(result, JSON.stringify({ error: error.message }));
    throw error;
  });
  const [packed] = JSON.parse(text) as { filename: string; files: { path: string }[] }[];
  const value = JSON.stringify({ path: join(dir, packed?.filename ?? ""), files: packed?.files ?? [] });
  await writeFile(`${result}.tmp`, value);
  await writeFile(result, value);
  return parseResult(value);
}

function parseResult(text: string): PackedTarball {
  const value = JSON.parse(text) as PackedTarball & { error?: string };
  if (value.error !== undefined) throw new Error(value.error);
  return value;
}
