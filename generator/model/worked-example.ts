// The worked example of the template lock rules: three examples of the spec joined by process template ID.
import { resolvePointer } from "../../spec/load-spec.ts";
import type { OperationDoc, WorkedExample, WorkedOutcome, WorkedRow } from "./spec-model.ts";
import { isObject } from "./text.ts";

/**
 * Joins three examples of the spec by process template ID: a create request that updates a templated process, the
 * template as `get_proc_template` answers it, and the process as `list_process_instance` reads it back.
 * @see cmdb-semantics §2.2
 */
export function buildWorkedExample(
  lock: Record<string, unknown>,
  operations: readonly OperationDoc[],
): WorkedExample | undefined {
  const requests = operations.filter((o) => o.appliesLockRules).flatMap((o) => o.requestExamples);
  const responses = operations.flatMap((o) => o.responseExamples);
  for (const request of requests) {
    const entry = findTemplatedEntry(JSON.parse(request.json));
    if (!entry) continue;
    const template = responses.find((r) => isTemplate(JSON.parse(r.json).data, entry.id));
    const stored = responses.find((r) => findStored(JSON.parse(r.json).data, entry.id) !== undefined);
    if (!template || !stored) continue;
    const property = JSON.parse(template.json).data.property as Record<string, unknown>;
    const result = findStored(JSON.parse(stored.json).data, entry.id) ?? {};
    const subFields = resolvePointer(lock, "/bind_info/sub_fields");
    return {
      processTemplateId: entry.id,
      template,
      request,
      stored,
      rows: buildWorkedRows(property, entry.info, result, Array.isArray(subFields) ? subFields.map(String) : []),
    };
  }
  return undefined;
}

function buildWorkedRows(
  property: Record<string, unknown>,
  caller: Record<string, unknown>,
  stored: Record<string, unknown>,
  subFields: readonly string[],
): WorkedRow[] {
  const rows: WorkedRow[] = [];
  const show = (value: unknown, present: boolean) => (present ? JSON.stringify(value) : "");
  const push = (row: Omit<WorkedRow, "outcome">) => rows.push({ ...row, outcome: outcomeOf(row) });
  for (const [field, templateValue] of Object.entries(property)) {
    const cell = isObject(templateValue) ? templateValue : {};
    if (Array.isArray(cell.value) && field === "bind_info") {
      const callerRows = Array.isArray(caller.bind_info) ? caller.bind_info.filter(isObject) : [];
      const storedRows = Array.isArray(stored.bind_info) ? stored.bind_info.filter(isObject) : [];
      for (const templateRow of cell.value.filter(isObject)) {
        const callerRow = callerRows.find((r) => r.template_row_id === templateRow.row_id);
        const storedRow = storedRows.find((r) => r.template_row_id === templateRow.row_id);
        for (const sub of subFields) {
          const subCell = isObject(templateRow[sub]) ? (templateRow[sub] as Record<string, unknown>) : {};
          push({
            field: `bind_info[row_id=${String(templateRow.row_id)}].${sub}`,
            template: show(subCell.value, "value" in subCell),
            locked: subCell.as_default_value === true,
            caller: show(callerRow?.[sub], callerRow !== undefined && sub in callerRow),
            stored: show(storedRow?.[sub], storedRow !== undefined && sub in storedRow),
          });
        }
      }
      const rowIds = cell.value.filter(isObject).map((r) => r.row_id);
      for (const callerRow of callerRows.filter((r) => !rowIds.includes(r.template_row_id))) {
        const { template_row_id: rowId, ...values } = callerRow;
        rows.push({
          field: `bind_info[template_row_id=${String(rowId)}]`,
          template: "",
          locked: false,
          caller: JSON.stringify(values),
          stored: "",
          outcome: "dropped",
        });
      }
      continue;
    }
    push({
      field,
      template: show(cell.value, "value" in cell),
      locked: cell.as_default_value === true,
      caller: show(caller[field], field in caller),
      stored: show(stored[field], field in stored),
    });
  }
  for (const [field, value] of Object.entries(caller)) {
    if (field in property) continue;
    push({
      field,
      template: "",
      locked: false,
      caller: show(value, true),
      stored: show(stored[field], field in stored),
    });
  }
  return rows;
}

function outcomeOf(row: Omit<WorkedRow, "outcome">): WorkedOutcome {
  if (row.caller === "") return "kept";
  if (row.locked) return "ignored";
  return row.caller === "null" ? "cleared" : "taken";
}

function findTemplatedEntry(value: unknown): { id: number; info: Record<string, unknown> } | undefined {
  const instances = isObject(value) && Array.isArray(value.instances) ? value.instances : [];
  for (const instance of instances.filter(isObject)) {
    for (const process of (Array.isArray(instance.processes) ? instance.processes : []).filter(isObject)) {
      const id = process.process_template_id;
      if (typeof id === "number" && id > 0 && isObject(process.process_info)) return { id, info: process.process_info };
    }
  }
  return undefined;
}

function isTemplate(data: unknown, id: number): boolean {
  return isObject(data) && data.id === id && isObject(data.property);
}

function findStored(data: unknown, id: number): Record<string, unknown> | undefined {
  const items = Array.isArray(data) ? data.filter(isObject) : [];
  const item = items.find((i) => isObject(i.relation) && i.relation.process_template_id === id);
  return item && isObject(item.property) ? item.property : undefined;
}
