import { basename, dirname } from "node:path";
import {
  DEFAULT_FUZZ_RUNS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_PROPERTY_RUNS,
  DEFAULT_PROPERTY_SEED,
  DEFAULT_STAGE,
  DEFAULT_TIMEOUT_MS,
  exitCodeOf,
  FixtureError,
  formatCheckLine,
  formatJsonReport,
  formatJunitReport,
  formatSummary,
  isBlockedByStateSetup,
  LiveConfigError,
  loadLiveConfig,
  MUTATION_CLASSES,
  PactLoadError,
  PROVIDER_NAMES,
  ProviderUnreachableError,
  ROUTES,
  type Route,
  SKIP_NAMES,
  type SkipName,
  TRANSPORT_FAILURES_BEFORE_GIVING_UP,
  verify,
} from "../contracts/verify/index.ts";
import { writeFiles } from "../generator/write-files.ts";
import { loadSharedSpec } from "../spec/shared-spec.ts";
import { BROKER_VERIFY_HELP, BROKER_VERIFY_OPTIONS, checkUrl, parseBrokerOptions } from "./broker-options.ts";
import { type CliIo, parseCommandArgs, parseIntegerOption, UsageError } from "./io.ts";

/** The environment variable that holds the state-setup endpoint's bearer token (as `serve` reads it). */
const STATE_TOKEN_ENV = "CMDB_STATE_TOKEN";

