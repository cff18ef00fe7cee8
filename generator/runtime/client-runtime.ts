// The runtime of the generated client: options, error classes and the one caller every method goes through. It is
// ordinary TypeScript, type-checked, linted and tested here; `emitClient` copies it into client.gen.ts below the part
// it generates from the spec. It therefore imports nothing but the spec's names (stand-ins in spec-names.ts), uses
// only what Node ≥ 20 and browsers share (lib.dom), and marks with `@internal` what the generated file keeps private.
// It follows cmdb-semantics §4.1-§4.3 (both envelopes) and §5 (auth on each route).
import type { CmdbAuth, CmdbErrorCode, CmdbOperation, CmdbPermission } from "./spec-names.ts";

/** The language of CMDB's error messages, sent as the `Blueking-Language` header. */
export type CmdbLanguage = "en" | "zh";

/** The `fetch` the client calls; the global one by default, or any compatible function (a test's, a proxy's). */
export type CmdbFetch = (url: string, init: RequestInit) => Promise<Response>;

/** The front door: `esb` (`/api/c/compapi/v2/cc/<api>/`) or `apigw`, the BlueKing API gateway (`/api/v3/…`). */
export type CmdbRoute = "esb" | "apigw";

/** How to reach CMDB (through ESB or the API gateway) and who is calling. */
export interface CmdbClientOptions {
  /** The ESB host (`https://paas.example.com`) or the gateway (`https://bkapi.example.com`); a trailing slash is fine. */
  baseUrl: string;
  /**
   * The app and user: merged into every request body on the ESB route; on the gateway route sent as JSON in the
   * `X-Bkapi-Authorization` header and never in the body.
   */
  auth: CmdbAuth;
  /** `esb` (the default) or `apigw`; the methods, their parameters and results are the same on both. */
  route?: CmdbRoute;
  /**
   * The gateway stage: calls go to `<baseUrl>/api/bk-cmdb/<stage>/api/v3/…`; `prod` by default, `null` when
   * `baseUrl` already is the stage's URL. The ESB route ignores it.
   */
  stage?: string | null;
  /** The `fetch` to call; the global one by default. */
  fetch?: CmdbFetch;
  /** Milliseconds before a call fails with `CmdbTimeoutError`; default 30000. */
  timeoutMs?: number;
  /** The language of CMDB's messages (`Blueking-Language` header); CMDB's default when left out. */
  language?: CmdbLanguage;
  /** Extra headers sent with every call. */
  headers?: Record<string, string>;
}

/** Options of one call. */
export interface CmdbRequestOptions {
  /** Aborts the call; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

// Error fields are `declare`d and set in constructors: no class-field code in the bundle (the 2 kB size goal).

/** The base of every error the client throws; its message and fields never hold a secret. */
export class CmdbError extends Error {
  override name = "CmdbError";
  /** The client method that failed. */
  declare readonly operation: CmdbOperation;

  constructor(operation: CmdbOperation, message: string) {
    super(message);
    this.operation = operation;
  }

  /** The error's fields (`code`, `status`, …) and message, for logs and `JSON.stringify`. */
  toJSON(): { name: string; message: string; operation: CmdbOperation } {
    return { ...this, message: this.message };
  }
}

/**
 * CMDB (or ESB) answered `result: false`, in the ESB envelope (`code`, `message`) or CMDB's native one
 * (`bk_error_code`, `bk_error_msg`), whichever route it came through.
 */
export class CmdbApiError extends CmdbError {
  override name = "CmdbApiError";
  /** The error code (`code` or `bk_error_code`); one of `CmdbErrorCodes`, or a number the spec does not list. */
  declare readonly code: CmdbErrorCode | (number & {});
  /** The envelope's `request_id`, else the gateway's `X-Bkapi-Request-Id` header, else "": for tracing. */
  declare readonly requestId: string;
  /** The IAM permission to apply for on a 9900403 denial, else null. */
  declare readonly permission: CmdbPermission;

  constructor(operation: CmdbOperation, code: number, message: string, requestId: string, permission: CmdbPermission) {
    super(operation, message);
    this.code = code;
    this.requestId = requestId;
    this.permission = permission;
  }
}

/**
 * The answer is not a CMDB envelope: a non-2xx status, a body that is not JSON (a gateway's HTML page), an envelope
 * of the wrong shape, or no answer at all (`status` 0).
 */
export class CmdbHttpError extends CmdbError {
  override name = "CmdbHttpError";
  /** The HTTP status; 0 when no response arrived. */
  declare readonly status: number;
  /** The first 200 characters of the body, whitespace collapsed, secrets replaced by `***`. */
  declare readonly excerpt: string;

