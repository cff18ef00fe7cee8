import { describe, expect, it } from "vitest";
import type { ProcessValues } from "../../provider/process-model.ts";
import { loadProviderSpec } from "../../provider/spec-data.ts";
import {
  applyTemplateLock,
  createProcessFromTemplate,
  type Host,
  isFieldLocked,
  resolveBindIp,
} from "../../provider/template-lock.ts";
import type { TemplateBindRow, TemplateProperty } from "../../provider/world.ts";

const spec = loadProviderSpec();
const HOST: Host = {
  bk_host_id: 10,
  bk_host_innerip: "10.0.0.5,10.0.0.9",
  bk_host_outerip: "1.2.3.4",
  bk_host_innerip_v6: "fe80::1",
  bk_host_outerip_v6: "",
};

type Scalar = string | number | boolean;
const TEMPLATE_VALUE: Record<string, Scalar> = { string: "from-template", integer: 5, boolean: true };
const CALLER_VALUE: Record<string, Scalar> = { string: "from-caller", integer: 7, boolean: false };

/** A template with one value for every lockable field, locked or not as asked. */
function templateWith(locked: boolean, rows: TemplateBindRow[] = []): TemplateProperty {
  const property: Record<string, unknown> = {};
  for (const f of spec.processFields) {
    property[f.field] = { value: TEMPLATE_VALUE[f.type], as_default_value: locked };
  }
  property.bind_info = { as_default_value: false, value: rows };
  return property as unknown as TemplateProperty;
}

function created(property: TemplateProperty): ProcessValues {
  const made = createProcessFromTemplate(spec, property, HOST);
  if (!made.ok) throw new Error(`template failed: ${JSON.stringify(made.failure)}`);
  return made.value;
}

function merge(property: TemplateProperty, info: Record<string, unknown>) {
  return applyTemplateLock(spec, property, HOST, created(property), info);
}

describe("applyTemplateLock (scalar fields)", () => {
  // Every lockable field of x-cmdb-template-lock, locked and unlocked, with a value, an explicit null and omitted.
  const cases: [
    string,
    { given: { locked: boolean; field: string; sent: "value" | "null" | "omitted" }; want: unknown },
  ][] = [];
  for (const f of spec.processFields) {
    const always = spec.alwaysLocked.has(f.field);
    for (const locked of [true, false]) {
      const effectivelyLocked = locked || always;
      cases.push(
        [
          `${f.field} ${locked ? "locked" : "unlocked"}, caller sends a value`,
          {
            given: { locked, field: f.field, sent: "value" },
            want: effectivelyLocked ? TEMPLATE_VALUE[f.type] : CALLER_VALUE[f.type],
          },
        ],
        [
          `${f.field} ${locked ? "locked" : "unlocked"}, caller sends null`,
          { given: { locked, field: f.field, sent: "null" }, want: effectivelyLocked ? TEMPLATE_VALUE[f.type] : null },
        ],
        [
          `${f.field} ${locked ? "locked" : "unlocked"}, caller omits it`,
          { given: { locked, field: f.field, sent: "omitted" }, want: TEMPLATE_VALUE[f.type] },
        ],
      );
    }
  }

  it.each(cases)("%s", (_name, { given, want }) => {
    const type = spec.processFields.find((f) => f.field === given.field)?.type ?? "string";
    const info: Record<string, unknown> = {};
    if (given.sent === "value") info[given.field] = CALLER_VALUE[type];
    if (given.sent === "null") info[given.field] = null;
    const result = merge(templateWith(given.locked), info);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.fields[given.field]).toEqual(want);
  });

  it("covers every lockable field of the spec and locks bk_process_name and bk_func_name always", () => {
    expect(cases).toHaveLength(spec.processFields.length * 6);
    expect([...spec.alwaysLocked].sort()).toEqual(["bk_func_name", "bk_process_name"]);
    const unlocked = templateWith(false);
    expect(isFieldLocked(spec, unlocked, "bk_process_name")).toBe(true);
    expect(isFieldLocked(spec, unlocked, "work_path")).toBe(false);
  });

  it("ignores unknown keys, legacy flat fields and server-owned keys", () => {
    const property = templateWith(false);
    const result = merge(property, { port: "8080", bind_ip: "1", bk_biz_id: 9, bk_supplier_account: "x", foo: 1 });
    // The update rewrites bind_info: a template without rows gives [] where creation gave null (§2.1).
    expect(result).toEqual({ ok: true, value: { ...created(property), bind_info: [] } });
  });
});

