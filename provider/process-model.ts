/**
 * The process attribute model (cmdb-semantics §3): how CMDB's attribute validator checks, trims and fills process
 * fields, and how `process_info` is decoded into the typed `metadata.Process` on the templated path.
 */
import { type CmdbFailure, fail } from "./messages.ts";
import type { ProcessFieldModel, ProviderSpec } from "./spec-data.ts";
import type { BindRow } from "./world.ts";

/** Process fields plus the `bind_info` table, as they are validated and stored. */
export interface ProcessValues {
  fields: Record<string, string | number | boolean | null>;
  bind_info: BindRow[] | null;
}

/** The outcome of a rule: a value, or a failure as data. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: CmdbFailure };

/** The five keys of a `bind_info` row, in the order stored rows carry them (cmdb-semantics §3.3). */
export const BIND_ROW_KEYS = ["enable", "ip", "port", "protocol", "template_row_id"] as const;

const BIND_ROW_KEY_SET: ReadonlySet<string> = new Set(BIND_ROW_KEYS);

/**
 * Validates the `process_info` of a module without a template as CS `CreateManyInstance` does: required keys, then
 * each field's type and range in model order; unknown and legacy keys are dropped, strings trimmed, gaps filled with null.
 * @see cmdb-semantics §1.3 (mode A), §3.1, §3.3
 */
export function validateRawProcess(
  spec: ProviderSpec,
  info: Readonly<Record<string, unknown>>,
): Outcome<ProcessValues> {
  for (const field of spec.requiredFields) {
    if (!Object.hasOwn(info, field) || info[field] === null) return { ok: false, failure: fail(1199010, field) };
  }
  return validateProcessValues(spec, info, Object.hasOwn(info, "bind_info") ? info.bind_info : null);
}

/**
 * Validates a whole process against the model (fields present in `info` only; absent ones become null) and answers
 * the normalized values.
 * @see cmdb-semantics §3.1
 */
export function validateProcessValues(
  spec: ProviderSpec,
  info: Readonly<Record<string, unknown>>,
  bindInfo: unknown,
): Outcome<ProcessValues> {
  const fields: Record<string, string | number | boolean | null> = {};
  for (const model of spec.processFields) {
    const checked = validateField(spec, model, Object.hasOwn(info, model.field) ? info[model.field] : null);
    if (!checked.ok) return checked;
    fields[model.field] = checked.value;
  }
  const rows = validateBindTable(spec, bindInfo);
  if (!rows.ok) return rows;
  return { ok: true, value: { fields, bind_info: rows.value } };
}

function validateField(
  spec: ProviderSpec,
  model: ProcessFieldModel,
  value: unknown,
): Outcome<string | number | boolean | null> {
  const required = spec.requiredFields.includes(model.field);
  if (value === null || value === undefined) {
    return required ? { ok: false, failure: fail(1199010, model.field) } : { ok: true, value: null };
  }
  switch (model.type) {
    case "string": {
      if (typeof value !== "string") return { ok: false, failure: fail(1199007, model.displayName) };
      const trimmed = value.trim();
      if (model.maxLength !== undefined && codePoints(trimmed) > model.maxLength) {
        return { ok: false, failure: fail(1199015) };
      }
      if (required && trimmed === "") return { ok: false, failure: fail(1199010, model.field) };
      return { ok: true, value: trimmed };
    }
    case "integer": {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return { ok: false, failure: fail(1199009, model.displayName) };
      }
      if (
        (model.minimum !== undefined && value < model.minimum) ||
        (model.maximum !== undefined && value > model.maximum)
      ) {
        return { ok: false, failure: fail(1199006, model.displayName) };
      }
      return { ok: true, value };
    }
    case "boolean":
      return typeof value === "boolean"
        ? { ok: true, value }
        : { ok: false, failure: fail(1199025, model.displayName) };
  }
}

/**
 * Validates a `bind_info` table as `validTableValue` does: rows are objects with only the five known keys, and only
 * the keys present are checked; rows keep their keys in the stored order.
 * @see cmdb-semantics §3.3
 */
