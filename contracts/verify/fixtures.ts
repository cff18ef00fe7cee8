import type { CheckFailure, CheckResult, EarlierStep } from "./report.ts";
import { withReproduction } from "./report.ts";
import { resolveAuth, type Scenario, type ScenarioStep } from "./scenarios.ts";
import type { ProviderSession } from "./session.ts";
import { checkCreate, observeProcesses, type StepContext, sendStep } from "./step.ts";

/**
 * Runs one fixture scenario: sets up its world, runs its steps (each a description of what to send and expect,
 * carried out by the shared step), and tears the world down. Every failure carries the `setup` line of the world
 * and the requests of the earlier steps that changed the state (creates, deletes).
 * @see cmdb-semantics §1.2 (codes), §2 (read-back processes), §0 (all-or-nothing)
 */
export async function runScenario(session: ProviderSession, scenario: Scenario): Promise<CheckResult> {
  const failures: CheckFailure[] = [];
  const result: CheckResult = { source: "fixture", name: scenario.name, rule: scenario.rule, failures };
  const setupProblem = await setUpState(session, scenario.name, scenario.rule, scenario.world);
  if (setupProblem !== undefined) {
    failures.push(setupProblem);
    return result;
  }
  const setup = session.setupCurl(scenario.name, scenario.world);
  const run: ScenarioRun = { auth: resolveAuth(scenario.world, scenario.auth), created: [] };
  const earlierSteps: EarlierStep[] = [];
  for (const [index, step] of scenario.steps.entries()) {
    const ctx: StepContext = { rule: scenario.rule, scenario: `${scenario.name} step ${index}`, world: scenario.world };
    const { failures: found, sent } = await runStep(session, scenario, run, step, ctx);
    failures.push(...found.map((f) => withReproduction(f, setup, earlierSteps)));
    earlierSteps.push(...sent.map((curl) => ({ step: index, curl })));
  }
  await session.setState(scenario.name, scenario.world, "teardown");
  return result;
}

/**
 * Sets up the world of a check; answers the failure to report when that is not possible. When the provider has no
 * usable state-setup endpoint the failure names no request: the run prints once what a provider must implement.
 */
export async function setUpState(
  session: ProviderSession,
  state: string,
  rule: CheckFailure["rule"],
  world: unknown,
): Promise<CheckFailure | undefined> {
  const problem = await session.setState(state, world, "setup");
  if (problem === undefined) return undefined;
  const setup = problem.unavailable ? undefined : session.setupCurl(state, world);
  return {
    rule: problem.transport && !problem.unavailable ? "envelope" : rule,
    scenario: state,
    pointer: "(state setup)",
    expected: "the provider accepts the world",
    actual: problem.unavailable ? `not run: ${STATE_SETUP_UNAVAILABLE}` : problem.reason,
    // The state-setup request is the one that failed.
    ...(setup !== undefined ? { curl: setup } : {}),
  };
}

/** How a check that needs a provider state reads when the provider has no state-setup endpoint. */
const STATE_SETUP_UNAVAILABLE = "the provider's state-setup endpoint is not available (see the note above)";

/** True for a check that could not run because the provider has no usable state-setup endpoint. */
export function isBlockedByStateSetup(check: CheckResult): boolean {
  return check.failures.length > 0 && check.failures.every((f) => f.actual === `not run: ${STATE_SETUP_UNAVAILABLE}`);
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
  ctx: StepContext,
): Promise<{ failures: CheckFailure[]; sent: string[] }> {
  const { auth, created } = run;
  if (step.kind === "create") {
    const outcome = await checkCreate(session, ctx, {
      body: { ...auth, ...step.body },
      expectCode: step.expectCode,
      ...(step.expectMessage !== undefined ? { expectMessage: step.expectMessage } : {}),
      ...(step.expectPermission !== undefined ? { expectPermission: step.expectPermission } : {}),
      ...(step.expectProcesses !== undefined ? { expectProcesses: step.expectProcesses } : {}),
    });
    created.push(outcome.ids);
    return { failures: outcome.failures, sent: [outcome.curl] };
  }
  const createStep = step.kind === "list" ? undefined : scenario.steps[step.createStep];
  const bizId = createStep?.kind === "create" ? createStep.body.bk_biz_id : undefined;
  if (step.kind === "delete-created") {
    const ids = created[step.createStep] ?? [];
    if (ids.length === 0) return { failures: [], sent: [] };
    const body = { ...auth, bk_biz_id: bizId, service_instance_ids: ids };
    const outcome = await sendStep(session, ctx, {
      operation: "deleteServiceInstance",
      body,
      expectCode: step.expectCode,
    });
    return { failures: outcome.failures, sent: [outcome.curl] };
  }
  const failures: CheckFailure[] = [];
  if (step.kind === "list") {
    const outcome = await sendStep(session, ctx, { operation: "listProcessInstance", body: { ...auth, ...step.body } });
    return { failures: outcome.failures, sent: [] };
  }
  for (const id of created[step.createStep] ?? []) {
    const read = await observeProcesses(session, ctx, { auth, bizId, serviceInstanceId: id });
    failures.push(...read.failures);
    if (read.processes !== undefined && read.processes.length > 0) {
      failures.push({
        rule: scenario.rule,
        scenario: ctx.scenario,
        pointer: `${read.place} /data`,
        expected: "no process: the instance must not exist",
        actual: `${read.processes.length} process(es)`,
        curl: session.curlOf(
          "listProcessInstance",
          { ...auth, bk_biz_id: bizId, service_instance_id: id },
          scenario.world,
        ),
      });
    }
  }
  // Reads change nothing: a later step does not need them to be sent again.
  return { failures, sent: [] };
}
