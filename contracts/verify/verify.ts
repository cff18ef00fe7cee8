import { loadSpec } from "../../spec/load-spec.ts";
import { createSchemaValidator, loadWorldSchema } from "../../spec/schema-validator.ts";
import { DEFAULT_LIMITS, type HttpLimits, probeTcp } from "./http.ts";
import { type LiveConfig, runLiveChecks } from "./live.ts";
import { runPactVerifier } from "./pact-runner.ts";
import { checkPactsAgainstSpec, loadPacts, PACTS_DIR } from "./pacts.ts";
import { DEFAULT_PROPERTY_RUNS, DEFAULT_PROPERTY_SEED, runPropertyCheck } from "./property.ts";
import type { CheckResult, VerifyReport } from "./report.ts";
import { runScenario } from "./run-scenarios.ts";
import { FIXTURES_DIR, loadScenarios } from "./scenarios.ts";
import { collectSecrets } from "./secrets.ts";
import { ProviderSession } from "./session.ts";
import { readLockRules } from "./template-lock.ts";

/** What to verify and how. */
export interface VerifyOptions {
  providerUrl: string;
  /** The state-setup URL; default `<providerUrl>/_cmdb/state`. Ignored in live mode. */
  stateSetupUrl?: string;
  /** Sent as `Authorization: Bearer <token>` with every state-setup request (a provider's `--state-token`). */
  stateToken?: string;
  /** How the provider is named in the report (e.g. "embedded reference CMDB"); default its URL. */
  providerLabel?: string;
  pactDir?: string;
  fixturesDir?: string;
  limits?: HttpLimits;
  propertyRuns?: number;
  propertySeed?: number;
  /** Live mode: no state setup; only the checks of the live file run. */
  live?: LiveConfig;
  /** Called with each check as it finishes, and with its position (`done`/`total`). */
  onCheck?: (check: CheckResult, done: number, total: number) => void;
  /** Called with progress notes of long checks (e.g. the property-based runs). */
  onProgress?: (note: string) => void;
}

/** The provider could not be reached at all; `verify` exits 2. */
export class ProviderUnreachableError extends Error {
  override readonly name = "ProviderUnreachableError";
}

/** A verify run's result, plus every secret value it handled (so the shell can redact them from anything it prints). */
export interface VerifyOutcome {
  report: VerifyReport;
  secrets: Set<string>;
}

/**
 * Runs every check against a provider: the pacts against the spec, the Pact verifier over the pacts, the fixture
 * scenarios and the property-based lock check (or, in live mode, the live checks), checking the envelope of every
 * response on the way.
 * @throws ProviderUnreachableError when no TCP connection to the provider can be opened.
 * @throws PactLoadError, FixtureError or SpecError when an input cannot be read.
 */
export async function runVerification(options: VerifyOptions): Promise<VerifyOutcome> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const spec = await loadSpec();
  const validator = createSchemaValidator(spec.document, await loadWorldSchema());
  const rules = readLockRules(spec.document);
  const live = options.live;
  const pacts = live ? [] : await loadPacts(options.pactDir ?? PACTS_DIR);
  const scenarios = live
    ? []
    : await loadScenarios(options.fixturesDir ?? FIXTURES_DIR, {
        lockableFields: rules.lockableFields,
        bindSubFields: rules.bindSubFields,
      });
  const probe = await probeTcp(options.providerUrl, limits.timeoutMs);
  if (!probe.reachable)
    throw new ProviderUnreachableError(`cannot reach the provider at ${options.providerUrl}: ${probe.reason}`);

  const stateSetupUrl = live
    ? undefined
    : (options.stateSetupUrl ?? `${options.providerUrl.replace(/\/+$/, "")}/_cmdb/state`);
  const session = new ProviderSession(
    {
      providerUrl: options.providerUrl,
      ...(stateSetupUrl !== undefined ? { stateSetupUrl } : {}),
      ...(options.stateToken !== undefined ? { stateToken: options.stateToken } : {}),
      limits,
    },
    spec.document,
  );
  const secrets = collectSecrets(pacts.map((p) => p.interactions));
  for (const s of scenarios) collectSecrets(s.world, secrets);
  if (live) collectSecrets(live.auth, secrets);

  const checks: CheckResult[] = [];
  const propertyRuns = options.propertyRuns ?? DEFAULT_PROPERTY_RUNS;
  const interactionCount = pacts.reduce((n, p) => n + p.interactions.length, 0);
  // Live checks arrive together once the run (and its clean-up, when it created something) is over.
  let total = interactionCount * 2 + scenarios.length + (propertyRuns > 0 ? 1 : 0);
  const record = (check: CheckResult): void => {
    checks.push(check);
    options.onCheck?.(check, checks.length, total);
  };

  if (live) {
    const liveChecks = await runLiveChecks(session, live, rules, spec.document, options.onProgress);
    total = liveChecks.length;
    for (const check of liveChecks) record(check);
  } else {
    for (const check of checkPactsAgainstSpec(pacts, spec.document, validator)) record(check);
    for (const check of await runPactVerifier(session, pacts, { stateSetupUrl: stateSetupUrl ?? "" })) record(check);
    for (const scenario of scenarios) record(await runScenario(session, scenario));
    if (propertyRuns > 0) {
      record(
        await runPropertyCheck(
          session,
          spec.document,
          rules,
          {
            runs: propertyRuns,
            seed: options.propertySeed ?? DEFAULT_PROPERTY_SEED,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          },
          scenarios[0]?.world ?? {},
        ),
      );
    }
  }
  return {
    report: {
      provider: options.providerLabel ?? options.providerUrl,
      checks,
      responsesChecked: session.responsesChecked,
    },
    secrets,
  };
}