export function validateBindTable(spec: ProviderSpec, value: unknown): Outcome<BindRow[] | null> {
  if (value === null || value === undefined) return { ok: true, value: null };
  if (!Array.isArray(value)) return { ok: false, failure: fail(1199006, "bind_info") };
  const rows: BindRow[] = [];
  for (const raw of value) {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      return { ok: false, failure: fail(1199006, "bind_info") };
    }
    const given = raw as Record<string, unknown>;
    for (const key of Object.keys(given)) {
      if (!BIND_ROW_KEY_SET.has(key)) return { ok: false, failure: fail(1199006, "bind_info") };
    }
    const row: BindRow = {};
    if (Object.hasOwn(given, "enable")) {
      const v = given.enable;
      if (v === null) return { ok: false, failure: fail(1199010, "enable") };
      if (typeof v !== "boolean") return { ok: false, failure: fail(1199025, "enable") };
      row.enable = v;
    }
    if (Object.hasOwn(given, "ip")) {
      const v = given.ip;
      if (v === null) row.ip = null;
      else if (typeof v !== "string") return { ok: false, failure: fail(1199007, "ip") };
      else if (!spec.bindIpPattern.test(v.trim())) return { ok: false, failure: fail(1199016, "ip") };
      else row.ip = v.trim();
    }
    if (Object.hasOwn(given, "port")) {
      const v = given.port;
      if (v === null) return { ok: false, failure: fail(1199010, "port") };
      if (typeof v !== "string") return { ok: false, failure: fail(1199007, "port") };
      if (!spec.bindPortPattern.test(v.trim())) return { ok: false, failure: fail(1199016, "port") };
      row.port = v.trim();
    }
    if (Object.hasOwn(given, "protocol")) {
      const v = given.protocol;
      if (v === null) return { ok: false, failure: fail(1199010, "protocol") };
      if (typeof v !== "string" || !spec.protocols.has(v)) return { ok: false, failure: fail(1199006, "protocol") };
      row.protocol = v;
    }
    if (Object.hasOwn(given, "template_row_id") && given.template_row_id !== null) {
      const v = given.template_row_id;
      if (typeof v !== "number" || !Number.isInteger(v))
        return { ok: false, failure: fail(1199009, "template_row_id") };
      row.template_row_id = v;
    }
    rows.push(row);
  }
  return { ok: true, value: rows };
}

/**
 * Checks `process_info` decodes into the typed `metadata.Process` (JSON with `UseNumber`): a known field of the wrong
 * JSON type is 1199000, whether or not the field is locked; unknown keys are ignored.
 * @see cmdb-semantics §1.3 B.4
 */
export function checkProcessInfoDecodes(
  spec: ProviderSpec,
  info: Readonly<Record<string, unknown>>,
): CmdbFailure | null {
  for (const model of spec.processFields) {
    const value = info[model.field];
    if (Object.hasOwn(info, model.field) && value !== null && !hasJsonType(value, model.type)) return fail(1199000);
  }
  for (const [key, type] of SERVER_KEY_TYPES) {
    const value = info[key];
    if (Object.hasOwn(info, key) && value !== null && !hasJsonType(value, type)) return fail(1199000);
  }
  if (!Object.hasOwn(info, "bind_info") || info.bind_info === null) return null;
  if (!Array.isArray(info.bind_info)) return fail(1199000);
  for (const row of info.bind_info as unknown[]) {
    if (row === null) continue;
    if (typeof row !== "object" || Array.isArray(row)) return fail(1199000);
    for (const [key, type] of BIND_KEY_TYPES) {
      const value = (row as Record<string, unknown>)[key];
      if (Object.hasOwn(row, key) && value !== null && !hasJsonType(value, type)) return fail(1199000);
    }
  }
  return null;
}

const SERVER_KEY_TYPES: readonly (readonly [string, ProcessFieldModel["type"]])[] = [
  ["bk_biz_id", "integer"],
  ["bk_process_id", "integer"],
  ["service_instance_id", "integer"],
  ["bk_supplier_account", "string"],
];

const BIND_KEY_TYPES: readonly (readonly [string, ProcessFieldModel["type"]])[] = [
  ["enable", "boolean"],
  ["ip", "string"],
  ["port", "string"],
  ["protocol", "string"],
  ["template_row_id", "integer"],
];

/** Tells whether a JSON value fits a Go `int64` / `string` / `bool` target. */
export function hasJsonType(value: unknown, type: ProcessFieldModel["type"]): boolean {
  if (type === "integer") return isInt64(value);
  return typeof value === type;
}

/** Tells whether a JSON value decodes into a Go `int64`. */
export function isInt64(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 2 ** 63;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
