import type { OperationId } from "../../spec/operations.ts";
import type { RuleGroup } from "../shared/rules.ts";
import type { World } from "../shared/worlds.ts";
import type { EnvelopeContext } from "./envelope.ts";
import type { HttpExchange } from "./http.ts";
import type { CheckFailure } from "./report.ts";
import type { ProviderSession } from "./session.ts";
import { sameScalar, showValue } from "./values.ts";

// The one step every runner is made of: send → check the envelope → expect a code → observe → compare. Runners
// (pact proxy, fixtures, property check, live mode) describe what to send and what to expect; none repeats how.
// A step that could not observe what it was asked to check answers a failure, never silence.

/** Where a step files its failures, and the world whose secrets its `curl` lines name by placeholder. */
export interface StepContext {
  rule: RuleGroup;
  scenario: string;
  /** The world the provider was set up with (undefined in live mode). */
  world?: World;
}

/** One expected process of a read-back: the relation and property fields that are compared (others are ignored). */
export interface ExpectedProcessRow {
  relation?: Record<string, unknown>;
  property: Record<string, unknown>;
}

/** A request and what its answer must carry. */
export interface StepRequest {
  operation: OperationId;
  body: Record<string, unknown>;
  /**
   * The code the answer must carry (0 for success), or every code a lenient check accepts (one per reading of an
   * UNCONFIRMED detail); undefined checks the envelope only.
   */
  expectCode?: number | readonly number[];
  /** How the expected code reads in a failure, e.g. `0 (every generated value is valid)`; default the code. */
  expectLabel?: string;
  /** The permission object a 9900403 must carry, compared by the keys it writes out. */
  expectPermission?: Record<string, unknown>;
  /** The exact message the answer must carry, when the check writes it out. */
  expectMessage?: string;
  envelope?: EnvelopeContext;
}

/** What a step saw: the envelope (when the answer was a JSON object), its failures and the request's `curl` line. */
export interface StepOutcome {
  exchange: HttpExchange;
  envelope: Record<string, unknown> | undefined;
  failures: CheckFailure[];
  curl: string;
  /** True when the answer carried the expected code (and permission). */
  matched: boolean;
}

/** Sends one request, checks its envelope, and compares its code (and permission) with the expectation. */
export async function sendStep(session: ProviderSession, ctx: StepContext, request: StepRequest): Promise<StepOutcome> {
  const curl = session.curlOf(request.operation, request.body, ctx.world);
  const accepted: readonly unknown[] =
    request.expectCode === undefined
      ? []
      : Array.isArray(request.expectCode)
        ? request.expectCode
        : [request.expectCode];
  // On the gateway route the gateway answers some refusals the ESB route's codes stand for (route.ts).
  const gatewayCodes = session.door.gatewayCodesFor(accepted);
  const context = { ...request.envelope, ...(gatewayCodes.length > 0 ? { gatewayCodes } : {}) };
  const call = await session.call(request.operation, request.body, ctx.scenario, context, ctx.world);
  const { exchange, answer } = call;
  const failures = [...call.failures];
  const envelope = answer.envelope;
  const outcome = (matched: boolean): StepOutcome => ({ exchange, envelope, failures, curl, matched });
  if (request.expectCode === undefined) return outcome(envelope !== undefined);
  if (answer.gateway !== undefined) {
    // An unexpected gateway answer is already a gateway failure of the call: it is not a CMDB code to compare.
    return outcome(gatewayCodes.includes(answer.gateway.code as number));
  }
  const expected = request.expectLabel ?? (accepted.length > 1 ? `one of ${accepted.join(", ")}` : String(accepted[0]));
  if (envelope === undefined) {
    failures.push({
      rule: ctx.rule,
      scenario: ctx.scenario,
      pointer: "/code",
      expected,
      actual: `not observed: ${describeNoEnvelope(exchange)}`,
      curl,
    });
    return outcome(false);
  }
  if (!accepted.includes(envelope.code)) {
    failures.push({
      rule: ctx.rule,
      scenario: ctx.scenario,
      pointer: "/code",
      expected,
      actual: `${showValue(envelope.code)} (${showValue(envelope.message ?? "no message", 100)})`,
      curl,
    });
    return outcome(false);
  }
  if (request.expectMessage !== undefined && envelope.message !== request.expectMessage) {
    failures.push({
      rule: ctx.rule,
      scenario: ctx.scenario,
      pointer: "/message",
      expected: showValue(request.expectMessage, 200),
      actual: showValue(envelope.message, 200),
      curl,
    });
    return outcome(false);
  }
  if (request.expectPermission !== undefined) {
    const differences = compareExpected(request.expectPermission, envelope.permission, "/permission");
    failures.push(...differences.map((d) => ({ rule: ctx.rule, scenario: ctx.scenario, ...showDifference(d), curl })));
    if (differences.length > 0) return outcome(false);
  }
  return outcome(true);
}

