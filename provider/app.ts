/**
 * The reference CMDB without the network: turns a request (method, path, headers, body text) into a response
 * (status, headers, body text) over its state. The HTTP server in `server.ts` is a thin shell around it.
 */
import { randomFillSync } from "node:crypto";
import { GATEWAY_AUTH_HEADER, GATEWAY_REQUEST_ID_HEADER } from "../spec/operations.ts";
import { authenticate, authorize, type Permission } from "./auth.ts";
import type { FaultName } from "./faults.ts";
import {
  answerGatewayError,
  authenticateGatewayCaller,
  createRateLimiter,
  GATEWAY_ERRORS,
  type GatewayMatch,
  headerOfStep,
  JWT_NO_USER,
  matchGatewayPath,
  type RateLimiter,
} from "./gateway.ts";
import { type CmdbFailure, COMPONENT_NOT_FOUND, fail, formatMessage, type Language } from "./messages.ts";
import { OPERATIONS, type Operation, type OperationResult } from "./operations.ts";

import { parseRequestJson } from "./request-json.ts";
import { loadProviderSpec, type ProviderSpec } from "./spec-data.ts";
import {
  handleStateRequest,
  refuse as refuseStateRequest,
  type StateAccess,
  type StateStep,
} from "./state-endpoint.ts";
import { type CmdbState, createState, snapshotState } from "./store.ts";
import { parseWorld, type World } from "./world.ts";

// Node reads and the reference writes header names in lower case.
const AUTH_HEADER = GATEWAY_AUTH_HEADER.toLowerCase();
const REQUEST_ID_HEADER = GATEWAY_REQUEST_ID_HEADER.toLowerCase();

/** The ESB prefix of every operation route. */
export const ESB_PREFIX = "/api/c/compapi/v2/cc/";
/** The state-setup route (DESIGN.md "Provider states"). */
export const STATE_SETUP_PATH = "/_cmdb/state";
/** Default body limit: 2 MiB holds 100 instances with long commands; a larger body answers 1199004. */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
/** JSON nested deeper than this answers 1199000 before anything walks it. */
export const MAX_JSON_DEPTH = 64;

/** A request as the core sees it; `body` is undefined when it was larger than the limit. */
export interface CmdbRequest {
  method: string;
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string | undefined;
  /** Where the server listens (host as in a URL, `[…]` for IPv6), for the state endpoint's Host check. */
  listen?: { host: string; port: number };
}

/** A response as the core answers it. */
export interface CmdbResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Options of the core; the clock answers the time of `create_time`/`last_time`. */
export interface ReferenceCmdbOptions {
  world?: World;
  fault?: FaultName;
  stateSetup?: boolean;
  /** Who may call the state endpoint (default: this machine only, no token). */
  stateAccess?: StateAccess;
  /** A browser origin (`http://localhost:5173`) whose pages may call the ESB operations; default none. */
  cors?: string;
  /** The gateway's per-app limit in requests per second (`serve --rate-limit`); default none. */
  rateLimit?: number;
  clock?: () => Date;
}

/** The reference CMDB core: handles requests and exposes its state for tests. */
export interface ReferenceCmdb {
  /** Answers every request; a defect of the reference itself answers 1199998 rather than throwing. */
  handle(request: CmdbRequest): CmdbResponse;
  /** Replaces the whole state with a world (already validated). */
  setWorld(world: World): void;
  /** A deterministic picture of the mutable state, to prove a request changed nothing. */
  snapshot(): unknown;
}

/**
 * Builds the reference CMDB core over a world (an empty one by default).
 * @throws WorldError when `options.world` is invalid.
 */
