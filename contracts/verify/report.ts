/** The three rules every failure is grouped under in the summary (DESIGN.md, "Checks"). */
export type RuleGroup = "envelope" | "business-rules" | "template-lock";

/** The rules in the order the summary prints them, with their headings. */
export const RULE_GROUPS: readonly { rule: RuleGroup; title: string }[] = [
  { rule: "envelope", title: "Envelope" },
  { rule: "business-rules", title: "Business rules" },
  { rule: "template-lock", title: "Template lock" },
];

/** Where a check came from. */
export type CheckSource = "spec" | "pact" | "fixture" | "property" | "live";

/** One way a provider broke a rule: where (scenario, JSON pointer or field), expected against actual, how to reproduce. */
export interface CheckFailure {
  rule: RuleGroup;
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

/**
 * The labelled lines that reproduce a failure (`setup:`, `step N:`, `reproduce:`), in the order to send them; when
 * the failure printed just before had the same setup and earlier steps, they are not repeated.
 */
export function formatReproduction(failure: CheckFailure, previous?: CheckFailure): string[] {
  const lines: string[] = [];
  const label = (name: string): string => `${name}:`.padEnd(11);
  if (failure.setup !== undefined) {
    if (previous !== undefined && sameSetup(failure, previous)) {
      lines.push(`${label("setup")}the same as for the failure above`);
    } else {
      lines.push(`${label("setup")}${failure.setup}`);
      for (const s of failure.earlierSteps ?? []) lines.push(`${label(`step ${s.step}`)}${s.curl}`);
    }
  }
  if (failure.curl !== undefined) lines.push(`${label("reproduce")}${failure.curl}`);
  return lines;
}

function sameSetup(a: CheckFailure, b: CheckFailure): boolean {
  return a.setup === b.setup && JSON.stringify(a.earlierSteps ?? []) === JSON.stringify(b.earlierSteps ?? []);
}

/** One check as it ran: its name, the rule it belongs to, and its failures (none when it passed). */
export interface CheckResult {
  source: CheckSource;
  name: string;
  rule: RuleGroup;
  failures: CheckFailure[];
  /** Set when the check could not decide (e.g. skipped in live mode); such a check neither passes nor fails. */
  skipped?: string;
}

/** Everything one `verify` run found; byte-identical between runs against the same provider. */
export interface VerifyReport {
  provider: string;
  checks: CheckResult[];
  /** How many responses the envelope check saw. */
  responsesChecked: number;
}

/** Counts of a report, as printed in the last line. */
export interface ReportTotals {
  checks: number;
  failed: number;
  skipped: number;
}

/** Counts the checks of a report. */
export function countReport(report: VerifyReport): ReportTotals {
  const failed = report.checks.filter((c) => c.failures.length > 0).length;
  const skipped = report.checks.filter((c) => c.skipped !== undefined && c.failures.length === 0).length;
  return { checks: report.checks.length, failed, skipped };
}

/** The line printed for one finished check while `verify` runs; `progress` is `[n/total]`. */
export function formatCheckLine(check: CheckResult, progress: string): string {
  const status = check.failures.length > 0 ? "FAIL" : check.skipped !== undefined ? "SKIP" : "ok  ";
  const note = check.skipped !== undefined && check.failures.length === 0 ? ` (${check.skipped})` : "";
  return `${progress} ${status} ${check.source.padEnd(8)} ${check.name}${note}\n`;
}

/** How many failures of each rule the printed summary shows; the JSON and JUnit reports carry all of them. */
export const SUMMARY_FAILURES_PER_RULE = 10;

/**
 * The summary grouped by rule: for each failure the scenario, the pointer, expected against actual, and the `curl`
 * lines that set up its provider state and reproduce it.
 * @see DESIGN.md "Checks" for the three rules.
 */
export function formatSummary(report: VerifyReport): string {
  const lines: string[] = ["", `Summary for ${report.provider}`];
  const failures = report.checks.flatMap((c) => c.failures);
  for (const { rule, title } of RULE_GROUPS) {
    const inRule = failures.filter((f) => f.rule === rule);
    const checks = report.checks.filter((c) => c.rule === rule).length;
    // The envelope rule is checked on every response rather than by checks of its own.
    const scope = rule === "envelope" ? `${report.responsesChecked} responses checked` : `${checks} checks`;
    lines.push(`  ${title}: ${inRule.length === 0 ? "passed" : `${inRule.length} failed`} (${scope})`);
    inRule.slice(0, SUMMARY_FAILURES_PER_RULE).forEach((f, i) => {
      lines.push(`    ✗ ${f.scenario}`);
      lines.push(`      at ${f.pointer}`);
      lines.push(`      expected ${f.expected}`);
      lines.push(`      actual   ${f.actual}`);
      if (f.state !== undefined) lines.push(`      state    ${f.state}`);
      for (const line of formatReproduction(f, inRule[i - 1])) lines.push(`      ${line}`);
    });
    if (inRule.length > SUMMARY_FAILURES_PER_RULE) {
      lines.push(
        `    … and ${inRule.length - SUMMARY_FAILURES_PER_RULE} more (every failure is in --json and --junit)`,
      );
    }
  }
  const totals = countReport(report);
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
  lines.push(
    "",
    `${totals.failed === 0 ? "PASS" : "FAIL"}: ${totals.checks} checks, ${totals.failed} failed${skipped}`,
    "",
  );
  return lines.join("\n");
}

/** The report as JSON for machines: stable key order, no timings, a final newline. */
export function formatJsonReport(report: VerifyReport): string {
  const totals = countReport(report);
  const value = {
    provider: report.provider,
    passed: totals.failed === 0,
    totals: { ...totals, responsesChecked: report.responsesChecked },
    rules: RULE_GROUPS.map(({ rule }) => ({
      rule,
      checks: report.checks.filter((c) => c.rule === rule).length,
      failures: report.checks.flatMap((c) => c.failures).filter((f) => f.rule === rule),
    })),
    checks: report.checks.map((c) => ({
      source: c.source,
      name: c.name,
      rule: c.rule,
      status: c.failures.length > 0 ? "failed" : c.skipped !== undefined ? "skipped" : "passed",
      ...(c.skipped !== undefined ? { skipped: c.skipped } : {}),
      failures: c.failures,
    })),
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The report as JUnit XML: one test suite per rule, one test case per check, no timings. */
export function formatJunitReport(report: VerifyReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const totals = countReport(report);
  out.push(
    `<testsuites name="cmdb-contract verify" tests="${totals.checks}" failures="${totals.failed}" skipped="${totals.skipped}">`,
  );
  for (const { rule, title } of RULE_GROUPS) {
    const checks = report.checks.filter((c) => c.rule === rule);
    const failed = checks.filter((c) => c.failures.length > 0).length;
    const skipped = checks.filter((c) => c.skipped !== undefined && c.failures.length === 0).length;
    out.push(`  <testsuite name="${xml(title)}" tests="${checks.length}" failures="${failed}" skipped="${skipped}">`);
    for (const c of checks) {
      out.push(`    <testcase classname="${xml(`${rule}.${c.source}`)}" name="${xml(c.name)}">`);
      if (c.failures.length > 0) {
        const body = c.failures
          .map((f, i) => {
            const lines = [
              `[${f.rule}] ${f.scenario}`,
              `at ${f.pointer}`,
              `expected ${f.expected}`,
              `actual   ${f.actual}`,
            ];
            if (f.state !== undefined) lines.push(`state    ${f.state}`);
            lines.push(...formatReproduction(f, c.failures[i - 1]));
            return lines.join("\n");
          })
          .join("\n\n");
        const first = c.failures[0];
        const message = first ? `${first.pointer}: expected ${first.expected}, actual ${first.actual}` : "failed";
        out.push(`      <failure message="${xml(message)}">${xml(body)}</failure>`);
      } else if (c.skipped !== undefined) {
        out.push(`      <skipped message="${xml(c.skipped)}"/>`);
      }
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}

function xml(text: string): string {
  return (
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      // XML 1.0 cannot carry most control characters, even escaped.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "?")
  );
}

/** Renders a value for "expected"/"actual": JSON, cut to a readable length. */
export function showValue(value: unknown, max = 160): string {
  const text = value === undefined ? "(absent)" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}
