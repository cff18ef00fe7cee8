/**
 * The generator of the property-based lock check: random templated worlds, templates and `process_info`, with
 * explicit ranges, and the outcome the lock rules and the process model give for each (cmdb-semantics §2, §3).
 */
import fc from "fast-check";
import type { World } from "../shared/worlds.ts";
import type { ExpectedProcessRow } from "./step.ts";
import {
  applyTemplateLock,
  type FieldRule,
  type LockRules,
  type TemplateBindRow,
  type TemplateProperty,
  updateFailureCode,
} from "./template-lock.ts";

/** One generated case: a world with one templated module and one host, and the create request. */
export interface PropertyCase {
  world: World;
  body: Record<string, unknown>;
  host: Record<string, string>;
  templates: { id: number; property: TemplateProperty }[];
  entries: { process_template_id: number; process_info: Record<string, unknown> }[];
}

/**
 * The IDs of every generated world. Any IDs would do; these are the demo world's (business 2, service template 5,
 * module 61, host 10, process templates from 7), so a failing case reads like the fixtures.
 */
const CASE_IDS = { business: 2, serviceTemplate: 5, module: 61, host: 10, firstProcessTemplate: 7 } as const;

/** The explicit ranges of the generator: how many templates, bind rows and host addresses a case has. */
const RANGES = {
  processTemplates: { min: 1, max: 3 },
  bindRowsPerTemplate: { min: 0, max: 3 },
  innerIpsPerHost: { min: 1, max: 2 },
  /** ASCII strings: printable, no padding; padding is generated on purpose by `padded`. */
  asciiLength: { min: 0, max: 14 },
} as const;

/** Bind IP types by address family (cmdb-semantics §3.2): 1-4 go with TCP/UDP (1, 2), 5-8 with TCP6/UDP6 (3, 4). */
const FAMILIES = [
  { ipTypes: ["1", "2", "3", "4"], protocols: ["1", "2"] },
  { ipTypes: ["5", "6", "7", "8"], protocols: ["3", "4"] },
] as const;

const ASCII_STRING = fc
  .array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789/._-"), {
    minLength: RANGES.asciiLength.min,
    maxLength: RANGES.asciiLength.max,
  })
  .map((chars) => `p${chars.join("")}`);