export function createReferenceCmdb(options: ReferenceCmdbOptions = {}): ReferenceCmdb {
  const spec = loadProviderSpec();
  // The real time is read as a number: a `Date` per request costs more than the rest of reading the clock.
  const clock = options.clock;
  const epochMs = clock ? () => clock().getTime() : Date.now;
  const faults: ReadonlySet<FaultName> = new Set(options.fault ? [options.fault] : []);
  const stateSetup = options.stateSetup ?? true;
  const stateAccess = options.stateAccess ?? {};
  const cors = options.cors;
  const rateLimiter: RateLimiter | undefined =
    options.rateLimit === undefined ? undefined : createRateLimiter(options.rateLimit, epochMs);
  // The state keeps parts of the world; a copy means a caller's later edits to its object change nothing here.
  const load = (world: World): CmdbState => createState(spec, structuredClone(world), formatTime(epochMs()));
  let state = load(parseWorld(options.world ?? {}, "options.world"));
  const setWorld = (world: World): void => {
    state = load(world);
  };
  // Everything behind the front door, shared by both routes: IAM, the operation and its envelope (cmdb-semantics §0).
  const runOperation = (
    op: Operation,
    body: Record<string, unknown>,
    user: string,
    ctx: AnswerContext,
  ): CmdbResponse => {
    const bizId = typeof body.bk_biz_id === "number" && Number.isInteger(body.bk_biz_id) ? body.bk_biz_id : 0;
    const permission = authorize(state, user, op.action, bizId);
    if (permission) return envelope(spec, faults, ctx, failure(fail(9900403)), permission);
    if (faults.has("non-object-entry-500") && op.name === "create_service_instance" && hasNonObjectEntry(body)) {
      return {
        status: 500,
        headers: { "content-type": "text/html" },
        body: "<html><body>500 Internal Server Error</body></html>",
      };
    }
    const result = op.run({ spec, state, faults, now: formatTime(epochMs()), language: ctx.language }, body);
    return envelope(spec, faults, ctx, result, null);
  };
  const answerOperation = (request: CmdbRequest, path: string): CmdbResponse => {
    const name = path.startsWith(ESB_PREFIX)
      ? path.slice(ESB_PREFIX.length, path.endsWith("/") ? -1 : undefined)
      : undefined;
    const operation = name === undefined ? undefined : OPERATIONS.get(name);
    const ctx: AnswerContext = { language: languageOf(request.headers), style: "esb" };
    if (!operation) {
      return envelope(spec, faults, ctx, { ok: false, failure: fail(COMPONENT_NOT_FOUND) }, null, 404);
    }
    if (request.method !== "POST") {
      const unsupported = fail(1306406, `method ${request.method} is not supported; call ${name} with POST`);
      return envelope(spec, faults, ctx, failure(unsupported), null);
    }
    // CMDB keeps number literals and folds field names (cmdb-semantics §1.1): see request-json.ts.
    const body = request.body === undefined ? undefined : parseBody(request.body, parseRequestJson);
    if (!body) return envelope(spec, faults, ctx, failure(fail(body === undefined ? 1199004 : 1199000)), null);
    const user = authenticate(state, body);
    if (!user.ok) return envelope(spec, faults, ctx, failure(user.failure), null);
    return runOperation(operation, body, user.user, ctx);
  };
  // `limited` false: a provider state's setup step, which is the verifier's setup rather than an app's traffic.
  const answerGateway = (request: CmdbRequest, match: GatewayMatch, limited = true): CmdbResponse => {
    const answer = ((): CmdbResponse => {
      if (match.kind === "unknown")
        return answerGatewayError(GATEWAY_ERRORS.apiNotFound, `path=${JSON.stringify(match.path)}`);
      const caller = authenticateGatewayCaller(state, headerOf(request.headers, AUTH_HEADER));
      if (!caller.ok) return answerGatewayError(GATEWAY_ERRORS.invalidArgs, caller.reason);
      const limit = limited ? rateLimiter?.take(caller.appCode) : undefined;
      if (limit && !limit.allowed)
        return answerGatewayError(GATEWAY_ERRORS.rateLimited, `bk_app_code=${caller.appCode}`, limit.headers);
      const response = answerResource(request, match, caller.user);
      if (limit) Object.assign(response.headers, limit.headers);
      return response;
    })();
    answer.headers[REQUEST_ID_HEADER] = nextRequestId();
    return answer;
  };
  // What CMDB answers behind the gateway: the body, the path's ID, the user the gateway forwarded, the operation.
  const answerResource = (
    request: CmdbRequest,
    match: GatewayMatch & { kind: "resource" },
    user: string | undefined,
  ): CmdbResponse => {
    const ctx: AnswerContext = { language: languageOf(request.headers), style: "native" };
    const body = request.body === undefined ? undefined : parseBody(request.body, parseRequestJson);
    if (!body) return envelope(spec, faults, ctx, failure(fail(body === undefined ? 1199004 : 1199000)), null);
    if (match.pathId !== undefined) {
      // The path names the template (cmdb-semantics §6); CMDB reads it from there, not from the body.
      const id = /^\d{1,18}$/.test(match.pathId) ? Number(match.pathId) : Number.NaN;
      if (!Number.isSafeInteger(id)) {
        return envelope(spec, faults, ctx, failure(fail(1199006, "process_template_id")), null);
      }
      for (const key of Object.keys(body)) if (key.toLowerCase() === "process_template_id") delete body[key];
      body.process_template_id = id;
    }
    // userVerifiedRequired is false, so the gateway may forward no user; CMDB's JwtFilter then refuses the JWT
    // ("user is not set"), which surfaces as 1199998 with that text (cmdb-semantics §5, UNCONFIRMED at runtime).
    if (user === undefined) {
      return envelope(spec, faults, ctx, failure({ code: 1199998, args: [], text: JWT_NO_USER }), null);
    }
    return runOperation(OPERATIONS.get(match.resource.operation) as Operation, body, user, ctx);
  };
  // A provider state's setup requests run as any caller's would; the first that fails (or a defect) restores the
  // state before.
  const loadWithSteps = (world: World, steps: readonly StateStep[] = []): string | undefined => {
    const before = state;
    try {
      setWorld(world);
      for (const [n, step] of steps.entries()) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        const request = { method: "POST", path: step.path, headers, body: JSON.stringify(step.body) };
        // A step on a gateway path goes through the gateway edge, with the credentials of headerOfStep.
        const gateway = ["POST", "DELETE"]
          .map((method) => matchGatewayPath(method, step.path))
          .reduce((found, next) => (found?.kind === "resource" ? found : next));
        if (gateway?.kind === "resource") {
          request.method = gateway.resource.method;
          headers[AUTH_HEADER] = headerOfStep(state, step.body);
        }
        const answer = gateway ? answerGateway(request, gateway, false) : answerOperation(request, step.path);
        const json = parseBody(answer.body);
        if (answer.status !== 200 || json?.result !== true) {
          state = before;
          const said = json
            ? `code ${String(json.code ?? json.bk_error_code)}: ${String(json.message ?? json.bk_error_msg)}`
            : `HTTP ${answer.status}`;
          return `params.steps/${n} (${request.method} ${step.path}) failed with ${said}; the state is unchanged`;
        }
      }
      return undefined;
    } catch (error) {
      state = before;
      throw error;
    }
  };
  return {
    setWorld,
    snapshot: () => snapshotState(state),
    handle(request) {
      const query = request.path.indexOf("?");
      const path = query === -1 ? request.path : request.path.slice(0, query);
      const stateRoute = stateSetup && path === STATE_SETUP_PATH;
      const gateway = stateRoute ? undefined : matchGatewayPath(request.method, path);
      try {
        if (stateRoute) {
          return handleStateRequest(request, stateAccess, parseBody, (world, steps) => loadWithSteps(world, steps));
        }
        const origin = cors === undefined ? undefined : headerOf(request.headers, "origin");
        if (request.method === "OPTIONS" && origin !== undefined) return answerPreflight(request, cors, origin);
        const response = gateway ? answerGateway(request, gateway) : answerOperation(request, path);
        if (origin !== undefined && origin === cors) Object.assign(response.headers, corsHeaders(origin));
        return response;
      } catch (error) {
        return answerDefect(spec, request, stateRoute ? "state" : gateway ? "native" : "esb", error);
      }
    },
  };
}

