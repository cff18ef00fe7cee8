/**
 * `npm run bench` figures of `verify`: the wall time of a whole `npm start` (npm, the reference CMDB, the Pact
 * verifier, the fixture checks, the property-based check and the fuzz phase) against two baselines over the same pact
 * files and the same provider, each alone in a process of its own: Pact's standalone verifier (pact-cli, what verify
 * drives) and pact-js's `Verifier` (the baseline issue 14 was written against); and how long a provider that hangs on
 * every ESB call holds a run, against the 30 s bound. Each is the median of {@link ROUNDS} runs, taken in turn.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACTS_DIR } from "../contracts/shared/pact-format.ts";
import { loadPacts, selectEsbPacts } from "../contracts/verify/pacts.ts";
import { startReferenceCmdb } from "../provider/server.ts";
import type { BenchFigure } from "./main.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PACT_VERIFIER = createRequire(import.meta.url).resolve("@pact-foundation/pact-cli/bin/pact-verifier.js");
const PACT_JS_VERIFIER = fileURLToPath(new URL("./pact-js-verifier.mjs", import.meta.url));
const ROUNDS = 3;

/** Runs a node script of the repository to its end and answers its wall time in milliseconds. */
export async function timeCommand(args: string[], expectedCode = 0): Promise<number> {
  return timeProcess(process.execPath, args, expectedCode);
}

async function timeProcess(command: string, args: string[], expectedCode = 0): Promise<number> {
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, PACT_DO_NOT_TRACK: "true" },
      stdio: "ignore",
    });
    child.on("close", resolve);
  });
  if (code !== expectedCode) throw new Error(`bench: ${command} ${args.join(" ")} exited ${code}`);
  return performance.now() - started;
}

/** `npm start` as a user runs it: through npm (the one running this bench, when there is one). */
function timeNpmStart(): Promise<number> {
  const npm = process.env.npm_execpath;
  return npm?.endsWith(".js") ? timeCommand([npm, "start"]) : timeProcess("npm", ["start"]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
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

/** The wall time of `npm start` against each verifier alone, and against the budgets; a hanging provider's cost. */
export async function runBench(): Promise<BenchFigure[]> {
  // The pacts `npm start` hands Pact's verifier: those of the ESB route (the gateway's go to another provider).
  const pacts = selectEsbPacts(await loadPacts(PACTS_DIR));
  const pactFiles = pacts.map((pact) => pact.file);
  const interactions = pacts.reduce((n, pact) => n + pact.interactions.length, 0);
  const times = { cli: [] as number[], pactJs: [] as number[], npmStart: [] as number[] };
  const scratch = await mkdtemp(join(tmpdir(), "cmdb-bench-verify-"));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const cmdb = await startReferenceCmdb({});
      try {
        const { port } = new URL(cmdb.url);
        const report = join(scratch, `cli-${round}.json`);
        times.cli.push(
          await timeCommand([
            PACT_VERIFIER,
            // --file, as verify passes them: --dir would verify only pacts whose provider is named "provider".
            ...pactFiles.flatMap((file) => ["--file", file]),
            ...["--hostname", "127.0.0.1", "--port", port, "--json", report],
            ...["--state-change-url", cmdb.stateSetupUrl, "--state-change-teardown", "--loglevel", "none"],
          ]),
        );
        const verified = (JSON.parse(await readFile(report, "utf8")) as { interactionResults?: unknown[] })
          .interactionResults?.length;
        if (verified !== interactions) {
          throw new Error(`bench: Pact's verifier verified ${verified} of the ${interactions} interactions`);
        }
        times.pactJs.push(
          await timeCommand([
            PACT_JS_VERIFIER,
            JSON.stringify({
              providerBaseUrl: cmdb.url,
              pactUrls: pactFiles,
              providerStatesSetupUrl: cmdb.stateSetupUrl,
              providerStatesSetupTeardown: true,
              providerStatesSetupBody: true,
              logLevel: "error",
            }),
          ]),
        );
      } finally {
        await cmdb.close();
      }
      times.npmStart.push(await timeNpmStart());
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const whole = median(times.npmStart);
  const hanging = await startHangingProvider();
  let hung: number;
  try {
    hung = await timeCommand(["cli/bin-from-source.mjs", "verify", "--provider-url", hanging.url], 1);
  } finally {
    await hanging.close();
  }
  return [
    {
      name: "npm start (verify, everything)",
      unit: "ms",
      value: whole,
      baseline: median(times.cli),
      baselineName: `Pact's standalone verifier (pact-cli) alone on the same ${interactions} interactions`,
      goal: { max: 5 },
    },
    {
      name: "npm start (verify, everything)",
      unit: "ms",
      value: whole,
      baseline: median(times.pactJs),
      baselineName: `pact-js's Verifier alone in a Node process on the same ${interactions} interactions (issue 14's baseline)`,
      goal: { max: 5 },
    },
    {
      name: "npm start wall time",
      unit: "ms",
      value: whole,
      baseline: 1_500,
      baselineName: "issue 14's 1.5 s",
      goal: { max: 1 },
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
