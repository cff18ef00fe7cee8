/**
 * The four ESB operations of the reference CMDB over an in-memory state: `create_service_instance` with the real
 * validation order, modes and lock merge, and the three observation operations (cmdb-semantics §7).
 */
import type { IamAction } from "./auth.ts";
import type { FaultName } from "./faults.ts";
import { type CmdbFailure, fail, formatMessage, type Language } from "./messages.ts";
import {
  checkProcessInfoDecodes,
  isInt64,
  type ProcessValues,
  validateProcessValues,
  validateRawProcess,
} from "./process-model.ts";
import type { ProviderSpec } from "./spec-data.ts";
import {
  buildProcess,
  type CmdbState,
  commitInstances,
  deleteInstance,
  type StagedInstance,
  type StoredInstance,
  type StoredProcess,
  templatedInstanceKey,
} from "./store.ts";
import { applyTemplateLock, createProcessFromTemplate, type Host } from "./template-lock.ts";

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

/** cmdb-semantics §1.2 step 2: `common.BKMaxUpdateOrCreatePageSize`. */
export const MAX_CREATE_INSTANCES = 100;
/** cmdb-semantics §6: `delete_service_instance` takes at most 500 IDs. */
export const MAX_DELETE_INSTANCES = 500;
/**
 * The reference CMDB's own bound on one create's work (not a CMDB rule): more processes answer 1199035 before any is
 * built. 100 instances of a service template with its 50 process templates (`WORLD_LIMITS`) make exactly this many.
 */
export const MAX_CREATE_PROCESSES = 5_000;
/** cmdb-semantics §1.2 step 9: `ServiceInstance.Validate` limits the name to 256 bytes. */
const MAX_NAME_BYTES = 256;

interface ProcessEntry {
  process_template_id: number;
  process_info: Record<string, unknown> | null;
}

interface InstanceInput {
  bk_host_id: number;
  service_instance_name: string;
  processes: ProcessEntry[];
}

interface CreateInput {
  bk_biz_id: number;
  bk_module_id: number;
  instances: InstanceInput[];
}

/**
 * Creates service instances all or nothing, running the checks of cmdb-semantics §1.2 in order and the mode of §1.3.
 * @see cmdb-semantics §1.2, §1.3, §2
 */