  constructor(operation: CmdbOperation, message: string, status: number, excerpt: string) {
    super(operation, message);
    this.status = status;
    this.excerpt = excerpt;
  }
}

/** The `X-Bkapi-RateLimit-*` headers of a gateway answer: the app's limit, what is left of it, seconds to reset. */
export interface CmdbRateLimit {
  limit: number;
  remaining: number;
  reset: number;
}

/**
 * The API gateway answered an error of its own (a non-2xx status with `code_name`, `code`, `message`): a bad
 * `X-Bkapi-Authorization` (400 1640001), an unknown path (404 1640401), the rate limit (429 1642902/1642903), CMDB
 * unreachable (502) or too slow (504). CMDB never ran the call.
 */
export class CmdbGatewayError extends CmdbError {
  override name = "CmdbGatewayError";
  /** The HTTP status. */
  declare readonly status: number;
  /** The gateway's error code, e.g. 1640001. */
  declare readonly code: number;
  /** The code's name, e.g. `INVALID_ARGS`. */
  declare readonly codeName: string;
  /** The gateway's `X-Bkapi-Request-Id`, or "". */
  declare readonly requestId: string;
  /** The `X-Bkapi-RateLimit-*` headers (on a 429), or null when the answer has none. */
  declare readonly rateLimit: CmdbRateLimit | null;

  constructor(
    operation: CmdbOperation,
    body: { code: number; code_name: string; message: string },
    status: number,
    requestId: string,
    rateLimit: CmdbRateLimit | null,
  ) {
    super(operation, body.message);
    this.status = status;
    this.code = body.code;
    this.codeName = body.code_name;
    this.requestId = requestId;
    this.rateLimit = rateLimit;
  }
}

/** No complete answer arrived within `timeoutMs`; the request was aborted (and, for a create, not retried). */
export class CmdbTimeoutError extends CmdbError {
  override name = "CmdbTimeoutError";
  /** The limit that passed. */
  declare readonly timeoutMs: number;