const ROW_ALL_LOCKED: TemplateBindRow = {
  row_id: 1,
  ip: { value: "3", as_default_value: true },
  port: { value: "80", as_default_value: true },
  protocol: { value: "1", as_default_value: true },
  enable: { value: true, as_default_value: true },
};
const ROW_ALL_UNLOCKED: TemplateBindRow = {
  row_id: 2,
  ip: { value: "1", as_default_value: false },
  port: { value: "8080", as_default_value: false },
  protocol: { value: "2", as_default_value: false },
  enable: { value: null, as_default_value: false },
};

describe("applyTemplateLock (bind_info)", () => {
  const rows = [ROW_ALL_LOCKED, ROW_ALL_UNLOCKED];
  const fromTemplate1 = { enable: true, ip: "10.0.0.5", port: "80", protocol: "1", template_row_id: 1 };
  // Row 2's template enable is null: the update path keeps it null (creation would make it false, §2.2).
  const fromTemplate2 = { enable: null, ip: "127.0.0.1", port: "8080", protocol: "2", template_row_id: 2 };
  const cases: [string, { given: unknown; want: unknown[] }][] = [
    ["bind_info omitted: every row from the template", { given: undefined, want: [fromTemplate1, fromTemplate2] }],
    ["bind_info null: every row from the template", { given: null, want: [fromTemplate1, fromTemplate2] }],
    ["bind_info empty: every row from the template", { given: [], want: [fromTemplate1, fromTemplate2] }],
    [
      "matched row, every sub-field locked: template values win, IP resolved against the host",
      {
        given: [{ template_row_id: 1, ip: "9.9.9.9", port: "81", protocol: "2", enable: false }],
        want: [fromTemplate1, fromTemplate2],
      },
    ],
    [
      "matched row, every sub-field unlocked: caller values as sent",
      {
        given: [{ template_row_id: 2, ip: "0.0.0.0", port: "9000", protocol: "1", enable: true }],
        want: [fromTemplate1, { enable: true, ip: "0.0.0.0", port: "9000", protocol: "1", template_row_id: 2 }],
      },
    ],
    [
      "matched row omitting unlocked sub-fields: they become null",
      {
        given: [{ template_row_id: 2 }],
        want: [fromTemplate1, { enable: null, ip: null, port: null, protocol: null, template_row_id: 2 }],
      },
    ],
    [
      "matched row with explicit nulls on locked sub-fields: template values win",
      {
        given: [{ template_row_id: 1, ip: null, port: null, protocol: null, enable: null }],
        want: [fromTemplate1, fromTemplate2],
      },
    ],
    [
      "unmatched caller row (template_row_id 9) is dropped",
      { given: [{ template_row_id: 9, port: "1", protocol: "1", enable: true }], want: [fromTemplate1, fromTemplate2] },
    ],
    [
      "caller row without template_row_id is dropped",
      { given: [{ ip: "1.1.1.1", port: "1", protocol: "1", enable: true }], want: [fromTemplate1, fromTemplate2] },
    ],
    [
      "caller rows in another order and with duplicates: rows follow the template, the last duplicate wins",
      {
        given: [
          { template_row_id: 2, port: "1000", protocol: "1", enable: true },
          { template_row_id: 1 },
          { template_row_id: 2, port: "2000", protocol: "2", enable: false, ip: "" },
        ],
        want: [fromTemplate1, { enable: false, ip: "", port: "2000", protocol: "2", template_row_id: 2 }],
      },
    ],
  ];

  it.each(cases)("%s", (_name, { given, want }) => {
    const property = templateWith(false, rows);
    const info = given === undefined ? {} : { bind_info: given };
    const result = merge(property, info);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.bind_info).toEqual(want);
  });

  it("answers 1199006 when a locked port of a matched row is empty in the template", () => {
    const row: TemplateBindRow = { ...ROW_ALL_LOCKED, port: { value: "", as_default_value: true } };
    const property = templateWith(false, [row]);
    const made = { fields: created(templateWith(false)).fields, bind_info: [] };
    const result = applyTemplateLock(spec, property, HOST, made, { bind_info: [{ template_row_id: 1 }] });
    expect(result).toEqual({ ok: false, failure: { code: 1199006, args: ["bind_info.port"] } });
  });
});

