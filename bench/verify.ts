/**
 * `npm run bench` figures of `verify`: the wall time of a whole `npm start` (the reference CMDB, the Pact verifier,
 * the fixture checks and the property-based check) against the Pact verifier alone over the same pact files and the
 * same provider, measured in the same run.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PACTS_DIR } from "../contracts/verify/pacts.ts";
import { startReferenceCmdb } from "../provider/server.ts";
import type { BenchFigure } from "./main.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PACT_CHILD = fileURLToPath(new URL("../contracts/verify/pact-verifier-child.mjs", import.meta.url));

/** Runs a command to its end and answers its wall time in milliseconds. */
async function timeCommand(args: string[]): Promise<number> {
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, PACT_DO_NOT_TRACK: "true" },
      stdio: "ignore",
    });
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`bench: ${args.join(" ")} exited ${code}`);
  return performance.now() - started;
}

/** The wall time of `npm start` against the Pact verifier alone, and against the 10 s budget of the issue. */
export async function runBench(): Promise<BenchFigure[]> {
  const cmdb = await startReferenceCmdb({});
  let verifierAlone: number;
  try {
    verifierAlone = await timeCommand([
      PACT_CHILD,
      JSON.stringify({
        providerBaseUrl: cmdb.url,
        pactUrls: [PACTS_DIR],
        providerStatesSetupUrl: cmdb.stateSetupUrl,
        providerStatesSetupTeardown: true,
        providerStatesSetupBody: true,
        logLevel: "error",
      }),
    ]);
  } finally {
    await cmdb.close();
  }
  const whole = await timeCommand(["cli/bin.js", "verify"]);
  return [
    {
      name: "npm start (verify, everything)",
      unit: "ms",
      value: whole,
      baseline: verifierAlone,
      baselineName: "the Pact verifier alone",
      // Informational: everything verify does beyond the pacts (fixtures, property runs, envelope checks) costs
      // this much more; the hard goal is the 10 s budget below.
      goal: {},
    },
    {
      name: "npm start wall time",
      unit: "ms",
      value: whole,
      baseline: 10_000,
      baselineName: "the 10 s budget",
      goal: { max: 1 },
    },
  ];
}
