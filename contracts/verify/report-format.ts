import {
  type CheckFailure,
  type CheckResult,
  countReport,
  type RuleOutcome,
  ruleOutcomes,
  statusOf,
  type VerifyReport,
} from "./report.ts";

// Turns a report into the text a person or a CI reads. Reports reach here already redacted and with control
// characters escaped (engine.ts), so formatting never has to think about secrets.

/** The line printed for one finished check while `verify` runs; `progress` is `[n/total]`. */
export function formatCheckLine(check: CheckResult, progress: string): string {
  const status = { failed: "FAIL", skipped: "SKIP", passed: "ok  ", pending: "PEND" }[statusOf(check)];
  const notes = [
    ...(statusOf(check) === "pending" ? [check.pending] : []),
    ...(check.skipped !== undefined && check.failures.length === 0 ? [check.skipped] : []),
    ...(check.lenient !== undefined ? [`lenient: ${check.lenient}`] : []),
  ];
  return `${progress} ${status} ${check.source.padEnd(8)} ${check.name}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}\n`;
}

/** How many failures of each rule the printed summary shows; the JSON and JUnit reports carry all of them. */
export const SUMMARY_FAILURES_PER_RULE = 10;

/**
 * The labelled lines that reproduce a failure (`setup:`, `step N:`, `reproduce:`), in the order to send them. A
 * setup (with its earlier steps) printed before for failure N is not repeated: the line refers back to it.
 */
export function formatReproduction(failure: CheckFailure, printedSetups: Map<string, number> = new Map()): string[] {
  const lines: string[] = [];
  const label = (name: string): string => `${name}:`.padEnd(11);
  if (failure.setup !== undefined) {
    const key = `${failure.setup}\n${JSON.stringify(failure.earlierSteps ?? [])}`;
    const earlier = printedSetups.get(key);
    if (earlier !== undefined) {
      lines.push(`${label("setup")}the same as for failure ${earlier} above`);
    } else {
      printedSetups.set(key, printedSetups.size + 1);
      lines.push(`${label("setup")}${failure.setup}`);
      for (const s of failure.earlierSteps ?? []) lines.push(`${label(`step ${s.step}`)}${s.curl}`);
    }
  }
  if (failure.curl !== undefined) lines.push(`${label("reproduce")}${failure.curl}`);
  return lines;
}

/**
 * The summary: the notes, then per rule its status and its failures, each with the scenario, the pointer, expected
 * against actual, and the `curl` lines that set up its provider state and reproduce it. Failures that say the same
 * thing without a request of their own (checks a missing state endpoint kept from running) are listed once.
 * @see DESIGN.md "Checks" for the three rules.
 */
export function formatSummary(report: VerifyReport): string {
  const lines: string[] = [""];
  for (const note of report.notes) lines.push(...note.split("\n").map((l) => `note: ${l}`), "");
  lines.push(`Summary for ${report.provider}${report.route === "apigw" ? " (API gateway route)" : ""}`);
  const printedSetups = new Map<string, number>();
  for (const outcome of ruleOutcomes(report)) {
    lines.push(`  ${outcome.title}: ${ruleStatusText(outcome, report)}`);
    const groups = groupRepeats(outcome.failures);
    for (const { failure: f, more } of groups.slice(0, SUMMARY_FAILURES_PER_RULE)) {
      lines.push(`    ✗ ${f.scenario}${more > 0 ? ` (and ${more} more checks with the same failure)` : ""}`);
      lines.push(`      at ${f.pointer}`);
      lines.push(`      expected ${f.expected}`);
      lines.push(`      actual   ${f.actual}`);
      if (f.state !== undefined) lines.push(`      state    ${f.state}`);
      for (const line of formatReproduction(f, printedSetups)) lines.push(`      ${line}`);
    }
    if (groups.length > SUMMARY_FAILURES_PER_RULE) {
      lines.push(
        `    … and ${groups.length - SUMMARY_FAILURES_PER_RULE} more (every failure is in --json and --junit)`,
      );
    }
  }
  const totals = countReport(report);
  const skipped =
    (totals.skipped > 0 ? `, ${totals.skipped} skipped` : "") +
    (totals.pending > 0 ? `, ${totals.pending} pending (failed, but their pacts are pending)` : "");
  const notRun = totals.notRun.length > 0 ? `; not run: ${totals.notRun.join(", ")}` : "";
  const verdict = totals.failed === 0 && totals.notRun.length === 0 ? "PASS" : "FAIL";
  lines.push("", `${verdict}: ${totals.checks} checks, ${totals.failed} failed${skipped}${notRun}`, "");
  return lines.join("\n");
}