/** Where a read-back looks: the business and the service instance, with the auth to call with. */
export interface ReadBackTarget {
  auth: Record<string, unknown>;
  bizId: unknown;
  serviceInstanceId: number;
}

/**
 * Reads the processes of a service instance back with `list_process_instance`, sorted by process template then
 * process ID; when they cannot be observed (a transport failure, an error envelope, `data` not a list) the answer
 * is a failure of the step's rule saying why.
 * @see cmdb-semantics §7 (observation endpoints)
 */
export async function observeProcesses(
  session: ProviderSession,
  ctx: StepContext,
  target: ReadBackTarget,
): Promise<{ processes?: Record<string, unknown>[]; failures: CheckFailure[]; place: string }> {
  const body = { ...target.auth, bk_biz_id: target.bizId, service_instance_id: target.serviceInstanceId };
  const place = `list_process_instance(service_instance_id=${target.serviceInstanceId})`;
  const step = await sendStep(session, ctx, { operation: "listProcessInstance", body });
  const { envelope, failures } = step;
  if (envelope?.result === true && Array.isArray(envelope.data)) {
    return { processes: sortProcesses(envelope.data), failures, place };
  }
  // The gateway answering in CMDB's place is already the call's gateway failure; the check fails on it alone.
  if (session.door.read(step.exchange).gateway !== undefined) return { failures, place };
  const actual =
    envelope === undefined
      ? describeNoEnvelope(step.exchange)
      : envelope.result === true
        ? `data is ${showValue(envelope.data, 60)}, not a list`
        : `${showValue(envelope.code)} (${showValue(envelope.message ?? "no message", 100)})`;
  failures.push({
    rule: ctx.rule,
    scenario: ctx.scenario,
    pointer: `${place} /data`,
    expected: "the processes read back (list_process_instance answering a list)",
    actual: `not observed: ${actual}`,
    curl: step.curl,
  });
  return { failures, place };
}

/** A create and what must be true afterwards. */
export interface CreateExpectation {
  body: Record<string, unknown>;
  expectCode: number | readonly number[];
  expectLabel?: string;
  expectPermission?: Record<string, unknown>;
  expectMessage?: string;
  /** Per requested instance, the processes `list_process_instance` must return (undefined: not read back). */
  expectProcesses?: readonly (readonly ExpectedProcessRow[] | undefined)[];
}

/**
 * The whole step for a create: send it, check the envelope (one new distinct ID per instance), compare the code,
 * then read back every instance the expectation describes and compare its processes row by row. Answers the new IDs
 * (for clean-up and later steps) with the failures.
 * @see cmdb-semantics §1.2 (codes), §2 (the processes a create makes), §0 (IDs in request order)
 */
