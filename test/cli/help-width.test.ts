import { describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.ts";
import { runCommand } from "./run-command.ts";

// Help is read in a terminal: no line is wider than 118 columns (the width the code is written to), whatever a
// generated list (faults, rule names) holds.
describe("help text", () => {
  it.each([[], ["generate"], ["docs"], ["serve"], ["diff"], ["verify"], ["publish-pacts"]])(
    "cmdb-contract %s --help fits in 118 columns",
    async (...command: string[]) => {
      const run = await runCommand(runCli, [...command, "--help"]);
      expect(run.code).toBe(0);
      const wide = run.stdout.split("\n").filter((line) => [...line].length > 118);
      expect(wide, run.stdout).toEqual([]);
      expect(run.stdout.length).toBeGreaterThan(200);
    },
  );
});
