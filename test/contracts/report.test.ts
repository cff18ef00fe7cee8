import { describe, expect, it } from "vitest";
import { type CheckFailure, exitCodeOf, type VerifyReport, withReproduction } from "../../contracts/verify/report.ts";
import {
  formatCheckLine,
  formatJsonReport,
  formatJunitReport,
  formatReproduction,
  formatSummary,
} from "../../contracts/verify/report-format.ts";

const failure: CheckFailure = {
  rule: "business-rules",
  scenario: "observe/deleted-instance-not-listed step 2",
  pointer: "list_process_instance(service_instance_id=100) /data",
  expected: "no process: the instance must not exist",
  actual: "2 process(es)",
  curl: "curl LIST",
};

function reportOf(failures: CheckFailure[], patch: Partial<VerifyReport> = {}): VerifyReport {
  return {
    provider: "http://127.0.0.1:1",
    responsesChecked: 3,
    checks: [
      { source: "fixture", name: "observe/deleted-instance-not-listed", rule: "business-rules", failures },
      { source: "fixture", name: "lock/work_path/locked", rule: "template-lock", failures: [] },
    ],
    skipped: [],
    notes: [],
    ...patch,
  };
}

describe("withReproduction", () => {
  it("puts setup and the earlier steps before the reproduce line, in the order they are sent", () => {
    const f = withReproduction(failure, "curl SETUP", [{ step: 0, curl: "curl CREATE" }]);
    expect(Object.keys(f).slice(-3)).toEqual(["setup", "earlierSteps", "curl"]);
  });

  it("leaves a failure without a state (live mode) without a setup", () => {
    expect(withReproduction(failure, undefined)).toEqual(failure);
  });
});

describe("formatReproduction", () => {
  it.each([
    ["no setup (live mode)", { given: [failure], want: ["reproduce: curl LIST"] }],
    [
      "a setup right before reproduce",
      { given: [withReproduction(failure, "curl SETUP")], want: ["setup:     curl SETUP", "reproduce: curl LIST"] },
    ],
    [
      "the earlier steps of the scenario between them",
      {
        given: [withReproduction(failure, "curl SETUP", [{ step: 0, curl: "curl CREATE" }])],
        want: ["setup:     curl SETUP", "step 0:    curl CREATE", "reproduce: curl LIST"],
      },
    ],
    [
      "a setup printed for an earlier failure, referred back to by number",
      {
        given: [
          withReproduction(failure, "curl SETUP"),
          withReproduction(failure, "curl OTHER"),
          withReproduction(failure, "curl SETUP"),
        ],
        want: ["setup:     the same as for failure 1 above", "reproduce: curl LIST"],
      },
    ],
  ])("%s", (_name, { given, want }) => {
    const printed = new Map<string, number>();
    for (const earlier of given.slice(0, -1)) formatReproduction(earlier, printed);
    expect(formatReproduction(given[given.length - 1] as CheckFailure, printed)).toEqual(want);
  });
});

describe("formatSummary, formatJsonReport and formatJunitReport", () => {
  const report = reportOf([withReproduction(failure, "curl SETUP", [{ step: 0, curl: "curl CREATE" }])]);

  it("print the setup line right before the earlier steps and the reproduce line", () => {
    expect(formatSummary(report)).toContain(
      [
        "      actual   2 process(es)",
        "      setup:     curl SETUP",
        "      step 0:    curl CREATE",
        "      reproduce: curl LIST",
      ].join("\n"),
    );
  });

  it("carry setup and earlierSteps as fields of the JSON failure", () => {
    const json = JSON.parse(formatJsonReport(report)) as { checks: { failures: CheckFailure[] }[] };
    expect(json.checks[0]?.failures[0]).toMatchObject({
      setup: "curl SETUP",
      earlierSteps: [{ step: 0, curl: "curl CREATE" }],
      curl: "curl LIST",
    });
  });

  it("write the setup line into the JUnit failure text", () => {
    expect(formatJunitReport(report)).toContain("setup:     curl SETUP\nstep 0:    curl CREATE\nreproduce: curl LIST");
  });
});

describe("rule outcomes in the summary, the exit code and the reports", () => {
  it.each([
    [
      "every rule observed and clean",
      { given: reportOf([]), want: { exit: 0, lines: ["Business rules: passed (1 checks)"] } },
    ],
    [
      "a rule none of whose checks ran is not run, and fails the run",
      {
        given: reportOf([], { responsesChecked: 0 }),
        want: {
          exit: 1,
          lines: ["Envelope: not run (0 responses checked)", "FAIL: 2 checks, 0 failed; not run: envelope"],
        },
      },
    ],
    [
      "a rule the user skipped is skipped, not passed, and does not fail the run",
      {
        given: reportOf([], {
          skipped: ["template-lock"],
          checks: [
            { source: "fixture", name: "create/raw", rule: "business-rules", failures: [] },
            {
              source: "property",
              name: "p",
              rule: "template-lock",
              failures: [],
              skipped: "skipped: --skip template-lock",
            },
          ],
        }),
        want: { exit: 0, lines: ["Template lock: skipped (--skip)", "PASS: 2 checks, 0 failed, 1 skipped"] },
      },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(exitCodeOf(given)).toBe(want.exit);
    const summary = formatSummary(given);
    for (const line of want.lines) expect(summary).toContain(line);
  });

  it("marks a rule that did not run as a failing test case in JUnit and as not run in JSON", () => {
    const report = reportOf([], { responsesChecked: 0 });
    expect(formatJunitReport(report)).toContain('<testcase classname="envelope" name="Envelope: not run">');
    const json = JSON.parse(formatJsonReport(report)) as { passed: boolean; rules: { rule: string; status: string }[] };
    expect(json.passed).toBe(false);
    expect(json.rules.find((r) => r.rule === "envelope")?.status).toBe("not run");
  });

  it("shows a skipped check as SKIP with its reason, never as ok", () => {
    const line = formatCheckLine(
      {
        source: "property",
        name: "template lock",
        rule: "template-lock",
        failures: [],
        skipped: "skipped: --property-runs 0",
      },
      "[9/9]",
    );
    expect(line).toBe("[9/9] SKIP property template lock (skipped: --property-runs 0)\n");
  });

  it("prints the notes once and folds identical failures without a request into one entry", () => {
    const blocked = (name: string): CheckFailure => ({
      rule: "business-rules",
      scenario: name,
      pointer: "(state setup)",
      expected: "the provider accepts the world",
      actual: "not run: the provider's state-setup endpoint is not available (see the note above)",
    });
    const summary = formatSummary(
      reportOf([blocked("a"), blocked("b"), blocked("c")], {
        notes: ["The provider has no usable state-setup endpoint."],
      }),
    );
    expect(summary.match(/note: The provider has no usable state-setup endpoint\./g)).toHaveLength(1);
    expect(summary).toContain("✗ a (and 2 more checks with the same failure)");
    expect(summary).not.toContain("✗ b");
  });
});