function ruleStatusText(outcome: RuleOutcome, report: VerifyReport): string {
  const scope =
    outcome.rule === "envelope" || outcome.rule === "gateway"
      ? `${report.responsesChecked} responses checked`
      : `${outcome.executed} checks`;
  switch (outcome.status) {
    case "failed":
      return `${outcome.failures.length} failed (${scope})`;
    case "skipped":
      return "skipped (--skip)";
    case "not run":
      return `not run (${scope}): nothing of this rule was observed, so it cannot pass`;
    default:
      return `passed (${scope})`;
  }
}

/** Consecutive failures that differ only in their scenario and carry no request of their own, folded into one. */
function groupRepeats(failures: readonly CheckFailure[]): { failure: CheckFailure; more: number }[] {
  const groups: { failure: CheckFailure; more: number }[] = [];
  for (const f of failures) {
    const last = groups.at(-1);
    const repeat =
      last !== undefined &&
      f.curl === undefined &&
      last.failure.curl === undefined &&
      f.setup === undefined &&
      last.failure.setup === undefined &&
      f.pointer === last.failure.pointer &&
      f.expected === last.failure.expected &&
      f.actual === last.failure.actual;
    if (repeat) last.more += 1;
    else groups.push({ failure: f, more: 0 });
  }
  return groups;
}

/** The report as JSON for machines: stable key order, no timings, a final newline. */
export function formatJsonReport(report: VerifyReport): string {
  const totals = countReport(report);
  const value = {
    provider: report.provider,
    ...(report.route !== undefined ? { route: report.route } : {}),
    passed: totals.failed === 0 && totals.notRun.length === 0,
    totals: { ...totals, responsesChecked: report.responsesChecked },
    notes: report.notes,
    rules: ruleOutcomes(report).map((r) => ({
      rule: r.rule,
      status: r.status,
      checks: report.checks.filter((c) => c.rule === r.rule).length,
      failures: r.failures,
    })),
    checks: report.checks.map((c) => ({
      source: c.source,
      name: c.name,
      rule: c.rule,
      status: statusOf(c),
      ...(c.skipped !== undefined ? { skipped: c.skipped } : {}),
      ...(c.lenient !== undefined ? { lenient: c.lenient } : {}),
      ...(c.pending !== undefined ? { pending: c.pending } : {}),
      failures: c.failures,
    })),
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * The report as JUnit XML: one test suite per rule, one test case per check, no timings; a rule that did not run
 * is a failing test case of its own, so a CI dashboard never shows it green.
 */
export function formatJunitReport(report: VerifyReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const totals = countReport(report);
  const failures = totals.failed + totals.notRun.length;
  out.push(
    `<testsuites name="cmdb-contract verify" tests="${totals.checks + totals.notRun.length}" failures="${failures}" skipped="${totals.skipped + totals.pending}">`,
  );
  for (const outcome of ruleOutcomes(report)) {
    const checks = report.checks.filter((c) => c.rule === outcome.rule);
    const notRun = outcome.status === "not run" ? 1 : 0;
    const failed = checks.filter((c) => statusOf(c) === "failed").length + notRun;
    const skipped = checks.filter((c) => statusOf(c) === "skipped" || statusOf(c) === "pending").length;
    out.push(
      `  <testsuite name="${xml(outcome.title)}" tests="${checks.length + notRun}" failures="${failed}" skipped="${skipped}">`,
    );
    if (notRun === 1) {
      out.push(`    <testcase classname="${xml(outcome.rule)}" name="${xml(`${outcome.title}: not run`)}">`);
      out.push(`      <failure message="${xml("nothing of this rule was observed, so it cannot pass")}"/>`);
      out.push("    </testcase>");
    }
    for (const c of checks) {
      out.push(`    <testcase classname="${xml(`${c.rule}.${c.source}`)}" name="${xml(c.name)}">`);
      if (statusOf(c) === "pending") {
        const first = c.failures[0];
        const message = `${c.pending}: ${first?.pointer}: expected ${first?.expected}, actual ${first?.actual}`;
        out.push(`      <skipped message="${xml(message)}"/>`);
      } else if (c.failures.length > 0) {
        const printed = new Map<string, number>();
        const body = c.failures
          .map((f) => {
            const lines = [
              `[${f.rule}] ${f.scenario}`,
              `at ${f.pointer}`,
              `expected ${f.expected}`,
              `actual   ${f.actual}`,
            ];
            if (f.state !== undefined) lines.push(`state    ${f.state}`);
            lines.push(...formatReproduction(f, printed));
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
      // XML 1.0 cannot carry most control characters, even escaped (the engine escapes them before this point).
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "?")
  );
}
