import { describe, expect, it } from "vitest";
import {
  type CheckFailure,
  formatJsonReport,
  formatJunitReport,
  formatReproduction,
  formatSummary,
  type VerifyReport,
  withReproduction,
} from "../../contracts/verify/report.ts";

const failure: CheckFailure = {
  rule: "business-rules",
  scenario: "observe/deleted-instance-not-listed step 2",
  pointer: "list_process_instance(service_instance_id=100) /data",
  expected: "no process: the instance must not exist",
  actual: "2 process(es)",
  curl: "curl LIST",
};

function reportOf(failures: CheckFailure[]): VerifyReport {
  return {
    provider: "http://127.0.0.1:1",
    responsesChecked: 3,
    checks: [{ source: "fixture", name: "observe/deleted-instance-not-listed", rule: "business-rules", failures }],
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
      "the same setup as the failure above, not repeated",
      {
        given: [withReproduction(failure, "curl SETUP"), withReproduction(failure, "curl SETUP")],
        want: ["setup:     the same as for the failure above", "reproduce: curl LIST"],
      },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(formatReproduction(given[given.length - 1] as CheckFailure, given[given.length - 2])).toEqual(want);
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
