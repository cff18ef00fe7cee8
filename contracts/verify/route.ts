import type { OpenApiDocument } from "../../spec/load-spec.ts";
import {
  CREDENTIAL_FIELDS,
  GATEWAY_AUTH_HEADER,
  GATEWAY_PREFIX,
  GATEWAY_REQUEST_ID_HEADER,
  OPERATION_IDS,
  type OperationId,
  type OperationRoute,
  ROUTES,
  type Route,
  readOperationRoutes,
} from "../../spec/operations.ts";
import { matchesTemplate } from "../shared/pact-format.ts";
import {
  checkEnvelopeShape,
  type EnvelopeContext,
  type EnvelopeProblem,
  type EnvelopeShape,
  ESB_ENVELOPE,
} from "./envelope.ts";
import type { HttpExchange } from "./http.ts";
import { APIGW_PROVIDER } from "./pacts.ts";
import { formatCurl, placeholdersOf, redactBody } from "./secrets.ts";
import { showValue } from "./values.ts";

// The one place where the two front doors differ: paths, where the credentials travel, and how an answer is read.
// Every runner builds ESB-style bodies (the common args inside); the front door turns them into the request its
// route sends, and turns the answer back into the envelope the checks read ({result, code, message, permission,
// data}). Business logic never asks which route it is on.

export { GATEWAY_AUTH_HEADER, ROUTES, type Route };

/** The provider name of each route's pacts (the gateway variant is a provider of its own). */
export const PROVIDER_NAMES: Readonly<Record<Route, string>> = { esb: "bk-cmdb", apigw: APIGW_PROVIDER };

/** The gateway stage `verify --stage` defaults to. */
export const DEFAULT_STAGE = "prod";

/**
 * The ESB's own answers (cmdb-semantics §4.4, ESB-layer codes) and what the gateway answers in their place: a refused
 * app (§5), an unknown path, a rate limit.
 */
const FRONT_DOOR_REFUSALS: Readonly<Record<number, number>> = { 1306406: 1640001, 1306404: 1640401, 1306429: 1642902 };

/** One request as a route sends it. */
export interface RouteRequest {
  method: "POST" | "DELETE";
  url: string;
  /** Extra request headers (the gateway credentials); never printed as they are: see {@link FrontDoor.curlOf}. */
  headers: Record<string, string>;
  body: unknown;
}

/** An answer of the API gateway itself (non-200 with `code_name`, spec schema `GatewayError`), not of CMDB. */
export interface GatewayAnswer {
  status: number;
  code: unknown;
  codeName: string;
  message: unknown;
}

/** An answer as the checks read it. */
export interface RouteAnswer {
  /** The envelope with the ESB's key names (`code`, `message`), when the answer was CMDB's JSON object. */
  envelope?: Record<string, unknown>;
  /** Set when the gateway answered in CMDB's place. */
  gateway?: GatewayAnswer;
}

const NATIVE_SHAPE: EnvelopeShape = {
  name: "CMDB's native envelope",
  codeKey: "bk_error_code",
  messageKey: "bk_error_msg",
  keys: ["result", "bk_error_code", "bk_error_msg", "permission", "data"],
};
// The gateway docs show ESB-style `code`/`message` on this route; which body callers see is UNCONFIRMED (§4.3).
const GATEWAY_DOCS_SHAPE: EnvelopeShape = {
  name: "the ESB-style body of the gateway docs",
  codeKey: "code",
  messageKey: "message",
  keys: ["result", "code", "message", "permission", "data"],
};

/** How the lenient reading of an UNCONFIRMED gateway body is reported (once per run). */
export const GATEWAY_DOCS_BODY_NOTE =
  "lenient: the provider answers the gateway route with the ESB-style code/message body the gateway docs show, " +
  "not CMDB's native bk_error_code/bk_error_msg; which one a gateway caller sees is UNCONFIRMED (cmdb-semantics " +
  "§4.3), so both are accepted and checked with the same rules";

/**
 * One route to a provider: where each operation lives, how a request carries its credentials, and how an answer is
 * read and checked.
 * @see cmdb-semantics §4.2 (ESB body), §4.3 (gateway body), §5 (where the credentials travel)
 */
export class FrontDoor {
  /** True once an answer was read in the lenient, UNCONFIRMED shape (see {@link GATEWAY_DOCS_BODY_NOTE}). */
  usedGatewayDocsBody = false;
  private readonly prefix: string;

  constructor(
    readonly route: Route,
    readonly stage: string,
    private readonly routes: Readonly<Record<OperationId, OperationRoute>>,
  ) {
    this.prefix = route === "apigw" ? `${GATEWAY_PREFIX}${encodeURIComponent(stage)}` : "";
  }

  /** The front door of a route, with the operations' paths read from the spec. */
  static of(document: OpenApiDocument, route: Route, stage: string = DEFAULT_STAGE): FrontDoor {
    return new FrontDoor(route, stage, readOperationRoutes(document, route));
  }

  /** How the report names the route, e.g. `API gateway, stage prod`. */
  get label(): string {
    return this.route === "apigw" ? `API gateway, stage ${this.stage}` : "ESB";
  }

