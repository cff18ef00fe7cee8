import { describe, expect, it, vi } from "vitest";
import { runVerify } from "../../cli/verify.ts";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import { runCommand } from "../cli/run-command.ts";

// Every parse of spec text in this file's module graph goes through these spies: js-yaml's, and `yaml`'s behind
// parseSpecText.
const parses = vi.hoisted(() => [] as string[]);
vi.mock(import("js-yaml"), async (load) => {
  const real = await load();
  return {
    ...real,
    load: (text: string, options?: Parameters<typeof real.load>[1]) => {
      parses.push(options?.filename ?? "(js-yaml)");
      return real.load(text, options);
    },
  };
});
vi.mock(import("../../spec/load-spec.ts"), async (load) => {
  const real = await load();
  return {
    ...real,
    parseSpecText: (file: string, text: string) => {
      parses.push(file);
      return real.parseSpecText(file, text);
    },
  };
});

describe("verify against the embedded reference CMDB (npm start)", () => {
  it("parses the spec once for the engine and both embedded CMDBs", async () => {
    const run = await runCommand(runVerify, ["--property-runs", "5", "--fuzz-runs", "13"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASS: \d+ checks, 0 failed/);
    expect(parses).toEqual([SPEC_PATH]);
  });
});
