import { describe, expect, it, vi } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import { runCommand } from "../cli/run-command.ts";

// Every parse of spec text in this file's module graph goes through these spies: the quick parse (js-yaml, with
// `yaml` for a text it cannot vouch for) and `yaml`'s parseSpecText.
const parses = vi.hoisted(() => [] as string[]);
vi.mock(import("../../spec/load-spec.ts"), async (load) => {
  const real = await load();
  const spied =
    (parse: (file: string, text: string) => Record<string, unknown>) =>
    (file: string, text: string): Record<string, unknown> => {
      parses.push(file);
      return parse(file, text);
    };
  return { ...real, parseSpecQuickly: spied(real.parseSpecQuickly), parseSpecText: spied(real.parseSpecText) };
});

describe("verify against the embedded reference CMDB (npm start)", () => {
  it("parses the spec once for the engine and both embedded CMDBs", async () => {
    const run = await runCommand(runVerify, ["--property-runs", "5", "--fuzz-runs", "13"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASS: \d+ checks, 0 failed/);
    expect(parses).toEqual([SPEC_PATH]);
  });
});
