import { RULE_GROUPS, type RuleGroup } from "../shared/rules.ts";
import type { Route } from "./route.ts";

export type { RuleGroup };

/**
 * What a failure is filed under: one of the three rules, or `gateway` for an answer of the API gateway itself (a
 * `GatewayError`), which is not a CMDB rule broken.
 */
export type FailureGroup = RuleGroup | "gateway";

/** The summary's group of gateway failures, shown on the gateway route. */
const GATEWAY_GROUP = { rule: "gateway", title: "Gateway (answers of the API gateway itself, not of CMDB)" } as const;

/** Where a check came from. */
export type CheckSource = "spec" | "pact" | "fixture" | "property" | "fuzz" | "live";

/** What `--skip` can leave out: one of the three rules, the property check or the fuzz phase. */
export type SkipName = RuleGroup | "property" | "fuzz";

/** Every name `--skip` accepts, in the order help text lists them. */
export const SKIP_NAMES: readonly SkipName[] = ["envelope", "business-rules", "template-lock", "property", "fuzz"];

/** One way a provider broke a rule: where (scenario, JSON pointer or field), expected against actual, how to reproduce. */
export interface CheckFailure {
  rule: FailureGroup;
  scenario: string;
  /** A JSON pointer into the response (or the read-back process), or a named place such as `HTTP status`. */
  pointer: string;
  expected: string;
  actual: string;
  /** A `curl` line that sends the failing request again, with every secret replaced by a placeholder. */
  curl?: string;
  /** The provider state the request needs, when it needs one. */
  state?: string;
  /**
   * A `curl` line to send before `curl`: the state-setup request verify sent for the failing check (its world's
   * secrets as the placeholders `curl` uses); absent where no state was set up (live mode).
   */
  setup?: string;
  /** The requests of earlier steps of the scenario that change the state the failing request sees, in order. */
  earlierSteps?: EarlierStep[];
}

/** One request of an earlier scenario step, to send between `setup` and `curl`. */
export interface EarlierStep {
  /** The step's index in the scenario, as the failure's scenario names it (`step 0`, `step 1`, …). */
  step: number;
  curl: string;
}

/**
 * A failure with how to reproduce it: the `setup` line and the earlier steps, placed before `curl` so that the
 * report's fields read in the order the lines are sent.
 */
export function withReproduction(
  failure: CheckFailure,
  setup: string | undefined,
  earlierSteps: readonly EarlierStep[] = [],
): CheckFailure {
  const { curl, setup: _setup, earlierSteps: _steps, ...rest } = failure;
  return {
    ...rest,
    ...(setup !== undefined ? { setup } : {}),
    ...(earlierSteps.length > 0 ? { earlierSteps: [...earlierSteps] } : {}),
    ...(curl !== undefined ? { curl } : {}),
  };
}

/** One check as it ran: its name, the rule it belongs to, and its failures (none when it passed). */
export interface CheckResult {
  source: CheckSource;
  name: string;
  rule: RuleGroup;
  failures: CheckFailure[];
  /** Set when the check was not run (the user skipped it); such a check neither passes nor fails. */
  skipped?: string;
  /** Set when the check accepts more than one answer because the CMDB's behaviour is UNCONFIRMED; says which. */
  lenient?: string;
  /** Set for an interaction of a pending pact (Pact's pending pacts): its failures are reported but fail nothing. */
  pending?: string;
}

/** Everything one `verify` run found; byte-identical between runs against the same provider. */
export interface VerifyReport {
  provider: string;
  /** The route every check went over (default ESB); the gateway route adds the summary's gateway group. */
  route?: Route;
  checks: CheckResult[];
  /** How many HTTP answers of operations the envelope check saw. */
  responsesChecked: number;
  /** What the user skipped with `--skip` (or `--property-runs 0`). */
  skipped: SkipName[];
  /** Things to say once, before the summary: a missing state-setup endpoint, a provider that stopped answering. */
  notes: string[];
}

/** How a rule came out: failed, passed, skipped by the user, or not run (no check of it executed). */
export type RuleStatus = "passed" | "failed" | "skipped" | "not run";

/** One rule's line in the summary and the reports. */
export interface RuleOutcome {
  rule: FailureGroup;
  title: string;
  status: RuleStatus;
  /** The checks of the rule that executed (for the envelope rule: the responses checked). */
  executed: number;
  failures: CheckFailure[];
}

/** The outcome of each rule, in the order the summary prints them. */
export function ruleOutcomes(report: VerifyReport): RuleOutcome[] {
  const failures = report.checks.filter((c) => c.pending === undefined).flatMap((c) => c.failures);
  const groups: readonly { rule: FailureGroup; title: string }[] =
    report.route === "apigw" ? [...RULE_GROUPS, GATEWAY_GROUP] : RULE_GROUPS;
  return groups.map(({ rule, title }) => {
    const inRule = failures.filter((f) => f.rule === rule);
    // The envelope rule (and the gateway) is checked on every response rather than by checks of its own.
    const executed =
      rule === "envelope" || rule === "gateway"
        ? report.responsesChecked
        : report.checks.filter((c) => c.rule === rule && c.skipped === undefined).length;
    const status: RuleStatus =
      inRule.length > 0
        ? "failed"
        : rule === "gateway"
          ? "passed"
          : report.skipped.includes(rule)
            ? "skipped"
            : executed === 0
              ? "not run"
              : "passed";
    return { rule, title, status, executed, failures: inRule };
  });
}

/** Counts of a report, as printed in the last line. */
export interface ReportTotals {
  checks: number;
  failed: number;
  skipped: number;
  /** Checks of pending pacts that failed: reported, but they do not fail the run. */
  pending: number;
  /** Rules that should have run but had no executed check: they fail the run like a failed check. */
  notRun: FailureGroup[];
}

/** Counts the checks of a report. */
export function countReport(report: VerifyReport): ReportTotals {
  const failed = report.checks.filter((c) => statusOf(c) === "failed").length;
  const pending = report.checks.filter((c) => statusOf(c) === "pending").length;
  const skipped = report.checks.filter((c) => c.skipped !== undefined && c.failures.length === 0).length;
  const notRun = ruleOutcomes(report)
    .filter((r) => r.status === "not run")
    .map((r) => r.rule);
  return { checks: report.checks.length, failed, skipped, pending, notRun };
}

/** The exit code a report earns: 1 when a check failed or a rule that was not skipped did not run, else 0. */
export function exitCodeOf(report: VerifyReport): 0 | 1 {
  const totals = countReport(report);
  return totals.failed > 0 || totals.notRun.length > 0 ? 1 : 0;
}

/** The status word of one check; a failing check of a pending pact is "pending", not "failed". */
export function statusOf(check: CheckResult): "passed" | "failed" | "skipped" | "pending" {
  if (check.failures.length > 0) return check.pending !== undefined ? "pending" : "failed";
  return check.skipped !== undefined ? "skipped" : "passed";
}
