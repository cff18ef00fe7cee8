import type { OpenApiDocument } from "../../spec/load-spec.ts";
import { checkEnvelope, type EnvelopeContext } from "./envelope.ts";
import { type HttpExchange, type HttpLimits, postJson } from "./http.ts";
import type { CheckFailure } from "./report.ts";
import { formatCurl } from "./secrets.ts";

/** The four operations the checks call, by the spec's operationId. */
export type OperationId = "createServiceInstance" | "listProcessInstance" | "getProcTemplate" | "deleteServiceInstance";

/** Where the provider is and how requests to it are bounded. */
export interface ProviderTarget {
  providerUrl: string;
  /** The state-setup URL (DESIGN.md "Provider states"); absent in live mode. */
  stateSetupUrl?: string;
  /** The state-setup URL's bearer token, sent with each request to it. */
  stateToken?: string;
  limits: HttpLimits;
}

/** After this many transport failures in a row the provider is treated as down and requests fail without waiting. */
export const TRANSPORT_FAILURES_BEFORE_GIVING_UP = 2;

/**
 * One verify run's connection to a provider: sends requests, checks the envelope of every response, counts them,
 * and stops waiting on a provider that keeps hanging or resetting.
 */
export class ProviderSession {
  responsesChecked = 0;
  /**
   * The world of the provider state last set up (undefined after a teardown and in live mode): the `curl` lines of
   * failures name its secrets with the placeholders of the matching `setup` line.
   */
  stateWorld: unknown;
  private consecutiveTransportFailures = 0;
  /** The route of each operation, from the spec. */
  readonly paths: Record<OperationId, string>;

  constructor(
    readonly target: ProviderTarget,
    document: OpenApiDocument,
  ) {
    this.paths = readOperationPaths(document);
  }

  /** The full URL of an operation at this provider. */
  urlOf(operation: OperationId): string {
    return joinUrl(this.target.providerUrl, this.paths[operation]);
  }

  /** POSTs to a URL unless the provider has been given up on; transport failures are counted. */
  async post(url: string, body: unknown): Promise<HttpExchange> {
    if (this.consecutiveTransportFailures >= TRANSPORT_FAILURES_BEFORE_GIVING_UP) {
      return {
        ok: false,
        url,
        requestBody: body,
        kind: "error",
        reason: `not sent: the provider failed ${TRANSPORT_FAILURES_BEFORE_GIVING_UP} requests in a row at the transport level`,
      };
    }
    const { stateSetupUrl, stateToken } = this.target;
    const headers = stateToken !== undefined && url === stateSetupUrl ? { authorization: `Bearer ${stateToken}` } : {};
    const exchange = await postJson(url, body, this.target.limits, headers);
    this.consecutiveTransportFailures = exchange.ok ? 0 : this.consecutiveTransportFailures + 1;
    return exchange;
  }

  /** Calls an operation and answers the exchange plus the envelope failures of its response. */
  async call(
    operation: OperationId,
    body: unknown,
    scenario: string,
    context: EnvelopeContext = {},
  ): Promise<{ exchange: HttpExchange; failures: CheckFailure[] }> {
    const url = this.urlOf(operation);
    const exchange = await this.post(url, body);
    this.responsesChecked += 1;
    const failures = checkEnvelope(exchange, context).map(
      (p): CheckFailure => ({
        rule: "envelope",
        scenario: `${scenario} (${operation})`,
        pointer: p.pointer,
        expected: p.expected,
        actual: p.actual,
        curl: formatCurl(url, body, this.stateWorld),
      }),
    );
    return { exchange, failures };
  }

  /** Runs the state-setup protocol; answers why it failed (a transport failure or a refusal), or undefined. */
  async setState(state: string, world: unknown, action: "setup" | "teardown"): Promise<StateSetupProblem | undefined> {
    if (this.target.stateSetupUrl === undefined) return { transport: false, reason: "no state-setup URL" };
    this.stateWorld = action === "setup" ? world : undefined;
    const exchange = await this.post(this.target.stateSetupUrl, stateSetupBody(state, world, action));
    if (!exchange.ok) return { transport: true, reason: `state ${action} failed: ${exchange.reason}` };
    if (exchange.status < 200 || exchange.status > 299) {
      const excerpt = exchange.text.replace(/\s+/g, " ").slice(0, 120);
      return { transport: false, reason: `state ${action} answered HTTP ${exchange.status}: ${excerpt}` };
    }
    return undefined;
  }

  /**
   * The `setup` line of a failure: a `curl` that POSTs the state-setup body this session sends for the state, with
   * the world's secrets as placeholders; undefined without a state-setup URL (live mode).
   * @see DESIGN.md "Provider states"
   */
  setupCurl(state: string, world: unknown): string | undefined {
    if (this.target.stateSetupUrl === undefined) return undefined;
    return formatCurl(this.target.stateSetupUrl, stateSetupBody(state, world, "setup"), world);
  }
}

/** The body of the state-setup protocol (DESIGN.md "Provider states"): `{ state, params: { world }, action }`. */
export function stateSetupBody(
  state: string,
  world: unknown,
  action: "setup" | "teardown",
): { state: string; params: { world: unknown }; action: "setup" | "teardown" } {
  return { state, params: { world }, action };
}

/** Why a state setup failed: no usable HTTP answer (`transport`, an envelope-level failure) or a refusal. */
export interface StateSetupProblem {
  transport: boolean;
  reason: string;
}

/**
 * Reads the route of each operation from the spec's `paths` by operationId.
 * @throws Error when an operation the checks need is missing from the spec.
 */
export function readOperationPaths(document: OpenApiDocument): Record<OperationId, string> {
  const found: Partial<Record<OperationId, string>> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      const id = (operation as { operationId?: string } | null)?.operationId;
      if (id !== undefined) found[id as OperationId] = path;
    }
  }
  const needed: OperationId[] = [
    "createServiceInstance",
    "listProcessInstance",
    "getProcTemplate",
    "deleteServiceInstance",
  ];
  const missing = needed.filter((id) => found[id] === undefined);
  if (missing.length > 0) throw new Error(`spec paths: no operation ${missing.join(", ")}`);
  return found as Record<OperationId, string>;
}

/** Joins a base URL (with or without a trailing slash or a path) and an absolute path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
