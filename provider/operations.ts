/**
 * The four ESB operations of the reference CMDB over an in-memory state: `create_service_instance` (in
 * `create-service-instance.ts`) and the three observation operations (cmdb-semantics §7).
 */
import type { IamAction } from "./auth.ts";
import { createServiceInstance } from "./create-service-instance.ts";
import type { FaultName } from "./faults.ts";
import { type CmdbFailure, fail, type Language } from "./messages.ts";
import { isInt64 } from "./process-model.ts";
import { readStructField } from "./request-json.ts";
import type { ProviderSpec } from "./spec-data.ts";
import { type CmdbState, deleteInstance, type StoredProcess } from "./store.ts";

/** What an operation needs besides its body: the rules, the state, the faults, the time and the language. */
export interface OperationContext {
  spec: ProviderSpec;
  state: CmdbState;
  faults: ReadonlySet<FaultName>;
  /** The request time, RFC 3339. */
  now: string;
  language: Language;
}

/** An operation's answer: the `data` of a success, or a failure as data. */
export type OperationResult = { ok: true; data: unknown } | { ok: false; failure: CmdbFailure };

/** One ESB operation: its route name, the IAM action it needs, and its logic. */
export interface Operation {
  name: string;
  action: IamAction;
  run(ctx: OperationContext, body: Readonly<Record<string, unknown>>): OperationResult;
}

/** cmdb-semantics §6: `delete_service_instance` takes at most 500 IDs. */
export const MAX_DELETE_INSTANCES = 500;

/**
 * Lists the processes of one service instance of a business with their relations, ordered by `bk_process_id`; an
 * unknown instance has none.
 * @see cmdb-semantics §7
 */
export function listProcessInstance(ctx: OperationContext, body: Readonly<Record<string, unknown>>): OperationResult {
  const ids = readRequiredIds(body, "bk_biz_id", "service_instance_id");
  if (!ids.ok) return ids;
  const [bizId, instanceId] = ids.value as [number, number];
  if (ctx.faults.has("read-back-fails")) return failed(1199006, "service_instance_id");
  const processes: StoredProcess[] = ctx.faults.has("read-back-empty")
    ? []
    : (ctx.state.processes.get(instanceId) ?? []);
  return { ok: true, data: processes.filter((p) => p.relation.bk_biz_id === bizId) };
}

/**
 * Answers one process template of a business with its `property` (locks included).
 * @see cmdb-semantics §7
 */
export function getProcTemplate(ctx: OperationContext, body: Readonly<Record<string, unknown>>): OperationResult {
  const ids = readRequiredIds(body, "bk_biz_id", "process_template_id");
  if (!ids.ok) return ids;
  const [bizId, templateId] = ids.value as [number, number];
  const template = ctx.state.processTemplates.get(templateId);
  if (!template || template.bk_biz_id !== bizId) return failed(1199019);
  return {
    ok: true,
    data: {
      id: template.id,
      bk_process_name: template.property.bk_process_name?.value ?? "",
      bk_biz_id: template.bk_biz_id,
      service_template_id: template.service_template_id,
      property: template.property,
      creator: "admin",
      modifier: "admin",
      create_time: ctx.state.loadedAt,
      last_time: ctx.state.loadedAt,
      bk_supplier_account: ctx.state.supplierAccount,
    },
  };
}

/**
 * Deletes service instances of a business with their processes; IDs that name no instance of the business are
 * skipped, so a repeated clean-up succeeds.
 * @see cmdb-semantics §6, §7
 */
export function deleteServiceInstance(ctx: OperationContext, body: Readonly<Record<string, unknown>>): OperationResult {
  const bizId = readStructField(body, "bk_biz_id") ?? 0;
  const ids = readStructField(body, "service_instance_ids") ?? [];
  if (!isInt64(bizId) || !Array.isArray(ids) || !ids.every(isInt64)) return failed(1199000);
  if (bizId === 0) return failed(1199010, "bk_biz_id");
  if (ids.length === 0) return failed(1199010, "service_instance_ids");
  if (ids.length > MAX_DELETE_INSTANCES) return failed(1199035, "delete service instances", MAX_DELETE_INSTANCES);
  const keepProcesses = ctx.faults.has("deleted-instance-still-listed");
  for (const id of ids as number[]) {
    if (ctx.state.instances.get(id)?.bk_biz_id === bizId) deleteInstance(ctx.state, id, keepProcesses);
  }
  return { ok: true, data: null };
}

/** Every ESB operation by its route name, with the IAM action it needs (see provider/auth.ts). */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map(
  [
    {
      name: "create_service_instance",
      action: { id: "create_biz_service_instance", name: "服务实例新建" },
      run: createServiceInstance,
    },
    {
      name: "list_process_instance",
      action: { id: "find_business_resource", name: "业务访问" },
      run: listProcessInstance,
    },
    { name: "get_proc_template", action: { id: "find_business_resource", name: "业务访问" }, run: getProcTemplate },
    {
      name: "delete_service_instance",
      action: { id: "delete_biz_service_instance", name: "服务实例删除" },
      run: deleteServiceInstance,
    },
  ].map((op) => [op.name, op]),
);

// Required int64 parameters: a wrong type is 1199000, a missing or zero one 1199010 naming it.
function readRequiredIds(
  body: Readonly<Record<string, unknown>>,
  ...keys: string[]
): { ok: true; value: number[] } | { ok: false; failure: CmdbFailure } {
  // CMDB decodes these request structs as it decodes the create's (cmdb-semantics §1.1): field names in any case.
  const values = keys.map((key) => readStructField(body, key) ?? 0);
  if (!values.every(isInt64)) return failed(1199000);
  const missing = keys.find((_, i) => values[i] === 0);
  return missing === undefined ? { ok: true, value: values as number[] } : failed(1199010, missing);
}

function failed(code: number, ...args: (string | number | readonly number[])[]): { ok: false; failure: CmdbFailure } {
  return { ok: false, failure: fail(code, ...args) };
}