/**
 * A defect of the reference CMDB itself still answers, never a hung connection: 1199998 (cmdb-semantics §4.4) in the
 * envelope of the route asked (the native one with `X-Bkapi-Request-Id` on a gateway path), or HTTP 500 from the
 * state endpoint. A create stages its writes and a state setup restores the state before, so nothing is half done.
 */
function answerDefect(
  spec: ProviderSpec,
  request: CmdbRequest,
  route: "state" | AnswerContext["style"],
  error: unknown,
): CmdbResponse {
  const text = `Unknown or unrecognized error: ${error instanceof Error ? error.message : String(error)}`;
  if (route === "state") return refuseStateRequest(500, text);
  const ctx: AnswerContext = { language: languageOf(request.headers), style: route };
  const response = envelope(spec, NO_FAULTS, ctx, failure({ code: 1199998, args: [], text }), null);
  if (route === "native") response.headers[REQUEST_ID_HEADER] = nextRequestId();
  return response;
}

const NO_FAULTS: ReadonlySet<FaultName> = new Set();

/** True when an instance entry, or a process entry of one, is not a JSON object (the fault's trigger). */
function hasNonObjectEntry(body: Record<string, unknown>): boolean {
  const isObject = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);
  const instances = Array.isArray(body.instances) ? body.instances : [];
  return instances.some(
    (i) => !isObject(i) || (Array.isArray(i.processes) && (i.processes as unknown[]).some((p) => !isObject(p))),
  );
}

/** Formats a time in milliseconds since the epoch as RFC 3339 in UTC, to the second. */
function formatTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastFormatted = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  return lastFormatted;
}

let lastSecond = Number.NaN;
let lastFormatted = "";

