// The runtime of the generated client: options, error classes and the one caller every method goes through. It is
// ordinary TypeScript, type-checked, linted and tested here; `emitClient` copies it into client.gen.ts below the part
// it generates from the spec. It therefore imports nothing but the spec's names (stand-ins in spec-names.ts), uses
// only what Node ≥ 20 and browsers share (lib.dom), and marks with `@internal` what the generated file keeps private.
// The envelope and error rules it follows are cmdb-semantics §4.2.
import type { CmdbAuth, CmdbErrorCode, CmdbOperation, CmdbPermission } from "./spec-names.ts";

/** The language of CMDB's error messages, sent as the `Blueking-Language` header. */
export type CmdbLanguage = "en" | "zh";

/** The `fetch` the client calls; the global one by default, or any compatible function (a test's, a proxy's). */
export type CmdbFetch = (url: string, init: RequestInit) => Promise<Response>;

/** How to reach CMDB through ESB and who is calling. */
export interface CmdbClientOptions {
  /** The ESB host, e.g. `https://paas.example.com`; a trailing slash is fine. */
  baseUrl: string;
  /** The app and user, merged into every request body. */
  auth: CmdbAuth;
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

/** The base of every error the client throws; its message and fields never hold a secret. */
export class CmdbError extends Error {
  override name = "CmdbError";
  /** The client method that failed. */
  readonly operation: CmdbOperation;

  constructor(operation: CmdbOperation, message: string) {
    super(message);
    this.operation = operation;
  }

  /** The error's fields (`code`, `status`, …) and message, for logs and `JSON.stringify`. */
  toJSON(): { name: string; message: string; operation: CmdbOperation } {
    return { ...this, message: this.message };
  }
}

/** CMDB (or ESB) answered `result: false`: `code`, `message`, `requestId` and `permission` come from the envelope. */
export class CmdbApiError extends CmdbError {
  override name = "CmdbApiError";
  /** The error code; one of `CmdbErrorCodes`, or a number the spec does not list. */
  readonly code: CmdbErrorCode | (number & {});
  /** The envelope's `request_id`, for tracing. */
  readonly requestId: string;
  /** The IAM permission to apply for on a 9900403 denial, else null. */
  readonly permission: CmdbPermission;

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
  readonly status: number;
  /** The first 200 characters of the body, whitespace collapsed, secrets replaced by `***`. */
  readonly excerpt: string;

  constructor(operation: CmdbOperation, message: string, status: number, excerpt: string) {
    super(operation, message);
    this.status = status;
    this.excerpt = excerpt;
  }
}

/** No complete answer arrived within `timeoutMs`; the request was aborted (and, for a create, not retried). */
export class CmdbTimeoutError extends CmdbError {
  override name = "CmdbTimeoutError";
  /** The limit that passed. */
  readonly timeoutMs: number;

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
 * One call of a client method: its name, its route, the interface parameters and the call's options.
 * @internal
 */
export type CmdbCall = <T>(
  operation: CmdbOperation,
  path: string,
  params: object,
  request?: CmdbRequestOptions,
) => Promise<T>;

/**
 * Builds the function every client method calls (URL, body with auth, headers, timeout, abort, envelope check,
 * redaction of `secrets`); it never retries, so a create is sent at most once.
 * @internal
 */
export function createCaller(options: CmdbClientOptions, secrets: readonly (string | undefined)[]): CmdbCall {
  const { auth, headers, language, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const send: CmdbFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const redact = createRedactor(secrets);
  const fixedHeaders: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    ...(language ? { "blueking-language": language } : {}),
    ...headers,
  };
  let slot: TimeoutSlot | undefined;
  return async <T>(operation: CmdbOperation, path: string, params: object, request?: CmdbRequestOptions) => {
    const signal = request?.signal;
    if (signal?.aborted) throw signal.reason;
    const limit = request?.timeoutMs ?? timeoutMs;
    const now = Date.now();
    if (slot?.limit !== limit || slot.start !== now) slot = startTimeoutSlot(limit, now);
    const timeout = slot.signal;
    let status = 0;
    let text: string;
    try {
      const response = await send(baseUrl + path, {
        method: "POST",
        headers: { ...fixedHeaders, ...request?.headers },
        body: JSON.stringify({ ...params, ...auth }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) throw new CmdbTimeoutError(operation, limit);
      if (signal?.aborted) throw signal.reason;
      const why = redact(error instanceof Error ? error.message : String(error));
      throw new CmdbHttpError(operation, `${operation}: no answer from ${baseUrl} (${why})`, status, "");
    }
    if (status < 200 || status > 299) throw badAnswer(operation, "the status is not 2xx", status, text, redact);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw badAnswer(operation, "the body is not JSON", status, text, redact);
    }
    if (!isEnvelope(body)) {
      throw badAnswer(operation, "the body is not a CMDB envelope (result, code, message, data)", status, text, redact);
    }
    if (body.result) return body.data as T;
    throw new CmdbApiError(
      operation,
      body.code,
      redact(body.message),
      typeof body.request_id === "string" ? redact(body.request_id) : "",
      redactDeep(body.permission ?? null, redact) as CmdbPermission,
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
 * An ESB envelope before its `data` is trusted.
 * @internal
 */
export interface RawEnvelope {
  result: boolean;
  code: number;
  message: string;
  request_id?: unknown;
  permission?: unknown;
  data?: unknown;
}

/**
 * The ESB envelope: `result` true exactly when `code` is 0, a `message`, and `data` on success.
 * @internal
 */
export function isEnvelope(body: unknown): body is RawEnvelope {
  if (typeof body !== "object" || body === null) return false;
  const { result, code, message } = body as Partial<RawEnvelope>;
  return (
    typeof result === "boolean" &&
    Number.isInteger(code) &&
    typeof message === "string" &&
    result === (code === 0) &&
    (!result || "data" in body)
  );
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
