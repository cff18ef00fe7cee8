/**
 * The process attribute model (cmdb-semantics §3): how CMDB's attribute validator checks, trims and fills process
 * fields, and how `process_info` is decoded into the typed `metadata.Process` on the templated path. The rules come
 * from the spec's `x-cmdb-field-rules`.
 */
import type { FaultName } from "./faults.ts";
import { type CmdbFailure, fail } from "./messages.ts";
import { goJsonFold, JsonNumber } from "./request-json.ts";
import type { ProcessFieldModel, ProviderSpec } from "./spec-data.ts";
import type { BindRow } from "./world.ts";

/** Process fields plus the `bind_info` table, as they are validated and stored. */
export interface ProcessValues {
  fields: Record<string, string | number | boolean | null>;
  bind_info: BindRow[] | null;
}

/** The outcome of a rule: a value, or a failure as data. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: CmdbFailure };

/** Faults that change the process model; the rest of the provider passes its whole fault set. */
type ModelFaults = ReadonlySet<FaultName>;

const NO_FAULTS: ModelFaults = new Set();

/** The five keys of a `bind_info` row, in the order stored rows carry them (cmdb-semantics §3.3). */
export const BIND_ROW_KEYS = ["enable", "ip", "port", "protocol", "template_row_id"] as const;

/**
 * Validates the `process_info` of a module without a template as CS `CreateManyInstance` does, and wraps a failure as
 * the caller sees it: a missing required key is 1199010 wrapped once; every value error is 1199011 with the inner
 * message wrapped twice. Keys not sent are filled (strings `""`, `auto_start` false, the rest null); unknown and
 * legacy keys are dropped; strings are stored trimmed, `bind_info` rows as sent.
 * @see cmdb-semantics §1.3 A, §3.1, §3.3
 */
export function validateRawProcess(
  spec: ProviderSpec,
  info: Readonly<Record<string, unknown>>,
  faults: ModelFaults = NO_FAULTS,
): Outcome<ProcessValues> {
  for (const field of spec.requiredFields) {
    if (!Object.hasOwn(info, field)) return { ok: false, failure: fail(1199010, fail(1199010, field)) };
  }
  // cmdb-semantics §1.3 A step 2 (`FillLostFieldValue`): a field not sent takes `x-cmdb-field-rules.raw_defaults`.
  const fillDefaults = !faults.has("raw-missing-fields-null");
  const bindInfo = Object.hasOwn(info, "bind_info") ? info.bind_info : null;
  const checked = validateValues(spec, info, fillDefaults, bindInfo, faults);
  if (checked.ok) return checked;
  return { ok: false, failure: fail(1199011, fail(1199011, checked.failure)) };
}

/**
 * Validates a whole process against the model (every lockable field and `bind_info`) and answers the values to
 * store, or the inner failure (not yet wrapped).
 * @see cmdb-semantics §3.1
 */
export function validateProcessValues(
  spec: ProviderSpec,
  values: ProcessValues,
  faults: ModelFaults = NO_FAULTS,
): Outcome<ProcessValues> {
  return validateValues(spec, values.fields, false, values.bind_info, faults);
}

// Validates every model field of `source` and the bind table; a field `source` lacks is its type's raw default
// (`fillDefaults`) or null. This runs for every process of a create, so the field loop is compiled per spec.
function validateValues(
  spec: ProviderSpec,
  source: Readonly<Record<string, unknown>>,
  fillDefaults: boolean,
  bindInfo: unknown,
  faults: ModelFaults,
): Outcome<ProcessValues> {
  const fields = compiledModelOf(spec).validateFields(source, fillDefaults, faults.has("string-length-in-characters"));
  if (!fields.ok) return fields;
  const rows = validateBindTable(spec, bindInfo, faults);
  if (!rows.ok) return rows;
  return { ok: true, value: { fields: fields.value, bind_info: rows.value } };
}

/** The process model compiled for one spec: its field loop unrolled, every field name a constant. */
interface CompiledModel {
  /** Checks each model field of `source` in the model's order (see {@link validateValues}). */
  validateFields(
    source: Readonly<Record<string, unknown>>,
    fillDefaults: boolean,
    inCharacters: boolean,
  ): Outcome<ProcessValues["fields"]>;
  /** A stored process's `property`: the server-owned keys, every model field, `bind_info` and the times. */
  buildProperty(
    processId: number,
    bizId: number,
    supplierAccount: string,
    instanceId: number,
    fields: ProcessValues["fields"],
    bindInfo: BindRow[] | null,
    now: string,
  ): Record<string, unknown>;
}

const compiledModels = new WeakMap<ProviderSpec, CompiledModel>();

