import type { OperationId } from "../../spec/operations.ts";
import type { World } from "../shared/worlds.ts";
import type { EnvelopeContext } from "./envelope.ts";
import { type HttpExchange, type HttpLimits, postJson } from "./http.ts";
import type { CheckFailure } from "./report.ts";
import { type FrontDoor, joinUrl, type RouteAnswer, type RouteRequest } from "./route.ts";
import { formatCurl } from "./secrets.ts";

export { joinUrl };

/** Where the provider is and how requests to it are bounded. */
export interface ProviderTarget {
  providerUrl: string;
  /** The state-setup URL (DESIGN.md "Provider states"); absent in live mode. */
  stateSetupUrl?: string;
  /** Sent as `Authorization: Bearer …` with every state-setup request (`serve --state-token`). */
  stateToken?: string;
  limits: HttpLimits;
}

/**
 * After this many transport failures in a row (hangs, resets, refusals) the provider is treated as down and the
 * remaining requests fail at once. Operations and state setups are counted apart, so state setups that succeed in
 * between do not reset the count: a provider that hangs on every ESB call but answers its state endpoint still
 * costs at most this many waits.
 */
export const TRANSPORT_FAILURES_BEFORE_GIVING_UP = 2;

/** Why a state setup failed: no usable answer, a refusal of the world, or no state-setup endpoint at all. */
export interface StateSetupProblem {
  /** No usable HTTP answer (an envelope-level failure). */
  transport: boolean;
  /** The endpoint is missing (404/405) or unreachable: every later setup fails the same way, without a request. */
  unavailable: boolean;
  reason: string;
}

/**
 * One verify run's connection to a provider: sends requests, checks the envelope of every response, counts them,
 * runs the state-setup protocol, and stops waiting on a provider that keeps hanging or resetting.
 */
export class ProviderSession {
  /** How many HTTP answers of operations the envelope check saw. */
  responsesChecked = 0;
  /** How many requests were not sent because the provider had been given up on. */
  requestsNotSent = 0;
  /** Set once the state-setup endpoint proved missing or unreachable; later setups fail at once with it. */
  stateSetupUnavailable: StateSetupProblem | undefined;
  private readonly consecutiveTransportFailures = { operation: 0, state: 0 };

  constructor(
    readonly target: ProviderTarget,
    /** The route every operation is called over (paths, credentials, envelope). */
    readonly door: FrontDoor,
    private readonly options: { checkEnvelope: boolean } = { checkEnvelope: true },
  ) {}

  /** The request that calls an operation at this provider with an ESB-style body (common args inside). */
  requestOf(operation: OperationId, body: unknown): RouteRequest {
    return this.door.requestOf(this.target.providerUrl, operation, body);
  }

  /** The `curl` line of an operation call, secrets as the placeholders of `world`'s setup line. */
  curlOf(operation: OperationId, body: unknown, world?: World): string {
    return this.door.curlOf(this.requestOf(operation, body), world);
  }

  /** True once the provider's operations failed {@link TRANSPORT_FAILURES_BEFORE_GIVING_UP} times in a row. */
  get givenUp(): boolean {
    return this.consecutiveTransportFailures.operation >= TRANSPORT_FAILURES_BEFORE_GIVING_UP;
  }

  /**
   * POSTs to a URL unless requests of this kind (operations, or state setups) have been given up on: after
   * {@link TRANSPORT_FAILURES_BEFORE_GIVING_UP} transport failures of the kind in a row, only an answer of the same
   * kind could reset the count, so none is waited for again.
   */
  async post(
    url: string,
    body: unknown,
    kind: "operation" | "state" = "operation",
    headers: Record<string, string> = {},
    method: "POST" | "DELETE" = "POST",
  ): Promise<HttpExchange> {
    if (this.consecutiveTransportFailures[kind] >= TRANSPORT_FAILURES_BEFORE_GIVING_UP) {
      this.requestsNotSent += 1;
      return {
        ok: false,
        url,
        requestBody: body,
        kind: "error",
        reason: `not sent: the provider failed ${TRANSPORT_FAILURES_BEFORE_GIVING_UP} requests in a row at the transport level`,
      };
    }
    const exchange = await postJson(url, body, this.target.limits, headers, method);
    this.consecutiveTransportFailures[kind] = exchange.ok ? 0 : this.consecutiveTransportFailures[kind] + 1;
    return exchange;
  }

