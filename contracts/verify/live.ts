import type { OpenApiDocument } from "../../spec/load-spec.ts";
import type { RuleGroup } from "../shared/rules.ts";
import type { LiveConfig, LiveHost } from "./live-config.ts";
import type { CheckFailure, CheckResult } from "./report.ts";
import type { ProviderSession } from "./session.ts";
import { checkCreate, type ExpectedProcessRow, observeProcesses, sendStep } from "./step.ts";
import { applyTemplateLock, type LockRules, type TemplateProperty, updateFailureCode } from "./template-lock.ts";
import { showValue } from "./values.ts";

/**
 * Live checks against a CMDB whose state cannot be set up: discovers the templated module's process templates when
 * the live file does not list them, reads them with `get_proc_template`, creates on the non-templated and the
 * templated module, reads back, checks the lock rules, and deletes everything it created with
 * `delete_service_instance`, also when a check fails.
 * @see cmdb-semantics §2 (lock rules), §7 (observation endpoints)
 */
export async function runLiveChecks(
  session: ProviderSession,
  config: LiveConfig,
  rules: LockRules,
  document: OpenApiDocument,
  onProgress?: (note: string) => void,
): Promise<CheckResult[]> {
  const created: number[] = [];
  const checks: CheckResult[] = [];
  const host = config.hosts[0] as LiveHost;
  try {
    checks.push(
      await checkRejected(session, config, "live: empty instances are rejected with 1199010", [], 1199010, created),
    );
    checks.push(
      await checkRejected(
        session,
        config,
        "live: more than 100 instances are rejected with 1199035",
        Array.from({ length: 101 }, () => ({ bk_host_id: host.bk_host_id })),
        1199035,
        created,
      ),
    );
    checks.push(await checkNonTemplated(session, config, host, created));
    checks.push(await checkTemplated(session, config, rules, document, created, onProgress));
  } finally {
    if (created.length > 0) checks.push(await cleanUp(session, config, created));
  }
  return checks;
}

async function checkRejected(
  session: ProviderSession,
  config: LiveConfig,
  name: string,
  instances: unknown[],
  code: number,
  created: number[],
): Promise<CheckResult> {
  const body = { ...config.auth, bk_biz_id: config.bk_biz_id, bk_module_id: config.non_templated_module, instances };
  const outcome = await checkCreate(session, { rule: "business-rules", scenario: name }, { body, expectCode: code });
  // A provider that wrongly accepts the request made instances: they are deleted with the rest.
  created.push(...outcome.ids);
  return { source: "live", name, rule: "business-rules", failures: outcome.failures };
}

async function checkNonTemplated(
  session: ProviderSession,
  config: LiveConfig,
  host: LiveHost,
  created: number[],
): Promise<CheckResult> {
  const name = "live: create on the module without a template and read back";
  const processInfo = {
    bk_process_name: "cmdb-contract-verify",
    bk_func_name: "cmdb-contract-verify",
    work_path: "/tmp/cmdb-contract",
    proc_num: 1,
    bind_info: [{ ip: "127.0.0.1", port: "18080", protocol: "1", enable: false }],
  };
  const body = {
    ...config.auth,
    bk_biz_id: config.bk_biz_id,
    bk_module_id: config.non_templated_module,
    instances: [{ bk_host_id: host.bk_host_id, processes: [{ process_template_id: 0, process_info: processInfo }] }],
  };
  const failures = await createAndCompare(session, name, body, created, [
    { relation: { process_template_id: 0, bk_host_id: host.bk_host_id }, property: processInfo },
  ]);
  return { source: "live", name, rule: "business-rules", failures };
}

