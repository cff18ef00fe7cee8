import fc from "fast-check";
import { defaultAuth, type World } from "../shared/worlds.ts";
import { setUpState } from "./fixtures.ts";
import { expectedOutcome, type PropertyCase, propertyCaseArbitrary } from "./property-cases.ts";
import type { CheckFailure, CheckResult } from "./report.ts";
import { withReproduction } from "./report.ts";
import type { ProviderSession } from "./session.ts";
import { checkCreate } from "./step.ts";
import type { LockRules } from "./template-lock.ts";

/** How many random templates `verify` tries by default (a few hundred requests on loopback). */
export const DEFAULT_PROPERTY_RUNS = 100;

/** The fixed seed that makes the property-based check, and so the report, the same on every run. */
export const DEFAULT_PROPERTY_SEED = 20_260_528;

/** Options of {@link runPropertyCheck}. */
export interface PropertyOptions {
  runs: number;
  seed: number;
  onProgress?: (note: string) => void;
}

/**
 * The property-based lock check: for random templates and random `process_info`, creates through the provider, reads
 * back with `list_process_instance` and compares with {@link applyTemplateLock}, an implementation of the lock rules
 * written independently of the provider. Stops at the first failing case and reports it with its `setup` (the
 * generated world) and `curl` lines.
 * @see cmdb-semantics §2.1, §2.2
 */
export async function runPropertyCheck(
  session: ProviderSession,
  rules: LockRules,
  options: PropertyOptions,
  baseWorld: World,
): Promise<CheckResult> {
  const name = `template lock of ${options.runs} random templates, locks and process_info (seed ${options.seed})`;
  const cases = fc.sample(propertyCaseArbitrary(rules, baseWorld), {
    numRuns: options.runs,
    seed: options.seed,
  });
  const failures: CheckFailure[] = [];
  for (const [index, sample] of cases.entries()) {
    const label = `property case ${index + 1}/${cases.length}`;
    failures.push(...(await runCase(session, rules, sample, label)));
    if ((index + 1) % 20 === 0 || index + 1 === cases.length)
      options.onProgress?.(`property [${index + 1}/${cases.length}]`);
    if (failures.length > 0) break;
  }
  return { source: "property", name, rule: "template-lock", failures };
}

async function runCase(
  session: ProviderSession,
  rules: LockRules,
  sample: PropertyCase,
  label: string,
): Promise<CheckFailure[]> {
  const setupProblem = await setUpState(session, label, "template-lock", sample.world);
  if (setupProblem !== undefined) return [setupProblem];
  const expected = expectedOutcome(rules, sample);
  const outcome = await checkCreate(
    session,
    { rule: "template-lock", scenario: label, world: sample.world },
    {
      body: { ...defaultAuth(sample.world), ...sample.body },
      expectCode: expected.code,
      expectLabel:
        expected.code === 0
          ? "0 (every generated value is valid)"
          : `${expected.code} (the process model rejects an updated process)`,
      ...(expected.code === 0 ? { expectProcesses: [expected.processes] } : {}),
    },
  );
  await session.setState(label, sample.world, "teardown");
  // The generated world is in the setup line: the case needs nothing else to be reproduced.
  const setup = session.setupCurl(label, sample.world);
  return outcome.failures.map((f) => withReproduction(f, setup));
}
