import fc from "fast-check";
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import { defaultAuth, type World } from "../shared/worlds.ts";
import { setUpState } from "./fixtures.ts";
import type { CheckFailure, CheckResult } from "./report.ts";
import { withReproduction } from "./report.ts";
import type { ProviderSession } from "./session.ts";
import { checkCreate } from "./step.ts";
import { applyTemplateLock, type LockRules, type TemplateBindRow, type TemplateProperty } from "./template-lock.ts";

/** How many random templates `verify` tries by default (a few hundred requests on loopback). */
export const DEFAULT_PROPERTY_RUNS = 100;

/** The fixed seed that makes the property-based check, and so the report, the same on every run. */
export const DEFAULT_PROPERTY_SEED = 20_260_528;

/** One generated case: a world with one templated module and one host, and the create request. */
export interface PropertyCase {
  world: World;
  body: Record<string, unknown>;
  host: Record<string, string>;
  templates: { id: number; property: TemplateProperty }[];
  entries: { process_template_id: number; process_info: Record<string, unknown> }[];
}

/** Options of {@link runPropertyCheck}. */
export interface PropertyOptions {
  runs: number;
  seed: number;
  onProgress?: (note: string) => void;
}

type FieldSchema = { type?: unknown; minimum?: number; maximum?: number; maxLength?: number };

/** A valid value for one process field, from its schema in the spec's `ProcessInfo` (type, range, length). */
function fieldValue(schema: FieldSchema): fc.Arbitrary<unknown> {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes("integer"))
    return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 10_000, 10_000) });
  if (types.includes("boolean")) return fc.boolean();
  // Strings without surrounding spaces: the process model trims them (cmdb-semantics §3.1).
  return SAFE_STRING;
}

const SAFE_STRING = fc
  .array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789/._-"), { minLength: 0, maxLength: 14 })
  .map((chars) => `p${chars.join("")}`);

const ipv4 = fc
  .tuple(
    fc.integer({ min: 1, max: 223 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 1, max: 254 }),
  )
  .map((p) => p.join("."));
const port = fc.integer({ min: 1, max: 65_535 }).map(String);
const lock = fc.boolean();

/**
 * Random templates (values, locks, `bind_info` rows) and random `process_info` for them, all valid against the
 * process model so that a create must succeed; the expected read-back is then a matter of the lock rules alone.
 * @see cmdb-semantics §2.5 (templates: unique names, IP type matching the protocol family), §3 (the process model)
 */
export function propertyCaseArbitrary(
  document: OpenApiDocument,
  rules: LockRules,
  world: World,
): fc.Arbitrary<PropertyCase> {
  const schemas = (document.components.schemas.ProcessInfo as { properties: Record<string, FieldSchema> }).properties;
  // Built once: arbitraries made inside `chain` would be rebuilt for every sample.
  const values = Object.fromEntries(rules.lockableFields.map((f) => [f, fieldValue(schemas[f] ?? {})]));
  const arbitraryOf = (field: string): fc.Arbitrary<unknown> => values[field] ?? SAFE_STRING;
  const scalarFields = rules.lockableFields.filter((f) => !rules.alwaysLocked.has(f));
  const bindRow = (rowId: number) =>
    fc
      .record({
        family: fc.constantFrom("4", "6"),
        ipType: fc.constantFrom("1", "2", "3", "4"),
        ipLock: lock,
        port,
        portLock: lock,
        proto: fc.constantFrom(0, 1),
        protoLock: lock,
        enable: fc.boolean(),
        enableLock: lock,
      })
      .map((r) => ({
        row_id: rowId,
        // Bind types 1-4 go with TCP/UDP, 5-8 with TCP6/UDP6.
        ip: {
          value: r.family === "4" ? r.ipType : String(Number(r.ipType) + 4).replace(/[78]/, "5"),
          as_default_value: r.ipLock,
        },
        port: { value: r.port, as_default_value: r.portLock },
        protocol: {
          value: r.family === "4" ? String(1 + r.proto) : String(3 + r.proto),
          as_default_value: r.protoLock,
        },
        enable: { value: r.enable, as_default_value: r.enableLock },
      }));
  const template = (id: number) =>
    fc
      .record({
        scalars: fc.record(
          Object.fromEntries(
            scalarFields.map((f) => [
              f,
              fc.option(fc.record({ value: arbitraryOf(f), as_default_value: lock }), { nil: undefined }),
            ]),
          ),
        ),
        rows: fc
          .integer({ min: 0, max: 3 })
          .chain(
            (n): fc.Arbitrary<TemplateBindRow[]> =>
              n === 0
                ? fc.constant([])
                : fc.tuple(...Array.from({ length: n }, (_, i) => bindRow(i + 1))).map((r) => [...r]),
          ),
      })
      .map(({ scalars, rows }) => {
        const property: TemplateProperty = {
          bk_process_name: { value: `proc-${id}`, as_default_value: true },
          bk_func_name: { value: `func-${id}`, as_default_value: true },
          bind_info: { value: rows, as_default_value: false },
        };
        for (const [field, value] of Object.entries(scalars)) if (value !== undefined) property[field] = value;
        return { id, property };
      });
  const callerRow = fc.record({
    ip: fc.oneof(ipv4, fc.constant("")),
    port,
    protocol: fc.constantFrom("1", "2", "3", "4"),
    enable: fc.boolean(),
  });
  const processInfo = (rowCount: number) =>
    fc
      .record({
        scalars: fc.record(
          Object.fromEntries(
            rules.lockableFields.map((f) => [
              f,
              fc.option(
                fc.oneof({ weight: 4, arbitrary: arbitraryOf(f) }, { weight: 1, arbitrary: fc.constant(null) }),
                {
                  nil: undefined,
                },
              ),
            ]),
          ),
        ),
        // Caller rows for some template rows, plus sometimes one for a row the template does not have.
        rows: fc.option(
          fc.tuple(
            fc.subarray(Array.from({ length: rowCount }, (_, i) => i + 1)),
            fc.boolean(),
            fc.array(callerRow, { minLength: rowCount + 1, maxLength: rowCount + 1 }),
          ),
          { nil: undefined },
        ),
      })
      .map(({ scalars, rows }) => {
        const info: Record<string, unknown> = {};
        for (const [field, value] of Object.entries(scalars)) {
          // bk_process_name/bk_func_name are required in the process model: never send null for them.
          if (value !== undefined && !(value === null && rules.alwaysLocked.has(field))) info[field] = value;
        }
        if (rows !== undefined) {
          const [ids, unmatched, values] = rows;
          info.bind_info = [...ids, ...(unmatched ? [99] : [])].map((rowId, i) => ({
            template_row_id: rowId,
            ...values[i],
          }));
        }
        return info;
      });
  return fc
    .record({
      count: fc.integer({ min: 1, max: 3 }),
      inner: fc.array(ipv4, { minLength: 1, maxLength: 2 }),
      outer: ipv4,
    })
    .chain(({ count, inner, outer }) => {
      const ids = Array.from({ length: count }, (_, i) => 7 + i);
      return fc.tuple(fc.constant({ inner, outer }), fc.tuple(...ids.map(template)));
    })
    .chain(([addresses, templates]) =>
      fc.tuple(
        fc.constant(addresses),
        fc.constant(templates),
        fc.subarray(templates).chain(
          (chosen): fc.Arbitrary<PropertyCase["entries"]> =>
            chosen.length === 0
              ? fc.constant([])
              : fc
                  .tuple(
                    ...chosen.map((t) =>
                      processInfo(t.property.bind_info?.value?.length ?? 0).map((info) => ({
                        process_template_id: t.id,
                        process_info: info,
                      })),
                    ),
                  )
                  .map((e) => [...e]),
        ),
      ),
    )
    .map(([addresses, templates, entries]) => {
      const host = {
        bk_host_innerip: addresses.inner.join(","),
        bk_host_outerip: addresses.outer,
        bk_host_innerip_v6: "",
        bk_host_outerip_v6: "",
      };
      const caseWorld: World = {
        supplier_account: "0",
        apps: world.apps,
        tokens: {},
        iam: { enabled: false, grants: [] },
        businesses: [{ bk_biz_id: 2, bk_biz_name: "demo" }],
        hosts: [{ bk_host_id: 10, ...host }],
        service_templates: [{ id: 5, bk_biz_id: 2, name: "random", process_templates: templates }],
        modules: [
          {
            bk_module_id: 61,
            bk_biz_id: 2,
            bk_module_name: "random",
            service_template_id: 5,
            default: 0,
            host_ids: [10],
          },
        ],
        service_instances: [],
        next_ids: { service_instance: 100, process: 1000 },
      };
      return {
        world: caseWorld,
        host,
        templates,
        entries,
        body: { bk_biz_id: 2, bk_module_id: 61, instances: [{ bk_host_id: 10, processes: entries }] },
      };
    });
}

