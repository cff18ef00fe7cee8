/**
 * The BlueKing API gateway in front of the reference CMDB: its resource paths (under `/api/bk-cmdb/<stage>/` and at
 * the root), its header authentication, its optional per-app rate limit and its own error answers. Only the edge
 * lives here; the operations behind it are the ESB route's (cmdb-semantics §0: one proc_server serves both).
 * @see cmdb-semantics §0, §4.3, §5
 */
import { CREDENTIAL_FIELDS, GATEWAY_PREFIX } from "../spec/operations.ts";
import { nonEmptyString } from "./auth.ts";
import type { CmdbState } from "./store.ts";

/** One gateway resource (`docs/apidoc/apigw/open/bk_apigw_resources_bk-cmdb.yaml`) and the operation behind it. */
export interface GatewayResource {
  /** The ESB route name of the operation (the key of `OPERATIONS`). */
  operation: string;
  method: "POST" | "DELETE";
  /** Stage-relative path; `{process_template_id}` is the one path parameter. */
  path: string;
}

/** The four gateway resources of bk-cmdb this toolkit covers (cmdb-semantics §0). */
export const GATEWAY_RESOURCES: readonly GatewayResource[] = [
  { operation: "create_service_instance", method: "POST", path: "/api/v3/create/proc/service_instance" },
  { operation: "list_process_instance", method: "POST", path: "/api/v3/findmany/proc/process_instance" },
  {
    operation: "get_proc_template",
    method: "POST",
    path: "/api/v3/find/proc/proc_template/id/{process_template_id}",
  },
  { operation: "delete_service_instance", method: "DELETE", path: "/api/v3/deletemany/proc/service_instance" },
];

/** A request path read as a gateway path: a resource (with its path parameter), or a path the gateway does not know. */
export type GatewayMatch =
  | { kind: "resource"; resource: GatewayResource; pathId: string | undefined }
  | { kind: "unknown"; path: string };

/**
 * Reads a path (without query) as a gateway path: `/api/bk-cmdb/<stage>/…` or, as the reference CMDB also serves,
 * `/api/v3/…` at the root. Answers undefined for any other path (the ESB route's), and `unknown` for a gateway path
 * (or a method) no resource has: the gateway answers those 404 1640401 before CMDB sees them.
 */
export function matchGatewayPath(method: string, path: string): GatewayMatch | undefined {
  let rest: string;
  if (path.startsWith(GATEWAY_PREFIX)) {
    const slash = path.indexOf("/", GATEWAY_PREFIX.length);
    rest = slash === -1 ? "" : path.slice(slash);
  } else if (path.startsWith("/api/v3/")) rest = path;
  else return undefined;
  for (const resource of GATEWAY_RESOURCES) {
    const pathId = matchResourcePath(resource.path, rest);
    if (pathId !== null && resource.method === method) return { kind: "resource", resource, pathId };
  }
  return { kind: "unknown", path };
}

// undefined: matched without a parameter; a string: the parameter's value; null: no match.
function matchResourcePath(template: string, path: string): string | undefined | null {
  const brace = template.indexOf("{");
  if (brace === -1) return template === path ? undefined : null;
  const head = template.slice(0, brace);
  if (!path.startsWith(head)) return null;
  const value = path.slice(head.length);
  return value !== "" && !value.includes("/") ? decodeURIComponent(value) : null;
}

/** The caller the gateway lets through: the app, and the user it forwards (absent when the header names none). */
export type GatewayCaller = { ok: true; appCode: string; user: string | undefined } | { ok: false; reason: string };

/**
 * Checks the `X-Bkapi-Authorization` header as the gateway does for bk-cmdb's resources: JSON with a registered
 * `bk_app_code` and its `bk_app_secret`, else 1640001. With `userVerifiedRequired: false` the gateway does not verify
 * the user: it forwards `bk_username` as given, or the user a `bk_token`/`access_token` stands for.
 * @see cmdb-semantics §5 (API gateway)
 */