describe("createProcessFromTemplate", () => {
  const cases: [string, { given: TemplateBindRow; want: unknown }][] = [
    [
      "every value copied, locked or not; enable null becomes false",
      {
        given: ROW_ALL_UNLOCKED,
        want: { enable: false, ip: "127.0.0.1", port: "8080", protocol: "2", template_row_id: 2 },
      },
    ],
    [
      "bind IP type 4 resolves to the first outer IP",
      {
        given: { ...ROW_ALL_LOCKED, ip: { value: "4", as_default_value: true } },
        want: { enable: true, ip: "1.2.3.4", port: "80", protocol: "1", template_row_id: 1 },
      },
    ],
    [
      "an empty bind IP type resolves to an empty string",
      {
        given: { ...ROW_ALL_LOCKED, ip: { value: "", as_default_value: true } },
        want: { enable: true, ip: "", port: "80", protocol: "1", template_row_id: 1 },
      },
    ],
    [
      "a row without a port fails with 1199006",
      { given: { row_id: 3, protocol: { value: "1" } }, want: { code: 1199006, args: ["bind_info.port"] } },
    ],
    [
      "a row without a protocol fails with 1199006",
      { given: { row_id: 3, port: { value: "80" } }, want: { code: 1199006, args: ["bind_info.protocol"] } },
    ],
  ];

  it.each(cases)("%s", (_name, { given, want }) => {
    const result = createProcessFromTemplate(spec, templateWith(true, [given]), HOST);
    if (result.ok) expect(result.value.bind_info?.[0]).toEqual(want);
    else expect(result.failure).toEqual(want);
  });

  it("gives bind_info null for a template without bind rows (§2.1)", () => {
    expect(createProcessFromTemplate(spec, templateWith(false), HOST)).toMatchObject({
      ok: true,
      value: { bind_info: null },
    });
  });

  it("copies every lockable field's template value, locked or not", () => {
    const result = createProcessFromTemplate(spec, templateWith(false), HOST);
    expect(result.ok).toBe(true);
    if (result.ok) {
      for (const f of spec.processFields) expect(result.value.fields[f.field]).toBe(TEMPLATE_VALUE[f.type]);
    }
  });
});

describe("resolveBindIp", () => {
  const cases: [string, { given: string | null; want: string }][] = [
    ["1 is 127.0.0.1", { given: "1", want: "127.0.0.1" }],
    ["2 is 0.0.0.0", { given: "2", want: "0.0.0.0" }],
    ["3 is the first inner IP", { given: "3", want: "10.0.0.5" }],
    ["4 is the first outer IP", { given: "4", want: "1.2.3.4" }],
    ["5 is ::1", { given: "5", want: "::1" }],
    ["6 is ::", { given: "6", want: "::" }],
    ["7 is the first inner IPv6", { given: "7", want: "fe80::1" }],
    ["8 is the first outer IPv6 (none here)", { given: "8", want: "" }],
    ["null is empty", { given: null, want: "" }],
  ];
  it.each(cases)("%s", (_name, { given, want }) => {
    expect(resolveBindIp(spec, given, HOST)).toBe(want);
  });
});