/** The text of `cmdb-contract verify --help`. */
export const VERIFY_HELP = `Usage: cmdb-contract verify [options]

Verifies a CMDB provider against the pacts in contracts/pacts/, the fixture scenarios in contracts/fixtures/
and a property-based check of the template-lock rules, checking the envelope of every response.
With no --provider-url it starts the embedded reference CMDB on a free loopback port (this is \`npm start\`).

Options:
  --route esb|apigw        the front door every check goes through (default esb):
                             esb    POST <provider-url>/api/c/compapi/v2/cc/<api>/, credentials in the body,
                                    the ESB envelope {result, code, message, permission, request_id, data};
                                    the pacts of provider ${PROVIDER_NAMES.esb} (every pact but ${PROVIDER_NAMES.apigw}'s)
                             apigw  <provider-url>/api/bk-cmdb/<stage>/api/v3/… (delete with DELETE), credentials
                                    in the X-Bkapi-Authorization header, CMDB's native envelope {result,
                                    bk_error_code, bk_error_msg, permission, data} checked with the same rules (the
                                    ESB-style code/message body the gateway docs show is accepted as UNCONFIRMED,
                                    with a lenient note); the pacts of provider ${PROVIDER_NAMES.apigw}. An answer
                                    of the gateway itself (non-200 with code_name, e.g. 400 1640001 INVALID_ARGS)
                                    is reported under "Gateway", not as a CMDB rule broken
  --stage NAME             the gateway stage, with --route apigw (default ${DEFAULT_STAGE}); letters, digits, - and _
  --provider-url URL       the provider's base URL, e.g. http://127.0.0.1:8080 (the ESB's, or the gateway's
                           without /api/bk-cmdb/<stage>)
  --state-setup-url URL    its state-setup endpoint (default <provider-url>/_cmdb/state)
  --state-token TOKEN      send Authorization: Bearer TOKEN with every state-setup request, for a provider
                           started with serve --state-token (default $CMDB_STATE_TOKEN); never printed
  --live FILE              a real CMDB whose state cannot be set up: FILE (YAML/JSON) names bk_biz_id,
                           non_templated_module, templated_module, hosts, auth and optionally
                           process_template_ids; the secret comes from $CMDB_BK_APP_SECRET. Without
                           process_template_ids, verify discovers them: it creates an instance with no
                           processes on templated_module for the first listed host that can take one,
                           reads its processes' relation.process_template_id with list_process_instance
                           and deletes it at once (a host that already has an instance of the module is
                           skipped; if none can, the check fails and says to add process_template_ids).
                           Then verify reads the templates with get_proc_template, creates, reads back,
                           checks the lock rules and deletes everything it created, even when a check fails.
  --state-token T          bearer token of the state-setup endpoint (serve --state-token); default
                           $${STATE_TOKEN_ENV}
  --pacts DIR              the pact files to verify (default contracts/pacts/)
  --junit FILE             also write a JUnit XML report (for CI); missing folders are created
  --json FILE              also write a machine-readable JSON report; missing folders are created
  --timeout-ms N           per-request timeout, 1 to 2147483647 (default ${DEFAULT_TIMEOUT_MS}); responses over
                           ${DEFAULT_MAX_RESPONSE_BYTES} bytes are failures
  --property-runs N        random cases of the property-based check, 0 to 1000000 (default
                           ${DEFAULT_PROPERTY_RUNS}); 0 skips it and the summary says so
  --fuzz-runs N            fuzz cases, 0 to 1000000 (default ${DEFAULT_FUZZ_RUNS}), spread over ${MUTATION_CLASSES.length} kinds of body: valid,
                           null/number/array where an object belongs, a required field missing, wrong types,
                           out-of-range integers, over-long and multi-byte strings, unknown keys, duplicate
                           entries, empty and oversized arrays; each answer must keep the envelope and carry a code
                           the spec lists, and a rejected create must change nothing (read back); a failing case is
                           shrunk to a minimal request; 0 skips the phase and the summary says so
  --fuzz-live              with --live, fuzz the real CMDB too: only creates it rejects before writing anything
                           (a required field missing, a wrong JSON type outside process_info, an empty or an
                           oversized instances list); anything a create makes anyway is a failure and is deleted
  --seed N                 seed of the property-based check and the fuzz phase, 0 to 2147483647 (default ${DEFAULT_PROPERTY_SEED})
  --skip RULE              do not run a rule (repeatable): ${SKIP_NAMES.join(", ")};
                           a skipped rule is reported as skipped, never as passed
  -h, --help               show this help

${BROKER_VERIFY_HELP}
A check passes only on what verify observed: a read-back that fails is a failure, and a rule none of whose
checks ran is reported as "not run" and fails the run (unless you --skip it).

A provider that hangs, resets connections, answers HTML or an oversized body is reported as a failure. After
${TRANSPORT_FAILURES_BEFORE_GIVING_UP} requests in a row without a complete answer the remaining requests are not sent, so a
provider that hangs costs at most ${TRANSPORT_FAILURES_BEFORE_GIVING_UP} timeouts, whatever its state endpoint does.

Each failure comes with curl lines to reproduce it, in the order to send them: \`setup:\` POSTs the state-setup
body verify sent (the scenario's world) to the state-setup URL, \`step N:\` lines (if any) replay the earlier
steps of the scenario that changed the state, and \`reproduce:\` sends the failing request. Live mode has no setup.
Secrets are replaced by placeholders in every line, curl command and report: one placeholder stands for one value
in all lines of a failure (<BK_APP_SECRET>, <BK_TOKEN>, numbered <BK_APP_SECRET_2> for a second one of a world),
and <OTHER_BK_APP_SECRET>/<OTHER_BK_TOKEN> for a value the world does not know (a deliberately wrong one).

Exit codes: 0 all checks passed; 1 a check failed or a rule did not run; 2 could not run (bad arguments, an
unreadable pact, fixture or live file, a provider that cannot be reached, a Pact Broker that cannot be read or
selects no pact).
`;

/**
 * `cmdb-contract verify`: runs every check against a provider (default: the embedded reference CMDB), prints one
 * line per check and a summary grouped by rule, optionally writes JUnit and JSON reports, answers the exit code.
 */
