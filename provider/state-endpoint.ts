/**
 * `POST /_cmdb/state`, the provider-state endpoint (DESIGN.md "Provider states"): who may call it, and what a valid
 * call looks like. It replaces the whole CMDB, so it is guarded against other machines and against web pages.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { CmdbRequest, CmdbResponse } from "./app.ts";
import { parseWorld, WORLD_LIMITS, type World, WorldError, type WorldProblem } from "./world.ts";

/** Who may call the state endpoint: with a token, any Host that sends `Authorization: Bearer <token>`. */
export interface StateAccess {
  /** The bearer token (`--state-token` / `CMDB_STATE_TOKEN`); never echoed in any answer. */
  token?: string;
}

/**
 * One setup request of a provider state (`params.steps`), replayed after the world is loaded: an ESB operation's
 * path and its JSON body, sent as POST. It must succeed (`result: true`), or the whole setup is refused.
 */
export interface StateStep {
  path: string;
  body: Record<string, unknown>;
}

/** The most setup requests one provider state may carry. */
export const MAX_STATE_STEPS = 100;

/** Host names that always mean this machine; with the listening port they pass the Host check without a token. */
export const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Answers a request to the state endpoint: refuses it (405, 401, 403, 415, 413, 400, each naming the problem) or
 * loads the world it carries and replays its setup requests (`params.steps`, optional), or empties the CMDB on
 * teardown. A refused request changes nothing: `setWorld` answers why a step failed after restoring the old state.
 * @see DESIGN.md "Provider states"
 */
export function handleStateRequest(
  request: CmdbRequest,
  access: StateAccess,
  parseBody: (text: string) => Record<string, unknown> | null,
  setWorld: (world: World, steps?: readonly StateStep[]) => string | undefined,
): CmdbResponse {
  if (request.method !== "POST") return refuse(405, "use POST", [], { allow: "POST" });
  const denied = checkStateAccess(request, access);
  if (denied) return denied;
  if (request.body === undefined) {
    return refuse(413, `the body is larger than ${WORLD_LIMITS.maxBytes / 1024 / 1024} MiB, the limit of a world`);
  }
  const body = parseBody(request.body);
  if (!body) return refuse(400, `the body must be a JSON object: ${SHAPE}`);
  const action = body.action;
  if (action === "teardown") {
    setWorld({});
    return { status: 200, headers: JSON_HEADERS, body: '{"result":true}' };
  }
  if (action === undefined) {
    const looksLikeWorld = Object.keys(body).some((key) => WORLD_KEYS.has(key));
    return refuse(
      400,
      looksLikeWorld
        ? `action is required; the body looks like a world: wrap it as ${SHAPE}`
        : `action is required: "setup" or "teardown"; the body is ${SHAPE}`,
      [{ pointer: "/action", message: "required" }],
    );
  }
  if (action !== "setup") {
    return refuse(400, `action must be "setup" or "teardown", not ${JSON.stringify(action)}`, [
      { pointer: "/action", message: "must be setup or teardown" },
    ]);
  }
  const params = body.params;
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    return refuse(400, `params must be an object holding the world: ${SHAPE}`, [
      { pointer: "/params", message: "must be an object" },
    ]);
  }
  const world = (params as Record<string, unknown>).world;
  if (world === undefined) {
    return refuse(400, "params.world is required: the whole world to load ({} for an empty CMDB)", [
      { pointer: "/params/world", message: "required" },
    ]);
  }
  const steps = parseSteps((params as Record<string, unknown>).steps);
  if (!Array.isArray(steps)) return refuse(400, steps.message, [steps]);
  let parsed: World;
  try {
    parsed = parseWorld(world, "params.world");
  } catch (error) {
    if (error instanceof WorldError) return refuse(400, error.message, error.problems);
    throw error;
  }
  const failed = setWorld(parsed, steps);
  if (failed !== undefined) return refuse(400, failed);
  return { status: 200, headers: JSON_HEADERS, body: '{"result":true}' };
}