export function authenticateGatewayCaller(state: CmdbState, header: string | undefined): GatewayCaller {
  if (header === undefined || header.trim() === "") {
    return {
      ok: false,
      reason: "please provide the X-Bkapi-Authorization header: JSON with bk_app_code and bk_app_secret",
    };
  }
  let credentials: unknown;
  try {
    credentials = JSON.parse(header);
  } catch {
    credentials = undefined;
  }
  if (credentials === null || typeof credentials !== "object" || Array.isArray(credentials)) {
    return { ok: false, reason: "the X-Bkapi-Authorization header must be a JSON object" };
  }
  const given = credentials as Record<string, unknown>;
  const appCode = nonEmptyString(given.bk_app_code);
  if (appCode === undefined) return { ok: false, reason: "bk_app_code cannot be empty" };
  const secret = nonEmptyString(given.bk_app_secret);
  if (secret === undefined) return { ok: false, reason: "bk_app_secret cannot be empty" };
  const app = state.apps.get(appCode);
  // Never echo the secret; name only the app code the caller already knows.
  if (!app || app.bk_app_secret !== secret) {
    return { ok: false, reason: `app authentication failed: bk_app_code [${appCode}] or bk_app_secret is wrong` };
  }
  const token = nonEmptyString(given.bk_token) ?? nonEmptyString(given.access_token);
  const user = (token === undefined ? undefined : state.tokens.get(token)) ?? nonEmptyString(given.bk_username);
  return { ok: true, appCode, user };
}

/** One answer of the rate limiter: whether the request may pass, and the values of the `X-Bkapi-RateLimit-*` headers. */
export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** A per-app limit of requests per second, the gateway's `bk-rate-limit` plugin. */
export interface RateLimiter {
  take(appCode: string): RateLimitDecision;
}

/**
 * A fixed-window limiter: at most `perSecond` requests of one app in each second of `now` (milliseconds); a refused
 * request does not count. The clock is injected, so tests prove the limit by counting, not by timing.
 */
export function createRateLimiter(perSecond: number, now: () => number): RateLimiter {
  const windows = new Map<string, { second: number; count: number }>();
  return {
    take(appCode) {
      const ms = now();
      const second = Math.floor(ms / 1000);
      const window = windows.get(appCode);
      const current = window !== undefined && window.second === second ? window : { second, count: 0 };
      const allowed = current.count < perSecond;
      if (allowed) current.count += 1;
      windows.set(appCode, current);
      const reset = String(Math.max(1, Math.ceil(((second + 1) * 1000 - ms) / 1000)));
      const headers: Record<string, string> = {
        "x-bkapi-ratelimit-limit": String(perSecond),
        "x-bkapi-ratelimit-remaining": String(perSecond - current.count),
        "x-bkapi-ratelimit-reset": reset,
      };
      if (!allowed) headers["retry-after"] = reset;
      return { allowed, headers };
    },
  };
}

/** The gateway's own errors this reference serves (the BlueKing API Gateway's "Gateway error response" guide). */
export const GATEWAY_ERRORS = {
  invalidArgs: { status: 400, code: 1640001, codeName: "INVALID_ARGS" },
  apiNotFound: { status: 404, code: 1640401, codeName: "API_NOT_FOUND" },
  rateLimited: { status: 429, code: 1642902, codeName: "RATE_LIMIT_RESTRICTION" },
} as const;

/** One of the gateway's own errors: its HTTP status, code and `code_name`. */
export type GatewayError = (typeof GATEWAY_ERRORS)[keyof typeof GATEWAY_ERRORS];

/**
 * A gateway error answer, body `{code_name, code, message, result: false, data: null}` (spec schema `GatewayError`);
 * the caller adds the gateway's request ID header.
 */
export function answerGatewayError(
  error: GatewayError,
  reason: string,
  headers: Record<string, string> = {},
): { status: number; headers: Record<string, string>; body: string } {
  const message =
    error.code === GATEWAY_ERRORS.invalidArgs.code
      ? `Parameters error [reason="${reason}"]`
      : error.code === GATEWAY_ERRORS.apiNotFound.code
        ? `API not found [${reason}]`
        : `API rate limit exceeded [${reason}]`;
  const body = JSON.stringify({ code_name: error.codeName, code: error.code, message, result: false, data: null });
  return { status: error.status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body };
}

/** The error text of CMDB's JwtFilter for a gateway JWT without a user (`src/common/resource/jwt/jwt.go`, §5). */
export const JWT_NO_USER = "user is not set";

/**
 * The header credentials of a state step on a gateway path: a state step carries no headers, so its body's ESB
 * common args stand for the `X-Bkapi-Authorization` JSON; a body without them (as the gateway pact writes its steps)
 * is sent as the world's first app, acting as `admin` (the caller every fixture defaults to).
 */
export function headerOfStep(state: CmdbState, body: Readonly<Record<string, unknown>>): string {
  if (body.bk_app_code !== undefined) {
    const given = CREDENTIAL_FIELDS.filter((k) => body[k] !== undefined);
    return JSON.stringify(Object.fromEntries(given.map((k) => [k, body[k]])));
  }
  const [code, app] = [...state.apps.entries()][0] ?? ["", { bk_app_secret: "" }];
  return JSON.stringify({ bk_app_code: code, bk_app_secret: app.bk_app_secret, bk_username: "admin" });
}
