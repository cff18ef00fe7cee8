/**
 * `npm run bench` figure of the fuzz phase: fuzz cases per second against the reference CMDB (each with its state
 * setup, its checks and, after a rejected create, its read-backs), against a bare loop that sends the same bodies
 * to the same provider without setting up or checking anything, measured in the same run.
 */
import fc from "fast-check";
import { loadWorlds } from "../contracts/shared/worlds.ts";
import { fuzzCaseArbitrary, MUTATION_CLASSES } from "../contracts/verify/fuzz-cases.ts";
import { startReferenceCmdb } from "../provider/server.ts";
import { loadSpec } from "../spec/load-spec.ts";
import { readOperationPaths } from "../spec/operations.ts";
import type { BenchFigure } from "./main.ts";
import { timeCommand } from "./verify.ts";

const RUNS = 520;

function timeVerify(args: string[]): Promise<number> {
  return timeCommand(["--import", "tsx", "cli/bin.ts", "verify", "--skip", "template-lock", ...args]);
}

/** Fuzz cases per second through `verify`, against a bare loop sending the same number of such bodies. */
export async function runBench(): Promise<BenchFigure[]> {
  // The fuzz phase's own cost: the same run with and without it.
  const withFuzz = await timeVerify(["--fuzz-runs", String(RUNS)]);
  const without = await timeVerify(["--fuzz-runs", "0"]);
  const fuzzRate = RUNS / ((withFuzz - without) / 1000);

  const { document } = await loadSpec();
  const world = (await loadWorlds()).get("demo") ?? {};
  const paths = readOperationPaths(document);
  const perClass = Math.ceil(RUNS / MUTATION_CLASSES.length);
  const cases = MUTATION_CLASSES.flatMap((kind, i) =>
    fc.sample(fuzzCaseArbitrary(document, world, kind), { numRuns: perClass, seed: i }),
  );
  const cmdb = await startReferenceCmdb({ world });
  let bare: number;
  try {
    const started = performance.now();
    for (const c of cases) {
      const res = await fetch(`${cmdb.url}${paths[c.operation]}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(c.body),
      });
      await res.arrayBuffer();
    }
    bare = cases.length / ((performance.now() - started) / 1000);
  } finally {
    await cmdb.close();
  }
  return [
    {
      name: "fuzz cases per second (verify, each set up, checked and read back)",
      unit: "cases/s",
      value: fuzzRate,
      baseline: bare,
      baselineName: "a bare loop sending the same bodies",
      // Informational: a fuzz case is a state setup, the request and up to three read-backs, so it costs a few
      // requests of the bare loop.
      goal: {},
    },
  ];
}
