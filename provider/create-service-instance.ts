/**
 * `create_service_instance` of the reference CMDB, one function per stage of cmdb-semantics §1.2 / §1.3 in the
 * order CMDB runs them: decode the request, check it (steps 1–8), create the instances (step 9, CS), then upsert
 * the processes (§1.3 A without a template, §1.3 B with one) and name the instances. Each stage answers a value or
 * the failure that ends the request; deliberate faults (`serve --fault`) switch at the edge of the stage they break.
 */
import type { FaultName } from "./faults.ts";
import { type CmdbFailure, fail, type MessageArg } from "./messages.ts";
import type { OperationContext, OperationResult } from "./operations.ts";
import {
  decodeProcessInfo,
  isInt64,
  type Outcome,
  type ProcessValues,
  validateProcessValues,
  validateRawProcess,
} from "./process-model.ts";
import { JsonNumber, readStructFields } from "./request-json.ts";
import {
  buildProcess,
  type CmdbState,
  commitInstances,
  type StagedInstance,
  type StoredModule,
  type StoredServiceTemplate,
  templatedInstanceKey,
} from "./store.ts";
import { applyTemplateLock, createProcessFromTemplate, type Host } from "./template-lock.ts";

/** cmdb-semantics §1.2 step 2: `common.BKMaxUpdateOrCreatePageSize`. */
export const MAX_CREATE_INSTANCES = 100;
/**
 * The reference CMDB's own bound on one create's work (not a CMDB rule): more processes answer 1199035 before any is
 * built. 100 instances of a service template with its 50 process templates (`WORLD_LIMITS`) make exactly this many.
 */
export const MAX_CREATE_PROCESSES = 5_000;
/** cmdb-semantics §1.2 step 9: `ServiceInstance.Validate` limits the name to 256 bytes. */
const MAX_NAME_BYTES = 256;

