/**
 * The figure of `cmdb-contract diff` (issue 16): comparing two versions of the full spec, whole process, as users
 * run it (the compiled CLI of the package), against the openapi-typescript CLI on one of them, in the same run.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchFigure } from "./main.ts";
import { median } from "./provider-largest.ts";
import { timeCommand } from "./verify.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const SPEC = join(REPO, "spec/cmdb.openapi.yaml");
// The command as users run it: the compiled package (the package bench, which runs first, builds it by packing).
const BIN = join(REPO, "dist/cli/bin.js");

/** Runs both commands in turns (so load on the shared machine hits both alike) and compares the middle times. */
export async function runBench(): Promise<BenchFigure[]> {
  if (!existsSync(BIN)) await timeCommand([join(REPO, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"]);
  const scratch = await mkdtemp(join(tmpdir(), "cmdb-bench-diff-"));
  const ours: number[] = [];
  const theirs: number[] = [];
  try {
    // The other version: the cap lowered and a field always locked, so the diff has changes to find and print.
    const changed = join(scratch, "changed.yaml");
    const text = await readFile(SPEC, "utf8");
    await writeFile(
      changed,
      text.replace("maxItems: 100", "maxItems: 50").replace("always_locked: [", "always_locked: [user, "),
    );
    const rounds = 5;
    for (let i = -1; i < rounds; i++) {
      const a = await timeCommand([BIN, "diff", SPEC, changed, "--format", "markdown", "--fail-on", "none"]);
      const b = await timeCommand([
        "node_modules/openapi-typescript/bin/cli.js",
        SPEC,
        "--output",
        join(scratch, `types-${i}.ts`),
      ]);
      if (i >= 0) {
        ours.push(a);
        theirs.push(b);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return [
    {
      name: "diff (two versions of the full spec, markdown, whole process)",
      unit: "ms",
      value: median(ours),
      baseline: median(theirs),
      baselineName: "openapi-typescript CLI (types of one version)",
      goal: { max: 1.0 },
    },
  ];
}
