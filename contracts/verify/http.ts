import { Agent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { connect } from "node:net";

/** How long one request to a provider may take before it is reported as a hang (documented in the README). */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** The largest response body read from a provider; a bigger one is reported, not buffered (1 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

// One connection reused across the checks' sequential requests; a request that fails destroys its socket.
const KEEP_ALIVE_HTTP = new Agent({ keepAlive: true, maxSockets: 4 });
const KEEP_ALIVE_HTTPS = new HttpsAgent({ keepAlive: true, maxSockets: 4 });

/** Limits applied to every request the verifier sends. */
export interface HttpLimits {
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Why a request got no usable HTTP answer. */
export type TransportFailureKind = "refused" | "timeout" | "reset" | "too-large" | "error";

/** One request and what came back: an HTTP answer, or a transport failure as data. */
export type HttpExchange =
  | {
      ok: true;
      url: string;
      requestBody: unknown;
      status: number;
      contentType: string;
      /** The response headers (lower-case names; repeated ones joined with ", "). */
      headers: Record<string, string>;
      /** The body text (at most `maxResponseBytes`). */
      text: string;
      /** The parsed body, or undefined when it is not JSON. */
      json: unknown;
      isJson: boolean;
    }
  | { ok: false; url: string; requestBody: unknown; kind: TransportFailureKind; reason: string };

/** The default limits: {@link DEFAULT_TIMEOUT_MS} and {@link DEFAULT_MAX_RESPONSE_BYTES}. */
export const DEFAULT_LIMITS: HttpLimits = {
  timeoutMs: DEFAULT_TIMEOUT_MS,
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
};

/**
 * POSTs a JSON body (or sends it with DELETE, as the gateway route's delete does) and answers what came back; never
 * throws, never waits longer than `timeoutMs` and never buffers more than `maxResponseBytes`.
 */
export function postJson(
  url: string,
  body: unknown,
  limits: HttpLimits = DEFAULT_LIMITS,
  headers: Record<string, string> = {},
  method: "POST" | "DELETE" = "POST",
): Promise<HttpExchange> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (exchange: HttpExchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(exchange);
    };
    const fail = (kind: TransportFailureKind, reason: string): void =>
      finish({ ok: false, url, requestBody: body, kind, reason });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      fail("error", `not a URL: ${url}`);
      return;
    }
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, {
      method,
      headers: { "content-type": "application/json", "content-length": String(payload.length), ...headers },
      agent: target.protocol === "https:" ? KEEP_ALIVE_HTTPS : KEEP_ALIVE_HTTP,
    });
    const timer = setTimeout(() => {
      fail("timeout", `no complete answer within ${limits.timeoutMs} ms`);
      req.destroy();
    }, limits.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") fail("refused", `connection refused by ${target.host}`);
      else if (error.code === "ECONNRESET" || error.message === "socket hang up") {
        fail("reset", `the connection was reset before a complete answer (${error.code ?? error.message})`);
      } else fail("error", `${error.code ?? "error"}: ${error.message}`);
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxResponseBytes) {
          fail("too-large", `the response body exceeds ${limits.maxResponseBytes} bytes`);
          res.destroy();
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on("aborted", () => fail("reset", "the connection was reset in the middle of the response body"));
      res.on("error", (error) => fail("reset", `the response body broke off (${error.message})`));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        let isJson = false;
        try {
          json = JSON.parse(text);
          isJson = true;
        } catch {
          json = undefined;
        }
        finish({
          ok: true,
          url,
          requestBody: body,
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          headers: Object.fromEntries(
            Object.entries(res.headers).map(([name, value]) => [
              name,
              Array.isArray(value) ? value.join(", ") : String(value),
            ]),
          ),
          text,
          json,
          isJson,
        });
      });
    });
    req.end(payload);
  });
}

/** Answers whether a TCP connection to the URL's host and port can be opened; `reason` says why not. */
export function probeTcp(url: string, timeoutMs: number): Promise<{ reachable: boolean; reason: string }> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ reachable: false, reason: `not a URL: ${url}` });
      return;
    }
    const port = Number(target.port || (target.protocol === "https:" ? 443 : 80));
    const socket = connect({ host: target.hostname, port });
    const done = (reachable: boolean, reason: string): void => {
      socket.destroy();
      resolve({ reachable, reason });
    };
    socket.setTimeout(timeoutMs, () => done(false, `no TCP connection to ${target.host} within ${timeoutMs} ms`));
    socket.on("connect", () => done(true, "connected"));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      done(false, `cannot connect to ${target.host}: ${error.code ?? error.message}`),
    );
  });
}
