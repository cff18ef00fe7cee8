import type { OpenApiDocument } from "../../spec/load-spec.ts";
import type { OperationId } from "../../spec/operations.ts";
import { loadSharedSpec, readSharedSpec, sharedSchemaValidator } from "../../spec/shared-spec.ts";
import { CANARY_SECRET } from "../shared/canary.ts";
import { PACTS_DIR, ruleOf } from "../shared/pact-format.ts";
import { FIXTURES_DIR } from "../shared/worlds.ts";
import { type BrokerOptions, brokerSecrets, describePactSources, fetchBrokerPacts, PENDING_NOTE } from "./broker.ts";
import { runScenario } from "./fixtures.ts";
import { runFuzzCheck } from "./fuzz.ts";
import { DEFAULT_FUZZ_RUNS, MUTATION_CLASSES } from "./fuzz-cases.ts";
import { DEFAULT_LIMITS, type HttpLimits, probeTcp } from "./http.ts";
import { cleanUp, runLiveChecks } from "./live.ts";
import { type LiveConfig, worldOfLiveConfig } from "./live-config.ts";
import { runPactVerifier } from "./pact-runner.ts";
import { checkPactsAgainstSpec, loadPacts, selectPactsOfRoute } from "./pacts.ts";
import { DEFAULT_PROPERTY_RUNS, DEFAULT_PROPERTY_SEED, runPropertyCheck } from "./property.ts";
import type { CheckResult, SkipName, VerifyReport } from "./report.ts";
import { DEFAULT_STAGE, FrontDoor, GATEWAY_DOCS_BODY_NOTE, type Route } from "./route.ts";
import { loadScenarios, type Scenario } from "./scenarios.ts";
import { collectSecrets, redactText } from "./secrets.ts";
import { ProviderSession, TRANSPORT_FAILURES_BEFORE_GIVING_UP } from "./session.ts";
import { type LockRules, readLockRules } from "./template-lock.ts";
import { escapeControl } from "./values.ts";

/** What to verify and how. */
export interface VerifyOptions {
  providerUrl: string;
  /**
   * The front door every check goes through (default `esb`): the ESB, or the API gateway under
   * `/api/bk-cmdb/<stage>` with header auth and CMDB's native envelope. It picks the pacts whose provider is
   * `bk-cmdb` or `bk-cmdb-apigw`.
   */
  route?: Route;
  /** The gateway stage (default `prod`); only read on the gateway route. */
  stage?: string;
  /** The state-setup URL; default `<providerUrl>/_cmdb/state`. Ignored in live mode. */
  stateSetupUrl?: string;
  /** Bearer token for the state-setup endpoint (`serve --state-token`). */
  stateToken?: string;
  /** How the provider is named in the report (e.g. "embedded reference CMDB"); default its URL. */
  providerLabel?: string;
  /**
   * A second instance of the same provider with a state of its own (the CLI starts one beside the embedded reference
   * CMDB): the fixture scenarios, the property check and the fuzz phase run against it while the Pact verifier runs
   * against `providerUrl`. The report and the order of `onCheck` and `onProgress` calls are the same as without it.
   * Its state-setup URL defaults to `<providerUrl>/_cmdb/state`; `stateToken` applies to both.
   */
  secondProvider?: { providerUrl: string; stateSetupUrl?: string };
  pactDir?: string;
  /** Verify the pacts a Pact Broker selects instead of `pactDir`'s (and publish the results when asked). */
  broker?: BrokerOptions;
  fixturesDir?: string;
  limits?: HttpLimits;
  /** Random cases of the property check; 0 skips it (like `skip: ["property"]`). */
  propertyRuns?: number;
  propertySeed?: number;
  /** Fuzz cases (spread over the mutation classes); 0 skips the fuzz phase (like `skip: ["fuzz"]`). */
  fuzzRuns?: number;
  /** Live mode only: fuzz the real CMDB too, with bodies it rejects before writing anything. */
  fuzzLive?: boolean;
  /** Rules (or the property check) not to run; they are reported as skipped, never as passed. */
  skip?: readonly SkipName[];
  /** Live mode: no state setup; only the checks of the live file run. */
  live?: LiveConfig;
  /** Called with each check as it finishes (already redacted), and with its position (`done`/`total`). */
  onCheck?: (check: CheckResult, done: number, total: number) => void;
  /** Called with progress notes of long checks (already redacted). */
  onProgress?: (note: string) => void;
}

/** The provider could not be reached at all; `verify` exits 2. */
export class ProviderUnreachableError extends Error {
  override readonly name = "ProviderUnreachableError";
}