/**
 * Compiles the model's loops into straight-line code once per spec, as ajv compiles a schema: the field names become
 * constant property keys (JSON string literals, so no name can break out of them), which V8 reads and writes far
 * faster than a key held in a variable, and each object is built by one literal in its final shape.
 */
export function compiledModelOf(spec: ProviderSpec): CompiledModel {
  let compiled = compiledModels.get(spec);
  if (compiled) return compiled;
  // In an object literal `"__proto__": x` sets the prototype instead of making a property.
  if (spec.processFields.some((m) => m.field === "__proto__")) {
    throw new Error("spec: no process field may be named __proto__");
  }
  const names = spec.processFields.map((m) => JSON.stringify(m.field));
  // A field not sent is its default; a name every object inherits (`toString`) counts only as the object's own.
  const read = (i: number) => {
    const name = names[i] as string;
    const absent = `fillDefaults ? defaults[${i}] : null`;
    return (spec.processFields[i] as ProcessFieldModel).field in Object.prototype
      ? `const v${i} = hasOwn(source, ${name}) ? source[${name}] : ${absent};`
      : `let v${i} = source[${name}]; if (v${i} === undefined && !hasOwn(source, ${name})) v${i} = ${absent};`;
  };
  const validateBody = [
    ...names.flatMap((_, i) => [
      read(i),
      `const c${i} = validateField(models[${i}], v${i}, inCharacters);`,
      `if (c${i} !== null && typeof c${i} === "object") return { ok: false, failure: c${i} };`,
    ]),
    `return { ok: true, value: { ${names.map((name, i) => `${name}: c${i}`).join(", ")} } };`,
  ].join("\n");
  const propertyBody = `return {
    bk_process_id: processId, bk_biz_id: bizId, bk_supplier_account: supplierAccount, service_instance_id: instanceId,
    ${names.map((name) => `${name}: fields[${name}]`).join(", ")},
    bind_info: bindInfo, create_time: now, last_time: now };`;
  const models = spec.processFields;
  const defaults = models.map((m) => spec.rawDefaults[m.type]);
  const validateFields = new Function(
    "models",
    "defaults",
    "validateField",
    "hasOwn",
    `"use strict"; return function validateFields(source, fillDefaults, inCharacters) {\n${validateBody}\n};`,
  )(models, defaults, validateField, Object.hasOwn) as CompiledModel["validateFields"];
  const buildProperty = new Function(
    `"use strict"; return function buildProperty(processId, bizId, supplierAccount, instanceId, fields, bindInfo, now) {\n${propertyBody}\n};`,
  )() as CompiledModel["buildProperty"];
  compiled = { validateFields, buildProperty };
  compiledModels.set(spec, compiled);
  return compiled;
}

/** A field's value once checked (trimmed, a literal made a number), or the inner failure naming the field. */
type FieldResult = string | number | boolean | null | CmdbFailure;

function validateField(model: ProcessFieldModel, value: unknown, inCharacters: boolean): FieldResult {
  if (value === null || value === undefined) return model.required ? fieldFailure(model, 1199010) : null;
  switch (model.type) {
    case "string": {
      if (typeof value !== "string") return fieldFailure(model, 1199007);
      const trimmed = goTrimSpace(value);
      if (model.maxBytes !== undefined && stringLength(trimmed, model.maxBytes, inCharacters) > model.maxBytes) {
        return fieldFailure(model, 1199015);
      }
      if (model.required && trimmed === "") return fieldFailure(model, 1199010);
      return trimmed;
    }
    case "integer": {
      if (typeof value !== "number" && !(value instanceof JsonNumber)) return fieldFailure(model, 1199009);
      // A non-integer literal counts as 0 in the range check (cmdb-semantics §1.1, `json.Number.Int64()`).
      const counted = typeof value === "number" && Number.isInteger(value) ? value : 0;
      if (
        (model.minimum !== undefined && counted < model.minimum) ||
        (model.maximum !== undefined && counted > model.maximum)
      ) {
        return fieldFailure(model, 1199006);
      }
      // How CMDB stores a non-integer literal that passes is UNCONFIRMED; it is kept as the literal's number.
      return typeof value === "number" ? value : value.toJSON();
    }
    case "boolean":
      return typeof value === "boolean" ? value : fieldFailure(model, 1199025);
  }
}

function fieldFailure(model: ProcessFieldModel, code: number): CmdbFailure {
  return fail(code, model.displayName);
}

// The length a string limit counts: UTF-8 bytes, or characters (the `string-length-in-characters` fault). A UTF-16
// unit is at most 3 UTF-8 bytes, so a string of at most `limit / 3` units is within the limit without encoding it.
function stringLength(text: string, limit: number, inCharacters: boolean): number {
  if (inCharacters) return [...text].length;
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text);
}

