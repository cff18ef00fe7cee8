import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseYamlQuickly } from "../../spec/load-spec.ts";
import type { RuleGroup } from "../shared/rules.ts";
import { defaultAuth, FIXTURES_DIR, loadWorlds, type World } from "../shared/worlds.ts";
import type { ExpectedProcessRow } from "./step.ts";

/** One step of a scenario: a call and what it must answer. */
export type ScenarioStep =
  | {
      kind: "create";
      body: Record<string, unknown>;
      /** The code, or every code a lenient scenario accepts (one per reading of an UNCONFIRMED detail). */
      expectCode: number | readonly number[];
      /** The exact message, when the scenario writes it out (a fixture sends no language header: Chinese). */
      expectMessage?: string;
      /** Per requested instance, the processes list_process_instance must return afterwards. */
      expectProcesses?: ExpectedProcessRow[][];
      expectPermission?: Record<string, unknown>;
    }
  | { kind: "delete-created"; createStep: number; expectCode: number }
  | { kind: "list-created"; createStep: number }
  | { kind: "list"; body: Record<string, unknown> };

/** A fixture scenario: a world, the auth to call with, and steps with their expected outcomes. */
export interface Scenario {
  name: string;
  rule: RuleGroup;
  world: World;
  /** Overrides of the default auth (the world's first app, user `admin`); null removes a field. */
  auth: Record<string, string | null>;
  steps: ScenarioStep[];
}

/** A fixture file that cannot be used: which file, where in it, what is wrong. */
export class FixtureError extends Error {
  override readonly name = "FixtureError";
}

/**
 * Loads every scenario of `fixtures/scenarios/*.yaml` plus the expanded lock table, sorted as the files list them.
 * @throws FixtureError naming the file and the scenario when one is malformed.
 */
export async function loadScenarios(dir: string = FIXTURES_DIR, lockFields?: LockTableCoverage): Promise<Scenario[]> {
  const worlds = await loadWorlds(join(dir, "worlds"));
  const scenarioDir = join(dir, "scenarios");
  const files = (await readdir(scenarioDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const path = join(scenarioDir, file);
    const raw = parseYamlQuickly(path, await readFile(path, "utf8"));
    if (!Array.isArray(raw)) throw new FixtureError(`${file}: expected a YAML list of scenarios`);
    raw.forEach((entry, i) => {
      scenarios.push(toScenario(`${file}#/${i}`, entry as Record<string, unknown>, worlds));
    });
  }
  const tableFile = join(dir, "lock-table.yaml");
  const table = parseYamlQuickly(tableFile, await readFile(tableFile, "utf8")) as LockTable;
  scenarios.push(...expandLockTable(table, worlds, lockFields));
  return scenarios;
}

/** Merges scenario auth overrides into the default auth (null drops a field). */
export function resolveAuth(world: World, overrides: Record<string, string | null>): Record<string, string> {
  const auth: Record<string, string> = defaultAuth(world);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete auth[key];
    else auth[key] = value;
  }
  return auth;
}

function toScenario(where: string, entry: Record<string, unknown>, worlds: Map<string, World>): Scenario {
  const given = entry.name;
  if (typeof given !== "string") throw new FixtureError(`${where}/name: a scenario needs a name`);
  // A lenient scenario accepts every reading of an UNCONFIRMED detail, and says so wherever its name is printed.
  const lenient = entry.lenient;
  if (lenient !== undefined && typeof lenient !== "string") {
    throw new FixtureError(`${where}/lenient: the UNCONFIRMED detail the scenario is lenient about, as text`);
  }
  const name = lenient === undefined ? given : `${given} (lenient: ${lenient})`;
  const at = `${where} (${name})`;
  const rule = entry.rule;
  if (rule !== "business-rules" && rule !== "template-lock" && rule !== "envelope") {
    throw new FixtureError(`${at}/rule: one of envelope, business-rules, template-lock`);
  }
  const base = worlds.get(String(entry.world));
  if (!base) throw new FixtureError(`${at}/world: no world "${String(entry.world)}" in fixtures/worlds`);
  const world = { ...structuredClone(base), ...((entry.world_patch as World | undefined) ?? {}) };
  if (!Array.isArray(entry.steps) || entry.steps.length === 0) throw new FixtureError(`${at}/steps: at least one`);
  const steps = entry.steps.map((s, i) => toStep(`${at}/steps/${i}`, expandRepeats(s) as Record<string, unknown>));
  return { name, rule, world, auth: (entry.auth as Record<string, string | null> | undefined) ?? {}, steps };
}

function toStep(at: string, step: Record<string, unknown>): ScenarioStep {
  const expect = (step.expect ?? {}) as Record<string, unknown>;
  if (step.create !== undefined) {
    const code = expect.code;
    const codes = Array.isArray(code) && code.length > 0 && code.every((c) => typeof c === "number");
    if (typeof code !== "number" && !codes) {
      throw new FixtureError(`${at}/expect/code: a create needs an expected code (or a list of accepted codes)`);
    }
    if (expect.message !== undefined && typeof expect.message !== "string") {
      throw new FixtureError(`${at}/expect/message: the exact message, as text`);
    }
    return {
      kind: "create",
      body: step.create as Record<string, unknown>,
      expectCode: code as number | number[],
      ...(expect.message !== undefined ? { expectMessage: expect.message } : {}),
      ...(expect.processes !== undefined ? { expectProcesses: expect.processes as ExpectedProcessRow[][] } : {}),
      ...(expect.permission !== undefined ? { expectPermission: expect.permission as Record<string, unknown> } : {}),
    };
  }
  if (typeof step.delete_created === "number") {
    return { kind: "delete-created", createStep: step.delete_created, expectCode: Number(expect.code ?? 0) };
  }
  if (typeof step.list_created === "number") return { kind: "list-created", createStep: step.list_created };
  if (step.list !== undefined) return { kind: "list", body: step.list as Record<string, unknown> };
  throw new FixtureError(`${at}: a step is one of create, delete_created, list_created, list`);
}

