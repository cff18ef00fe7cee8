// Publishing pacts to a Pact Broker with Pact's official CLI (`pact-broker publish`), after the same
// interaction-vs-spec validation `verify` runs: a pact that contradicts the spec is never published.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { loadSharedSpec, sharedSchemaValidator } from "../../spec/shared-spec.ts";
import { PACTS_DIR } from "../shared/pact-format.ts";
import { type BrokerAuth, brokerAuthEnv, brokerSecrets, pactCliBin, pactToolEnv } from "./broker.ts";
import { checkPactsAgainstSpec, loadPacts, type PactFile } from "./pacts.ts";
import type { CheckFailure } from "./report.ts";
import { redactText } from "./secrets.ts";

/** What to publish, where, and as which consumer version. */
export interface PublishOptions {
  /** The broker's base URL. */
  brokerUrl: string;
  auth?: BrokerAuth;
  /** The folder of the pacts to publish; default contracts/pacts/. */
  pactDir?: string;
  /** The consumer version the pacts belong to (e.g. the consumer's commit SHA). */
  consumerAppVersion: string;
  /** Publish under this consumer name instead of each pact's own (one name per consuming repository). */
  consumer?: string;
  branch?: string;
  tags?: readonly string[];
  /** Milliseconds the official CLI may take before it is ended (default 120 s). */
  timeoutMs?: number;
}

/** The outcome of a publication: which pacts went to the broker, which were refused, and what the CLI said. */
export interface PublishResult {
  /** The files handed to `pact-broker publish`, with the consumer and provider they were published as. */
  published: { file: string; consumer: string; provider: string }[];
  /** Pacts that failed the spec validation and were not published, with why. */
  rejected: { file: string; failures: CheckFailure[] }[];
  /** The official CLI's exit code (undefined when nothing was handed to it). */
  cliExit: number | undefined;
  /** The official CLI's output, secrets redacted. */
  output: string;
}

/**
 * Validates each pact of the folder against the spec and publishes those that pass with `pact-broker publish`
 * (credentials by environment only), renamed to `consumer` when given.
 * @throws PactLoadError when the folder holds no readable pact.
 */
export async function publishPacts(options: PublishOptions): Promise<PublishResult> {
  const pacts = await loadPacts(options.pactDir ?? PACTS_DIR);
  const spec = await loadSharedSpec();
  const validator = sharedSchemaValidator(spec);
  const rejected: PublishResult["rejected"] = [];
  const accepted: PactFile[] = [];
  for (const pact of pacts) {
    const failures = checkPactsAgainstSpec([pact], spec.document, validator).flatMap((c) => c.failures);
    if (failures.length > 0) rejected.push({ file: pact.file, failures });
    else accepted.push(pact);
  }
  if (accepted.length === 0) return { published: [], rejected, cliExit: undefined, output: "" };
  const dir = await mkdtemp(join(tmpdir(), "cmdb-publish-pacts-"));
  try {
    const published: PublishResult["published"] = [];
    for (const pact of accepted) {
      const consumer = options.consumer ?? pact.consumer;
      const json = JSON.parse(await readFile(pact.file, "utf8")) as Record<string, unknown>;
      const renamed = { ...json, consumer: { ...(json.consumer as object), name: consumer } };
      const copy = join(dir, basename(pact.file));
      await writeFile(copy, `${JSON.stringify(renamed, null, 2)}\n`);
      published.push({ file: pact.file, consumer, provider: pact.provider });
    }
    const args = [
      "publish",
      dir,
      "--broker-base-url",
      options.brokerUrl,
      "--consumer-app-version",
      options.consumerAppVersion,
      ...(options.branch !== undefined ? ["--branch", options.branch] : []),
      ...(options.tags ?? []).flatMap((t) => ["--tag", t]),
    ];
    const run = await runPactBroker(args, brokerAuthEnv(options.auth), options.timeoutMs ?? 120_000);
    const output = redactText(run.output, brokerSecrets(options.auth));
    return { published: run.exit === 0 ? published : [], rejected, cliExit: run.exit, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runPactBroker(
  args: string[],
  env: Record<string, string>,
  limitMs: number,
): Promise<{ exit: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [pactCliBin("pact-broker"), ...args], {
      env: pactToolEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ exit: code ?? 1, output: signal ? `${output}\n(pact-broker ended: ${signal})` : output });
    });
  });
}
