/**
 * `npm run bench` figures of the package as a user installs it (issue 12): `npm pack`, installed into a temporary
 * project, then `cmdb-contract --help` against a bare `node -e 0`, and a whole `generate` against the
 * openapi-typescript CLI (the package's own dependency) on the same spec; runs interleaved, medians compared.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BenchFigure } from "./main.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const run = promisify(execFile);

/** Packs and installs the package into a fresh project, then measures both figures there. */
export async function runBench(): Promise<BenchFigure[]> {
  const scratch = await mkdtemp(join(tmpdir(), "cmdb-bench-package-"));
  try {
    const project = await installPacked(scratch);
    return [await benchHelp(project), await benchGenerate(project, scratch)];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function installPacked(scratch: string): Promise<string> {
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: REPO });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const project = join(scratch, "consumer");
  await mkdir(project);
  await writeFile(join(project, "package.json"), '{ "name": "consumer", "private": true, "type": "module" }\n');
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(scratch, filename)], {
    cwd: project,
  });
  return project;
}

/** Median wall time of `rounds` runs of each command, interleaved so drift and load hit both alike. */
async function timeInterleaved(
  cwd: string,
  commands: [file: string, args: string[]][],
  rounds: number,
): Promise<number[]> {
  const times: number[][] = commands.map(() => []);
  for (let round = -1; round < rounds; round++) {
    for (const [i, [file, args]] of commands.entries()) {
      const start = performance.now();
      await run(
        file,
        args.map((a) => a.replace("{round}", String(round))),
        { cwd },
      );
      // Round -1 warms the disk cache (and Node's compile cache, where it has one) for both.
      if (round >= 0) times[i]?.push(performance.now() - start);
    }
  }
  return times.map(median);
}

async function benchHelp(project: string): Promise<BenchFigure> {
  const [help, bare] = await timeInterleaved(
    project,
    [
      [join(project, "node_modules/.bin/cmdb-contract"), ["--help"]],
      [process.execPath, ["-e", "0"]],
    ],
    15,
  );
  return {
    name: "cmdb-contract --help (packed install)",
    unit: "ms",
    value: help ?? 0,
    baseline: bare ?? 0,
    baselineName: "node -e 0",
    goal: { max: 2.0 },
  };
}

async function benchGenerate(project: string, scratch: string): Promise<BenchFigure> {
  const spec = join(project, "node_modules/cmdb-contract/spec/cmdb.openapi.yaml");
  // Each run writes into a fresh folder, so both tools do the full write.
  const [ours, theirs] = await timeInterleaved(
    project,
    [
      [join(project, "node_modules/.bin/cmdb-contract"), ["generate", "--out", join(scratch, "ours-{round}")]],
      [
        join(project, "node_modules/.bin/openapi-typescript"),
        [spec, "--output", join(scratch, "theirs-{round}/types.ts")],
      ],
    ],
    5,
  );
  return {
    name: "generate (types + client + index + docs, whole process, packed install)",
    unit: "ms",
    value: ours ?? 0,
    baseline: theirs ?? 0,
    baselineName: "openapi-typescript CLI (types only)",
    goal: { max: 0.8 },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
