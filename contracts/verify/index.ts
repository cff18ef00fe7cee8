// The verification engine's one door: the CLI and the package's library entry import this file and
// nothing else from contracts/verify/. Options go in; a report comes out that is already redacted and safe to print.

export { type BrokerAuth, type BrokerOptions, DEFAULT_CONSUMER_VERSION_SELECTORS } from "./broker.ts";
export { ProviderUnreachableError, type VerifyOptions, verify } from "./engine.ts";
export { isBlockedByStateSetup } from "./fixtures.ts";
export { DEFAULT_FUZZ_RUNS, MUTATION_CLASSES } from "./fuzz-cases.ts";
export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type HttpLimits } from "./http.ts";
export { DEFAULT_SECRET_ENV, type LiveConfig, LiveConfigError, loadLiveConfig } from "./live-config.ts";
export { PactLoadError } from "./pacts.ts";
export { DEFAULT_PROPERTY_RUNS, DEFAULT_PROPERTY_SEED } from "./property.ts";
export { type PublishOptions, type PublishResult, publishPacts } from "./publish.ts";
export {
  type CheckFailure,
  type CheckResult,
  countReport,
  exitCodeOf,
  type RuleGroup,
  SKIP_NAMES,
  type SkipName,
  type VerifyReport,
} from "./report.ts";
export { formatCheckLine, formatJsonReport, formatJunitReport, formatSummary } from "./report-format.ts";
export { DEFAULT_STAGE, PROVIDER_NAMES, ROUTES, type Route } from "./route.ts";
export { FixtureError } from "./scenarios.ts";
export { TRANSPORT_FAILURES_BEFORE_GIVING_UP } from "./session.ts";
