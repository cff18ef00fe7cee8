import { PactLoadError, publishPacts } from "../contracts/verify/index.ts";
import { brokerAuthFromEnv, checkUrl } from "./broker-options.ts";
import { type CliIo, parseCommandArgs, UsageError } from "./io.ts";

/** The text of `cmdb-contract publish-pacts --help`. */
export const PUBLISH_PACTS_HELP = `Usage: cmdb-contract publish-pacts --consumer-app-version V [options]

Publishes the pact files of contracts/pacts/ to a Pact Broker (self-hosted or PactFlow) with Pact's official
CLI (\`pact-broker publish\` of @pact-foundation/pact-cli). Each pact is first validated against the spec (the
same interaction-vs-spec check verify runs); a pact that fails it is not published, and the command exits 1.
Each pact keeps the provider it names, so every provider (route) has its own verification matrix.

Options:
  --pact-broker-url URL        the broker's base URL (default $PACT_BROKER_BASE_URL)
  --consumer-app-version V     the consumer version the pacts belong to, e.g. your commit SHA (required)
  --consumer NAME              publish under this consumer name (default: each pact's own consumer), so every
                               consuming repository publishes as itself
  --branch B                   the consumer version's branch (what the providers' {"mainBranch": true} selects)
  --tag T                      a tag of the consumer version (repeatable; prefer --branch and deployments)
  --pacts DIR                  the pact files to publish (default contracts/pacts/)
  -h, --help                   show this help

Credentials: $PACT_BROKER_TOKEN, or $PACT_BROKER_USERNAME and $PACT_BROKER_PASSWORD; never printed.

Exit codes: 0 every pact published; 1 a pact failed the spec validation or the broker refused the publication;
2 could not run (bad arguments, no readable pact, no broker URL).
`;

/** `cmdb-contract publish-pacts`: validates the pacts against the spec and publishes those that pass. */
export async function runPublishPacts(
  args: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values } = parseCommandArgs("publish-pacts", args, {
    "pact-broker-url": { type: "string" },
    "consumer-app-version": { type: "string" },
    consumer: { type: "string" },
    branch: { type: "string" },
    tag: { type: "string", multiple: true },
    pacts: { type: "string" },
  });
  if (values.help) {
    io.stdout(PUBLISH_PACTS_HELP);
    return 0;
  }
  const brokerUrl = values["pact-broker-url"] ?? (env.PACT_BROKER_BASE_URL || undefined);
  if (brokerUrl === undefined) throw new UsageError("--pact-broker-url (or $PACT_BROKER_BASE_URL) is required");
  checkUrl("pact-broker-url", brokerUrl);
  const version = values["consumer-app-version"];
  if (version === undefined || version.trim() === "") {
    throw new UsageError("--consumer-app-version is required (e.g. your commit SHA)");
  }
  for (const key of ["consumer", "branch"] as const) {
    if (values[key] !== undefined && values[key].trim() === "") throw new UsageError(`--${key} must not be empty`);
  }
  const auth = brokerAuthFromEnv(env);
  let result: Awaited<ReturnType<typeof publishPacts>>;
  try {
    result = await publishPacts({
      brokerUrl,
      consumerAppVersion: version,
      ...(auth !== undefined ? { auth } : {}),
      ...(values.pacts !== undefined ? { pactDir: values.pacts } : {}),
      ...(values.consumer !== undefined ? { consumer: values.consumer } : {}),
      ...(values.branch !== undefined ? { branch: values.branch } : {}),
      ...(values.tag !== undefined ? { tags: values.tag } : {}),
    });
  } catch (error) {
    if (error instanceof PactLoadError) {
      io.stderr(`cmdb-contract publish-pacts: could not run: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  for (const { file, failures } of result.rejected) {
    io.stderr(`not published: ${file} contradicts the spec:\n`);
    for (const f of failures)
      io.stderr(`  ✗ ${f.scenario} at ${f.pointer}: expected ${f.expected}, actual ${f.actual}\n`);
  }
  if (result.output.trim() !== "") io.stdout(`${result.output.trimEnd()}\n`);
  for (const p of result.published) {
    io.stdout(`published: ${p.consumer} ${version} -> ${p.provider} (${p.file})\n`);
  }
  if (result.cliExit !== undefined && result.cliExit !== 0) {
    io.stderr(
      `cmdb-contract publish-pacts: pact-broker publish failed (exit ${result.cliExit}); nothing was published\n`,
    );
  }
  return result.rejected.length === 0 && result.cliExit === 0 ? 0 : 1;
}