/**
 * Validates a `bind_info` table as `validTableValue` does: rows are objects with only the five known keys, and only
 * the keys present are checked, on trimmed values; any failure is the one inner error naming `bind_info`. Rows are
 * stored as sent.
 * @see cmdb-semantics §3.3
 */
function validateBindTable(
  spec: ProviderSpec,
  value: unknown,
  faults: ModelFaults = NO_FAULTS,
): Outcome<BindRow[] | null> {
  if (value === null || value === undefined) return { ok: true, value: null };
  if (!Array.isArray(value)) return bindTableFailure(spec);
  const ipPattern = faults.has("bind-ip-pattern-unanchored") ? unanchoredIpv6(spec.bindIpPattern) : spec.bindIpPattern;
  const storedTrimmed = faults.has("bind-info-stored-trimmed");
  // Made at its final length: a list grown by `push` keeps room for 16 rows, and this one is stored.
  const rows: BindRow[] = new Array(value.length);
  for (let r = 0; r < value.length; r++) {
    const raw: unknown = value[r];
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return bindTableFailure(spec);
    const given = raw as Record<string, unknown>;
    // Each key is read once under its own name: a row is checked and copied without a loop over key names.
    const hasEnable = Object.hasOwn(given, "enable");
    const hasIp = Object.hasOwn(given, "ip");
    const hasPort = Object.hasOwn(given, "port");
    const hasProtocol = Object.hasOwn(given, "protocol");
    const hasRowId = Object.hasOwn(given, "template_row_id");
    // A key that is none of the five fails the row (counted without making a list of the keys).
    let keys = 0;
    for (const key in given) if (Object.hasOwn(given, key)) keys++;
    if (keys !== +hasEnable + +hasIp + +hasPort + +hasProtocol + +hasRowId) return bindTableFailure(spec);
    const { enable, ip, port, protocol, template_row_id: rowId } = given;
    if (hasEnable && typeof enable !== "boolean") return bindTableFailure(spec);
    if (hasIp && ip !== null && !matchesTrimmed(ip, ipPattern, true)) return bindTableFailure(spec);
    if (hasPort && !matchesTrimmed(port, spec.bindPortPattern, false)) return bindTableFailure(spec);
    if (hasProtocol && !(typeof protocol === "string" && spec.protocols.has(protocol))) return bindTableFailure(spec);
    if (hasRowId && rowId !== null && typeof rowId !== "number" && !(rowId instanceof JsonNumber)) {
      return bindTableFailure(spec);
    }
    // Checked trimmed, stored as sent, in the order of BIND_ROW_KEYS (cmdb-semantics §3.3); the fault stores the
    // trimmed value.
    const row: Record<string, unknown> = {};
    if (hasEnable) row.enable = enable;
    if (hasIp) row.ip = storedTrimmed ? trimmedIfString(ip) : ip;
    if (hasPort) row.port = storedTrimmed ? trimmedIfString(port) : port;
    if (hasProtocol) row.protocol = protocol;
    if (hasRowId) row.template_row_id = rowId instanceof JsonNumber ? rowId.toJSON() : rowId;
    rows[r] = row as BindRow;
  }
  return { ok: true, value: rows };
}

function trimmedIfString(value: unknown): unknown {
  return typeof value === "string" ? goTrimSpace(value) : value;
}

function bindTableFailure(spec: ProviderSpec): Outcome<never> {
  return { ok: false, failure: fail(1199006, spec.bindInfoDisplayName) };
}

function matchesTrimmed(value: unknown, pattern: RegExp, emptyAllowed: boolean): boolean {
  if (typeof value !== "string") return false;
  const trimmed = goTrimSpace(value);
  return (emptyAllowed && trimmed === "") || pattern.test(trimmed);
}

// The previous migration's rule, whose IPv6 half was not anchored (cmdb-semantics §3.3): the bind-IP fault.
function unanchoredIpv6(pattern: RegExp): RegExp {
  return new RegExp(pattern.source.replace(/\|\(\^(.*)\$\)$/, "|($1)"));
}

/**
 * Decodes `process_info` into the typed `metadata.Process` as `mapstr.DecodeFromMapStr` does (standard
 * `encoding/json` over the map's keys in sorted order, numbers as literals): a known field of the wrong JSON type or
 * a non-integer literal for an integer is 1199000; keys match as `encoding/json` folds them, the last match winning.
 * Answers the fields the lock merge reads: every decoded non-null value under its field name, plus a null for each
 * field the caller set to null under its exact name (only those are cleared).
 * @see cmdb-semantics §1.1, §1.3 B.4, §2.2
 */
