import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FIXTURES_DIR, loadWorlds, type World } from "../../contracts/shared/worlds.ts";
import { expandLockTable, FixtureError, type LockTable, loadScenarios } from "../../contracts/verify/scenarios.ts";
import { readLockRules } from "../../contracts/verify/template-lock.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSchemaValidator, loadWorldSchema } from "../../spec/schema-validator.ts";

let coverage: { lockableFields: readonly string[]; bindSubFields: readonly string[] };
let worlds: Map<string, World>;
let table: LockTable;

beforeAll(async () => {
  coverage = readLockRules((await loadSpec()).document);
  worlds = await loadWorlds();
  table = parse(await readFile(join(FIXTURES_DIR, "lock-table.yaml"), "utf8")) as LockTable;
});

describe("loadScenarios", () => {
  it("loads every scenario with a valid world and a unique name", async () => {
    const spec = await loadSpec();
    const validator = createSchemaValidator(spec.document, await loadWorldSchema());
    const scenarios = await loadScenarios(FIXTURES_DIR, coverage);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
    for (const s of scenarios) expect(validator.validateWorld(s.world), s.name).toEqual([]);
  });

  it("covers the failures of the pact interactions", async () => {
    const names = (await loadScenarios(FIXTURES_DIR, coverage)).map((s) => s.name);
    for (const want of [
      "reject/empty-instances",
      "reject/more-than-100-instances",
      "reject/unknown-module",
      "reject/module-of-another-business",
      "reject/built-in-module",
      "reject/host-not-in-module",
      "reject/second-instance-for-host-on-templated-module",
      "reject/missing-bk-func-name",
      "reject/bad-credentials",
      "reject/permission-denied",
    ]) {
      expect(names).toContain(want);
    }
  });
});

describe("expandLockTable", () => {
  it("locks and unlocks every lockable field and bind_info sub-field the spec lists", () => {
    const names = expandLockTable(table, worlds, coverage).map((s) => s.name);
    for (const field of [...coverage.lockableFields, ...coverage.bindSubFields.map((s) => `bind_info.${s}`)]) {
      expect(names).toContain(`lock/${field}/locked`);
      expect(names).toContain(`lock/${field}/unlocked`);
    }
  });

  it("expects the value written in the table: the template's when locked, the caller's when unlocked", () => {
    const scenarios = expandLockTable(table, worlds, coverage);
    const expectedWorkPath = (name: string) => {
      const step = scenarios.find((s) => s.name === name)?.steps[0];
      return step?.kind === "create" ? step.expectProcesses?.[0]?.[0]?.property.work_path : undefined;
    };
    expect(expectedWorkPath("lock/work_path/locked")).toBe("/data");
    expect(expectedWorkPath("lock/work_path/unlocked")).toBe("/opt/nginx");
    expect(expectedWorkPath("lock/work_path#2/unlocked")).toBeNull();
  });

  it("refuses a table that misses a lockable field of the spec", () => {
    const partial = { ...table, fields: table.fields.filter((r) => r.field !== "pid_file") };
    expect(() => expandLockTable(partial, worlds, coverage)).toThrow(FixtureError);
    expect(() => expandLockTable(partial, worlds, coverage)).toThrow(/pid_file/);
  });
});
