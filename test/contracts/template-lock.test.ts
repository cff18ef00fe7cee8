import { beforeAll, describe, expect, it } from "vitest";
import {
  applyTemplateLock,
  type LockRules,
  readLockRules,
  resolveBindIp,
  type TemplateProperty,
  trimSpace,
  updateFailureCode,
} from "../../contracts/verify/template-lock.ts";
import { loadSpec } from "../../spec/load-spec.ts";

let rules: LockRules;

beforeAll(async () => {
  rules = readLockRules((await loadSpec()).document);
});

const host = { bk_host_innerip: "10.0.0.5,10.0.0.6", bk_host_outerip: "203.0.113.5" };

const template = (overrides: Record<string, unknown> = {}): TemplateProperty => ({
  bk_process_name: { value: "nginx", as_default_value: true },
  bk_func_name: { value: "nginx", as_default_value: false },
  work_path: { value: "/data", as_default_value: false },
  user: { value: "www", as_default_value: true },
  proc_num: { value: 4, as_default_value: null },
  bind_info: {
    as_default_value: true,
    value: [
      {
        row_id: 1,
        ip: { value: "3", as_default_value: true },
        port: { value: "80", as_default_value: true },
        protocol: { value: "1", as_default_value: false },
        enable: { value: null, as_default_value: false },
      },
      { row_id: 2, ip: { value: "4" }, port: { value: "81" }, protocol: { value: "2" }, enable: { value: true } },
    ],
  },
  ...overrides,
});

describe("readLockRules", () => {
  it("reads the lockable fields and bind_info sub-fields from x-cmdb-template-lock", () => {
    expect(rules.lockableFields).toContain("work_path");
    expect(rules.lockableFields).toHaveLength(17);
    expect([...rules.alwaysLocked].sort()).toEqual(["bk_func_name", "bk_process_name"]);
    expect(rules.bindSubFields).toEqual(["ip", "port", "protocol", "enable"]);
  });
});

describe("resolveBindIp", () => {
  it.each([
    ["1 is loopback", "1", "127.0.0.1"],
    ["2 is any", "2", "0.0.0.0"],
    ["3 is the first inner IP", "3", "10.0.0.5"],
    ["4 is the first outer IP", "4", "203.0.113.5"],
    ["7 without an inner IPv6 is empty", "7", ""],
    ["empty stays empty", "", ""],
    ["null is empty", null, ""],
  ])("%s", (_name, type, want) => {
    expect(resolveBindIp(rules, type, host)).toBe(want);
  });
});

describe("applyTemplateLock", () => {
  const cases: [string, { given: Record<string, unknown> | undefined; want: Record<string, unknown> }][] = [
    [
      "without caller data every template value is copied, locked or not (§2.1)",
      {
        given: undefined,
        want: {
          bk_process_name: "nginx",
          work_path: "/data",
          user: "www",
          proc_num: 4,
          description: null,
          bind_info: [
            { template_row_id: 1, ip: "10.0.0.5", port: "80", protocol: "1", enable: false },
            { template_row_id: 2, ip: "203.0.113.5", port: "81", protocol: "2", enable: true },
          ],
        },
      },
    ],
    [
      "a locked field keeps the template value, an unlocked one takes the caller's",
      { given: { user: "root", work_path: "/opt" }, want: { user: "www", work_path: "/opt" } },
    ],
    [
      "bk_process_name and bk_func_name are always locked, whatever the flag says",
      { given: { bk_process_name: "x", bk_func_name: "y" }, want: { bk_process_name: "nginx", bk_func_name: "nginx" } },
    ],
    ["a null lock flag counts as unlocked", { given: { proc_num: 9 }, want: { proc_num: 9 } }],
    [
      "an explicit null clears an unlocked field and is ignored on a locked one",
      { given: { work_path: null, user: null }, want: { work_path: null, user: "www" } },
    ],
    [
      "a field the template lacks takes the caller's value",
      { given: { description: "edge" }, want: { description: "edge" } },
    ],
    [
      "bind_info rows follow the template rows; unmatched caller rows are dropped; sub-fields lock one by one",
      {
        given: {
          bind_info: [
            { template_row_id: 1, ip: "1.2.3.4", port: "8080", protocol: "2", enable: true },
            { template_row_id: 99, ip: "9.9.9.9", port: "9", protocol: "1", enable: true },
          ],
        },
        want: {
          bind_info: [
            { template_row_id: 1, ip: "10.0.0.5", port: "80", protocol: "2", enable: true },
            { template_row_id: 2, ip: "203.0.113.5", port: "81", protocol: "2", enable: true },
          ],
        },
      },
    ],
    [
      "an unlocked sub-field the matched caller row omits is kept as sent: null",
      {
        given: { bind_info: [{ template_row_id: 2, ip: "1.2.3.4" }] },
        want: {
          bind_info: [
            // Row 1's template enable is null: false on creation, but the update path keeps null (§2.2).
            { template_row_id: 1, ip: "10.0.0.5", port: "80", protocol: "1", enable: null },
            { template_row_id: 2, ip: "1.2.3.4", port: null, protocol: null, enable: null },
          ],
        },
      },
    ],
  ];
  it.each(cases)("%s", (_name, { given, want }) => {
    const got = applyTemplateLock(rules, template(), host, given);
    expect(got).toMatchObject(want);
    expect(Object.keys(got).sort()).toEqual([...rules.lockableFields, "bind_info"].sort());
  });
});