interface ProcessEntry {
  process_template_id: number;
  /** Null when the entry has no `process_info` or sends null: CMDB's handler writes into a nil map and panics. */
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

/** The module a create targets, once the request-level checks passed. */
interface Target {
  module: StoredModule;
  /** The module's service template; undefined on a module without one (§1.3 A). */
  serviceTemplate: StoredServiceTemplate | undefined;
}

/** A create in progress: the instances staged so far, with the processes each got from its templates. */
interface Staging {
  staged: StagedInstance[];
  /** Per staged instance, the values of the processes made from the templates, in template order. */
  fromTemplates: ProcessValues[][];
  nextInstanceId: number;
  nextProcessId: number;
}

/**
 * Creates service instances all or nothing, running the checks of cmdb-semantics §1.2 in order and the mode of §1.3.
 * @see cmdb-semantics §1.2, §1.3, §2
 */
export function createServiceInstance(ctx: OperationContext, body: Readonly<Record<string, unknown>>): OperationResult {
  const { state, faults } = ctx;
  const input = decodeCreateInput(body);
  if (!input) return failed(fail(1199000));
  const target = checkRequest(state, faults, input);
  if (!target.ok) return failed(target.failure);
  const staging: Staging = {
    staged: [],
    fromTemplates: [],
    nextInstanceId: state.nextInstanceId,
    nextProcessId: state.nextProcessId,
  };
  const outcome = stageInstances(ctx, input, target.value, staging);
  if (!outcome.ok) {
    // The transaction rolls back (§0); the fault keeps what was staged before the failure.
    if (faults.has("no-rollback")) commit(state, staging);
    return failed(outcome.failure);
  }
  commit(state, staging);
  const ids = staging.staged.map((s) => s.instance.id);
  return { ok: true, data: faults.has("ids-reversed") ? ids.reverse() : ids };
}

// Steps 9 onwards, into `staging`: CS creates each instance, then PS upserts the processes of every instance.
function stageInstances(ctx: OperationContext, input: CreateInput, target: Target, staging: Staging): Outcome<null> {
  const created = createInstances(ctx, input, target, staging);
  if (!created.ok) return created;
  return target.serviceTemplate
    ? updateTemplatedProcesses(ctx, input, target.serviceTemplate, staging)
    : createRawProcesses(ctx, input, staging);
}

function commit(state: CmdbState, staging: Staging): void {
  commitInstances(state, staging.staged);
  state.nextInstanceId = staging.nextInstanceId;
  state.nextProcessId = staging.nextProcessId;
}

/**
 * Steps 1–8 of cmdb-semantics §1.2 (PS `validateCreateServiceInstancesInput`): instance count, module, business,
 * built-in module, template without process templates, processes on a raw module, host membership.
 */
function checkRequest(state: CmdbState, faults: ReadonlySet<FaultName>, input: CreateInput): Outcome<Target> {
  const { bk_biz_id: bizId, bk_module_id: moduleId, instances } = input;
  if (instances.length === 0) return bad(1199010, "service_instance_ids");
  if (instances.length > MAX_CREATE_INSTANCES && !faults.has("instance-limit-ignored")) {
    return bad(1199035, "create service instances", MAX_CREATE_INSTANCES);
  }
  const module = state.modules.get(moduleId);
  if (!module) return bad(1101034, "get none or multiple modules");
  if (module.bk_biz_id !== bizId) return bad(1113004, moduleId, bizId);
  if (module.default !== 0) return bad(1199006, "bk_module_id");
  const templateId = module.service_template_id;
  const serviceTemplate = templateId === 0 ? undefined : state.serviceTemplates.get(templateId);
  if (templateId !== 0 && (serviceTemplate?.processTemplates.length ?? 0) === 0) {
    return bad(1199006, "service_template_id");
  }
  if (templateId === 0 && instances.some((i) => i.processes.length === 0)) return bad(1199010, "instances.processes");
  if (!faults.has("host-check-skipped")) {
    // Request order after de-duplication; Go prints the []int64 under `%s` as `[%!s(int64=11)]` (step 8).
    const badHosts = instances.every((i) => module.hostIds.has(i.bk_host_id))
      ? []
      : [...new Set(instances.map((i) => i.bk_host_id))].filter((id) => !module.hostIds.has(id));
    if (badHosts.length > 0) {
      return bad(1110056, faults.has("host-ids-printed-plainly") ? `[${badHosts.join(" ")}]` : badHosts);
    }
  }
  const processCount = serviceTemplate
    ? instances.length * serviceTemplate.processTemplates.length
    : instances.reduce((n, i) => n + i.processes.length, 0);
  if (processCount > MAX_CREATE_PROCESSES) return bad(1199035, "create processes", MAX_CREATE_PROCESSES);
  return { ok: true, value: { module, serviceTemplate } };
}

/**
 * Step 9 (CS `CreateServiceInstance`, per instance): the name, business, host and one-instance-per-host checks; on
 * a templated module one process per process template (`NewProcess`) and the name from the first of them.
 */
function createInstances(ctx: OperationContext, input: CreateInput, target: Target, staging: Staging): Outcome<null> {
  const { spec, state, faults } = ctx;
  const { bk_biz_id: bizId, bk_module_id: moduleId, instances } = input;
  const { serviceTemplate } = target;
  const stagedKeys = serviceTemplate ? new Set<string>() : undefined;
  for (const item of instances) {
    const host = state.hosts.get(item.bk_host_id);
    if (Buffer.byteLength(item.service_instance_name) > MAX_NAME_BYTES) return bad(1199006, "name");
    if (!state.businesses.has(bizId)) return bad(1199006, "bk_biz_id");
    if (serviceTemplate && serviceTemplate.bk_biz_id !== bizId) return bad(1199006, "bk_biz_id");
    if (item.bk_host_id === 0) return bad(1199006, "bk_host_id");
    if (serviceTemplate) {
      const key = templatedInstanceKey(moduleId, item.bk_host_id, serviceTemplate.id);
      // Two instances for one host in one request: the second sees the first (cmdb-semantics §1.2 marks it UNCONFIRMED).
      if (state.templatedInstances.has(key) || stagedKeys?.has(key)) return bad(1113016, host?.bk_host_innerip ?? "");
      stagedKeys?.add(key);
    }
    const values: ProcessValues[] = [];
    for (const processTemplate of serviceTemplate?.processTemplates ?? NO_TEMPLATES) {
      const made = createProcessFromTemplate(spec, processTemplate.property, host, faults);
      if (!made.ok) return made;
      const checked = validateProcessValues(spec, made.value, faults);
      // §1.3 B.5: a template-made process that fails the model is 1108008.
      if (!checked.ok) return bad(1108008);
      values.push(checked.value);
    }
    // An ID past 2^53 - 1 would collide with its neighbour once parsed as JSON: out of IDs (cmdb-semantics §4.4).
    if (staging.nextInstanceId > Number.MAX_SAFE_INTEGER) return bad(1199058);
    const name = item.service_instance_name;
    staging.staged.push({
      instance: {
        id: staging.nextInstanceId++,
        bk_biz_id: bizId,
        bk_module_id: moduleId,
        bk_host_id: item.bk_host_id,
        // §1.3 B.2: on a templated module the name comes from the first template process, before any caller value.
        name:
          serviceTemplate && name === ""
            ? buildInstanceName(host, values[0]?.fields.bk_process_name, values[0]?.bind_info ?? null)
            : name,
        service_template_id: serviceTemplate?.id ?? 0,
      },
      processes: [],
    });
    staging.fromTemplates.push(values);
  }
  return { ok: true, value: null };
}

/**
 * §1.3 A, per instance: an entry without `process_info` crashes the request (1199999); each process is validated by
 * CS (1199010 for a missing required key, 1199011 for any bad value); an instance sent without a name is named from
 * its first process as sent, which must decode into the typed process (1199000).
 */
function createRawProcesses(ctx: OperationContext, input: CreateInput, staging: Staging): Outcome<null> {
  const { spec, state, faults } = ctx;
  for (let index = 0; index < input.instances.length; index++) {
    const item = input.instances[index] as InstanceInput;
    const entry = staging.staged[index] as StagedInstance;
    const crashed = crashOnMissingProcessInfo(faults, item.processes);
    if (crashed) return crashed;
    for (const process of item.processes) {
      const checked = validateRawProcess(spec, process.process_info ?? {}, faults);
      if (!checked.ok) return { ok: false, failure: rawFailureAsAnswered(faults, checked.failure) };
      if (staging.nextProcessId > Number.MAX_SAFE_INTEGER) return bad(1199058);
      const id = staging.nextProcessId++;
      entry.processes.push(buildProcess(spec, state, entry.instance, id, 0, checked.value, ctx.now));
    }
  }
  for (let index = 0; index < input.instances.length; index++) {
    const item = input.instances[index] as InstanceInput;
    const instance = (staging.staged[index] as StagedInstance).instance;
    if (instance.name !== "") continue;
    // §1.3 A "Instance name": the parts come from the first process as sent (untrimmed), decoded like §1.3 B.4.
    const decoded = decodeProcessInfo(spec, item.processes[0]?.process_info ?? {});
    if (!decoded.ok) return decoded;
    const { bk_process_name: name, bind_info: rows } = decoded.value;
    instance.name = buildInstanceName(state.hosts.get(item.bk_host_id), name, Array.isArray(rows) ? rows : null);
  }
  return { ok: true, value: null };
}

// The fault answers the inner code of a raw value error instead of CMDB's 1199011 (§1.3 A).
function rawFailureAsAnswered(faults: ReadonlySet<FaultName>, failure: CmdbFailure): CmdbFailure {
  if (!faults.has("raw-value-error-unwrapped") || failure.code !== 1199011) return failure;
  const middle = failure.args[0] as CmdbFailure;
  return middle.args[0] as CmdbFailure;
}

// §1.3 A, B.3: a `processes` entry whose `process_info` is missing or null makes CMDB write into a nil map; the
// transaction wrapper recovers the panic as 1199999 with a fixed text, and nothing is created.
function crashOnMissingProcessInfo(
  faults: ReadonlySet<FaultName>,
  entries: readonly ProcessEntry[],
): { ok: false; failure: CmdbFailure } | undefined {
  if (faults.has("missing-process-info-tolerated")) return undefined;
  for (const entry of entries) if (entry.process_info === null) return { ok: false, failure: fail(1199999) };
  return undefined;
}

/**
 * §1.3 B.3–B.4: every matched entry of every instance must have a `process_info` (else 1199999), every one is decoded
 * (1199000) and merged under the lock rules before any update; of two entries for one template the last is written;
 * each updated process is then validated by CS (1199011, the inner message wrapped once).
 */
function updateTemplatedProcesses(
  ctx: OperationContext,
  input: CreateInput,
  serviceTemplate: StoredServiceTemplate,
  staging: Staging,
): Outcome<null> {
  const { spec, state, faults } = ctx;
  const templateIds = new Set(serviceTemplate.processTemplates.map((t) => t.id));
  const matched = input.instances.map((item) =>
    // Entries of ID 0, missing or of another template match nothing and are ignored, even without process_info.
    item.processes.filter((p) => p.process_template_id !== 0 && templateIds.has(p.process_template_id)),
  );
  for (const entries of matched) {
    const crashed = crashOnMissingProcessInfo(faults, entries);
    if (crashed) return crashed;
  }
  // Every entry of every instance is decoded before any is merged (`updateProcessInstances` :397-410, :471-523).
  const decodedEntries: { index: number; templateId: number; info: Record<string, unknown> }[] = [];
  for (const [index, entries] of matched.entries()) {
    const decodedAll = faults.has("earlier-duplicate-entry-not-decoded") ? lastPerTemplate(entries) : entries;
    for (const entry of decodedAll) {
      const decoded = decodeProcessInfo(spec, entry.process_info ?? {});
      if (!decoded.ok) return decoded;
      decodedEntries.push({ index, templateId: entry.process_template_id, info: decoded.value });
    }
  }
  const updates = new Map<string, ProcessValues>();
  for (const { index, templateId, info } of decodedEntries) {
    const host = state.hosts.get(input.instances[index]?.bk_host_id ?? 0);
    const position = serviceTemplate.processTemplates.findIndex((t) => t.id === templateId);
    const template = serviceTemplate.processTemplates[position];
    const created = staging.fromTemplates[index]?.[position];
    if (!template || !created) continue;
    const merged = applyTemplateLock(spec, template.property, host, created, info, faults);
    if (!merged.ok) return merged;
    updates.set(`${index}/${position}`, merged.value);
  }
  for (const [index, values] of staging.fromTemplates.entries()) {
    const entry = staging.staged[index] as StagedInstance;
    for (const [position, fromTemplate] of values.entries()) {
      let stored = fromTemplate;
      const update = updates.get(`${index}/${position}`);
      if (update) {
        const checked = validateProcessValues(spec, update, faults);
        if (!checked.ok) return { ok: false, failure: fail(1199011, checked.failure) };
        stored = checked.value;
      }
      const templateId = serviceTemplate.processTemplates[position]?.id ?? 0;
      if (staging.nextProcessId > Number.MAX_SAFE_INTEGER) return bad(1199058);
      entry.processes.push(
        buildProcess(spec, state, entry.instance, staging.nextProcessId++, templateId, stored, ctx.now),
      );
    }
  }
  return { ok: true, value: null };
}

function lastPerTemplate(entries: readonly ProcessEntry[]): ProcessEntry[] {
  return [...new Map(entries.map((e) => [e.process_template_id, e])).values()];
}

/**
 * Builds the name of an instance created without one: inner IP (or inner IPv6), first process name, first port.
 * @see cmdb-semantics §1.3 A ("Instance name"), B.2
 */
function buildInstanceName(host: Host | undefined, processName: unknown, rows: readonly unknown[] | null): string {
  let name = host ? host.bk_host_innerip || (host.bk_host_innerip_v6 ?? "") : "";
  if (typeof processName === "string" && processName !== "")
    name = name === "" ? processName : `${name}_${processName}`;
  for (const row of rows ?? []) {
    const port = (row as { port?: unknown } | null)?.port;
    if (typeof port === "string" && port !== "") return name === "" ? port : `${name}_${port}`;
  }
  return name;
}

/**
 * Decodes the body into CreateServiceInstanceInput as json-iterator does: field names match case-insensitively (ASCII
 * letters), null is the zero value, any other type mismatch (a non-integer literal for an int64 included) fails with
 * 1199000; `process_info` stays a free-form map, or null when missing or null.
 * @see cmdb-semantics §1.1
 */
function decodeCreateInput(body: Readonly<Record<string, unknown>>): CreateInput | null {
  // Null is the zero value, as a missing field is.
  // Each read is taken from the shared array at once, before the next read reuses it: no array per object read.
  readStructFields(body, CREATE_FIELDS, SENT);
  const bizId = SENT[0] ?? 0;
  const moduleId = SENT[1] ?? 0;
  const rawInstances = SENT[2] ?? [];
  if (!isInt64(bizId) || !isInt64(moduleId) || !Array.isArray(rawInstances)) return null;
  // Arrays are made at their final length: one grown by `push` holds room for 16 entries.
  const instances: InstanceInput[] = new Array(rawInstances.length);
  for (let i = 0; i < rawInstances.length; i++) {
    const item = asObject(rawInstances[i]);
    if (!item) return null;
    readStructFields(item, INSTANCE_FIELDS, SENT);
    const hostId = SENT[0] ?? 0;
    const name = SENT[1] ?? "";
    const rawProcesses = SENT[2] ?? [];
    if (!isInt64(hostId) || typeof name !== "string" || !Array.isArray(rawProcesses)) return null;
    const processes: ProcessEntry[] = new Array(rawProcesses.length);
    for (let p = 0; p < rawProcesses.length; p++) {
      const process = asObject(rawProcesses[p]);
      if (!process) return null;
      readStructFields(process, PROCESS_FIELDS, SENT);
      const templateId = SENT[0] ?? 0;
      const info = SENT[1] ?? null;
      if (!isInt64(templateId)) return null;
      if (info !== null && (typeof info !== "object" || Array.isArray(info) || info instanceof JsonNumber)) return null;
      processes[p] = { process_template_id: templateId, process_info: info as Record<string, unknown> | null };
    }
    instances[i] = { bk_host_id: hostId, service_instance_name: name, processes };
  }
  return { bk_biz_id: bizId, bk_module_id: moduleId, instances };
}

const CREATE_FIELDS = ["bk_biz_id", "bk_module_id", "instances"] as const;
const INSTANCE_FIELDS = ["bk_host_id", "service_instance_name", "processes"] as const;
const PROCESS_FIELDS = ["process_template_id", "process_info"] as const;
const SENT: unknown[] = [undefined, undefined, undefined];
const NO_TEMPLATES: StoredServiceTemplate["processTemplates"] = [];

// A JSON object, null as the zero value (an empty object), or undefined for any other type.
function asObject(value: unknown): Record<string, unknown> | undefined {
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value) || value instanceof JsonNumber) return undefined;
  return value as Record<string, unknown>;
}

function bad(code: number, ...args: MessageArg[]): { ok: false; failure: CmdbFailure } {
  return { ok: false, failure: fail(code, ...args) };
}

function failed(failure: CmdbFailure): OperationResult {
  return { ok: false, failure };
}
