/**
 * The template lock (cmdb-semantics §2): how a process is created from a process template (`NewProcess`, §2.1) and
 * how a caller's `process_info` then applies to it (`ExtractInstanceUpdateData`, §2.2). Pure functions over the
 * rules of `x-cmdb-template-lock`.
 */
import type { FaultName } from "./faults.ts";
import { type CmdbFailure, fail } from "./messages.ts";
import type { Outcome, ProcessValues } from "./process-model.ts";
import type { ProviderSpec } from "./spec-data.ts";
import type { BindRow, TemplateBindRow, TemplateProperty, TemplateValue, World } from "./world.ts";

/** A host as the bind IP types resolve against it. */
export type Host = NonNullable<World["hosts"]>[number];

/** Faults that change the lock merge; the rest of the provider passes its whole fault set. */
export type LockFaults = ReadonlySet<FaultName>;

const NO_FAULTS: LockFaults = new Set();

/**
 * Tells whether a template locks a field: `as_default_value: true`, or one of the always-locked fields.
 * @see cmdb-semantics §2.2 ("always locked")
 */
export function isFieldLocked(spec: ProviderSpec, property: TemplateProperty, field: string): boolean {
  if (spec.alwaysLocked.has(field)) return true;
  return (property[field] as TemplateValue<unknown> | undefined)?.as_default_value === true;
}

/**
 * Resolves a template bind IP type against a host: a literal IP, the first address of a host field, or "".
 * @see cmdb-semantics §3.2
 */
export function resolveBindIp(spec: ProviderSpec, type: string | null | undefined, host: Host | undefined): string {
  const target = spec.bindIpTypes.get(type ?? "") ?? "";
  if (!target.startsWith("bk_host_")) return target;
  const value = host ? (host as Record<string, unknown>)[target] : undefined;
  return typeof value === "string" ? (value.split(",")[0] ?? "").trim() : "";
}

/**
 * Builds a new process from a process template: every value copied, locked or not; one bind row per template row
 * with the IP resolved against the host and `enable` false when the template has none; a template without bind rows
 * gives `bind_info: null`.
 * @see cmdb-semantics §2.1
 */
export function createProcessFromTemplate(
  spec: ProviderSpec,
  property: TemplateProperty,
  host: Host | undefined,
  faults: LockFaults = NO_FAULTS,
): Outcome<ProcessValues> {
  const fields: ProcessValues["fields"] = {};
  for (const { field } of spec.processFields) fields[field] = templateValue(property, field);
  const bindInfo: BindRow[] = [];
  for (const row of templateRows(property)) {
    const built = bindRowFromTemplate(spec, row, host, false);
    if (!built.ok) return built;
    bindInfo.push(built.value);
  }
  // `NewProcBindInfo` appends nothing to a nil slice, which round-trips as null (cmdb-semantics §2.1).
  const none = bindInfo.length === 0 && !faults.has("empty-bind-info-as-list");
  return { ok: true, value: { fields, bind_info: none ? null : bindInfo } };
}

/**
 * Applies a caller's decoded `process_info` to a process created from the template under the lock rules: locked
 * fields keep the template value, unlocked ones take the caller's value (null clears), omitted ones stay; `bind_info`
 * is always rewritten (`[]` for a template without rows): rows follow the template rows, matched by
 * `template_row_id`, each sub-field locked on its own, and a null template `enable` stays null.
 * @see cmdb-semantics §2.2
 */
export function applyTemplateLock(
  spec: ProviderSpec,
  property: TemplateProperty,
  host: Host | undefined,
  created: ProcessValues,
  info: Readonly<Record<string, unknown>>,
  faults: LockFaults = NO_FAULTS,
): Outcome<ProcessValues> {
  const fields = { ...created.fields };
  for (const { field } of spec.processFields) {
    if (!Object.hasOwn(info, field)) continue;
    let locked = isFieldLocked(spec, property, field);
    if (faults.has("locked-scalar-overridden") && !spec.alwaysLocked.has(field)) locked = false;
    if (faults.has("process-name-overridable") && field === "bk_process_name") locked = false;
    if (locked) continue;
    fields[field] = (info[field] ?? null) as ProcessValues["fields"][string];
  }
  const callerRows = Array.isArray(info.bind_info) ? (info.bind_info as unknown[]) : [];
  const byRowId = new Map<number, Record<string, unknown>>();
  for (const row of callerRows) {
    if (row === null || typeof row !== "object") continue;
    const id = (row as Record<string, unknown>).template_row_id;
    // A row without `template_row_id` decodes as 0, which matches no template row.
    if (typeof id === "number" && id !== 0) byRowId.set(id, row as Record<string, unknown>);
  }
  const bindInfo: BindRow[] = [];
  const rows = templateRows(property);
  for (const templateRow of rows) {
    const caller = byRowId.get(templateRow.row_id);
    if (!caller) {
      const built = bindRowFromTemplate(spec, templateRow, host, !faults.has("template-enable-null-false-on-update"));
      if (!built.ok) return built;
      bindInfo.push(built.value);
      continue;
    }
    const merged = mergeBindRow(spec, templateRow, caller, host, faults);
    if (!merged.ok) return merged;
    bindInfo.push(merged.value);
  }
  if (faults.has("unmatched-bind-row-kept")) {
    const known = new Set(rows.map((r) => r.row_id));
    for (const row of callerRows) {
      const id = (row as Record<string, unknown> | null)?.template_row_id;
      if (row !== null && typeof row === "object" && !known.has(id as number)) bindInfo.push(toStoredRow(row));
    }
  }
  return { ok: true, value: { fields, bind_info: bindInfo } };
}