describe("applyTemplateLock (bind_info null, trimming)", () => {
  const noRows = (): TemplateProperty => template({ bind_info: { as_default_value: false, value: [] } });

  it("gives bind_info null for a template without rows and no caller entry, [] after one (§2.1)", () => {
    expect(applyTemplateLock(rules, noRows(), host, undefined).bind_info).toBeNull();
    expect(applyTemplateLock(rules, template({ bind_info: undefined }), host, undefined).bind_info).toBeNull();
    expect(applyTemplateLock(rules, noRows(), host, {}).bind_info).toEqual([]);
  });

  it("stores an unlocked caller string trimmed and a caller bind value as sent (§3.1, §3.3)", () => {
    const got = applyTemplateLock(rules, template(), host, {
      work_path: " /opt\t",
      bind_info: [{ template_row_id: 2, ip: " 1.2.3.4 ", port: " 81 ", protocol: "2", enable: true }],
    });
    expect(got.work_path).toBe("/opt");
    expect(got.bind_info?.[1]).toMatchObject({ ip: " 1.2.3.4 ", port: " 81 " });
  });
});

describe("updateFailureCode", () => {
  const valid = () =>
    applyTemplateLock(rules, template(), host, { bind_info: [{ template_row_id: 1, protocol: "1", enable: true }] });
  const cases: [string, { given: (p: Record<string, unknown>) => void; want: number }][] = [
    ["a valid process", { given: () => {}, want: 0 }],
    ["85 CJK characters (255 bytes) fit description", { given: (p) => (p.description = "备".repeat(85)), want: 0 }],
    ["86 CJK characters (258 bytes) do not", { given: (p) => (p.description = "备".repeat(86)), want: 1199011 }],
    ["padding does not count", { given: (p) => (p.description = ` ${"备".repeat(85)} `), want: 0 }],
    ["an integer out of range", { given: (p) => (p.proc_num = 0), want: 1199011 }],
    [
      "a null enable kept from the template",
      {
        given: (p) => (((p.bind_info as Record<string, unknown>[])[0] as Record<string, unknown>).enable = null),
        want: 1199011,
      },
    ],
    [
      "a padded port passes (checked trimmed)",
      {
        given: (p) => (((p.bind_info as Record<string, unknown>[])[1] as Record<string, unknown>).port = " 81 "),
        want: 0,
      },
    ],
  ];
  it.each(cases)("%s", (_name, { given, want }) => {
    const process = valid();
    given(process);
    expect(updateFailureCode(rules, process)).toBe(want);
  });

  it("trims like Go's strings.TrimSpace, not JavaScript's trim", () => {
    expect(trimSpace("\u3000a b\u0085")).toBe("a b");
    expect(trimSpace("\ufeffa")).toBe("\ufeffa");
  });
});