// A browser's preflight: allowed for the one `--cors` origin, refused (without CORS headers) for any other.
function answerPreflight(request: CmdbRequest, cors: string | undefined, origin: string): CmdbResponse {
  if (origin !== cors) {
    return {
      status: 403,
      headers: { "content-type": "application/json; charset=utf-8", vary: "Origin" },
      body: JSON.stringify({ result: false, message: `origin ${JSON.stringify(origin)} is not the --cors origin` }),
    };
  }
  const asked = headerOf(request.headers, "access-control-request-headers");
  return {
    status: 204,
    headers: {
      ...corsHeaders(origin),
      "access-control-allow-methods": "POST, DELETE",
      // Only the operations answer CORS; the origin is the one the operator named, so its headers are fine.
      "access-control-allow-headers": asked && /^[\w\-, ]+$/.test(asked) ? asked : "content-type",
      "access-control-max-age": "600",
    },
    body: "",
  };
}

function corsHeaders(origin: string): Record<string, string> {
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": `x-request-id, ${REQUEST_ID_HEADER}`,
    vary: "Origin",
  };
}

function headerOf(headers: CmdbRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** How an answer is written: its language, and the envelope of its route (ESB's, or CMDB's native one). */
interface AnswerContext {
  language: Language;
  /** `esb`: `{result, code, message, permission, request_id, data}`; `native`: cmdb-semantics §4.1. */
  style: "esb" | "native";
}

function envelope(
  spec: ProviderSpec,
  faults: ReadonlySet<FaultName>,
  ctx: AnswerContext,
  result: OperationResult,
  permission: Permission | null,
  status = 200,
): CmdbResponse {
  const requestId = nextRequestId();
  const headers = { "content-type": "application/json; charset=utf-8", "x-request-id": requestId };
  const native = ctx.style === "native";
  if (result.ok && faults.size === 0) {
    // The hot path: the same key order as below, without building and walking an envelope object.
    const data = JSON.stringify(result.data) ?? "null";
    const text = native
      ? `{"result":true,"bk_error_code":0,"bk_error_msg":"success","permission":null,"data":${data}}`
      : `{"result":true,"code":0,"message":"success","permission":null,"request_id":"${requestId}","data":${data}}`;
    return { status, headers, body: text };
  }
  const actual = result.ok ? 0 : result.failure.code;
  const code = actual === 1199000 && faults.has("unlisted-code") ? 1199001 : actual;
  const ok = result.ok;
  const message = result.ok ? "success" : formatMessage(spec, result.failure, ctx.language);
  const data = result.ok ? result.data : faults.has("data-not-null-on-failure") ? {} : null;
  const shownCode = faults.has("code-as-string") ? String(code) : code;
  const shownResult = ok || faults.has("result-code-mismatch");
  if (!ok && faults.has("http-400-on-business-error") && status === 200) status = 400;
  // The native body has no request_id: CMDB sends it in a header (cmdb-semantics §4.1).
  const body = native
    ? { result: shownResult, bk_error_code: shownCode, bk_error_msg: message, permission, data }
    : { result: shownResult, code: shownCode, message, permission, request_id: requestId, data };
  return { status, headers, body: JSON.stringify(body) };
}

// 32 hex digits from a pool of random bytes refilled 256 IDs at a time: one call into crypto per 256 requests.
const ID_POOL = Buffer.alloc(16 * 256);
let idOffset = ID_POOL.length;
function nextRequestId(): string {
  if (idOffset === ID_POOL.length) {
    randomFillSync(ID_POOL);
    idOffset = 0;
  }
  idOffset += 16;
  return ID_POOL.toString("hex", idOffset - 16, idOffset);
}

function failure(f: CmdbFailure): OperationResult {
  return { ok: false, failure: f };
}

function languageOf(headers: CmdbRequest["headers"]): Language {
  const value = headers["blueking-language"] ?? headers["x-bkcmdb-language"];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim().toLowerCase().startsWith("en") ? "en" : "zh";
}

// A JSON object, or null for anything else (not JSON, another JSON type, or nested deeper than MAX_JSON_DEPTH).
function parseBody(text: string, parse: (text: string) => unknown = JSON.parse): Record<string, unknown> | null {
  // An empty body decodes to zero values in Go (cmdb-semantics §1.1); ESB then finds no credentials.
  if (!/\S/.test(text)) return {};
  // Depth is read from the text before JSON.parse: a deep body is refused without building it, and one pass over
  // the characters costs less than walking the parsed value.
  if (textExceedsDepth(text, MAX_JSON_DEPTH)) return null;
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
}

function textExceedsDepth(text: string, limit: number): boolean {
  // Depth never exceeds the number of opening brackets, which `indexOf` counts fast: most bodies stop here.
  if (!hasMoreThan(text, "{", "[", limit)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

// Whether `text` holds more than `limit` of the characters `a` and `b` together (in strings too).
function hasMoreThan(text: string, a: string, b: string, limit: number): boolean {
  let count = 0;
  for (const c of [a, b]) {
    for (let at = text.indexOf(c); at !== -1; at = text.indexOf(c, at + 1)) if (++count > limit) return true;
  }
  return false;
}