export function decodeProcessInfo(
  spec: ProviderSpec,
  info: Readonly<Record<string, unknown>>,
): Outcome<Record<string, unknown>> {
  const types = decodedTypesOf(spec);
  const decoded: Record<string, unknown> = {};
  let nulls = false;
  const { keys, folded } = foldOrder(info);
  for (const key of keys) {
    const field = folded ? key : goJsonFold(key);
    const type = types.get(field);
    const value = info[key];
    if (type === undefined) continue;
    if (value === null) {
      nulls = true;
      delete decoded[field];
      continue;
    }
    if (type === "bind_info") {
      const rows = decodeBindRows(value);
      if (rows === null) return { ok: false, failure: fail(1199000) };
      decoded[field] = rows;
    } else if (hasJsonType(value, type)) decoded[field] = value;
    else return { ok: false, failure: fail(1199000) };
  }
  for (const model of nulls ? spec.processFields : []) {
    if (!Object.hasOwn(decoded, model.field) && Object.hasOwn(info, model.field) && info[model.field] === null) {
      decoded[model.field] = null;
    }
  }
  return { ok: true, value: decoded };
}

/**
 * The keys of an object in the order `encoding/json` reads them from a Go map: sorted, so that of two keys that fold to
 * one field the later one wins. Keys that are all folded already (`folded`) name distinct fields, and are left unsorted.
 */
function foldOrder(object: object): { keys: string[]; folded: boolean } {
  const keys = Object.keys(object);
  const folded = keys.every(isFolded);
  return { keys: folded ? keys : keys.sort(), folded };
}

function isFolded(key: string): boolean {
  return goJsonFold(key) === key;
}

type DecodedType = ProcessFieldModel["type"] | "bind_info";

const decodedTypes = new WeakMap<ProviderSpec, ReadonlyMap<string, DecodedType>>();

// The fields of the typed `metadata.Process` with their types, built once per spec.
function decodedTypesOf(spec: ProviderSpec): ReadonlyMap<string, DecodedType> {
  let types = decodedTypes.get(spec);
  if (!types) {
    types = new Map<string, DecodedType>([
      ...spec.processFields.map((m) => [m.field, m.type] as const),
      ...SERVER_KEY_TYPES,
      ["bind_info", "bind_info"],
    ]);
    decodedTypes.set(spec, types);
  }
  return types;
}

function decodeBindRows(value: unknown): Record<string, unknown>[] | null {
  if (!Array.isArray(value)) return null;
  const rows: Record<string, unknown>[] = new Array(value.length);
  for (let r = 0; r < value.length; r++) {
    const raw: unknown = value[r];
    if (raw === null) {
      rows[r] = {};
      continue;
    }
    if (typeof raw !== "object" || Array.isArray(raw)) return null;
    const row: Record<string, unknown> = {};
    const { keys, folded } = foldOrder(raw);
    for (const key of keys) {
      const field = folded ? key : goJsonFold(key);
      const type = BIND_KEY_TYPES.get(field);
      const sent = (raw as Record<string, unknown>)[key];
      if (type === undefined) continue;
      if (sent === null) delete row[field];
      else if (hasJsonType(sent, type)) row[field] = sent;
      else return null;
    }
    rows[r] = row;
  }
  return rows;
}

const SERVER_KEY_TYPES: readonly (readonly [string, ProcessFieldModel["type"]])[] = [
  ["bk_biz_id", "integer"],
  ["bk_process_id", "integer"],
  ["service_instance_id", "integer"],
  ["bk_supplier_account", "string"],
];

const BIND_KEY_TYPES: ReadonlyMap<string, ProcessFieldModel["type"]> = new Map([
  ["enable", "boolean"],
  ["ip", "string"],
  ["port", "string"],
  ["protocol", "string"],
  ["template_row_id", "integer"],
]);

/** Tells whether a JSON value fits a Go `int64` / `string` / `bool` target; a non-integer literal fits no `int64`. */
function hasJsonType(value: unknown, type: ProcessFieldModel["type"]): boolean {
  if (type === "integer") return isInt64(value);
  return typeof value === type;
}

/** Tells whether a JSON value decodes into a Go `int64`. */
export function isInt64(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 2 ** 63;
}

/** Trims like Go's `strings.TrimSpace`: ASCII white space, U+0085, U+00A0 and Unicode White_Space (not U+FEFF). */
function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

// `unicode.IsSpace`: every such rune is in the Basic Multilingual Plane, so one UTF-16 unit decides.
function isGoSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}
