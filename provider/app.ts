/**
 * The reference CMDB without the network: turns a request (method, path, headers, body text) into a response
 * (status, headers, body text) over its state. The HTTP server in `server.ts` is a thin shell around it.
 */
import { randomUUID } from "node:crypto";
import { authenticate, authorize, type Permission } from "./auth.ts";
import type { FaultName } from "./faults.ts";
import { type CmdbFailure, COMPONENT_NOT_FOUND, fail, formatMessage, type Language } from "./messages.ts";
import { OPERATIONS, type OperationResult } from "./operations.ts";
import { loadProviderSpec, type ProviderSpec } from "./spec-data.ts";
import { type CmdbState, createState, snapshotState } from "./store.ts";
import { parseWorld, type World, WorldError } from "./world.ts";

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
  clock?: () => Date;
}

/** The reference CMDB core: handles requests and exposes its state for tests. */
export interface ReferenceCmdb {
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
  const clock = options.clock ?? (() => new Date());
  const faults: ReadonlySet<FaultName> = new Set(options.fault ? [options.fault] : []);
  const stateSetup = options.stateSetup ?? true;
  // The state keeps parts of the world; a copy means a caller's later edits to its object change nothing here.
  const load = (world: World): CmdbState => createState(spec, structuredClone(world), formatTime(clock()));
  let state = load(parseWorld(options.world ?? {}, "options.world"));
  const setWorld = (world: World): void => {
    state = load(world);
  };
  return {
    setWorld,
    snapshot: () => snapshotState(state),
    handle(request) {
      const path = request.path.split("?")[0] ?? "";
      if (stateSetup && path === STATE_SETUP_PATH) return handleStateSetup(request, setWorld);
      const name = path.startsWith(ESB_PREFIX) ? path.slice(ESB_PREFIX.length).replace(/\/$/, "") : undefined;
      const operation = name === undefined ? undefined : OPERATIONS.get(name);
      const language = languageOf(request.headers);
      if (!operation) {
        return envelope(spec, faults, language, { ok: false, failure: fail(COMPONENT_NOT_FOUND) }, null, 404);
      }
      const answer = (result: OperationResult, permission: Permission | null = null): CmdbResponse =>
        envelope(spec, faults, language, result, permission);
      if (request.method !== "POST") {
        return answer(failure(fail(1306406, `method ${request.method} is not supported; call ${name} with POST`)));
      }
      if (request.body === undefined) return answer(failure(fail(1199004)));
      const body = parseBody(request.body);
      if (!body) return answer(failure(fail(1199000)));
      const user = authenticate(state, body);
      if (!user.ok) return answer(failure(user.failure));
      const bizId = typeof body.bk_biz_id === "number" && Number.isInteger(body.bk_biz_id) ? body.bk_biz_id : 0;
      const permission = authorize(state, user.user, operation.action, bizId);
      if (permission) return answer(failure(fail(9900403)), permission);
      if (faults.has("non-object-entry-500") && name === "create_service_instance" && hasNonObjectEntry(body)) {
        return {
          status: 500,
          headers: { "content-type": "text/html" },
          body: "<html><body>500 Internal Server Error</body></html>",
        };
      }
      const ctx = { spec, state, faults, now: formatTime(clock()), language };
      return answer(operation.run(ctx, body));
    },
  };
}

/** True when an instance entry, or a process entry of one, is not a JSON object (the fault's trigger). */
function hasNonObjectEntry(body: Record<string, unknown>): boolean {
  const isObject = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);
  const instances = Array.isArray(body.instances) ? body.instances : [];
  return instances.some(
    (i) => !isObject(i) || (Array.isArray(i.processes) && (i.processes as unknown[]).some((p) => !isObject(p))),
  );
}

/** Formats a time as RFC 3339 in UTC, to the second. */
export function formatTime(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastFormatted = date.toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  return lastFormatted;
}

let lastSecond = Number.NaN;
let lastFormatted = "";

function handleStateSetup(request: CmdbRequest, setWorld: (world: World) => void): CmdbResponse {
  const reply = (status: number, value: unknown): CmdbResponse => ({
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(value),
  });
  if (request.method !== "POST") return reply(405, { result: false, message: "use POST" });
  if (request.body === undefined) return reply(413, { result: false, message: "the body is too large" });
  const body = parseBody(request.body);
  if (!body) return reply(400, { result: false, message: "the body must be a JSON object" });
  const action = body.action ?? "setup";
  if (action === "teardown") {
    setWorld({});
    return reply(200, { result: true });
  }
  if (action !== "setup") {
    return reply(400, {
      result: false,
      message: `action must be "setup" or "teardown", not ${JSON.stringify(action)}`,
    });
  }
  const params = (body.params ?? {}) as Record<string, unknown>;
  try {
    setWorld(parseWorld(params.world ?? {}, "params.world"));
  } catch (error) {
    if (error instanceof WorldError) {
      return reply(400, { result: false, message: error.message, problems: error.problems });
    }
    throw error;
  }
  return reply(200, { result: true });
}

function envelope(
  spec: ProviderSpec,
  faults: ReadonlySet<FaultName>,
  language: Language,
  result: OperationResult,
  permission: Permission | null,
  status = 200,
): CmdbResponse {
  const requestId = randomUUID().replace(/-/g, "");
  const actual = result.ok ? 0 : result.failure.code;
  const code = actual === 1199000 && faults.has("unlisted-code") ? 1199001 : actual;
  let body: Record<string, unknown>;
  if (result.ok) {
    body = { result: true, code, message: "success", permission: null, request_id: requestId, data: result.data };
  } else {
    body = {
      result: faults.has("result-code-mismatch"),
      code,
      message: formatMessage(spec, result.failure, language),
      permission,
      request_id: requestId,
      data: faults.has("data-not-null-on-failure") ? {} : null,
    };
    if (faults.has("http-400-on-business-error") && status === 200) status = 400;
  }
  if (faults.has("code-as-string")) body.code = String(code);
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "x-request-id": requestId },
    body: JSON.stringify(body),
  };
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
function parseBody(text: string): Record<string, unknown> | null {
  // An empty body decodes to zero values in Go (cmdb-semantics §1.1); ESB then finds no credentials.
  if (text.trim() === "") return {};
  // Deep nesting in a large body is refused before JSON.parse spends seconds on it; small bodies parse fast.
  if (text.length > PRESCAN_BYTES && textExceedsDepth(text, MAX_JSON_DEPTH)) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value) || valueExceedsDepth(value, MAX_JSON_DEPTH)) {
    return null;
  }
  return value as Record<string, unknown>;
}

const PRESCAN_BYTES = 16 * 1024;

function textExceedsDepth(text: string, limit: number): boolean {
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

function valueExceedsDepth(root: object, limit: number): boolean {
  const stack: [object, number][] = [[root, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child as object, depth + 1]);
    }
  }
  return false;
}