/**
 * Runs every check against a provider: the pacts against the spec, the Pact verifier over the pacts, the fixture
 * scenarios and the property-based lock check (or, in live mode, the live checks), checking the envelope of every
 * response on the way. The report it answers, and every check it hands to `onCheck`, is already safe to print:
 * secrets (in every encoded form) are redacted and control characters escaped.
 * @throws ProviderUnreachableError when no TCP connection to the provider can be opened.
 * @throws PactLoadError, FixtureError or SpecError when an input cannot be read.
 */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  // Parsed once in the process (with the embedded reference CMDB beside it) and validated once per text, by
  // swagger-parser on another thread while the inputs load; a spec error is still the first error reported.
  const spec = readSharedSpec();
  const validated = loadSharedSpec();
  validated.catch(() => {}); // awaited below, on every path
  const live = options.live;
  const broker = live ? undefined : options.broker;
  const route = options.route ?? "esb";
  const second = live ? undefined : options.secondProvider;
  const { rules, pacts, scenarios, specChecks } = await (async () => {
    const validator = sharedSchemaValidator(spec);
    const rules = readLockRules(spec.document);
    const pacts = live
      ? []
      : broker
        ? await fetchBrokerPacts(broker, limits.timeoutMs)
        : selectPactsOfRoute(await loadPacts(options.pactDir ?? PACTS_DIR), route, options.pactDir ?? PACTS_DIR);
    const scenarios = live
      ? []
      : await loadScenarios(options.fixturesDir ?? FIXTURES_DIR, {
          lockableFields: rules.lockableFields,
          bindSubFields: rules.bindSubFields,
        });
    for (const url of [options.providerUrl, ...(second ? [second.providerUrl] : [])]) {
      const probe = await probeTcp(url, limits.timeoutMs);
      if (!probe.reachable) throw new ProviderUnreachableError(`cannot reach the provider at ${url}: ${probe.reason}`);
    }
    const specChecks = pacts.flatMap((pact) =>
      checkPactsAgainstSpec([pact], spec.document, validator).map((check) =>
        pact.broker?.pending ? { ...check, pending: PENDING_NOTE } : check,
      ),
    );
    return { rules, pacts, scenarios, specChecks };
  })().catch(async (error: unknown) => {
    await validated;
    throw error;
  });
  await validated;
  const propertyRuns = options.propertyRuns ?? DEFAULT_PROPERTY_RUNS;
  const skipped = new Set<SkipName>(options.skip ?? []);
  if (propertyRuns === 0) skipped.add("property");
  const fuzzRuns = options.fuzzRuns ?? DEFAULT_FUZZ_RUNS;
  const seed = options.propertySeed ?? DEFAULT_PROPERTY_SEED;
  if (fuzzRuns === 0 || (live && !options.fuzzLive)) skipped.add("fuzz");
  const door = FrontDoor.of(spec.document, route, options.stage ?? DEFAULT_STAGE);
  const openSession = (providerUrl: string, stateSetupUrl: string | undefined): ProviderSession =>
    new ProviderSession(
      {
        providerUrl,
        ...(live ? {} : { stateSetupUrl: stateSetupUrl ?? `${providerUrl.replace(/\/+$/, "")}/_cmdb/state` }),
        ...(options.stateToken !== undefined ? { stateToken: options.stateToken } : {}),
        limits,
      },
      door,
      { checkEnvelope: !skipped.has("envelope") },
    );
  const session = openSession(options.providerUrl, options.stateSetupUrl);
  // The phases that set up worlds of their own run on the second instance, if there is one, beside the pacts.
  const localSession = second ? openSession(second.providerUrl, second.stateSetupUrl) : session;

  const secrets = collectSecrets(pacts.map((p) => p.interactions));
  for (const s of scenarios) collectSecrets(s.world, secrets);
  if (live) collectSecrets(live.auth, secrets);
  secrets.add(CANARY_SECRET);
  if (options.stateToken !== undefined) secrets.add(options.stateToken);
  for (const secret of brokerSecrets(broker?.auth)) secrets.add(secret);
  const clean = (text: string): string => escapeControl(redactText(text, secrets));

  const checks: CheckResult[] = [];
  const interactionCount = pacts.reduce((n, p) => n + p.interactions.length, 0);
  // Live checks arrive together once the run (and its clean-up, when it created something) is over.
  let total = interactionCount * 2 + scenarios.length + 1 + MUTATION_CLASSES.length;
  const record = (check: CheckResult): void => {
    const part = check.source === "property" || check.source === "fuzz" ? check.source : undefined;
    const why = skipped.has(check.rule)
      ? `--skip ${check.rule}`
      : part !== undefined && skipped.has(part)
        ? options.skip?.includes(part)
          ? `--skip ${part}`
          : live && part === "fuzz" && fuzzRuns > 0
            ? "fuzzing writes to a live CMDB; --fuzz-live allows it"
            : `--${part}-runs 0`
        : undefined;
    const shown: CheckResult =
      why === undefined
        ? check
        : { source: check.source, name: check.name, rule: check.rule, failures: [], skipped: `skipped: ${why}` };
    checks.push(cleanCheck(shown, clean));
    options.onCheck?.(checks.at(-1) as CheckResult, checks.length, total);
  };
  const onProgress = (note: string): void => options.onProgress?.(clean(note));
  const wanted = (rule: SkipName): boolean => !skipped.has(rule);

  if (live) {
    const fuzzed: CheckResult[] = [];
    const created: number[] = [];
    if (wanted("fuzz")) {
      const fuzzLive = { created, auth: live.auth };
      const fuzzOptions = { runs: fuzzRuns, seed, listedCodes: listedCodes(spec.document), live: fuzzLive, onProgress };
      fuzzed.push(...(await runFuzzCheck(session, spec.document, worldOfLiveConfig(live), fuzzOptions)));
      if (created.length > 0) fuzzed.push(await cleanUp(session, live, created));
    }
    const liveChecks = await runLiveChecks(session, live, rules, spec.document, onProgress);
    total = liveChecks.length + fuzzed.length + (wanted("fuzz") ? 0 : 1);
    for (const check of [...liveChecks, ...fuzzed]) record(check);
    if (!wanted("fuzz")) record({ source: "fuzz", name: "fuzz phase", rule: "business-rules", failures: [] });
  } else {
    for (const check of specChecks) record(check);
    const verifiable = pacts.some((p) => p.interactions.some((i) => wanted(ruleOf(i))));
    const pactPhase = verifiable ? runPactVerifier(session, pacts, broker) : Promise.resolve([]);
    // What the later phases report waits until the pacts are recorded, so the report keeps its order when they
    // run beside the Pact verifier (on the second instance); without one they start once the pacts are done.
    const held: (() => void)[] = [];
    let holding = true;
    const inOrder = (emit: () => void): void => {
      if (holding) held.push(emit);
      else emit();
    };
    const localPhases = (async () => {
      if (localSession === session) await pactPhase;
      await runLocalPhases(
        localSession,
        { scenarios, rules, propertyRuns, fuzzRuns, seed, document: spec.document },
        {
          record: (check) => inOrder(() => record(check)),
          onProgress: (note) => inOrder(() => onProgress(note)),
          // A provider without a state endpoint gets one fuzz check, not one per class.
          countFuzzChecks: (count) => inOrder(() => (total += count - MUTATION_CLASSES.length)),
          wanted,
        },
      );
    })();
    localPhases.catch(() => {}); // awaited below; this keeps a failed pact phase from leaving it unhandled
    let pactChecks: CheckResult[];
    try {
      pactChecks = await pactPhase;
    } finally {
      // The local phases end on their own; a failure of the pact phase is reported once they have.
      if (localSession !== session) await localPhases.catch(() => {});
    }
    for (const check of pactChecks) record(check);
    if (!verifiable) for (const p of pacts) for (const i of p.interactions) record(skippedPact(i.description, i));
    holding = false;
    for (const emit of held.splice(0)) emit();
    await localPhases;
  }
  const sessions = localSession === session ? [session] : [session, localSession];
  return {
    provider: clean(options.providerLabel ?? options.providerUrl),
    ...(route !== "esb" ? { route } : {}),
    checks,
    responsesChecked: sessions.reduce((n, s) => n + s.responsesChecked, 0),
    skipped: [...skipped].sort(),
    notes: [
      ...new Set([
        ...(live ? [] : [describePactSources(pacts, broker)]),
        ...(door.usedGatewayDocsBody ? [GATEWAY_DOCS_BODY_NOTE] : []),
        ...sessions.flatMap((s) => notesOf(s, limits)),
      ]),
    ].map((note) => note.split("\n").map(clean).join("\n")),
  };
}

