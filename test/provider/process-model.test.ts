import { describe, expect, it } from "vitest";
import { compiledModelOf, validateProcessValues, validateRawProcess } from "../../provider/process-model.ts";
import { loadProviderSpec, type ProcessFieldModel, type ProviderSpec } from "../../provider/spec-data.ts";

const spec = loadProviderSpec();

// A model of unusual field names: one every object inherits, one with a quote and a backslash, one ordinary.
function specWith(processFields: ProcessFieldModel[]): ProviderSpec {
  return { ...spec, processFields, requiredFields: processFields.filter((m) => m.required).map((m) => m.field) };
}

const odd = specWith([
  { field: "toString", type: "string", displayName: "to string", required: false },
  { field: 'say "hi" \\ there', type: "integer", displayName: "odd", required: false, minimum: 0 },
  { field: "bk_process_name", type: "string", displayName: "进程名称", required: true, maxBytes: 8 },
]);

describe("the compiled process model", () => {
  it("reads a field an object inherits only when the object has it as its own", () => {
    const { validateFields } = compiledModelOf(odd);
    expect(validateFields({ bk_process_name: "a" }, true, false)).toEqual({
      ok: true,
      value: { toString: "", 'say "hi" \\ there': null, bk_process_name: "a" },
    });
    expect(validateFields({ toString: " t ", 'say "hi" \\ there': 3, bk_process_name: "a" }, false, false)).toEqual({
      ok: true,
      value: { toString: "t", 'say "hi" \\ there': 3, bk_process_name: "a" },
    });
  });

  it("stops at the first failing field, in the model's order, naming it", () => {
    const { validateFields } = compiledModelOf(odd);
    const failed = validateFields({ 'say "hi" \\ there': -1, bk_process_name: "far too long" }, false, false);
    expect(failed).toMatchObject({ ok: false, failure: { code: 1199006, args: ["odd"] } });
    // Eight bytes of UTF-8, or eight characters under the fault that counts characters.
    expect(validateFields({ bk_process_name: "进程进程" }, false, false)).toMatchObject({ ok: false });
    expect(validateFields({ bk_process_name: "进程进程" }, false, true)).toMatchObject({ ok: true });
  });

  it("builds the stored property with the server's keys first and the times last", () => {
    const { buildProperty } = compiledModelOf(odd);
    const fields = { toString: "t", 'say "hi" \\ there': 1, bk_process_name: "a" };
    const property = buildProperty(9, 2, "0", 100, fields, null, "2026-11-30T00:00:00Z");
    expect(Object.keys(property)).toEqual([
      "bk_process_id",
      "bk_biz_id",
      "bk_supplier_account",
      "service_instance_id",
      "toString",
      'say "hi" \\ there',
      "bk_process_name",
      "bind_info",
      "create_time",
      "last_time",
    ]);
    expect(Object.getPrototypeOf(property)).toBe(Object.prototype);
  });

  it("refuses a field named __proto__, which a literal would take for the prototype", () => {
    const bad = specWith([{ field: "__proto__", type: "string", displayName: "p", required: false }]);
    expect(() => compiledModelOf(bad)).toThrow(/__proto__/);
  });

  it("validates the shipped model as the rules say: defaults for a raw process, nulls for a whole one", () => {
    const raw = validateRawProcess(spec, { bk_process_name: " java ", bk_func_name: "java", bind_info: null });
    expect(raw).toMatchObject({ ok: true, value: { bind_info: null } });
    const fields = raw.ok ? raw.value.fields : {};
    expect(Object.keys(fields)).toEqual(spec.processFields.map((m) => m.field));
    expect(fields.bk_process_name).toBe("java");
    for (const model of spec.processFields.filter((m) => !["bk_process_name", "bk_func_name"].includes(m.field))) {
      expect(fields[model.field], model.field).toBe(spec.rawDefaults[model.type] ?? null);
    }
    const whole = validateProcessValues(spec, { fields: { bk_process_name: "a", bk_func_name: "b" }, bind_info: [] });
    expect(whole).toMatchObject({ ok: true, value: { bind_info: [] } });
    expect(Object.values(whole.ok ? whole.value.fields : {}).filter((v) => v === null)).toHaveLength(
      spec.processFields.length - 2,
    );
  });
});
