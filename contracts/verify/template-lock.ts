import type { OpenApiDocument } from "../../spec/load-spec.ts";

/** The lock rules as read from the spec's `x-cmdb-template-lock` and `BindIpType` (data, not code). */
export interface LockRules {
  lockableFields: readonly string[];
  alwaysLocked: ReadonlySet<string>;
  bindSubFields: readonly string[];
  /** Bind IP type → a literal address, or the host field whose first comma-separated item is used. */
  bindIpTypes: Readonly<Record<string, string>>;
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

/** A process as the lock rules say it must read back: every lockable field and `bind_info`. */
export type ExpectedProcess = Record<string, unknown> & { bind_info: Record<string, unknown>[] };

/**
 * Reads the lock rules from the spec, so a change there changes what is checked.
 * @throws Error when `x-cmdb-template-lock` lacks a part the rules need.
 */
export function readLockRules(document: OpenApiDocument): LockRules {
  const lock = document["x-cmdb-template-lock"];
  const ipType = document.components.schemas.BindIpType as { "x-cmdb-enum-names"?: Record<string, string> };
  if (!Array.isArray(lock?.lockable_fields) || !Array.isArray(lock.bind_info?.sub_fields)) {
    throw new Error("spec x-cmdb-template-lock: lockable_fields and bind_info.sub_fields are required");
  }
  return {
    lockableFields: lock.lockable_fields.map((f) => f.field),
    alwaysLocked: new Set(lock.always_locked ?? []),
    bindSubFields: lock.bind_info.sub_fields,
    bindIpTypes: ipType["x-cmdb-enum-names"] ?? {},
  };
}

/**
 * Answers what a process created from a template must read back as, after the caller's `process_info` (or none):
 * every template value copied, then locked fields keep the template value, unlocked ones take the caller's value
 * (an explicit null clears), `bind_info` rows follow the template rows matched by `template_row_id`.
 * Written from cmdb-semantics, independently of the reference CMDB.
 * @see cmdb-semantics §2.1, §2.2
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
      expected[field] = processInfo[field] ?? null;
    }
  }
  const templateRows = property.bind_info?.value ?? [];
  const callerRows = Array.isArray(processInfo?.bind_info)
    ? (processInfo.bind_info as Record<string, unknown>[])
    : undefined;
  const bindInfo = templateRows.map((row) => {
    const fromTemplate = (sub: string): unknown => templateSubValue(rules, row, sub, host);
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

function templateSubValue(rules: LockRules, row: TemplateBindRow, sub: string, host: HostAddresses): unknown {
  const value = subOf(row, sub)?.value;
  if (sub === "ip") return resolveBindIp(rules, value, host);
  // A null template `enable` becomes false on the new process (cmdb-semantics §2.1).
  if (sub === "enable") return value ?? false;
  return value ?? null;
}

function fieldOf(property: TemplateProperty, field: string): TemplateValue | undefined {
  const value = property[field];
  return value !== null && typeof value === "object" ? (value as TemplateValue) : undefined;
}

function subOf(row: TemplateBindRow, sub: string): TemplateValue | undefined {
  const value = (row as unknown as Record<string, unknown>)[sub];
  return value !== null && typeof value === "object" ? (value as TemplateValue) : undefined;
}