/** What the phases after the pacts need from the run. */
interface LocalPhaseInputs {
  scenarios: readonly Scenario[];
  rules: LockRules;
  propertyRuns: number;
  fuzzRuns: number;
  seed: number;
  document: OpenApiDocument;
}

/** Where the phases after the pacts send what they find, in the order the report lists it. */
interface LocalPhaseOutput {
  record(check: CheckResult): void;
  onProgress(note: string): void;
  /** How many checks the fuzz phase answered (one per mutation class, or one when it could not run). */
  countFuzzChecks(count: number): void;
  wanted(rule: SkipName): boolean;
}

/**
 * The phases that set up worlds of their own, one after another on one session: the fixture scenarios, the property
 * check and the fuzz phase (the last two start from the first scenario's world, the fixtures' demo world).
 */
async function runLocalPhases(
  session: ProviderSession,
  inputs: LocalPhaseInputs,
  out: LocalPhaseOutput,
): Promise<void> {
  const { scenarios, rules, propertyRuns, fuzzRuns, seed } = inputs;
  const world = scenarios[0]?.world ?? {};
  for (const scenario of scenarios) {
    out.record(
      out.wanted(scenario.rule)
        ? await runScenario(session, scenario)
        : { source: "fixture", name: scenario.name, rule: scenario.rule, failures: [] },
    );
  }
  out.record(
    out.wanted("property") && out.wanted("template-lock")
      ? await runPropertyCheck(session, rules, { runs: propertyRuns, seed, onProgress: out.onProgress }, world)
      : {
          source: "property",
          name: `template lock of random templates, locks and process_info (seed ${seed})`,
          rule: "template-lock",
          failures: [],
        },
  );
  if (out.wanted("fuzz") && out.wanted("business-rules")) {
    const fuzzOptions = { runs: fuzzRuns, seed, listedCodes: listedCodes(inputs.document), onProgress: out.onProgress };
    const fuzzChecks = await runFuzzCheck(session, inputs.document, world, fuzzOptions);
    out.countFuzzChecks(fuzzChecks.length);
    for (const check of fuzzChecks) out.record(check);
  } else {
    for (const kind of MUTATION_CLASSES)
      out.record({ source: "fuzz", name: kind, rule: "business-rules", failures: [] });
  }
}