async function checkTemplated(
  session: ProviderSession,
  config: LiveConfig,
  rules: LockRules,
  document: OpenApiDocument,
  created: number[],
  onProgress?: (note: string) => void,
): Promise<CheckResult> {
  const name = "live: create on the templated module, read back and check the lock rules";
  const failures: CheckFailure[] = [];
  let host = config.hosts[0] as LiveHost;
  let templateIds = config.process_template_ids;
  if (templateIds === undefined) {
    const discovery = await discoverTemplateIds(session, config, name, created);
    failures.push(...discovery.failures);
    if (discovery.found === undefined) return { source: "live", name, rule: "template-lock", failures };
    ({ host, templateIds } = discovery.found);
    onProgress?.(
      `live: module ${config.templated_module} has process template(s) ${templateIds.join(", ") || "(none)"} ` +
        `(discovered through host ${host.bk_host_id})`,
    );
  }
  const templates: { id: number; property: TemplateProperty }[] = [];
  for (const id of [...templateIds].sort((a, b) => a - b)) {
    const body = { ...config.auth, bk_biz_id: config.bk_biz_id, process_template_id: id };
    const ctx = { rule: "template-lock" as const, scenario: `${name} (get_proc_template ${id})` };
    const read = await sendStep(session, ctx, { operation: "getProcTemplate", body, expectCode: 0 });
    failures.push(...read.failures);
    const data = read.envelope?.data as { property?: TemplateProperty } | undefined;
    if (!read.matched || data?.property === undefined || data.property === null) {
      if (read.matched) {
        failures.push({
          rule: "template-lock",
          scenario: name,
          pointer: `get_proc_template(${id}) /data/property`,
          expected: "the process template with its property",
          actual: `not observed: ${showValue(read.envelope?.data, 80)}`,
          curl: read.curl,
        });
      }
      return { source: "live", name, rule: "template-lock", failures };
    }
    templates.push({ id, property: data.property });
  }
  onProgress?.(`live: read ${templates.length} process template(s)`);
  const schemas = (document.components.schemas.ProcessInfo as { properties: Record<string, Record<string, unknown>> })
    .properties;
  const entries = templates.map((t) => ({
    process_template_id: t.id,
    process_info: callerValues(rules, schemas, t.property),
  }));
  const body = {
    ...config.auth,
    bk_biz_id: config.bk_biz_id,
    bk_module_id: config.templated_module,
    instances: [{ bk_host_id: host.bk_host_id, processes: entries }],
  };
  const hostAddresses = host as unknown as Record<string, unknown>;
  const expected = templates.map((t, i) => ({
    relation: { process_template_id: t.id, bk_host_id: host.bk_host_id },
    property: applyTemplateLock(rules, t.property, hostAddresses, entries[i]?.process_info),
  }));
  // Every template gets a caller entry here, so every process is updated: a process the model rejects after the
  // update (a template row whose enable is null, for one) fails the whole create with 1199011 (cmdb-semantics §2.2).
  const code = expected.some((e) => updateFailureCode(rules, e.property) !== 0) ? 1199011 : 0;
  failures.push(...(await createAndCompare(session, name, body, created, expected, "template-lock", code)));
  return { source: "live", name, rule: "template-lock", failures };
}

/** The templated module's process template IDs and the host they were discovered through (unset when none worked). */
interface Discovery {
  found?: { host: LiveHost; templateIds: number[] };
  failures: CheckFailure[];
}

/**
 * Discovers the templated module's process template IDs with the spec's operations only: for each listed host in
 * turn until one works, creates an instance with no `processes` (the CMDB gives it one process per process template),
 * reads back each process's `relation.process_template_id`, and deletes the instance at once so the host is free for
 * the check; when no host works, the failure says to add `process_template_ids` to the live file.
 * @see cmdb-semantics §1.3 B (one process per process template), §7 (observation endpoints)
 */
