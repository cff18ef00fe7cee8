/**
 * The HTTP shell of the reference CMDB: a `node:http` server on loopback that reads bodies up to a limit and hands
 * them to the core of `app.ts`. It bounds what one client can hold: a request must arrive whole within a time limit
 * (else 408), and only so many connections are open at once (more are closed as they arrive).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createReferenceCmdb, DEFAULT_MAX_BODY_BYTES, STATE_SETUP_PATH } from "./app.ts";
import type { FaultName } from "./faults.ts";
import { WORLD_LIMITS, type World } from "./world.ts";

/** A request (headers and body) must arrive whole within this time, or it is answered 408 and closed. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Open connections beyond this are closed as they arrive. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/** Options of {@link startReferenceCmdb}. */
export interface StartReferenceCmdbOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  world?: World;
  fault?: FaultName;
  /** Default true: serve `POST /_cmdb/state`. */
  stateSetup?: boolean;
  /** Default 2 MiB; a larger body answers 1199004 (the state endpoint takes a world of up to 4 MiB). */
  maxBodyBytes?: number;
  /** The state endpoint's bearer token; with it, any Host that sends the token may set the state. */
  stateToken?: string;
  /** The one browser origin allowed to call the ESB operations (CORS); default none. */
  cors?: string;
  /** Default {@link DEFAULT_REQUEST_TIMEOUT_MS}: a request not received whole by then is answered 408. */
  requestTimeoutMs?: number;
  /** Default {@link DEFAULT_MAX_CONNECTIONS}. */
  maxConnections?: number;
  /** The gateway route's per-app limit in requests per second (answers 429 1642902 beyond it); default none. */
  rateLimit?: number;
  /** The time of `create_time`/`last_time` and of the rate limit's windows; default the real time. */
  clock?: () => Date;
}

/** A running reference CMDB. */
export interface RunningReferenceCmdb {
  /** e.g. `http://127.0.0.1:41234`, no trailing slash. */
  url: string;
  /** `url + "/_cmdb/state"`. */
  stateSetupUrl: string;
  /** A deterministic picture of the mutable state (for tests that prove a request changed nothing). */
  snapshot(): unknown;
  /** Stops listening and ends every open connection, keep-alive ones included. */
  close(): Promise<void>;
}

/**
 * Starts the reference CMDB on loopback (by default on a free port) and answers where it listens.
 * @throws WorldError when `options.world` is invalid; the listen error when the port is taken.
 */
export async function startReferenceCmdb(options: StartReferenceCmdbOptions = {}): Promise<RunningReferenceCmdb> {
  const cmdb = createReferenceCmdb({
    ...(options.world ? { world: options.world } : {}),
    ...(options.fault ? { fault: options.fault } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.cors ? { cors: options.cors } : {}),
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    stateAccess: options.stateToken === undefined ? {} : { token: options.stateToken },
    stateSetup: options.stateSetup ?? true,
  });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node checks the deadline every `connectionsCheckingInterval`; starting that much earlier answers within `timeout`.
  const checkEvery = Math.max(5, Math.min(1_000, Math.floor(timeout / 10)));
  // Set once listening, before any request can arrive.
  let listen = { host: "", port: 0 };
  const server = createServer(
    {
      keepAliveTimeout: 5_000,
      requestTimeout: Math.max(1, timeout - checkEvery),
      headersTimeout: Math.max(1, timeout - checkEvery),
      connectionsCheckingInterval: checkEvery,
    },
    (req, res) => {
      const url = req.url ?? "/";
      const limit = url.startsWith(STATE_SETUP_PATH) ? Math.max(maxBodyBytes, WORLD_LIMITS.maxBytes) : maxBodyBytes;
      readBody(req, limit, (body) => {
        // The core answers even its own defects (1199998), so every request gets an answer.
        const response = cmdb.handle({ method: req.method ?? "GET", path: url, headers: req.headers, body, listen });
        send(res, response, body === undefined);
      });
    },
  );
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  listen = { host, port: address.port };
  const url = `http://${host}:${address.port}`;
  return {
    url,
    stateSetupUrl: `${url}${STATE_SETUP_PATH}`,
    snapshot: () => cmdb.snapshot(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// Collects the body; past the limit it stops collecting and answers at once (the connection then closes).
function readBody(req: IncomingMessage, limit: number, done: (body: string | undefined) => void): void {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    done(undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on("data", (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > limit) {
      finished = true;
      done(undefined);
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (finished) return;
    finished = true;
    // Most bodies arrive in one chunk, which needs no copy before decoding.
    done((chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8"));
  });
  req.on("error", () => {
    finished = true;
  });
}

function send(
  res: ServerResponse,
  response: { status: number; headers: Record<string, string>; body: string },
  close: boolean,
): void {
  const headers: Record<string, string | number> = response.headers;
  headers["content-length"] = Buffer.byteLength(response.body);
  if (close) headers.connection = "close";
  res.writeHead(response.status, headers);
  res.end(response.body);
}