export async function checkCreate(
  session: ProviderSession,
  ctx: StepContext,
  expectation: CreateExpectation,
): Promise<{ ids: number[]; failures: CheckFailure[]; curl: string }> {
  const instances = expectation.body.instances;
  const step = await sendStep(session, ctx, {
    operation: "createServiceInstance",
    body: expectation.body,
    expectCode: expectation.expectCode,
    ...(expectation.expectLabel !== undefined ? { expectLabel: expectation.expectLabel } : {}),
    ...(expectation.expectPermission !== undefined ? { expectPermission: expectation.expectPermission } : {}),
    ...(expectation.expectMessage !== undefined ? { expectMessage: expectation.expectMessage } : {}),
    envelope: Array.isArray(instances) ? { createdInstances: instances.length } : {},
  });
  const { envelope, curl } = step;
  const failures = [...step.failures];
  const ids =
    envelope?.result === true && Array.isArray(envelope.data)
      ? (envelope.data as unknown[]).filter((id): id is number => Number.isSafeInteger(id))
      : [];
  if (!step.matched) return { ids, failures, curl };
  for (const [i, rows] of (expectation.expectProcesses ?? []).entries()) {
    if (rows === undefined) continue;
    const id = ids[i];
    if (id === undefined) {
      failures.push({
        rule: ctx.rule,
        scenario: ctx.scenario,
        pointer: `/data/${i}`,
        expected: `the ID of instances[${i}], to read its processes back`,
        actual: "absent",
        curl,
      });
      continue;
    }
    const where = { ...ctx, scenario: `${ctx.scenario}, instance ${i} (service_instance_id ${id})` };
    const target = { auth: authOf(expectation.body), bizId: expectation.body.bk_biz_id, serviceInstanceId: id };
    const read = await observeProcesses(session, where, target);
    failures.push(...read.failures);
    if (read.processes === undefined) continue;
    const host = (instances as Record<string, unknown>[] | undefined)?.[i]?.bk_host_id;
    const stray = read.processes.find((p) => (p.relation as Record<string, unknown> | undefined)?.bk_host_id !== host);
    if (host !== undefined && stray !== undefined) {
      // Processes of another host mean the IDs came back out of order; comparing fields would repeat that problem.
      failures.push({
        rule: "envelope",
        scenario: where.scenario,
        pointer: `create /data/${i} → ${read.place} /data/0/relation/bk_host_id`,
        expected: `host ${showValue(host)} (the ID of instances[${i}])`,
        actual: `host ${showValue((stray.relation as Record<string, unknown>).bk_host_id)}: the IDs are not in request order`,
        curl,
      });
      continue;
    }
    failures.push(...compareProcessRows(rows, read.processes, { ...where, place: read.place, curl }));
  }
  return { ids, failures, curl };
}

/** The auth fields of a request body (the ESB common args), to send with the read-backs of its create. */
function authOf(body: Record<string, unknown>): Record<string, unknown> {
  const auth: Record<string, unknown> = {};
  for (const key of ["bk_app_code", "bk_app_secret", "bk_token", "bk_username"]) {
    if (body[key] !== undefined) auth[key] = body[key];
  }
  return auth;
}

/** One difference between an expected (partial) value and what the provider returned. */
interface ValueDifference {
  pointer: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Compares what a check writes out with what came back: objects by the expected keys only, arrays by length and
 * position, everything else by JSON equality (an absent key differs from null). Only the expected side is walked,
 * so an arbitrarily deep answer costs no more than the expectation.
 */
function compareExpected(expected: unknown, actual: unknown, pointer = ""): ValueDifference[] {
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
  return sameScalar(expected, actual) ? [] : [{ pointer, expected, actual }];
}

/**
 * Compares read-back processes (sorted with {@link sortProcesses}) with the expected rows: the count, then each
 * row's relation and property by the keys the expectation writes out.
 */
export function compareProcessRows(
  expectedRows: readonly ExpectedProcessRow[],
  actual: readonly Record<string, unknown>[],
  where: StepContext & { place: string; curl: string },
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
    const relation = (p?.relation ?? {}) as Record<string, unknown>;
    const property = (p?.property ?? {}) as Record<string, unknown>;
    return [Number(relation.process_template_id ?? 0), Number(property.bk_process_id ?? relation.bk_process_id ?? 0)];
  };
  return [...(data as Record<string, unknown>[])].sort((a, b) => {
    const [ta, pa] = key(a);
    const [tb, pb] = key(b);
    return ta - tb || pa - pb;
  });
}

/** A difference as the strings a failure prints. */
function showDifference(d: ValueDifference): { pointer: string; expected: string; actual: string } {
  return { pointer: d.pointer, expected: showValue(d.expected), actual: showValue(d.actual) };
}

function describeNoEnvelope(exchange: HttpExchange): string {
  if (!exchange.ok) return exchange.reason;
  return exchange.isJson ? "the answer is not a JSON object" : `the answer is not JSON (HTTP ${exchange.status})`;
}