export async function runVerify(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCommandArgs("verify", args, {
    route: { type: "string" },
    stage: { type: "string" },
    "provider-url": { type: "string" },
    "state-setup-url": { type: "string" },
    "state-token": { type: "string" },
    live: { type: "string" },
    pacts: { type: "string" },
    junit: { type: "string" },
    json: { type: "string" },
    "timeout-ms": { type: "string" },
    "property-runs": { type: "string" },
    "fuzz-runs": { type: "string" },
    "fuzz-live": { type: "boolean" },
    seed: { type: "string" },
    skip: { type: "string", multiple: true },
    ...BROKER_VERIFY_OPTIONS,
  });
  if (values.help) {
    io.stdout(VERIFY_HELP);
    return 0;
  }
  // setTimeout's largest delay; fast-check's seeds are 32-bit.
  const timeoutMs = parseIntegerOption("timeout-ms", values["timeout-ms"], DEFAULT_TIMEOUT_MS, {
    min: 1,
    max: 2 ** 31 - 1,
  });
  const runs = { min: 0, max: 1_000_000 };
  const propertyRuns = parseIntegerOption("property-runs", values["property-runs"], DEFAULT_PROPERTY_RUNS, runs);
  const fuzzRuns = parseIntegerOption("fuzz-runs", values["fuzz-runs"], DEFAULT_FUZZ_RUNS, runs);
  const seed = parseIntegerOption("seed", values.seed, DEFAULT_PROPERTY_SEED, { min: 0, max: 2 ** 31 - 1 });
  const skip = (values.skip ?? []).map((name) => {
    if (!(SKIP_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--skip: "${name}" is not a rule; one of ${SKIP_NAMES.join(", ")}`);
    }
    return name as SkipName;
  });
  const route = parseRoute(values.route, values.stage);
  const stage = values.stage ?? DEFAULT_STAGE;
  for (const key of ["provider-url", "state-setup-url"] as const) {
    const url = values[key];
    if (url !== undefined) checkUrl(key, url);
  }
  const broker = parseBrokerOptions(values, env, PROVIDER_NAMES[route]);
  if (broker !== undefined && values.pacts !== undefined) {
    throw new UsageError("--pacts and --pact-broker-url are two sources of pacts: give one");
  }
  if (broker !== undefined && values.live !== undefined) {
    throw new UsageError("--live verifies no pacts: it does not go with --pact-broker-url");
  }
  if (values["fuzz-live"] && values.live === undefined) {
    throw new UsageError("--fuzz-live goes with --live: without it the fuzz phase runs against a world verify sets up");
  }
  if (values.live !== undefined && values["provider-url"] === undefined) {
    throw new UsageError(
      "--live needs --provider-url: the URL of the real CMDB's ESB (with --route apigw: of its API gateway)",
    );
  }
  let live: Awaited<ReturnType<typeof loadLiveConfig>> | undefined;
  try {
    live = values.live === undefined ? undefined : await loadLiveConfig(values.live);
  } catch (error) {
    if (error instanceof LiveConfigError) return couldNotRun(io, error.message);
    throw error;
  }
  const stateToken = values["state-token"] ?? (env[STATE_TOKEN_ENV] || undefined);

  const started = Date.now();
  let blocked: { first: number; last: number; total: number } | undefined;
  const flushBlocked = (): void => {
    if (blocked === undefined) return;
    const { first, last, total } = blocked;
    const count = last - first + 1;
    io.stdout(
      `[${first}-${last}/${total}] FAIL ${count} check(s) not run: the provider has no usable state-setup endpoint (see the note below)\n`,
    );
    blocked = undefined;
  };
  let embedded: { url: string; stateSetupUrl: string; close(): Promise<void> } | undefined;
  let second: { url: string; stateSetupUrl: string; close(): Promise<void> } | undefined;
  // The spec is parsed once for the engine and the embedded CMDB; swagger-parser starts validating it now, on
  // another thread, while the CMDB starts (the engine awaits the verdict).
  loadSharedSpec().catch(() => {});
  if (values["provider-url"] === undefined) {
    // Only the shell knows the reference CMDB; the checks never import provider/ (DESIGN.md). A second instance,
    // with a state of its own, lets the fixture, property and fuzz phases run beside the Pact verifier.
    const { startReferenceCmdb } = await import("../provider/server.ts");
    [embedded, second] = await Promise.all([
      startReferenceCmdb({ stateSetup: true }),
      live ? undefined : startReferenceCmdb({ stateSetup: true }),
    ]);
  }
  const providerUrl = values["provider-url"] ?? (embedded as { url: string }).url;
  const stateSetupUrl = values["state-setup-url"] ?? embedded?.stateSetupUrl;
  const label = embedded ? `the embedded reference CMDB at ${providerUrl}` : providerUrl;
  const over = route === "apigw" ? `, over the API gateway route, stage ${stage}` : "";
  io.stdout(`cmdb-contract verify: ${label}${over}${live ? ` (live, ${values.live})` : ""}\n`);
  try {
    const report = await verify({
      providerUrl,
      ...(route !== "esb" ? { route, stage } : {}),
      ...(stateSetupUrl !== undefined ? { stateSetupUrl } : {}),
      ...(stateToken !== undefined ? { stateToken } : {}),
      providerLabel: embedded ? "the embedded reference CMDB" : providerUrl,
      ...(second ? { secondProvider: { providerUrl: second.url, stateSetupUrl: second.stateSetupUrl } } : {}),
      ...(values.pacts !== undefined ? { pactDir: values.pacts } : {}),
      ...(broker !== undefined ? { broker } : {}),
      limits: { timeoutMs, maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES },
      propertyRuns,
      propertySeed: seed,
      fuzzRuns,
      ...(values["fuzz-live"] ? { fuzzLive: true } : {}),
      skip,
      ...(live ? { live } : {}),
      onCheck: (check, done, total) => {
        // Checks a missing state endpoint kept from running are counted into one line, not printed one by one.
        if (isBlockedByStateSetup(check)) {
          blocked = { first: blocked?.first ?? done, last: done, total };
          return;
        }
        flushBlocked();
        const width = String(total).length;
        io.stdout(formatCheckLine(check, `[${String(done).padStart(width)}/${total}]`));
      },
      onProgress: (note) => io.stdout(`        … ${note}\n`),
    });
    flushBlocked();
    io.stdout(formatSummary(report));
    if (values.json !== undefined) await writeAtomically(values.json, formatJsonReport(report));
    if (values.junit !== undefined) await writeAtomically(values.junit, formatJunitReport(report));
    io.stdout(`(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    return exitCodeOf(report);
  } catch (error) {
    if (error instanceof ProviderUnreachableError || error instanceof PactLoadError || error instanceof FixtureError) {
      return couldNotRun(io, error.message);
    }
    throw error;
  } finally {
    await Promise.all([embedded?.close(), second?.close()]);
  }
}

/**
 * The route of `--route` (default esb), checked with `--stage`.
 * @throws UsageError naming the option and what it accepts.
 */
function parseRoute(route: string | undefined, stage: string | undefined): Route {
  if (route !== undefined && !(ROUTES as readonly string[]).includes(route)) {
    throw new UsageError(`--route: "${route}" is not a route; one of ${ROUTES.join(", ")}`);
  }
  if (stage !== undefined && route !== "apigw") {
    throw new UsageError("--stage names a stage of the API gateway: it goes with --route apigw");
  }
  if (stage !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(stage)) {
    throw new UsageError(
      `--stage must be a gateway stage name (letters, digits, - and _, at most 64 characters), not "${stage}"`,
    );
  }
  return (route ?? "esb") as Route;
}

function couldNotRun(io: CliIo, message: string): number {
  io.stderr(`cmdb-contract verify: could not run: ${message}\n`);
  return 2;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  try {
    await writeFiles(dirname(file), [{ path: basename(file), contents: text }]);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