export function createServiceInstance(ctx: OperationContext, body: Readonly<Record<string, unknown>>): OperationResult {
  const { spec, state, faults } = ctx;
  const input = decodeCreateInput(body);
  if (!input) return failed(1199000);
  const { bk_biz_id: bizId, bk_module_id: moduleId, instances } = input;
  // Steps 1–8: request-level checks (PS validateCreateServiceInstancesInput).
  if (instances.length === 0) return failed(1199010, "service_instance_ids");
  if (instances.length > MAX_CREATE_INSTANCES && !faults.has("instance-limit-ignored")) {
    return failed(1199035, "create service instances", MAX_CREATE_INSTANCES);
  }
  const module = state.modules.get(moduleId);
  if (!module) return failed(1101034, "get none or multiple modules");
  if (module.bk_biz_id !== bizId) return failed(1113004, moduleId, bizId);
  if (module.default !== 0) return failed(1199006, "bk_module_id");
  const templateId = module.service_template_id;
  const serviceTemplate = templateId === 0 ? undefined : state.serviceTemplates.get(templateId);
  if (templateId !== 0 && (serviceTemplate?.processTemplates.length ?? 0) === 0) {
    return failed(1199006, "service_template_id");
  }
  if (templateId === 0 && instances.some((i) => i.processes.length === 0)) {
    return failed(1199010, "instances.processes");
  }
  if (!faults.has("host-check-skipped")) {
    const badHosts = [...new Set(instances.map((i) => i.bk_host_id))].filter((id) => !module.hostIds.has(id));
    if (badHosts.length > 0) return failed(1110056, badHosts);
  }
  const processCount = serviceTemplate
    ? instances.length * serviceTemplate.processTemplates.length
    : instances.reduce((n, i) => n + i.processes.length, 0);
  if (processCount > MAX_CREATE_PROCESSES) return failed(1199035, "create processes", MAX_CREATE_PROCESSES);

  // Step 9: CS creates each instance (and, on a templated module, its processes from the templates).
  const staged: StagedInstance[] = [];
  const created: ProcessValues[][] = [];
  let nextInstanceId = state.nextInstanceId;
  let nextProcessId = state.nextProcessId;
  const stagedKeys = new Set<string>();
  const abort = (failure: CmdbFailure): OperationResult => {
    if (faults.has("no-rollback")) {
      commitInstances(state, staged);
      state.nextInstanceId = nextInstanceId;
      state.nextProcessId = nextProcessId;
    }
    return { ok: false, failure };
  };
  for (const item of instances) {
    const host = state.hosts.get(item.bk_host_id);
    if (Buffer.byteLength(item.service_instance_name) > MAX_NAME_BYTES) return abort(fail(1199006, "name"));
    if (!state.businesses.has(bizId)) return abort(fail(1199006, "bk_biz_id"));
    if (serviceTemplate && serviceTemplate.bk_biz_id !== bizId) return abort(fail(1199006, "bk_biz_id"));
    if (item.bk_host_id === 0) return abort(fail(1199006, "bk_host_id"));
    if (serviceTemplate) {
      const key = templatedInstanceKey(moduleId, item.bk_host_id, templateId);
      // Two instances for one host in one request: the second sees the first (cmdb-semantics §1.2 marks it UNCONFIRMED).
      if (state.templatedInstances.has(key) || stagedKeys.has(key)) {
        return abort(fail(1113016, host?.bk_host_innerip ?? ""));
      }
      stagedKeys.add(key);
    }
    // An ID past 2^53 - 1 would collide with its neighbour once parsed as JSON: out of IDs (cmdb-semantics §4.4).
    if (nextInstanceId > Number.MAX_SAFE_INTEGER) return abort(fail(1199058));
    const instance: StoredInstance = {
      id: nextInstanceId++,
      bk_biz_id: bizId,
      bk_module_id: moduleId,
      bk_host_id: item.bk_host_id,
      name: item.service_instance_name,
      service_template_id: templateId,
    };
    const values: ProcessValues[] = [];
    for (const processTemplate of serviceTemplate?.processTemplates ?? []) {
      const made = createProcessFromTemplate(spec, processTemplate.property, host);
      if (!made.ok) return abort(made.failure);
      const checked = validateProcessValues(spec, made.value.fields, made.value.bind_info);
      if (!checked.ok) return abort(fail(1108008));
      values.push(checked.value);
    }
    if (serviceTemplate && instance.name === "") instance.name = buildInstanceName(host, values[0]);
    staged.push({ instance, processes: [] });
    created.push(values);
  }

  // Steps 10–11: PS upserts the processes (mode A creates them, mode B updates the template-made ones).
  for (const [index, item] of instances.entries()) {
    const entry = staged[index] as StagedInstance;
    const host = state.hosts.get(item.bk_host_id);
    if (!serviceTemplate) {
      const values: ProcessValues[] = [];
      for (const process of item.processes) {
        const checked = validateRawProcess(spec, process.process_info ?? {});
        if (!checked.ok) return abort(checked.failure);
        values.push(checked.value);
        if (nextProcessId > Number.MAX_SAFE_INTEGER) return abort(fail(1199058));
        entry.processes.push(buildProcess(state, entry.instance, nextProcessId++, 0, checked.value, ctx.now));
      }
      if (entry.instance.name === "") entry.instance.name = buildInstanceName(host, values[0]);
      continue;
    }
    const byTemplate = new Map<number, Record<string, unknown>>();
    for (const process of item.processes) {
      // Entries of ID 0, missing or of another template match nothing; of two with one ID the last wins.
      if (process.process_template_id !== 0) byTemplate.set(process.process_template_id, process.process_info ?? {});
    }
    for (const [i, processTemplate] of serviceTemplate.processTemplates.entries()) {
      let values = created[index]?.[i] as ProcessValues;
      const info = byTemplate.get(processTemplate.id);
      if (info) {
        const decodeFailure = checkProcessInfoDecodes(spec, info);
        if (decodeFailure) return abort(decodeFailure);
        const merged = applyTemplateLock(spec, processTemplate.property, host, values, info, faults);
        if (!merged.ok) return abort(merged.failure);
        const checked = validateProcessValues(spec, merged.value.fields, merged.value.bind_info);
        if (!checked.ok) return abort(fail(1199011, formatMessage(spec, checked.failure, ctx.language)));
        values = checked.value;
      }
      if (nextProcessId > Number.MAX_SAFE_INTEGER) return abort(fail(1199058));
      entry.processes.push(buildProcess(state, entry.instance, nextProcessId++, processTemplate.id, values, ctx.now));
    }
  }
  commitInstances(state, staged);
  state.nextInstanceId = nextInstanceId;
  state.nextProcessId = nextProcessId;
  const ids = staged.map((s) => s.instance.id);
  return { ok: true, data: faults.has("ids-reversed") ? ids.reverse() : ids };
}

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
  const bizId = body.bk_biz_id ?? 0;
  const ids = body.service_instance_ids ?? [];
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