async function discoverTemplateIds(
  session: ProviderSession,
  config: LiveConfig,
  check: string,
  created: number[],
): Promise<Discovery> {
  const name = `${check} (discovering the process templates)`;
  const failures: CheckFailure[] = [];
  const refusals: string[] = [];
  let curl = "";
  for (const host of config.hosts) {
    const body = {
      ...config.auth,
      bk_biz_id: config.bk_biz_id,
      bk_module_id: config.templated_module,
      instances: [{ bk_host_id: host.bk_host_id }],
    };
    const ctx = { rule: "template-lock" as const, scenario: name };
    const outcome = await sendStep(session, ctx, {
      operation: "createServiceInstance",
      body,
      expectCode: 0,
      envelope: { createdInstances: 1 },
    });
    curl = outcome.curl;
    const ids =
      outcome.envelope?.result === true && Array.isArray(outcome.envelope.data)
        ? (outcome.envelope.data as unknown[]).filter((id): id is number => Number.isSafeInteger(id))
        : [];
    created.push(...ids);
    if (!outcome.matched || ids[0] === undefined) {
      // Refusals are expected here (a host that already has an instance): only the envelope failures count.
      failures.push(...outcome.failures.filter((f) => f.rule === "envelope"));
      refusals.push(
        `host ${host.bk_host_id}: ${outcome.failures.find((f) => f.pointer === "/code")?.actual ?? "no ID"}`,
      );
      continue;
    }
    failures.push(...outcome.failures);
    const read = await observeProcesses(session, ctx, {
      auth: config.auth,
      bizId: config.bk_biz_id,
      serviceInstanceId: ids[0],
    });
    failures.push(...read.failures);
    const templateIds = [
      ...new Set(
        (read.processes ?? [])
          .map((p) => (p.relation as Record<string, unknown> | undefined)?.process_template_id)
          .filter((id): id is number => Number.isInteger(id)),
      ),
    ].sort((a, b) => a - b);
    const deletion = await deleteInstances(session, config, name, ids);
    failures.push(...deletion.failures);
    if (deletion.deleted) created.splice(0, created.length, ...created.filter((id) => !ids.includes(id)));
    if (read.processes === undefined) return { failures };
    // The instance must be gone before the check creates on the same host (one instance per host and module).
    if (!deletion.deleted) return { failures };
    return { found: { host, templateIds }, failures };
  }
  failures.push({
    rule: "template-lock",
    scenario: name,
    pointer: "live file /process_template_ids",
    expected: `a listed host that can take an instance of module ${config.templated_module}, to read its process templates`,
    actual: `none could (${refusals.join("; ")}); add process_template_ids (the IDs of the module's process templates) to the live file`,
    curl,
  });
  return { failures };
}

/** A caller value for every lockable field (valid for the process model) and one caller row per template row. */
function callerValues(
  rules: LockRules,
  schemas: Record<string, Record<string, unknown>>,
  property: TemplateProperty,
): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  for (const field of rules.lockableFields) {
    const schema = schemas[field] ?? {};
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const template = (property[field] as { value?: unknown } | undefined)?.value;
    if (types.includes("integer")) {
      const min = typeof schema.minimum === "number" ? schema.minimum : 0;
      info[field] = template === min + 1 ? min + 2 : min + 1;
    } else if (types.includes("boolean")) info[field] = template !== true;
    else info[field] = `cmdb-contract-${field}`;
  }
  info.bind_info = (property.bind_info?.value ?? []).map((row, i) => ({
    template_row_id: row.row_id,
    ip: "127.0.0.1",
    port: String(18_081 + i),
    protocol: "1",
    enable: row.enable?.value !== true,
  }));
  return info;
}

async function createAndCompare(
  session: ProviderSession,
  name: string,
  body: Record<string, unknown>,
  created: number[],
  expected: ExpectedProcessRow[],
  rule: RuleGroup = "business-rules",
  expectCode: 0 | 1199011 = 0,
): Promise<CheckFailure[]> {
  const outcome = await checkCreate(
    session,
    { rule, scenario: name },
    { body, expectCode, ...(expectCode === 0 ? { expectProcesses: [expected] } : {}) },
  );
  created.push(...outcome.ids);
  return outcome.failures;
}

/** Deletes the service instances a live run created, as one check that fails (naming the IDs) when it cannot. */
export async function cleanUp(session: ProviderSession, config: LiveConfig, created: number[]): Promise<CheckResult> {
  const name = `live: delete the ${created.length} service instance(s) verify created`;
  return {
    source: "live",
    name,
    rule: "business-rules",
    failures: (await deleteInstances(session, config, name, created)).failures,
  };
}

/** Deletes service instances with `delete_service_instance`; when refused, a failure names the IDs to delete by hand. */
async function deleteInstances(
  session: ProviderSession,
  config: LiveConfig,
  name: string,
  ids: readonly number[],
): Promise<{ deleted: boolean; failures: CheckFailure[] }> {
  const body = { ...config.auth, bk_biz_id: config.bk_biz_id, service_instance_ids: [...ids] };
  const outcome = await sendStep(
    session,
    { rule: "business-rules", scenario: name },
    {
      operation: "deleteServiceInstance",
      body,
      expectCode: 0,
      expectLabel: `0 (deleted); if not, delete service instances ${ids.join(", ")} by hand`,
    },
  );
  return { deleted: outcome.matched, failures: outcome.failures };
}