  /**
   * Calls an operation and answers the exchange, the answer as the checks read it, and the envelope failures of its
   * response (none when the run skips the envelope rule); `world` names the secrets of the `curl` lines by placeholder.
   */
  async call(
    operation: OperationId,
    body: unknown,
    scenario: string,
    context: EnvelopeContext = {},
    world?: World,
  ): Promise<{ exchange: HttpExchange; answer: RouteAnswer; failures: CheckFailure[] }> {
    return this.send(this.requestOf(operation, body), `${scenario} (${operation})`, context, world);
  }

  /**
   * Sends a request a pact describes (method, stage-relative path, its headers and body) to this provider over the
   * run's route, checked like {@link call}.
   */
  async relay(
    request: { method: "POST" | "DELETE"; path: string; headers: Record<string, string>; body: unknown },
    scenario: string,
    context: EnvelopeContext = {},
    world?: World,
  ): Promise<{ exchange: HttpExchange; answer: RouteAnswer; failures: CheckFailure[] }> {
    const url = this.door.urlOfPactPath(this.target.providerUrl, request.path);
    return this.send({ ...request, url }, scenario, context, world);
  }

  private async send(
    request: RouteRequest,
    scenario: string,
    context: EnvelopeContext,
    world: World | undefined,
  ): Promise<{ exchange: HttpExchange; answer: RouteAnswer; failures: CheckFailure[] }> {
    const exchange = await this.post(request.url, request.body, "operation", request.headers, request.method);
    if (exchange.ok) this.responsesChecked += 1;
    const answer = this.door.read(exchange);
    if (!this.options.checkEnvelope && answer.gateway === undefined) return { exchange, answer, failures: [] };
    const failures = this.door.checkAnswer(exchange, context).map(
      (p): CheckFailure => ({
        rule: p.gateway ? "gateway" : "envelope",
        scenario,
        pointer: p.pointer,
        expected: p.expected,
        actual: p.actual,
        curl: this.door.curlOf(request, world),
      }),
    );
    return {
      exchange,
      answer,
      failures: this.options.checkEnvelope ? failures : failures.filter((f) => f.rule === "gateway"),
    };
  }

  /** Sends one state-setup body as it is (the Pact verifier's, relayed) and answers the exchange. */
  async relayState(body: unknown): Promise<HttpExchange> {
    const url = this.target.stateSetupUrl;
    if (url === undefined) {
      return { ok: false, url: "", requestBody: body, kind: "error", reason: "no state-setup URL" };
    }
    if (this.stateSetupUnavailable !== undefined) {
      return { ok: false, url, requestBody: body, kind: "error", reason: this.stateSetupUnavailable.reason };
    }
    return this.post(url, body, "state", this.stateHeaders());
  }

  /** Runs the state-setup protocol; answers why it failed, or undefined. */
  async setState(state: string, world: unknown, action: "setup" | "teardown"): Promise<StateSetupProblem | undefined> {
    const url = this.target.stateSetupUrl;
    if (url === undefined) return { transport: false, unavailable: true, reason: "no state-setup URL" };
    if (this.stateSetupUnavailable !== undefined) return this.stateSetupUnavailable;
    const exchange = await this.post(url, stateSetupBody(state, world, action), "state", this.stateHeaders());
    if (!exchange.ok) {
      const problem = { transport: true, unavailable: false, reason: `state ${action} failed: ${exchange.reason}` };
      // An endpoint that cannot even be reached will not be reached by the next scenario either.
      if (exchange.kind === "refused") this.stateSetupUnavailable = { ...problem, unavailable: true };
      return this.stateSetupUnavailable ?? problem;
    }
    if (exchange.status >= 200 && exchange.status <= 299) return undefined;
    const excerpt = exchange.text.replace(/\s+/g, " ").slice(0, 120);
    const problem = {
      transport: false,
      unavailable: exchange.status === 404 || exchange.status === 405,
      reason: `state ${action} answered HTTP ${exchange.status}: ${excerpt}`,
    };
    if (problem.unavailable) this.stateSetupUnavailable = problem;
    return problem;
  }

  /**
   * The `setup` line of a failure: a `curl` that POSTs the state-setup body this session sends for the state, with
   * the world's secrets as placeholders; undefined without a state-setup URL (live mode).
   * @see DESIGN.md "Provider states"
   */
  setupCurl(state: string, world: unknown): string | undefined {
    if (this.target.stateSetupUrl === undefined) return undefined;
    const token = this.target.stateToken !== undefined ? ["Authorization: Bearer <STATE_TOKEN>"] : [];
    return formatCurl(this.target.stateSetupUrl, stateSetupBody(state, world, "setup"), world, token);
  }

  private stateHeaders(): Record<string, string> {
    return this.target.stateToken !== undefined ? { authorization: `Bearer ${this.target.stateToken}` } : {};
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