/**
 * The property-based lock check: for random templates and random `process_info`, creates through the provider, reads
 * back with `list_process_instance` and compares with {@link applyTemplateLock}, an implementation of the lock rules
 * written independently of the provider. Stops at the first failing case and reports it with its `setup` (the
 * generated world) and `curl` lines.
 * @see cmdb-semantics §2.1, §2.2
 */
export async function runPropertyCheck(
  session: ProviderSession,
  document: OpenApiDocument,
  rules: LockRules,
  options: PropertyOptions,
  baseWorld: World,
): Promise<CheckResult> {
  const name = `template lock of ${options.runs} random templates, locks and process_info (seed ${options.seed})`;
  const cases = fc.sample(propertyCaseArbitrary(document, rules, baseWorld), {
    numRuns: options.runs,
    seed: options.seed,
  });
  const failures: CheckFailure[] = [];
  for (const [index, sample] of cases.entries()) {
    const label = `property case ${index + 1}/${cases.length}`;
    failures.push(...(await runCase(session, rules, sample, label)));
    if ((index + 1) % 20 === 0 || index + 1 === cases.length)
      options.onProgress?.(`property [${index + 1}/${cases.length}]`);
    if (failures.length > 0) break;
  }
  return { source: "property", name, rule: "template-lock", failures };
}

async function runCase(
  session: ProviderSession,
  rules: LockRules,
  sample: PropertyCase,
  label: string,
): Promise<CheckFailure[]> {
  const setupProblem = await setUpState(session, label, "template-lock", sample.world);
  if (setupProblem !== undefined) return [setupProblem];
  const expected = [...sample.templates]
    .sort((a, b) => a.id - b.id)
    .map((template) => {
      // Of two entries for one template the last wins (cmdb-semantics §1.3 B).
      const entry = sample.entries.filter((e) => e.process_template_id === template.id).at(-1);
      return {
        relation: { process_template_id: template.id },
        property: applyTemplateLock(rules, template.property, sample.host, entry?.process_info),
      };
    });
  const outcome = await checkCreate(
    session,
    { rule: "template-lock", scenario: label, world: sample.world },
    {
      body: { ...defaultAuth(sample.world), ...sample.body },
      expectCode: 0,
      expectLabel: "0 (every generated value is valid)",
      expectProcesses: [expected],
    },
  );
  await session.setState(label, sample.world, "teardown");
  // The generated world is in the setup line: the case needs nothing else to be reproduced.
  const setup = session.setupCurl(label, sample.world);
  return outcome.failures.map((f) => withReproduction(f, setup));
}
