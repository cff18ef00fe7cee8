// A loopback ESB (or API gateway) for the client tests: a real HTTP server on 127.0.0.1 whose answers a test sets and
// which records every request, plus the canary secrets that must never show up in an error.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";

/** Canary secrets: if either ever shows up in an error, redaction failed. */
export const SECRET = "canary-secret-7f3a";
/** The canary `bk_token`. */
export const TOKEN = "canary-token-19b2";
/** The auth fields every test client sends. */
export const AUTH = { bk_app_code: "demo", bk_app_secret: SECRET, bk_token: TOKEN };
/** A valid create body. */
export const CREATE = { bk_biz_id: 2, bk_module_id: 61, instances: [{ bk_host_id: 10 }, { bk_host_id: 11 }] };

/** One request the server received. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

/** How the server answers one request. */
export interface Reply {
  status?: number;
  contentType?: string;
  body?: string;
  /** Response headers beside the content type (the gateway's `X-Bkapi-*`). */
  headers?: Record<string, string>;
  /** Never answer (to test the timeout and abort). */
  hang?: boolean;
}

/** The server's state a test reads and sets: its URL, the requests it saw, and how it answers the next ones. */
export interface LoopbackEsb {
  baseUrl: string;
  seen: Seen[];
  reply: (seen: Seen) => Reply;
}

/**
 * Starts one loopback ESB for the calling test file (closed after it); before each test it forgets what it saw and
 * answers a successful create (`data: [100, 101]`).
 */
export function useLoopbackEsb(): LoopbackEsb {
  const esb: LoopbackEsb = { baseUrl: "", seen: [], reply: () => ({}) };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      req.on("end", () => {
        const body = text === "" ? {} : JSON.parse(text);
        const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
        esb.seen.push(request);
        const answer = esb.reply(request);
        if (answer.hang) return;
        res.writeHead(answer.status ?? 200, {
          "content-type": answer.contentType ?? "application/json",
          ...answer.headers,
        });
        res.end(answer.body ?? "");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    esb.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    esb.seen = [];
    esb.reply = () => ({ body: envelope({ data: [100, 101] }) });
  });
  return esb;
}

/** A success envelope with these fields changed. */
export function envelope(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    result: true,
    code: 0,
    message: "success",
    permission: null,
    request_id: "req-1",
    data: null,
    ...fields,
  });
}

/** A success in CMDB's native envelope (the API gateway route) with these fields changed. */
export function native(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    result: true,
    bk_error_code: 0,
    bk_error_msg: "success",
    permission: null,
    data: null,
    ...fields,
  });
}

/** A gateway error body (`GatewayError`). */
export function gatewayError(code: number, codeName: string, message: string): string {
  return JSON.stringify({ code_name: codeName, code, message, result: false, data: null });
}

/** A failure envelope. */
export function failure(code: number, message: string, fields: Record<string, unknown> = {}): string {
  return envelope({ result: false, code, message, data: null, ...fields });
}

/** The reason a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Fails when a canary secret shows in any view of an error: string, message, stack, JSON, spread fields. */
export function expectNoSecret(error: unknown): void {
  const views = [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? "",
    JSON.stringify(error),
    JSON.stringify({ ...(error as object) }),
  ];
  for (const view of views) {
    expect(view).not.toContain(SECRET);
    expect(view).not.toContain(TOKEN);
  }
}