function skippedPact(name: string, interaction: Parameters<typeof ruleOf>[0]): CheckResult {
  return { source: "pact", name, rule: ruleOf(interaction), failures: [] };
}

/** A check with every string redacted and its control characters escaped. */
function cleanCheck(check: CheckResult, clean: (text: string) => string): CheckResult {
  return {
    ...check,
    name: clean(check.name),
    ...(check.skipped !== undefined ? { skipped: clean(check.skipped) } : {}),
    ...(check.pending !== undefined ? { pending: clean(check.pending) } : {}),
    failures: check.failures.map((f) => ({
      ...f,
      scenario: clean(f.scenario),
      pointer: clean(f.pointer),
      expected: clean(f.expected),
      actual: clean(f.actual),
      ...(f.curl !== undefined ? { curl: clean(f.curl) } : {}),
      ...(f.state !== undefined ? { state: clean(f.state) } : {}),
      ...(f.setup !== undefined ? { setup: clean(f.setup) } : {}),
      ...(f.earlierSteps !== undefined
        ? { earlierSteps: f.earlierSteps.map((s) => ({ step: s.step, curl: clean(s.curl) })) }
        : {}),
    })),
  };
}

/** The error codes the spec lists per operation (`x-cmdb-error-codes`). */
function listedCodes(document: Record<string, unknown>): Map<OperationId, Set<number>> {
  const codes = new Map<OperationId, Set<number>>();
  for (const entry of (document["x-cmdb-error-codes"] ?? []) as { code: number; operations?: OperationId[] }[]) {
    for (const operation of entry.operations ?? [])
      codes.set(operation, (codes.get(operation) ?? new Set()).add(entry.code));
  }
  return codes;
}

/** What the run must say once rather than in every failure: a missing state endpoint, a provider given up on. */
function notesOf(session: ProviderSession, limits: HttpLimits): string[] {
  const notes: string[] = [];
  const url = session.target.stateSetupUrl;
  if (session.stateSetupUnavailable !== undefined && url !== undefined) {
    notes.push(
      [
        `The provider has no usable state-setup endpoint: ${session.stateSetupUnavailable.reason}.`,
        "Every check that needs a provider state (the pacts, the fixture scenarios, the property check) could not run.",
        'To support them all, a provider implements one endpoint (README, "Provider states"):',
        `  POST ${url}`,
        '  {"state": "<name>", "params": {"world": {…}}, "action": "setup" | "teardown"}',
        "  setup replaces the provider's whole state with the world (spec/world.schema.json); teardown empties it.",
        "Alternatives: --state-setup-url URL when the endpoint lives elsewhere; --live FILE for a CMDB whose state",
        "cannot be set up.",
      ].join("\n"),
    );
  }
  if (session.requestsNotSent > 0) {
    notes.push(
      `The provider stopped answering: ${TRANSPORT_FAILURES_BEFORE_GIVING_UP} requests in a row got no complete ` +
        `answer (each may take ${limits.timeoutMs} ms), so the remaining ${session.requestsNotSent} requests were ` +
        "not sent and their checks failed.",
    );
  }
  return notes;
}