/** Surrounding white space the process model trims (cmdb-semantics §3.1); bind_info keeps it (§3.3). */
const padding = fc.constantFrom(" ", "\t", "  ", "\u3000");
const padded = (inner: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(padding, inner, padding).map(([a, text, b]) => `${a}${text}${b}`);

/**
 * CJK text around a byte limit (3 bytes a character): just under, at most and just over `maxBytes`, so that a
 * provider counting characters instead of UTF-8 bytes (cmdb-semantics §3.1) is caught.
 */
function cjkAround(maxBytes: number): fc.Arbitrary<string> {
  const fitting = Math.floor(maxBytes / 3);
  return fc.constantFrom(fitting - 1, fitting, fitting + 1).map((n) => "备".repeat(n));
}

/**
 * A value a caller may send for one process field: mostly valid ASCII, sometimes padded, sometimes CJK text around
 * the field's byte limit (which may exceed it: the create must then fail with 1199011).
 */
function callerValue(rule: FieldRule | undefined): fc.Arbitrary<unknown> {
  if (rule?.type === "integer")
    return fc.integer({ min: rule.minimum ?? 0, max: Math.min(rule.maximum ?? 10_000, 10_000) });
  if (rule?.type === "boolean") return fc.boolean();
  const limit = rule?.maxBytes;
  return fc.oneof(
    { weight: 12, arbitrary: ASCII_STRING },
    { weight: 3, arbitrary: padded(ASCII_STRING) },
    ...(limit === undefined ? [] : [{ weight: 1, arbitrary: cjkAround(limit) }]),
  );
}

/** A value a process template may hold: valid for the model (templates reject padding, cmdb-semantics §2.5). */
function templateValue(rule: FieldRule | undefined): fc.Arbitrary<unknown> {
  if (rule?.type === "integer" || rule?.type === "boolean") return callerValue(rule);
  const limit = rule?.maxBytes;
  const fitting =
    limit === undefined ? [] : [{ weight: 1, arbitrary: fc.constant("备".repeat(Math.floor(limit / 3))) }];
  return fc.oneof({ weight: 12, arbitrary: ASCII_STRING }, ...fitting);
}

const octet = (min: number, max: number) => fc.integer({ min, max });
const ipv4 = fc.tuple(octet(1, 223), octet(0, 255), octet(0, 255), octet(1, 254)).map((p) => p.join("."));
const ipv6 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((groups) => groups.map((g) => g.toString(16)).join(":"));
const port = fc.integer({ min: 1, max: 65_535 }).map(String);
const lock = fc.boolean();

/**
 * Random templates (values, locks, `bind_info` rows, a null `enable` now and then, sometimes no rows) and random
 * `process_info` for them (padded strings, CJK text around the byte limits, caller rows with padded values); the
 * expected outcome, success with the read-back of the lock rules or 1199011, is {@link expectedOutcome}'s.
 * @see cmdb-semantics §2.5 (templates: unique names, IP type matching the protocol family), §3 (the process model)
 */
export function propertyCaseArbitrary(rules: LockRules, world: World): fc.Arbitrary<PropertyCase> {
  // Built once: arbitraries made inside `chain` would be rebuilt for every sample.
  const callerValues = Object.fromEntries(rules.lockableFields.map((f) => [f, callerValue(rules.fields.get(f))]));
  const templateValues = Object.fromEntries(rules.lockableFields.map((f) => [f, templateValue(rules.fields.get(f))]));
  const scalarFields = rules.lockableFields.filter((f) => !rules.alwaysLocked.has(f));
  const bindRow = (rowId: number) =>
    fc
      .record({
        family: fc.constantFrom(...FAMILIES),
        ipIndex: fc.integer({ min: 0, max: 3 }),
        ipLock: lock,
        port,
        portLock: lock,
        protoIndex: fc.integer({ min: 0, max: 1 }),
        protoLock: lock,
        // A null `enable` is false on creation, and fails any caller entry unless a matched row supplies it (§2.2).
        enable: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constant(null) }),
        enableLock: lock,
      })
      .map(
        (r): TemplateBindRow => ({
          row_id: rowId,
          ip: { value: r.family.ipTypes[r.ipIndex], as_default_value: r.ipLock },
          port: { value: r.port, as_default_value: r.portLock },
          protocol: { value: r.family.protocols[r.protoIndex], as_default_value: r.protoLock },
          enable: { value: r.enable, as_default_value: r.enableLock },
        }),
      );
  const template = (id: number) =>
    fc
      .record({
        scalars: fc.record(
          Object.fromEntries(
            scalarFields.map((f) => [
              f,
              fc.option(fc.record({ value: templateValues[f] ?? ASCII_STRING, as_default_value: lock }), {
                nil: undefined,
              }),
            ]),
          ),
        ),
        rows: fc
          .integer(RANGES.bindRowsPerTemplate)
          .chain(
            (n): fc.Arbitrary<TemplateBindRow[]> =>
              n === 0
                ? fc.constant([])
                : fc.tuple(...Array.from({ length: n }, (_, i) => bindRow(i + 1))).map((r) => [...r]),
          ),
        // A template without rows may also lack the bind_info key; both give `bind_info: null` (§2.1).
        bindInfoKey: fc.boolean(),
      })
      .map(({ scalars, rows, bindInfoKey }) => {
        const property: TemplateProperty = {
          bk_process_name: { value: `proc-${id}`, as_default_value: true },
          bk_func_name: { value: `func-${id}`, as_default_value: true },
        };
        if (rows.length > 0 || bindInfoKey) property.bind_info = { value: rows, as_default_value: false };
        for (const [field, value] of Object.entries(scalars)) if (value !== undefined) property[field] = value;
        return { id, property };
      });
  const callerRow = fc.record({
    ip: fc.oneof(ipv4, ipv6, fc.constant(""), padded(ipv4)),
    port: fc.oneof({ weight: 4, arbitrary: port }, { weight: 1, arbitrary: padded(port) }),
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
                fc.oneof(
                  { weight: 4, arbitrary: callerValues[f] ?? ASCII_STRING },
                  { weight: 1, arbitrary: fc.constant(null) },
                ),
                { nil: undefined },
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
          // 99 is past every generated row_id (at most RANGES.bindRowsPerTemplate.max): it matches no template row.
          info.bind_info = [...ids, ...(unmatched ? [99] : [])].map((rowId, i) => ({
            template_row_id: rowId,
            ...values[i],
          }));
        }
        return info;
      });
  return fc
    .record({
      count: fc.integer(RANGES.processTemplates),
      inner: fc.array(ipv4, { minLength: RANGES.innerIpsPerHost.min, maxLength: RANGES.innerIpsPerHost.max }),
      outer: ipv4,
      innerV6: fc.oneof(ipv6, fc.constant("")),
      outerV6: fc.oneof(ipv6, fc.constant("")),
    })
    .chain(({ count, ...addresses }) => {
      const ids = Array.from({ length: count }, (_, i) => CASE_IDS.firstProcessTemplate + i);
      return fc.tuple(fc.constant(addresses), fc.tuple(...ids.map(template)));
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
        bk_host_innerip_v6: addresses.innerV6,
        bk_host_outerip_v6: addresses.outerV6,
      };
      const caseWorld: World = {
        supplier_account: "0",
        apps: world.apps,
        tokens: {},
        iam: { enabled: false, grants: [] },
        businesses: [{ bk_biz_id: CASE_IDS.business, bk_biz_name: "demo" }],
        hosts: [{ bk_host_id: CASE_IDS.host, ...host }],
        service_templates: [
          { id: CASE_IDS.serviceTemplate, bk_biz_id: CASE_IDS.business, name: "random", process_templates: templates },
        ],
        modules: [
          {
            bk_module_id: CASE_IDS.module,
            bk_biz_id: CASE_IDS.business,
            bk_module_name: "random",
            service_template_id: CASE_IDS.serviceTemplate,
            default: 0,
            host_ids: [CASE_IDS.host],
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
        body: {
          bk_biz_id: CASE_IDS.business,
          bk_module_id: CASE_IDS.module,
          instances: [{ bk_host_id: CASE_IDS.host, processes: entries }],
        },
      };
    });
}

/**
 * What a generated create must answer: 0 and the processes the lock rules give, or 1199011 when a caller entry left
 * a process the model rejects (a value over its byte limit, a null `enable` kept from the template).
 * @see cmdb-semantics §1.3 B.3–B.4, §2
 */
export function expectedOutcome(
  rules: LockRules,
  sample: PropertyCase,
): { code: number; processes: ExpectedProcessRow[] } {
  const processes = [...sample.templates]
    .sort((a, b) => a.id - b.id)
    .map((template) => {
      // Of two entries for one template the last wins (cmdb-semantics §1.3 B).
      const entry = sample.entries.filter((e) => e.process_template_id === template.id).at(-1);
      const property = applyTemplateLock(rules, template.property, sample.host, entry?.process_info);
      return { entry, row: { relation: { process_template_id: template.id }, property } };
    });
  const failing = processes.some(({ entry, row }) => entry && updateFailureCode(rules, row.property) !== 0);
  return { code: failing ? 1199011 : 0, processes: processes.map((p) => p.row) };
}
