import type { OpenApiDocument } from "../../spec/load-spec.ts";

/** The lock rules as read from the spec's `x-cmdb-template-lock`, `x-cmdb-field-rules` and `BindIpType` (data). */
export interface LockRules {
  lockableFields: readonly string[];
  alwaysLocked: ReadonlySet<string>;
  bindSubFields: readonly string[];
  /** Bind IP type → a literal address, or the host field whose first comma-separated item is used. */
  bindIpTypes: Readonly<Record<string, string>>;
  /** Each process field's model rule (`x-cmdb-field-rules.process_fields`). */
  fields: ReadonlyMap<string, FieldRule>;
  /** Each `bind_info` sub-field's rule (`x-cmdb-field-rules.bind_info.sub_fields`). */
  bindFields: ReadonlyMap<string, FieldRule>;
}

/** One field's rule of the process model: type, required, limits (UTF-8 bytes after trimming), pattern, enum. */
export interface FieldRule {
  type: string;
  required: boolean;
  maxBytes?: number;
  minimum?: number;
  maximum?: number;
  pattern?: RegExp;
  values?: readonly string[];
}

/** A template field as `get_proc_template` answers it. */
export interface TemplateValue {
  value?: unknown;
  as_default_value?: boolean | null;
}

/** One template `bind_info` row. */
export interface TemplateBindRow {
  row_id: number;
  ip?: TemplateValue;
  port?: TemplateValue;
  protocol?: TemplateValue;
  enable?: TemplateValue;
}

/** A process template's `property` map. */
export type TemplateProperty = Record<string, unknown> & {
  bind_info?: { value?: TemplateBindRow[] | null; as_default_value?: boolean | null };
};

/** The host fields a bind IP type can refer to. */
export type HostAddresses = Record<string, unknown>;

/** A process as the lock rules say it must read back: every lockable field and `bind_info` (null: no rows made). */
export type ExpectedProcess = Record<string, unknown> & { bind_info: Record<string, unknown>[] | null };

/**
 * Reads the lock rules from the spec, so a change there changes what is checked.
 * @throws Error when `x-cmdb-template-lock` lacks a part the rules need.
 */
export function readLockRules(document: OpenApiDocument): LockRules {
  const lock = document["x-cmdb-template-lock"];
  const ipType = document.components.schemas.BindIpType as { "x-cmdb-enum-names"?: Record<string, string> };
  const model = document["x-cmdb-field-rules"];
  if (!Array.isArray(lock?.lockable_fields) || !Array.isArray(lock.bind_info?.sub_fields)) {
    throw new Error("spec x-cmdb-template-lock: lockable_fields and bind_info.sub_fields are required");
  }
  if (!Array.isArray(model?.process_fields) || !Array.isArray(model.bind_info?.sub_fields)) {
    throw new Error("spec x-cmdb-field-rules: process_fields and bind_info.sub_fields are required");
  }
  const ruleOf = (raw: Record<string, unknown>): [string, FieldRule] => {
    const rule: FieldRule = { type: String(raw.type), required: raw.required === true };
    if (typeof raw.max_bytes === "number") rule.maxBytes = raw.max_bytes;
    if (typeof raw.minimum === "number") rule.minimum = raw.minimum;
    if (typeof raw.maximum === "number") rule.maximum = raw.maximum;
    if (typeof raw.pattern === "string") rule.pattern = new RegExp(raw.pattern);
    if (Array.isArray(raw.values)) rule.values = raw.values.map(String);
    return [String(raw.field), rule];
  };
  return {
    lockableFields: lock.lockable_fields.map((f) => f.field),
    alwaysLocked: new Set(lock.always_locked ?? []),
    bindSubFields: lock.bind_info.sub_fields,
    bindIpTypes: ipType["x-cmdb-enum-names"] ?? {},
    fields: new Map(model.process_fields.map((f) => ruleOf(f))),
    bindFields: new Map(model.bind_info.sub_fields.map((f) => ruleOf(f))),
  };
}

/**
 * Answers what a process created from a template must read back as, after the caller's `process_info` (or none):
 * every template value copied, then locked fields keep the template value, unlocked ones take the caller's value
 * trimmed (an explicit null clears), `bind_info` rows follow the template rows matched by `template_row_id`, caller
 * sub-values as sent. Without caller data a template without rows gives `bind_info: null` and a null template
 * `enable` gives false; a caller entry rewrites the rows (`[]` when there are none) and keeps a null `enable` null,
 * which {@link updateFailureCode} then rejects. Written from cmdb-semantics, independently of the reference CMDB.
 * @see cmdb-semantics §2.1, §2.2, §3.1, §3.3
 */
