/**
 * The in-memory CMDB state of the reference CMDB, indexed from a world. Operations read it and stage their writes;
 * a request's writes land in one `commitInstances` call, so a failed request leaves nothing behind.
 */
import type { components } from "../generated/types.gen.ts";
import { BIND_ROW_KEYS, compiledModelOf, type ProcessValues } from "./process-model.ts";
import type { ProviderSpec } from "./spec-data.ts";
import type { Host } from "./template-lock.ts";
import type { BindRow, TemplateProperty, World } from "./world.ts";

/** A module of a business; `service_template_id` 0 means not bound to a template. */
export interface StoredModule {
  bk_module_id: number;
  bk_biz_id: number;
  service_template_id: number;
  default: number;
  hostIds: ReadonlySet<number>;
}

/** A process template with the service template it belongs to. */
export interface StoredProcessTemplate {
  id: number;
  bk_biz_id: number;
  service_template_id: number;
  property: TemplateProperty;
}

/** A service template with its process templates sorted by ID. */
export interface StoredServiceTemplate {
  id: number;
  bk_biz_id: number;
  name: string;
  processTemplates: readonly StoredProcessTemplate[];
}

/** A service instance. */
export interface StoredInstance {
  id: number;
  bk_biz_id: number;
  bk_module_id: number;
  bk_host_id: number;
  name: string;
  service_template_id: number;
}

/** A process with its relation, as `list_process_instance` answers it (cmdb-semantics §7). */
export interface StoredProcess {
  property: Record<string, unknown>;
  // The spec's own type: a change to the relation in the spec is a type error here, not a silent drift.
  relation: components["schemas"]["ProcessInstanceRelation"];
}

/** A new service instance and its processes, staged by a create until the whole request succeeds. */
export interface StagedInstance {
  instance: StoredInstance;
  processes: StoredProcess[];
}

/** The whole state of the reference CMDB. */
export interface CmdbState {
  supplierAccount: string;
  apps: Map<string, { bk_app_secret: string; skip_user_auth: boolean }>;
  tokens: Map<string, string>;
  iamEnabled: boolean;
  /** `user \0 action \0 bk_biz_id` of every IAM grant. */
  grants: Set<string>;
  businesses: Map<number, string>;
  hosts: Map<number, Host>;
  modules: Map<number, StoredModule>;
  serviceTemplates: Map<number, StoredServiceTemplate>;
  processTemplates: Map<number, StoredProcessTemplate>;
  instances: Map<number, StoredInstance>;
  /** Processes by service instance, each list sorted by `bk_process_id`. */
  processes: Map<number, StoredProcess[]>;
  /** `module \0 host \0 service template` → instance, for the one-instance-per-host rule of templated modules. */
  templatedInstances: Map<string, number>;
  nextInstanceId: number;
  nextProcessId: number;
  /** When the world was loaded (RFC 3339), the times of everything it brought. */
  loadedAt: string;
}

/** Indexes a (valid) world into a fresh state. */
export function createState(spec: ProviderSpec, world: World, loadedAt: string): CmdbState {
  const supplierAccount = world.supplier_account ?? "0";
  const processTemplates = new Map<number, StoredProcessTemplate>();
  const serviceTemplates = new Map<number, StoredServiceTemplate>();
  for (const t of world.service_templates ?? []) {
    const list = [...t.process_templates]
      .sort((a, b) => a.id - b.id)
      .map((p) => ({
        id: p.id,
        bk_biz_id: t.bk_biz_id,
        service_template_id: t.id,
        property: lockAlwaysLocked(spec, p.property),
      }));
    for (const p of list) processTemplates.set(p.id, p);
    serviceTemplates.set(t.id, { id: t.id, bk_biz_id: t.bk_biz_id, name: t.name, processTemplates: list });
  }
  const state: CmdbState = {
    supplierAccount,
    apps: new Map(
      (world.apps ?? []).map((a) => [
        a.bk_app_code,
        { bk_app_secret: a.bk_app_secret, skip_user_auth: a.skip_user_auth ?? false },
      ]),
    ),
    tokens: new Map(Object.entries(world.tokens ?? {})),
    iamEnabled: world.iam?.enabled ?? false,
    grants: new Set((world.iam?.grants ?? []).map((g) => grantKey(g.user, g.action, g.bk_biz_id))),
    businesses: new Map((world.businesses ?? []).map((b) => [b.bk_biz_id, b.bk_biz_name])),
    hosts: new Map((world.hosts ?? []).map((h) => [h.bk_host_id, h])),
    modules: new Map(
      (world.modules ?? []).map((m) => [
        m.bk_module_id,
        {
          bk_module_id: m.bk_module_id,
          bk_biz_id: m.bk_biz_id,
          service_template_id: m.service_template_id ?? 0,
          default: m.default ?? 0,
          hostIds: new Set(m.host_ids ?? []),
        },
      ]),
    ),
    serviceTemplates,
    processTemplates,
    instances: new Map(),
    processes: new Map(),
    templatedInstances: new Map(),
    nextInstanceId: 1,
    nextProcessId: 1,
    loadedAt,
  };
  let maxInstance = 0;
  let maxProcess = 0;
  for (const s of world.service_instances ?? []) {
    const instance: StoredInstance = {
      id: s.id,
      bk_biz_id: s.bk_biz_id,
      bk_module_id: s.bk_module_id,
      bk_host_id: s.bk_host_id,
      name: s.name ?? "",
      // An instance listed on a templated module without its template ID belongs to the module's template.
      service_template_id: s.service_template_id || state.modules.get(s.bk_module_id)?.service_template_id || 0,
    };
    const processes = (s.processes ?? []).map((p) => {
      const info = p.property;
      const fields: ProcessValues["fields"] = {};
      for (const { field } of spec.processFields) {
        fields[field] = (info[field] ?? null) as ProcessValues["fields"][string];
      }
      // A world's rows may list their keys in any order; stored rows carry them in one (cmdb-semantics §3.3).
      const bindInfo = Array.isArray(info.bind_info) ? (info.bind_info as BindRow[]).map(orderBindRow) : null;
      return buildProcess(
        spec,
        state,
        instance,
        p.bk_process_id,
        p.process_template_id ?? 0,
        { fields, bind_info: bindInfo },
        loadedAt,
      );
    });
    maxInstance = Math.max(maxInstance, s.id);
    for (const p of processes) maxProcess = Math.max(maxProcess, p.relation.bk_process_id);
    commitInstances(state, [{ instance, processes }]);
  }
  state.nextInstanceId = Math.max(world.next_ids?.service_instance ?? 1, maxInstance + 1);
  state.nextProcessId = Math.max(world.next_ids?.process ?? 1, maxProcess + 1);
  return state;
}