function mergeBindRow(
  spec: ProviderSpec,
  templateRow: TemplateBindRow,
  caller: Readonly<Record<string, unknown>>,
  host: Host | undefined,
  faults: LockFaults,
): Outcome<BindRow> {
  let port = sentValue(caller, "port") as string | null;
  if (
    isRowLocked(templateRow, "port") &&
    !(faults.has("locked-bind-port-overridden") && Object.hasOwn(caller, "port"))
  ) {
    port = templateRow.port?.value ?? null;
    if (port === null || port === "") return { ok: false, failure: emptyTemplateField("port") };
  }
  let protocol = sentValue(caller, "protocol") as string | null;
  if (isRowLocked(templateRow, "protocol")) {
    protocol = templateRow.protocol?.value ?? null;
    if (protocol === null || protocol === "") return { ok: false, failure: emptyTemplateField("protocol") };
  }
  return {
    ok: true,
    value: {
      enable: isRowLocked(templateRow, "enable")
        ? enableOf(templateRow, !faults.has("template-enable-null-false-on-update"))
        : (sentValue(caller, "enable") as boolean | null),
      ip: isRowLocked(templateRow, "ip")
        ? resolveBindIp(spec, templateRow.ip?.value, host)
        : (sentValue(caller, "ip") as string | null),
      port,
      protocol,
      template_row_id: templateRow.row_id,
    },
  };
}

// The template's `enable`: null turns false on creation only (`NewProcBindInfo`); the update path keeps it.
function enableOf(row: TemplateBindRow, keepNull: boolean): boolean | null {
  return row.enable?.value ?? (keepNull ? null : false);
}

function bindRowFromTemplate(
  spec: ProviderSpec,
  row: TemplateBindRow,
  host: Host | undefined,
  keepNullEnable: boolean,
): Outcome<BindRow> {
  const port = row.port?.value ?? "";
  if (port === "") return { ok: false, failure: emptyTemplateField("port") };
  const protocol = row.protocol?.value ?? "";
  if (protocol === "") return { ok: false, failure: emptyTemplateField("protocol") };
  return {
    ok: true,
    value: {
      enable: enableOf(row, keepNullEnable),
      ip: resolveBindIp(spec, row.ip?.value, host),
      port,
      protocol,
      template_row_id: row.row_id,
    },
  };
}

// NewProcess's 1107014/1107015 surface re-coded as 1199006 (cmdb-semantics §1.3 B.5); the spec names the field.
function emptyTemplateField(subField: "port" | "protocol"): CmdbFailure {
  return fail(1199006, `bind_info.${subField}`);
}

function templateValue(property: TemplateProperty, field: string): string | number | boolean | null {
  const value = (property[field] as TemplateValue<string | number | boolean> | undefined)?.value;
  return value ?? null;
}

function templateRows(property: TemplateProperty): TemplateBindRow[] {
  return property.bind_info?.value ?? [];
}

// A caller's row value; a key not sent is null. Module functions, not closures: this runs for every bind row.
function sentValue(caller: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(caller, key) ? caller[key] : null;
}

function isRowLocked(templateRow: TemplateBindRow, key: "ip" | "port" | "protocol" | "enable"): boolean {
  return templateRow[key]?.as_default_value === true;
}

function toStoredRow(row: object): BindRow {
  const given = row as Record<string, unknown>;
  const stored: Record<string, unknown> = {};
  for (const key of ["enable", "ip", "port", "protocol", "template_row_id"]) {
    if (Object.hasOwn(given, key)) stored[key] = given[key];
  }
  return stored as BindRow;
}