export function applyTemplateLock(
  rules: LockRules,
  property: TemplateProperty,
  host: HostAddresses,
  processInfo: Record<string, unknown> | undefined,
): ExpectedProcess {
  const isLocked = (field: string): boolean =>
    rules.alwaysLocked.has(field) || fieldOf(property, field)?.as_default_value === true;
  const expected: Record<string, unknown> = {};
  for (const field of rules.lockableFields) {
    expected[field] = fieldOf(property, field)?.value ?? null;
    if (processInfo !== undefined && Object.hasOwn(processInfo, field) && !isLocked(field)) {
      const sent = processInfo[field] ?? null;
      // Top-level strings are stored trimmed (cmdb-semantics §3.1).
      expected[field] = typeof sent === "string" ? trimSpace(sent) : sent;
    }
  }
  const templateRows = property.bind_info?.value ?? [];
  // §2.1: no rows and no update leave the nil slice, which reads back as null.
  if (processInfo === undefined && templateRows.length === 0) return { ...expected, bind_info: null };
  const callerRows = Array.isArray(processInfo?.bind_info)
    ? (processInfo.bind_info as Record<string, unknown>[])
    : undefined;
  const bindInfo = templateRows.map((row) => {
    const fromTemplate = (sub: string): unknown => templateSubValue(rules, row, sub, host, processInfo !== undefined);
    // Without caller rows the process keeps the rows it was created with.
    const match = callerRows
      ?.filter((r) => r !== null && typeof r === "object" && r.template_row_id === row.row_id)
      .at(-1);
    const out: Record<string, unknown> = { template_row_id: row.row_id };
    for (const sub of rules.bindSubFields) {
      const locked = subOf(row, sub)?.as_default_value === true;
      out[sub] = match === undefined || locked ? fromTemplate(sub) : (match[sub] ?? null);
    }
    return out;
  });
  return { ...expected, bind_info: bindInfo };
}

/** Resolves a template bind IP type against a host: a literal address, or the first item of a host address field. */
export function resolveBindIp(rules: LockRules, type: unknown, host: HostAddresses): string {
  if (type === null || type === undefined || type === "") return "";
  const name = rules.bindIpTypes[String(type)];
  if (name === undefined) return "";
  if (!name.startsWith("bk_host_")) return name;
  const addresses = host[name];
  return typeof addresses === "string" ? (addresses.split(",")[0] ?? "").trim() : "";
}

function templateSubValue(
  rules: LockRules,
  row: TemplateBindRow,
  sub: string,
  host: HostAddresses,
  updated: boolean,
): unknown {
  const value = subOf(row, sub)?.value;
  if (sub === "ip") return resolveBindIp(rules, value, host);
  // A null template `enable` becomes false on creation only; the update path keeps it (cmdb-semantics §2.1, §2.2).
  if (sub === "enable" && !updated) return value ?? false;
  return value ?? null;
}

/**
 * The code a create must answer when a caller entry updated this process: 0 when the merged process passes the
 * process model, else 1199011 (which field is named is not checked: CMDB's map order decides it).
 * @see cmdb-semantics §1.3 B.4, §3.1, §3.3
 */
export function updateFailureCode(rules: LockRules, process: ExpectedProcess): 0 | 1199011 {
  for (const [field, rule] of rules.fields) {
    if (!fitsRule(rule, process[field] ?? null)) return 1199011;
  }
  for (const row of process.bind_info ?? []) {
    for (const [sub, rule] of rules.bindFields) {
      if (!fitsRule(rule, row[sub] ?? null)) return 1199011;
    }
  }
  return 0;
}

// One value against its rule; strings are checked trimmed, their limits in UTF-8 bytes (cmdb-semantics §3.1, §3.3).
function fitsRule(rule: FieldRule, value: unknown): boolean {
  if (value === null) return !rule.required;
  if (rule.type === "integer") {
    return typeof value === "number" && (rule.minimum ?? -Infinity) <= value && value <= (rule.maximum ?? Infinity);
  }
  if (rule.type === "boolean") return typeof value === "boolean";
  if (typeof value !== "string") return false;
  if (rule.type === "enum") return rule.values?.includes(value) ?? false;
  const trimmed = trimSpace(value);
  if (rule.maxBytes !== undefined && new TextEncoder().encode(trimmed).length > rule.maxBytes) return false;
  if (trimmed === "") return !rule.required;
  return rule.pattern === undefined || rule.pattern.test(trimmed);
}

/** Trims as Go's `strings.TrimSpace` does (ASCII and Unicode white space, not U+FEFF). */
export function trimSpace(text: string): string {
  const chars = [...text];
  let start = 0;
  let end = chars.length;
  while (start < end && GO_SPACES.has(chars[start] as string)) start++;
  while (end > start && GO_SPACES.has(chars[end - 1] as string)) end--;
  return chars.slice(start, end).join("");
}

// unicode.IsSpace: \t \n \v \f \r, space, U+0085, U+00A0 and the White_Space characters of category Z.
const GO_SPACES: ReadonlySet<string> = new Set([
  ..."\t\n\v\f\r \u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000",
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
]);

function fieldOf(property: TemplateProperty, field: string): TemplateValue | undefined {
  const value = property[field];
  return value !== null && typeof value === "object" ? (value as TemplateValue) : undefined;
}

function subOf(row: TemplateBindRow, sub: string): TemplateValue | undefined {
  const value = (row as unknown as Record<string, unknown>)[sub];
  return value !== null && typeof value === "object" ? (value as TemplateValue) : undefined;
}