/** `{ repeat: N, item: X }` in a fixture stands for a list of N copies of X (e.g. 101 instances). */
function expandRepeats(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandRepeats);
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  const record = value as Record<string, unknown>;
  if (keys.length === 2 && typeof record.repeat === "number" && "item" in record) {
    return Array.from({ length: record.repeat }, () => structuredClone(expandRepeats(record.item)));
  }
  return Object.fromEntries(keys.map((k) => [k, expandRepeats(record[k])]));
}

/** The lock table of `fixtures/lock-table.yaml`. */
export interface LockTable {
  world: string;
  bk_biz_id: number;
  bk_module_id: number;
  bk_host_id: number;
  process_template_id: number;
  base: Record<string, unknown> & { bind_info: Record<string, unknown>[] };
  others: ExpectedProcessRow[] & { process_template_id?: number }[];
  fields: { field: string; caller: unknown; locked: unknown; unlocked: unknown }[];
  bind_info: { sub_field: string; caller: unknown; locked: unknown; unlocked: unknown }[];
}

/** The fields and sub-fields the lock table must cover, read from the spec's `x-cmdb-template-lock`. */
export interface LockTableCoverage {
  lockableFields: readonly string[];
  bindSubFields: readonly string[];
}

/**
 * Expands the lock table into two scenarios per row (locked, unlocked); the expected process is the table's base
 * with the row's value, so every expected value is one written out by hand in the table.
 * @throws FixtureError when the table misses a field or sub-field of `coverage`.
 * @see cmdb-semantics §2.2
 */
export function expandLockTable(
  table: LockTable,
  worlds: Map<string, World>,
  coverage?: LockTableCoverage,
): Scenario[] {
  const base = worlds.get(table.world);
  if (!base) throw new FixtureError(`lock-table.yaml/world: no world "${table.world}"`);
  if (coverage) {
    const missing = [
      ...coverage.lockableFields.filter((f) => !table.fields.some((r) => r.field === f)),
      ...coverage.bindSubFields
        .filter((s) => !table.bind_info.some((r) => r.sub_field === s))
        .map((s) => `bind_info.${s}`),
    ];
    if (missing.length > 0) {
      throw new FixtureError(`lock-table.yaml: no row for ${missing.join(", ")} (x-cmdb-template-lock lists them)`);
    }
  }
  const others = (table.others as (ExpectedProcessRow & { process_template_id: number })[]).map((o) => ({
    relation: { process_template_id: o.process_template_id, bk_host_id: table.bk_host_id },
    property: o.property,
  }));
  const scenarios: Scenario[] = [];
  const seen = new Map<string, number>();
  const labelOf = (key: string): string => {
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return count > 1 ? `${key}#${count}` : key;
  };
  const add = (
    label: string,
    locked: boolean,
    patchTemplate: (property: Record<string, unknown>) => void,
    processInfo: Record<string, unknown>,
    expected: Record<string, unknown>,
  ): void => {
    const world = structuredClone(base);
    const template = findProcessTemplate(world, table.process_template_id);
    patchTemplate(template);
    scenarios.push({
      name: `lock/${label}/${locked ? "locked" : "unlocked"}`,
      rule: "template-lock",
      world,
      auth: {},
      steps: [
        {
          kind: "create",
          body: {
            bk_biz_id: table.bk_biz_id,
            bk_module_id: table.bk_module_id,
            instances: [
              {
                bk_host_id: table.bk_host_id,
                processes: [{ process_template_id: table.process_template_id, process_info: processInfo }],
              },
            ],
          },
          expectCode: 0,
          expectProcesses: [
            [
              {
                relation: { process_template_id: table.process_template_id, bk_host_id: table.bk_host_id },
                property: expected,
              },
              ...others,
            ],
          ],
        },
      ],
    });
  };
  for (const row of table.fields) {
    const label = labelOf(row.field);
    for (const locked of [true, false]) {
      add(
        label,
        locked,
        (property) => {
          property[row.field] = { ...(property[row.field] as object), as_default_value: locked };
        },
        { [row.field]: row.caller },
        { ...structuredClone(table.base), [row.field]: locked ? row.locked : row.unlocked },
      );
    }
  }
  for (const row of table.bind_info) {
    const label = labelOf(`bind_info.${row.sub_field}`);
    for (const locked of [true, false]) {
      const baseRows = structuredClone(table.base.bind_info);
      const callerRow = { ...baseRows[0], [row.sub_field]: row.caller };
      const expectedRows = structuredClone(baseRows);
      expectedRows[0] = { ...expectedRows[0], [row.sub_field]: locked ? row.locked : row.unlocked };
      add(
        label,
        locked,
        (property) => {
          const rows = (property.bind_info as { value: Record<string, unknown>[] }).value;
          const first = rows[0] as Record<string, unknown>;
          first[row.sub_field] = { ...(first[row.sub_field] as object), as_default_value: locked };
        },
        { bind_info: [callerRow] },
        { ...structuredClone(table.base), bind_info: expectedRows },
      );
    }
  }
  return scenarios;
}

function findProcessTemplate(world: World, id: number): Record<string, unknown> {
  for (const st of (world.service_templates as {
    process_templates: { id: number; property: Record<string, unknown> }[];
  }[]) ?? []) {
    const found = st.process_templates.find((p) => p.id === id);
    if (found) return found.property;
  }
  throw new FixtureError(`lock-table.yaml/process_template_id: no process template ${id} in the world`);
}