/** The key of one IAM grant. */
export function grantKey(user: string, action: string, bizId: number): string {
  return `${user}\u0000${action}\u0000${bizId}`;
}

/** The key of the one-instance-per-host rule of templated modules (cmdb-semantics §1.2 step 9). */
export function templatedInstanceKey(moduleId: number, hostId: number, serviceTemplateId: number): string {
  return `${moduleId}\u0000${hostId}\u0000${serviceTemplateId}`;
}

/**
 * Builds a stored process: every lockable field plus the server-owned keys, in a fixed key order, and its relation.
 * @see cmdb-semantics §1.3 (server-owned keys), §7
 */
export function buildProcess(
  spec: ProviderSpec,
  state: CmdbState,
  instance: StoredInstance,
  processId: number,
  processTemplateId: number,
  values: ProcessValues,
  now: string,
): StoredProcess {
  const { buildProperty } = compiledModelOf(spec);
  return {
    property: buildProperty(
      processId,
      instance.bk_biz_id,
      state.supplierAccount,
      instance.id,
      values.fields,
      values.bind_info,
      now,
    ),
    relation: {
      bk_biz_id: instance.bk_biz_id,
      bk_process_id: processId,
      service_instance_id: instance.id,
      process_template_id: processTemplateId,
      bk_host_id: instance.bk_host_id,
      bk_supplier_account: state.supplierAccount,
    },
  };
}

/** Writes staged service instances and their processes into the state. */
export function commitInstances(state: CmdbState, staged: readonly StagedInstance[]): void {
  for (const { instance, processes } of staged) {
    state.instances.set(instance.id, instance);
    // Creates hand out process IDs in ascending order; only a world's own processes need sorting. The stored list is
    // a copy of its exact length: a list grown by `push` keeps room for 16 entries.
    state.processes.set(instance.id, isSortedById(processes) ? processes.slice() : [...processes].sort(byProcessId));
    if (instance.service_template_id !== 0) {
      state.templatedInstances.set(
        templatedInstanceKey(instance.bk_module_id, instance.bk_host_id, instance.service_template_id),
        instance.id,
      );
    }
  }
}

/**
 * Deletes a service instance; its processes go too unless `keepProcesses` (the `deleted-instance-still-listed` fault).
 */
export function deleteInstance(state: CmdbState, instanceId: number, keepProcesses: boolean): void {
  const instance = state.instances.get(instanceId);
  if (!instance) return;
  state.instances.delete(instanceId);
  if (!keepProcesses) state.processes.delete(instanceId);
  const key = templatedInstanceKey(instance.bk_module_id, instance.bk_host_id, instance.service_template_id);
  if (state.templatedInstances.get(key) === instanceId) state.templatedInstances.delete(key);
}

/** A deterministic JSON-ready picture of the mutable part of the state, for tests that prove nothing changed. */
export function snapshotState(state: CmdbState): unknown {
  const byId = <T>(map: Map<number, T>): [number, T][] => [...map.entries()].sort((a, b) => a[0] - b[0]);
  return {
    instances: byId(state.instances),
    processes: byId(state.processes),
    templatedInstances: [...state.templatedInstances.entries()].sort(),
    nextInstanceId: state.nextInstanceId,
    nextProcessId: state.nextProcessId,
  };
}

function isSortedById(processes: readonly StoredProcess[]): boolean {
  for (let i = 1; i < processes.length; i++) {
    if (byProcessId(processes[i - 1] as StoredProcess, processes[i] as StoredProcess) > 0) return false;
  }
  return true;
}

function byProcessId(a: StoredProcess, b: StoredProcess): number {
  return a.relation.bk_process_id - b.relation.bk_process_id;
}

function orderBindRow(row: BindRow): BindRow {
  const ordered: Record<string, unknown> = {};
  for (const key of BIND_ROW_KEYS) {
    if (Object.hasOwn(row, key)) ordered[key] = row[key];
  }
  return ordered as BindRow;
}

// CMDB forces `as_default_value: true` on bk_process_name and bk_func_name when a template is saved (§2.2).
function lockAlwaysLocked(spec: ProviderSpec, property: TemplateProperty): TemplateProperty {
  const locked: TemplateProperty = { ...property };
  for (const field of spec.alwaysLocked) {
    const current = property[field];
    if (current) (locked as Record<string, unknown>)[field] = { ...current, as_default_value: true };
  }
  return locked;
}