/**
 * Builds the name of an instance created without one: inner IP (or inner IPv6), first process name, first port.
 * @see cmdb-semantics §1.3 A ("Instance name"), B.2
 */
export function buildInstanceName(host: Host | undefined, first: ProcessValues | undefined): string {
  const ip = host ? host.bk_host_innerip || (host.bk_host_innerip_v6 ?? "") : "";
  const processName = first?.fields.bk_process_name;
  const port = first?.bind_info?.find((row) => typeof row.port === "string" && row.port !== "")?.port;
  return [ip, typeof processName === "string" ? processName : "", port ?? ""].filter((part) => part !== "").join("_");
}

// Go's encoding/json into CreateServiceInstanceInput: null is the zero value, any other type mismatch fails (1199000).
function decodeCreateInput(body: Readonly<Record<string, unknown>>): CreateInput | null {
  const bizId = body.bk_biz_id ?? 0;
  const moduleId = body.bk_module_id ?? 0;
  const rawInstances = body.instances ?? [];
  if (!isInt64(bizId) || !isInt64(moduleId) || !Array.isArray(rawInstances)) return null;
  const instances: InstanceInput[] = [];
  for (const raw of rawInstances as unknown[]) {
    const item = (raw ?? {}) as Record<string, unknown>;
    if (typeof item !== "object" || Array.isArray(item)) return null;
    const hostId = item.bk_host_id ?? 0;
    const name = item.service_instance_name ?? "";
    const rawProcesses = item.processes ?? [];
    if (!isInt64(hostId) || typeof name !== "string" || !Array.isArray(rawProcesses)) return null;
    const processes: ProcessEntry[] = [];
    for (const rawProcess of rawProcesses as unknown[]) {
      const process = (rawProcess ?? {}) as Record<string, unknown>;
      if (typeof process !== "object" || Array.isArray(process)) return null;
      const templateId = process.process_template_id ?? 0;
      const info = process.process_info ?? null;
      if (!isInt64(templateId)) return null;
      if (info !== null && (typeof info !== "object" || Array.isArray(info))) return null;
      processes.push({ process_template_id: templateId, process_info: info as Record<string, unknown> | null });
    }
    instances.push({ bk_host_id: hostId, service_instance_name: name, processes });
  }
  return { bk_biz_id: bizId, bk_module_id: moduleId, instances };
}

// Required int64 parameters: a wrong type is 1199000, a missing or zero one 1199010 naming it.
function readRequiredIds(
  body: Readonly<Record<string, unknown>>,
  ...keys: string[]
): { ok: true; value: number[] } | { ok: false; failure: CmdbFailure } {
  const values = keys.map((key) => body[key] ?? 0);
  if (!values.every(isInt64)) return failed(1199000);
  const missing = keys.find((_, i) => values[i] === 0);
  return missing === undefined ? { ok: true, value: values as number[] } : failed(1199010, missing);
}

function failed(code: number, ...args: (string | number | readonly number[])[]): { ok: false; failure: CmdbFailure } {
  return { ok: false, failure: fail(code, ...args) };
}
