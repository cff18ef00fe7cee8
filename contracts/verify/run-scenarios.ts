import type { HttpExchange } from "./http.ts";
import type { CheckFailure, CheckResult, EarlierStep, RuleGroup } from "./report.ts";
import { showValue, withReproduction } from "./report.ts";
import { type ExpectedProcessRow, resolveAuth, type Scenario, type ScenarioStep } from "./scenarios.ts";
import { formatCurl } from "./secrets.ts";
import type { OperationId, ProviderSession } from "./session.ts";

/** One difference between an expected (partial) value and what the provider returned. */
export interface ValueDifference {
  pointer: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Compares what a fixture writes out with what came back: objects by the expected keys only, arrays by length and
 * position, everything else by JSON equality (an absent key differs from null).
 */
export function compareExpected(expected: unknown, actual: unknown, pointer = ""): ValueDifference[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [{ pointer, expected, actual }];
    return expected.flatMap((item, i) => compareExpected(item, actual[i], `${pointer}/${i}`));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return [{ pointer, expected, actual }];
    return Object.entries(expected).flatMap(([key, value]) =>
      compareExpected(
        value,
        Object.hasOwn(actual, key) ? (actual as Record<string, unknown>)[key] : undefined,
        `${pointer}/${key}`,
      ),
    );
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [{ pointer, expected, actual }];
}

/** A failure when an envelope's code is not the expected one (its message shown beside the code), else none. */
export function checkCode(
  rule: RuleGroup,
  scenario: string,
  expected: number | string,
  envelope: Record<string, unknown> | undefined,
  curl: string,
): CheckFailure[] {
  if (envelope !== undefined && envelope.code === expected) return [];
  return [
    {
      rule,
      scenario,
      pointer: "/code",
      expected: String(expected),
      actual: `${showValue(envelope?.code)} (${showValue(envelope?.message ?? "no envelope", 100)})`,
      curl,
    },
  ];
}

/**
 * Compares read-back processes (sorted with {@link sortProcesses}) with the expected rows: the count, then each
 * row's relation and property by the keys the expectation writes out.
 */
export function compareProcessRows(
  expectedRows: readonly ExpectedProcessRow[],
  actual: readonly Record<string, unknown>[],
  where: { rule: RuleGroup; scenario: string; place: string; curl: string },
): CheckFailure[] {
  const { rule, scenario, place, curl } = where;
  if (actual.length !== expectedRows.length) {
    return [
      {
        rule,
        scenario,
        pointer: `${place} /data`,
        expected: `${expectedRows.length} process(es)`,
        actual: `${actual.length} process(es)`,
        curl,
      },
    ];
  }
  return expectedRows.flatMap((row, j) =>
    (["relation", "property"] as const).flatMap((part) =>
      compareExpected(row[part] ?? {}, actual[j]?.[part], `/data/${j}/${part}`).map(
        (d): CheckFailure => ({ rule, scenario, ...showDifference({ ...d, pointer: `${place} ${d.pointer}` }), curl }),
      ),
    ),
  );
}

/** Answers the processes of a `list_process_instance` response sorted by process template, then process ID. */
export function sortProcesses(data: unknown): Record<string, unknown>[] {
  if (!Array.isArray(data)) return [];
  const key = (p: Record<string, unknown>): [number, number] => {
    const relation = (p.relation ?? {}) as Record<string, unknown>;
    const property = (p.property ?? {}) as Record<string, unknown>;
    return [Number(relation.process_template_id ?? 0), Number(property.bk_process_id ?? relation.bk_process_id ?? 0)];
  };
  return [...(data as Record<string, unknown>[])].sort((a, b) => {
    const [ta, pa] = key(a);
    const [tb, pb] = key(b);
    return ta - tb || pa - pb;
  });
}

/**
 * Runs one fixture scenario: sets up its world, runs its steps, compares codes and read-back processes with what
 * the scenario writes out, checks every envelope, and tears the world down. Every failure carries the `setup` line
 * of the scenario's world and the requests of the earlier steps that changed the state (creates, deletes).
 * @see cmdb-semantics §1.2 (codes), §2 (read-back processes), §0 (all-or-nothing)
 */
export async function runScenario(session: ProviderSession, scenario: Scenario): Promise<CheckResult> {
  const failures: CheckFailure[] = [];
  const result: CheckResult = { source: "fixture", name: scenario.name, rule: scenario.rule, failures };
  const setup = session.setupCurl(scenario.name, scenario.world);
  const setupProblem = await session.setState(scenario.name, scenario.world, "setup");
  if (setupProblem !== undefined) {
    failures.push({
      rule: setupProblem.transport ? "envelope" : scenario.rule,
      scenario: scenario.name,
      pointer: "(state setup)",
      expected: "the provider accepts the world",
      actual: setupProblem.reason,
      // The state-setup request is the one that failed.
      ...(setup !== undefined ? { curl: setup } : {}),
    });
    return result;
  }
  const run: ScenarioRun = { auth: resolveAuth(scenario.world, scenario.auth), created: [] };
  const earlierSteps: EarlierStep[] = [];
  for (const [index, step] of scenario.steps.entries()) {
    const { failures: found, sent } = await runStep(session, scenario, run, step, index);
    failures.push(...found.map((f) => withReproduction(f, setup, earlierSteps)));
    earlierSteps.push(...sent.map((curl) => ({ step: index, curl })));
  }
  await session.setState(scenario.name, scenario.world, "teardown");
  return result;
}

/** What the steps of one scenario share: the auth fields and the IDs each create step made. */
interface ScenarioRun {
  auth: Record<string, string>;
  created: number[][];
}

/** Runs one step; answers its failures and the `curl` lines of the requests it sent that change the state. */
async function runStep(
  session: ProviderSession,
  scenario: Scenario,
  run: ScenarioRun,
  step: ScenarioStep,
  index: number,
): Promise<{ failures: CheckFailure[]; sent: string[] }> {
  const { auth, created } = run;
  const where = `${scenario.name} step ${index}`;
  const curlOf = (operation: OperationId, body: unknown): string =>
    formatCurl(session.urlOf(operation), body, scenario.world);
  const failures: CheckFailure[] = [];
  if (step.kind === "create") {
    const body = { ...auth, ...step.body };
    const curl = curlOf("createServiceInstance", body);
    const instances = Array.isArray(step.body.instances) ? step.body.instances.length : undefined;
    const call = await session.call(
      "createServiceInstance",
      body,
      where,
      instances ? { createdInstances: instances } : {},
    );
    failures.push(...call.failures);
    const envelope = envelopeOf(call.exchange);
    const ids = envelope?.result === true && Array.isArray(envelope.data) ? (envelope.data as number[]) : [];
    created.push(ids);
    if (envelope === undefined) return { failures, sent: [curl] };
    const codeFailures = checkCode(scenario.rule, where, step.expectCode, envelope, curl);
    failures.push(...codeFailures);
    if (codeFailures.length > 0) return { failures, sent: [curl] };
    if (step.expectPermission !== undefined) {
      for (const d of compareExpected(step.expectPermission, envelope.permission, "/permission")) {
        failures.push({ rule: scenario.rule, scenario: where, ...showDifference(d), curl });
      }
    }
    for (const [i, expectedRows] of (step.expectProcesses ?? []).entries()) {
      const id = ids[i];
      if (id === undefined) break;
      failures.push(
        ...(await checkReadBack(session, scenario.rule, where, auth, step.body, i, id, expectedRows, curl)),
      );
    }
    return { failures, sent: [curl] };
  }
  if (step.kind === "delete-created") {
    const ids = created[step.createStep] ?? [];
    if (ids.length === 0) return { failures, sent: [] };
    const createStep = scenario.steps[step.createStep];
    const bizId = createStep?.kind === "create" ? createStep.body.bk_biz_id : undefined;
    const body = { ...auth, bk_biz_id: bizId, service_instance_ids: ids };
    const curl = curlOf("deleteServiceInstance", body);
    const call = await session.call("deleteServiceInstance", body, where);
    failures.push(...call.failures);
    const envelope = envelopeOf(call.exchange);
    if (envelope !== undefined) failures.push(...checkCode(scenario.rule, where, step.expectCode, envelope, curl));
    return { failures, sent: [curl] };
  }
  const createStep = step.kind === "list-created" ? scenario.steps[step.createStep] : undefined;
  const bodies =
    step.kind === "list"
      ? [{ ...auth, ...step.body }]
      : (created[step.createStep] ?? []).map((id) => ({
          ...auth,
          bk_biz_id: createStep?.kind === "create" ? createStep.body.bk_biz_id : undefined,
          service_instance_id: id,
        }));
  for (const body of bodies) {
    const call = await session.call("listProcessInstance", body, where);
    failures.push(...call.failures);
    const envelope = envelopeOf(call.exchange);
    if (envelope?.result === true && Array.isArray(envelope.data) && envelope.data.length > 0) {
      failures.push({
        rule: scenario.rule,
        scenario: where,
        pointer: `list_process_instance(service_instance_id=${String(body.service_instance_id)}) /data`,
        expected: "no process: the instance must not exist",
        actual: `${envelope.data.length} process(es)`,
        curl: curlOf("listProcessInstance", body),
      });
    }
  }
  // Reads change nothing: a later step does not need them to be sent again.
  return { failures, sent: [] };
}

async function checkReadBack(
  session: ProviderSession,
  rule: RuleGroup,
  where: string,
  auth: Record<string, string>,
  createBody: Record<string, unknown>,
  instance: number,
  id: number,
  expectedRows: ExpectedProcessRow[],
  curl: string,
): Promise<CheckFailure[]> {
  const body = { ...auth, bk_biz_id: createBody.bk_biz_id, service_instance_id: id };
  const call = await session.call("listProcessInstance", body, where);
  const failures = [...call.failures];
  const envelope = envelopeOf(call.exchange);
  if (envelope === undefined || envelope.result !== true) return failures;
  const actual = sortProcesses(envelope.data);
  const scenario = `${where}, instance ${instance} (service_instance_id ${id})`;
  const place = `list_process_instance(service_instance_id=${id})`;
  const hostOfInstance = (createBody.instances as Record<string, unknown>[] | undefined)?.[instance]?.bk_host_id;
  // data[i] must be the ID made for instances[i]: processes of another host mean the IDs came back out of order,
  // and comparing their fields would only repeat that one problem.
  const wrongHost = actual.find(
    (p) => (p.relation as Record<string, unknown> | undefined)?.bk_host_id !== hostOfInstance,
  );
  if (hostOfInstance !== undefined && wrongHost !== undefined) {
    failures.push({
      rule: "envelope",
      scenario,
      pointer: `create /data/${instance} → ${place} /data/0/relation/bk_host_id`,
      expected: `host ${String(hostOfInstance)} (the ID of instances[${instance}])`,
      actual: `host ${showValue((wrongHost.relation as Record<string, unknown>).bk_host_id)}: the IDs are not in request order`,
      curl,
    });
    return failures;
  }
  failures.push(...compareProcessRows(expectedRows, actual, { rule, scenario, place, curl }));
  return failures;
}

function envelopeOf(exchange: HttpExchange): Record<string, unknown> | undefined {
  if (!exchange.ok || exchange.json === null || typeof exchange.json !== "object" || Array.isArray(exchange.json)) {
    return undefined;
  }
  return exchange.json as Record<string, unknown>;
}

function showDifference(d: ValueDifference): { pointer: string; expected: string; actual: string } {
  return { pointer: d.pointer, expected: showValue(d.expected), actual: showValue(d.actual) };
}
