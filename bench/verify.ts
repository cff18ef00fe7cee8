/**
 * `npm run bench` figures of `verify`: the wall time of a whole `npm start` (the reference CMDB, the Pact verifier,
 * the fixture checks and the property-based check) against Pact's standalone verifier alone over the same pact files
 * and the same provider; and how long a provider that hangs on every ESB call holds a run, against the 30 s bound.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { PACTS_DIR } from "../contracts/shared/pact-format.ts";
import { startReferenceCmdb } from "../provider/server.ts";
import type { BenchFigure } from "./main.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PACT_VERIFIER = createRequire(import.meta.url).resolve("@pact-foundation/pact-cli/bin/pact-verifier.js");

/** Runs a node script of the repository to its end and answers its wall time in milliseconds. */
export async function timeCommand(args: string[], expectedCode = 0): Promise<number> {
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, PACT_DO_NOT_TRACK: "true" },
      stdio: "ignore",
    });
    child.on("close", resolve);
  });
  if (code !== expectedCode) throw new Error(`bench: ${args.join(" ")} exited ${code}`);
  return performance.now() - started;
}

/** A provider whose state endpoint answers at once and whose ESB routes never answer. */
async function startHangingProvider(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/_cmdb/state")) {
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The wall time of `npm start` against the Pact verifier alone and the 10 s budget; a hanging provider's cost. */
export async function runBench(): Promise<BenchFigure[]> {
  const cmdb = await startReferenceCmdb({});
  let verifierAlone: number;
  try {
    const { port } = new URL(cmdb.url);
    verifierAlone = await timeCommand([
      PACT_VERIFIER,
      ...["--dir", PACTS_DIR, "--hostname", "127.0.0.1", "--port", port],
      ...["--state-change-url", cmdb.stateSetupUrl, "--state-change-teardown", "--loglevel", "none"],
    ]);
  } finally {
    await cmdb.close();
  }
  // As `npm start` runs it: the sources under tsx.
  const whole = await timeCommand(["--import", "tsx", "cli/bin.ts", "verify"]);
  const hanging = await startHangingProvider();
  let hung: number;
  try {
    hung = await timeCommand(["--import", "tsx", "cli/bin.ts", "verify", "--provider-url", hanging.url], 1);
  } finally {
    await hanging.close();
  }
  return [
    {
      name: "npm start (verify, everything)",
      unit: "ms",
      value: whole,
      baseline: verifierAlone,
      baselineName: "Pact's verifier alone on the same pacts",
      goal: { max: 5 },
    },
    {
      name: "npm start wall time",
      unit: "ms",
      value: whole,
      baseline: 10_000,
      baselineName: "the 10 s budget",
      goal: { max: 1 },
    },
    {
      name: "verify against a provider that hangs on every ESB call (default 5 s timeout)",
      unit: "ms",
      value: hung,
      baseline: 30_000,
      baselineName: "the 30 s bound",
      goal: { max: 1 },
    },
  ];
}