/** Checks `params.steps`: absent, or a list of at most {@link MAX_STATE_STEPS} `{path, body}` objects. */
function parseSteps(value: unknown): StateStep[] | WorldProblem {
  if (value === undefined) return [];
  const shape = 'a list of setup requests {"path": "/api/c/compapi/v2/cc/<api>/", "body": {…}}';
  if (!Array.isArray(value)) return { pointer: "/params/steps", message: `params.steps must be ${shape}` };
  if (value.length > MAX_STATE_STEPS) {
    return {
      pointer: "/params/steps",
      message: `params.steps has ${value.length} requests; at most ${MAX_STATE_STEPS}`,
    };
  }
  for (const [n, step] of value.entries()) {
    const s = step as Partial<StateStep> | null;
    const isObject = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);
    if (!isObject(s) || typeof s?.path !== "string" || !s.path.startsWith("/") || !isObject(s.body)) {
      return { pointer: `/params/steps/${n}`, message: `params.steps/${n} must be {"path": "/…", "body": {…}}` };
    }
  }
  return value as StateStep[];
}

/**
 * Refuses a caller the state endpoint does not trust: without a token, a Host that names neither a loopback address
 * nor the listening address (DNS rebinding); with one, a missing or wrong bearer token; always, an `Origin` other
 * than the endpoint's own and a body that is not declared JSON (a cross-site form or `text/plain` post).
 */
export function checkStateAccess(request: CmdbRequest, access: StateAccess): CmdbResponse | undefined {
  const host = header(request, "host")?.toLowerCase() ?? "";
  if (access.token !== undefined) {
    const given = /^Bearer\s+(.+)$/i.exec(header(request, "authorization") ?? "")?.[1]?.trim();
    if (given === undefined || !sameSecret(given, access.token)) {
      return refuse(401, "the state endpoint needs Authorization: Bearer <the --state-token of serve>", [], {
        "www-authenticate": 'Bearer realm="cmdb-contract state"',
      });
    }
  } else if (!isAllowedHost(host, request.listen)) {
    return refuse(
      403,
      `Host ${JSON.stringify(host)} is not this machine: without --state-token the state endpoint answers only ` +
        "localhost, 127.0.0.1, [::1] or the listening address, with the port",
    );
  }
  const origin = header(request, "origin");
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
    return refuse(
      403,
      `Origin ${JSON.stringify(origin)} may not change the state: web pages cannot call this endpoint`,
    );
  }
  const contentType = header(request, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/json") {
    return refuse(415, `Content-Type must be application/json, not ${contentType ?? "missing"}`);
  }
  return undefined;
}

const SHAPE =
  '{"state": "…", "params": {"world": {…}, "steps": [{"path": "…", "body": {…}}] (optional)}, "action": "setup"} or {"action": "teardown"}';
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const WORLD_KEYS: ReadonlySet<string> = new Set([
  "supplier_account",
  "apps",
  "tokens",
  "iam",
  "businesses",
  "hosts",
  "service_templates",
  "modules",
  "service_instances",
  "next_ids",
]);

// Without the listening address (the core used without its server), a loopback name with any port.
function isAllowedHost(host: string, listen: CmdbRequest["listen"]): boolean {
  if (!listen) return LOOPBACK_HOSTS.includes(host.replace(/:\d+$/, ""));
  const names = [...LOOPBACK_HOSTS, listen.host.toLowerCase()];
  return names.some((name) => host === `${name}:${listen.port}` || (listen.port === 80 && host === name));
}

function header(request: CmdbRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// Compares digests, so neither the length nor the first differing byte shows in the time taken.
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** An answer of the state endpoint that changes nothing: `{result: false, message}` (and the problems, if any). */
export function refuse(
  status: number,
  message: string,
  problems: readonly WorldProblem[] = [],
  headers: Record<string, string> = {},
): CmdbResponse {
  const body = problems.length > 0 ? { result: false, message, problems } : { result: false, message };
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}