  /** The request that calls an operation with an ESB-style body (the common args inside it). */
  requestOf(providerUrl: string, operation: OperationId, body: unknown): RouteRequest {
    const { method, path } = this.routes[operation];
    const verb = method === "delete" ? "DELETE" : "POST";
    if (this.route === "esb") return { method: verb, url: joinUrl(providerUrl, path), headers: {}, body };
    const fields = isObject(body) ? { ...body } : {};
    const credentials: Record<string, unknown> = {};
    for (const key of CREDENTIAL_FIELDS) {
      if (key in fields) {
        credentials[key] = fields[key];
        delete fields[key];
      }
    }
    let filled = path;
    for (const name of path.match(/(?<=\{)[^}]+(?=\})/g) ?? []) {
      // The gateway takes this ID in the path; a body without one asks for ID 0, which CMDB refuses as missing.
      const value = fields[name];
      delete fields[name];
      const text = value === undefined ? "0" : typeof value === "string" ? value : JSON.stringify(value);
      filled = filled.replace(`{${name}}`, encodeURIComponent(text));
    }
    return {
      method: verb,
      url: joinUrl(providerUrl, `${this.prefix}${filled}`),
      headers: { [GATEWAY_AUTH_HEADER]: JSON.stringify(credentials) },
      body: isObject(body) ? fields : body,
    };
  }

  /** The URL of a request a pact describes (its path relative to the route's stage). */
  urlOfPactPath(providerUrl: string, path: string): string {
    return joinUrl(providerUrl, `${this.prefix}${path}`);
  }

  /** The operation a request path names (stage-relative on the gateway route), if any. */
  operationOfPath(path: string): OperationId | undefined {
    return OPERATION_IDS.find((id) => matchesTemplate(this.routes[id].path, path));
  }

  /** The method of an operation on this route. */
  methodOf(operation: OperationId): "POST" | "DELETE" {
    return this.routes[operation].method === "delete" ? "DELETE" : "POST";
  }

  /** Reads an answer: the gateway's own error, or CMDB's envelope renamed to the ESB's keys. */
  read(exchange: HttpExchange): RouteAnswer {
    if (!exchange.ok || !isObject(exchange.json)) return {};
    const json = exchange.json;
    if (this.route === "esb") return { envelope: json };
    if (exchange.status !== 200 && typeof json.code_name === "string") {
      return { gateway: { status: exchange.status, code: json.code, codeName: json.code_name, message: json.message } };
    }
    if (this.shapeOf(json) === GATEWAY_DOCS_SHAPE) return { envelope: json };
    const { bk_error_code: code, bk_error_msg: message, ...rest } = json;
    return { envelope: { ...rest, code, message } };
  }

  /**
   * Checks an answer against the envelope rules of its route (cmdb-semantics §4.2 / §4.3), or reports a gateway
   * answer as the gateway's (unless the step expects that gateway code in place of an ESB refusal).
   */
  checkAnswer(exchange: HttpExchange, context: EnvelopeContext = {}): EnvelopeProblem[] {
    if (this.route === "esb" || !exchange.ok || !isObject(exchange.json)) {
      return checkEnvelopeShape(exchange, this.route === "esb" ? ESB_ENVELOPE : NATIVE_SHAPE, context);
    }
    const gateway = this.read(exchange).gateway;
    if (gateway !== undefined) {
      if (context.gatewayCodes?.includes(gateway.code as number)) return [];
      return [
        {
          gateway: true,
          pointer: "(gateway)",
          expected: "CMDB's answer (HTTP 200, the native envelope)",
          actual: describeGatewayAnswer(gateway),
        },
      ];
    }
    const shape = this.shapeOf(exchange.json);
    if (shape === GATEWAY_DOCS_SHAPE) this.usedGatewayDocsBody = true;
    const problems = checkEnvelopeShape(exchange, shape, context);
    // The native body has no request_id: the gateway's request ID travels in a header (cmdb-semantics §4.1, §5).
    if (!exchange.headers[GATEWAY_REQUEST_ID_HEADER.toLowerCase()]) {
      problems.push({
        pointer: `header ${GATEWAY_REQUEST_ID_HEADER}`,
        expected: "the gateway's request ID",
        actual: "(absent)",
      });
    }
    return problems;
  }

  /** The gateway codes a step accepts in place of the ESB codes it expects (none on the ESB route). */
  gatewayCodesFor(codes: readonly unknown[]): number[] {
    if (this.route === "esb") return [];
    return codes.flatMap((code) =>
      typeof code === "number" && code in FRONT_DOOR_REFUSALS ? [FRONT_DOOR_REFUSALS[code] as number] : [],
    );
  }

  /**
   * A `curl` line that sends a request again, every secret a placeholder; on the gateway route the credentials go in
   * the `X-Bkapi-Authorization` header, redacted like a body.
   */
  curlOf(request: RouteRequest, world?: unknown): string {
    const table = placeholdersOf(world);
    const headers = Object.entries(request.headers).map(
      ([name, value]) => `${name}: ${redactHeaderValue(value, table)}`,
    );
    return formatCurl(request.url, request.body, world, headers, request.method);
  }

  private shapeOf(json: Record<string, unknown>): EnvelopeShape {
    return !Object.hasOwn(json, "bk_error_code") && Object.hasOwn(json, "code") ? GATEWAY_DOCS_SHAPE : NATIVE_SHAPE;
  }
}

/** How a report words an answer of the gateway itself, e.g. `gateway answered 400 1640001 INVALID_ARGS (…)`. */
export function describeGatewayAnswer(answer: GatewayAnswer): string {
  return `gateway answered ${answer.status} ${showValue(answer.code)} ${answer.codeName} (${showValue(answer.message ?? "no message", 100)})`;
}

/** A header value with the secrets of a JSON-in-header credential (`X-Bkapi-Authorization`) as placeholders. */
export function redactHeaderValue(value: string, table: ReturnType<typeof placeholdersOf>): string {
  try {
    const parsed: unknown = JSON.parse(value);
    if (isObject(parsed)) return JSON.stringify(redactBody(parsed, table));
  } catch {
    // Not JSON: printed as it is (it carries no credential field), redacted with the rest of the report.
  }
  return value;
}

/** Joins a base URL (with or without a trailing slash or a path) and an absolute path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
