import fc from "fast-check";
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import type { OperationId } from "../../spec/operations.ts";
import { defaultAuth, type World } from "../shared/worlds.ts";
import { setUpState } from "./fixtures.ts";
import { type FuzzCase, fuzzCaseArbitrary, LIVE_SAFE_CLASSES, MUTATION_CLASSES } from "./fuzz-cases.ts";
import type { CheckFailure, CheckResult, RuleGroup } from "./report.ts";
import { withReproduction } from "./report.ts";
import type { ProviderSession } from "./session.ts";
import { observeProcesses, sendStep } from "./step.ts";
import { showValue } from "./values.ts";

// Negative input nobody wrote down: the cases of fuzz-cases.ts sent to the provider. Every answer must keep the envelope and carry a code the spec lists for
// the operation; after a rejected create the world must be unchanged, confirmed by reading back.

/** Options of {@link runFuzzCheck}. */
export interface FuzzOptions {
  runs: number;
  seed: number;
  /** The error codes the spec lists per operation (`x-cmdb-error-codes`). */
  listedCodes: ReadonlyMap<OperationId, ReadonlySet<number>>;
  /**
   * Live mode: a real CMDB whose state cannot be set up. Only {@link LIVE_SAFE_CLASSES} run, every create must be
   * rejected, and the IDs of any create that was not are collected here for deletion.
   */
  live?: { created: number[]; auth: Record<string, string> };
  onProgress?: (note: string) => void;
}

/**
 * The fuzz phase: for each mutation class, cases from {@link fuzzCaseArbitrary} sent against a fresh world, each
 * answer checked; a failing case is shrunk by fast-check to a minimal request and reported with the seed, its
 * `setup` and `reproduce` lines. Answers one check per mutation class.
 */
export async function runFuzzCheck(
  session: ProviderSession,
  document: OpenApiDocument,
  world: World,
  options: FuzzOptions,
): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  if (options.live === undefined && session.stateSetupUnavailable !== undefined) {
    // Every case needs a world: one failure says why none ran, instead of one per class.
    const blocked = await setUpState(session, "fuzz phase", "business-rules", world);
    return [{ source: "fuzz", name: "fuzz phase", rule: "business-rules", failures: blocked ? [blocked] : [] }];
  }
  const classes = options.live ? LIVE_SAFE_CLASSES : MUTATION_CLASSES;
  const perClass = Math.max(1, Math.ceil(options.runs / classes.length));
  for (const [index, kind] of classes.entries()) {
    const seen = new Map<string, CheckFailure[]>();
    const run = async (c: FuzzCase): Promise<boolean> => {
      const failures = await runCase(session, world, c, options);
      seen.set(JSON.stringify(c), failures);
      return failures.length === 0;
    };
    const arbitrary = fuzzCaseArbitrary(document, world, kind, options.live !== undefined);
    const outcome = await fc.check(fc.asyncProperty(arbitrary, run), {
      numRuns: perClass,
      seed: options.seed + index,
    });
    const counterexample = outcome.counterexample?.[0];
    const found = counterexample === undefined ? [] : (seen.get(JSON.stringify(counterexample)) ?? []);
    const note =
      counterexample === undefined
        ? ""
        : ` (shrunk after ${outcome.numShrinks} steps, seed ${options.seed + index}: ${counterexample.mutation})`;
    checks.push({
      source: "fuzz",
      name: `${kind}: ${outcome.numRuns} case(s)${note}`,
      rule: found.map((f) => f.rule).find((r): r is RuleGroup => r !== "gateway") ?? "business-rules",
      failures: found,
    });
    options.onProgress?.(`fuzz [${index + 1}/${classes.length}] ${kind}`);
  }
  return checks;
}

async function runCase(
  session: ProviderSession,
  world: World,
  c: FuzzCase,
  options: FuzzOptions,
): Promise<CheckFailure[]> {
  const { listedCodes, live } = options;
  const scenario = `fuzz ${c.operation}: ${c.mutation}`;
  const setupProblem = live ? undefined : await setUpState(session, scenario, "business-rules", world);
  if (setupProblem !== undefined) return [setupProblem];
  const ctx = { rule: "business-rules" as const, scenario, world };
  const body = { ...(live?.auth ?? defaultAuth(world)), ...c.body };
  const instances = Array.isArray(c.body.instances) ? c.body.instances.length : undefined;
  const step = await sendStep(session, ctx, {
    operation: c.operation,
    body,
    ...(c.operation === "createServiceInstance" && instances !== undefined
      ? { envelope: { createdInstances: instances } }
      : {}),
  });
  const failures = [...step.failures];
  const envelope = step.envelope;
  if (envelope === undefined && failures.length === 0) {
    failures.push({
      rule: "envelope",
      scenario,
      pointer: "(body)",
      expected: "an envelope",
      actual: "no JSON object",
      curl: step.curl,
    });
  }
  const code = envelope?.code;
  if (envelope !== undefined && typeof code === "number" && code !== 0 && !listedCodes.get(c.operation)?.has(code)) {
    failures.push({
      rule: "business-rules",
      scenario,
      pointer: "/code",
      expected: `a code x-cmdb-error-codes lists for ${c.operation}`,
      actual: `${code} (${showValue(envelope.message, 80)})`,
      curl: step.curl,
    });
  }
  if (live !== undefined) {
    const ids = envelope?.result === true && Array.isArray(envelope.data) ? (envelope.data as unknown[]) : [];
    live.created.push(...ids.filter((id): id is number => Number.isSafeInteger(id)));
    if (envelope?.result === true) {
      failures.push({
        rule: "business-rules",
        scenario,
        pointer: "/code",
        expected: "a rejection (the body is invalid before anything is written)",
        actual: `0: created ${showValue(envelope.data, 60)} (deleted again at the end of the run)`,
        curl: step.curl,
      });
    }
    // No world was set up: there is no setup line, and no ID known in advance to read back.
    return failures;
  }
  if (c.operation === "createServiceInstance" && envelope?.result === false) {
    // Nothing may have been created: the IDs the world hands out next hold no processes.
    const next = ((world.next_ids as { service_instance?: number } | undefined)?.service_instance ?? 1) as number;
    for (let id = next; id < next + Math.min(instances ?? 1, 3); id++) {
      const read = await observeProcesses(session, ctx, {
        auth: defaultAuth(world),
        bizId: c.bizId,
        serviceInstanceId: id,
      });
      failures.push(...read.failures);
      if (read.processes !== undefined && read.processes.length > 0) {
        failures.push({
          rule: "business-rules",
          scenario,
          pointer: `${read.place} /data`,
          expected: "no process: a rejected create changes nothing",
          actual: `${read.processes.length} process(es)`,
          curl: step.curl,
        });
      }
    }
  }
  return failures.map((f) => withReproduction(f, session.setupCurl(scenario, world)));
}