  constructor(operation: CmdbOperation, timeoutMs: number) {
    super(operation, `${operation}: no answer within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** Tells whether `error` is a `CmdbApiError` (CMDB answered `result: false`). */
export function isCmdbError(error: unknown): error is CmdbApiError;
/** Tells whether `error` is a `CmdbApiError` with this `code`, narrowing `error.code` to it. */
export function isCmdbError<C extends CmdbErrorCode>(
  error: unknown,
  code: C,
): error is CmdbApiError & { readonly code: C };
export function isCmdbError(error: unknown, code?: number): boolean {
  return error instanceof CmdbApiError && (code === undefined || error.code === code);
}

/**
 * How long a call may take before it fails with `CmdbTimeoutError`, unless the options say otherwise.
 * @internal
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * One call of a client method: its name, its ESB path, the interface parameters, the call's options, and its gateway
 * method and stage-relative path (`DELETE /api/v3/deletemany/proc/service_instance`, whose `{name}` segments the
 * parameter of that name fills).
 * @internal
 */
export type CmdbCall = <T>(
  operation: CmdbOperation,
  path: string,
  params: object,
  request?: CmdbRequestOptions,
  apigw?: string,
) => Promise<T>;

/**
 * Builds the function every client method calls (URL, body with auth or the auth header, headers, timeout, abort,
 * envelope check, redaction of `secrets`); it never retries, so a create is sent at most once.
 * @internal
 */
export function createCaller(options: CmdbClientOptions, secrets: readonly (string | undefined)[]): CmdbCall {
  const { auth, headers, language, stage = "prod", timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const gateway = options.route === "apigw";
  const send: CmdbFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const baseUrl = options.baseUrl.replace(/\/+$/, "") + (gateway && stage !== null ? `/api/bk-cmdb/${stage}` : "");
  const redact = createRedactor(secrets);
  const fixedHeaders: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    ...(language ? { "blueking-language": language } : {}),
    ...headers,
    // cmdb-semantics §5: the gateway reads the app and user only from this header, never from the body.
    ...(gateway ? { "x-bkapi-authorization": JSON.stringify(auth) } : {}),
  };
  let slot: TimeoutSlot | undefined;
  return async <T>(
    operation: CmdbOperation,
    esbPath: string,
    params: object,
    request?: CmdbRequestOptions,
    apigw = "",
  ) => {
    const signal = request?.signal;
    if (signal?.aborted) throw signal.reason;
    let [method, path] = ["POST", esbPath];
    let body: Record<string, unknown> = { ...params, ...auth };
    if (gateway) {
      if (!apigw) throw new CmdbError(operation, `${operation}: no apigw route in the spec`);
      [method, path = ""] = apigw.split(" ") as [string, string?];
      body = { ...params };
      path = path.replace(/{(\w+)}/g, (_, name: string) => {
        const value = encodeURIComponent(body[name] as string);
        delete body[name];
        return value;
      });
    }
    const limit = request?.timeoutMs ?? timeoutMs;
    const now = Date.now();
    if (slot?.limit !== limit || slot.start !== now) slot = startTimeoutSlot(limit, now);
    const timeout = slot.signal;
    let response: Response;
    let text: string;
    try {
      response = await send(baseUrl + path, {
        method,
        headers: { ...fixedHeaders, ...request?.headers },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) throw new CmdbTimeoutError(operation, limit);
      if (signal?.aborted) throw signal.reason;
      const why = redact(error instanceof Error ? error.message : String(error));
      throw new CmdbHttpError(operation, `${operation}: no answer from ${baseUrl} (${why})`, 0, "");
    }
    const { status } = response;
    let json: unknown; // stays undefined for a body that is not JSON: JSON.parse never answers undefined
    try {
      json = JSON.parse(text);
    } catch {}
    if (status < 200 || status > 299) {
      if (!isGatewayError(json)) throw badAnswer(operation, "the status is not 2xx", status, text, redact);
      const header = (name: string) => response.headers.get(`x-bkapi-${name}`);
      const rateLimit = header("ratelimit-limit");
      throw new CmdbGatewayError(
        operation,
        { code: json.code, code_name: redact(json.code_name), message: redact(json.message) },
        status,
        redact(header("request-id") ?? ""),
        rateLimit === null
          ? null
          : {
              limit: +rateLimit,
              remaining: +(header("ratelimit-remaining") as string),
              reset: +(header("ratelimit-reset") as string),
            },
      );
    }
    const envelope = readEnvelope(json);
    if (!envelope) {
      const why = json === undefined ? "not JSON" : "not a CMDB envelope (result, code, message, data)";
      throw badAnswer(operation, `the body is ${why}`, status, text, redact);
    }
    if (envelope.result) return envelope.data as T;
    throw new CmdbApiError(
      operation,
      envelope.code ?? (envelope.bk_error_code as number),
      redact(envelope.message ?? (envelope.bk_error_msg as string)),
      redact(String(envelope.request_id ?? response.headers.get("x-bkapi-request-id") ?? "")),
      redactDeep(envelope.permission ?? null, redact) as CmdbPermission,
    );
  };
}

/**
 * The timeout signal shared by the calls that start in the same millisecond with the same limit.
 * @internal
 */
export interface TimeoutSlot {
  readonly limit: number;
  readonly start: number;
  readonly signal: AbortSignal;
}

/**
 * Starts the timer of the calls that begin in this millisecond with this limit: they share one signal, aborted 1 ms
 * after the limit so none times out early, and no call pays for a timer of its own. The timer never keeps the
 * process alive.
 * @internal
 */
export function startTimeoutSlot(limit: number, start: number): TimeoutSlot {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limit + 1) as number | { unref?(): void };
  if (typeof timer === "object") timer.unref?.();
  return { limit, start, signal: controller.signal };
}

/**
 * The `CmdbHttpError` of an answer that is not a usable envelope, with a redacted excerpt of its body.
 * @internal
 */
export function badAnswer(
  operation: CmdbOperation,
  why: string,
  status: number,
  text: string,
  redact: (text: string) => string,
): CmdbHttpError {
  const excerpt = redact(text).replace(/\s+/g, " ").trim().slice(0, 200);
  return new CmdbHttpError(operation, `${operation}: ${why} (HTTP ${status})`, status, excerpt);
}

/**
 * An envelope before its `data` is trusted: the ESB one (`code`, `message`) or the native one (`bk_error_*`).
 * @internal
 */
export interface RawEnvelope {
  result: boolean;
  code?: number;
  message?: string;
  bk_error_code?: unknown;
  bk_error_msg?: unknown;
  request_id?: unknown;
  permission?: unknown;
  data?: unknown;
}

/**
 * Reads the ESB envelope (`code`, `message`) or CMDB's native one (`bk_error_code`, `bk_error_msg`, passed through by
 * the gateway): `result` true exactly when the code is 0, a message, `data` on success; else undefined.
 * @see cmdb-semantics §4.1, §4.2, §4.3
 * @internal
 */
export function readEnvelope(body: unknown): RawEnvelope | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const raw = body as RawEnvelope & Record<string, unknown>;
  const { result } = raw;
  const code = raw.code ?? raw.bk_error_code;
  const message = raw.message ?? raw.bk_error_msg;
  const ok =
    typeof result === "boolean" &&
    Number.isInteger(code) &&
    typeof message === "string" &&
    result === (code === 0) &&
    (!result || "data" in raw);
  return ok ? raw : undefined;
}

/**
 * The API gateway's own error body (`GatewayError`): a `code_name`, an integer `code` and a `message`.
 * @internal
 */
export function isGatewayError(body: unknown): body is { code: number; code_name: string; message: string } {
  const { code_name, code, message } = (body ?? {}) as Record<string, unknown>;
  return typeof code_name === "string" && Number.isInteger(code) && typeof message === "string";
}

/**
 * Replaces every occurrence of each secret (also in its JSON-escaped form) with `***`, so a server echoing it back
 * cannot leak it into an error.
 * @internal
 */
export function createRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const forms = secrets
    .flatMap((secret) => (secret ? [secret, JSON.stringify(secret).slice(1, -1)] : []))
    .sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((result, secret) => result.split(secret).join("***"), text);
}

/**
 * Redacts every string (keys included) inside a JSON value.
 * @internal
 */
export function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)]));
}
