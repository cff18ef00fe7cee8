import { DEFAULT_MAX_BODY_BYTES, MAX_JSON_DEPTH } from "../provider/app.ts";
import { MAX_CREATE_INSTANCES, MAX_CREATE_PROCESSES } from "../provider/create-service-instance.ts";
import { FAULT_DESCRIPTIONS, FAULT_NAMES, isFaultName } from "../provider/faults.ts";
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS, startReferenceCmdb } from "../provider/server.ts";
import { LOOPBACK_HOSTS } from "../provider/state-endpoint.ts";
import { loadWorldFile, WORLD_LIMITS, type World, WorldError } from "../provider/world.ts";
import { type CliIo, parseCommandArgs, parseIntegerOption, UsageError } from "./io.ts";

/** The largest `--rate-limit`. */
const MAX_RATE_LIMIT = 1_000_000;

/** The text of `cmdb-contract serve --help`. */
export function formatServeHelp(): string {
  const width = Math.max(...FAULT_NAMES.map((n) => n.length));
  const mib = (bytes: number): string => `${bytes / 1024 / 1024} MiB`;
  return [
    "Usage: cmdb-contract serve [--host 127.0.0.1] [--port N] [--world FILE] [--fault NAME] [--no-state-setup]",
    "                           [--state-token TOKEN] [--cors ORIGIN] [--rate-limit N]",
    "",
    "Run the embedded reference CMDB over an in-memory world, behind both front doors. Stop it with Ctrl-C.",
    "The four operations (create_service_instance, list_process_instance, get_proc_template,",
    "delete_service_instance) answer on two routes, with the same rules behind them:",
    "  ESB          POST /api/c/compapi/v2/cc/<operation>/, credentials in the body,",
    "               envelope {result, code, message, permission, request_id, data}",
    "  API gateway  /api/bk-cmdb/<stage>/api/v3/… (any stage, e.g. prod) and the same paths at the root:",
    "                 POST   /api/v3/create/proc/service_instance",
    "                 POST   /api/v3/findmany/proc/process_instance",
    "                 POST   /api/v3/find/proc/proc_template/id/{process_template_id}",
    "                 DELETE /api/v3/deletemany/proc/service_instance",
    '               credentials in the header X-Bkapi-Authorization: {"bk_app_code": …, "bk_app_secret": …,',
    '               "bk_username" | "bk_token" | "access_token": …}; CMDB\'s native envelope {result, bk_error_code,',
    "               bk_error_msg, permission, data}; X-Bkapi-Request-Id on every answer. The gateway's own errors",
    "               (non-200, {code_name, code, message, result: false, data: null}):",
    "                 400 1640001 INVALID_ARGS            header missing or not JSON, no bk_app_code, wrong secret",
    "                 404 1640401 API_NOT_FOUND           a path (or method) no resource has",
    "                 429 1642902 RATE_LIMIT_RESTRICTION  over --rate-limit, with X-Bkapi-RateLimit-* headers",
    "               The gateway does not verify the user (userVerifiedRequired: false): bk_username is taken as",
    '               given; with no user at all CMDB refuses the gateway\'s JWT with 1199998 "user is not set".',
    "",
    "Options:",
    "  --host HOST          address to listen on (default 127.0.0.1)",
    "  --port N             port to listen on (default 0: a free port, printed at start)",
    "  --world FILE         load a world (JSON or YAML, spec/world.schema.json) at start; default: an empty CMDB",
    "  --fault NAME         switch on one deliberate deviation from the real CMDB (to test checks)",
    "  --no-state-setup     do not serve POST /_cmdb/state (the provider-state setup endpoint)",
    "  --state-token TOKEN  require Authorization: Bearer TOKEN on POST /_cmdb/state, from any Host",
    "                       (default $CMDB_STATE_TOKEN; for a CI service container reached by name)",
    "  --cors ORIGIN        let pages of ORIGIN (e.g. http://localhost:5173) call the operations:",
    "                       answers their preflights and adds CORS headers; off by default",
    `  --rate-limit N       the API gateway's per-app limit: at most N requests per second per bk_app_code,`,
    `                       1 to ${MAX_RATE_LIMIT} (the real resources have 100); off by default`,
    "  -h, --help           show this help",
    "",
    "State endpoint: it replaces the whole CMDB, so without a token it answers only requests whose Host is",
    `${LOOPBACK_HOSTS.join(", ")} or the listening address, with the port; with a token, any Host that sends it.`,
    "Always refused: an Origin other than its own (a web page) and a Content-Type other than application/json.",
    "Listening on a non-loopback --host without a token prints a warning.",
    "",
    "Limits:",
    `  request body        ${mib(DEFAULT_MAX_BODY_BYTES)} (answers 1199004); JSON nested deeper than ${MAX_JSON_DEPTH} levels answers 1199000`,
    `  one create          ${MAX_CREATE_INSTANCES} instances; ${MAX_CREATE_PROCESSES} processes in all (answers 1199035)`,
    `  IDs                 up to 2^53 - 1; a create that would pass it answers 1199058 and creates nothing`,
    `  world               ${mib(WORLD_LIMITS.maxBytes)} (as a --world file or a state body), ${WORLD_LIMITS.maxRows} rows (list items`,
    `                      at any depth, and tokens), ${WORLD_LIMITS.maxProcessTemplatesPerServiceTemplate} process templates per service template`,
    `  slow requests       a request not received whole within ${DEFAULT_REQUEST_TIMEOUT_MS / 1000} s is answered 408 and closed`,
    `  connections         at most ${DEFAULT_MAX_CONNECTIONS} open at once; more are closed as they arrive`,
    "",
    "Faults:",
    ...FAULT_NAMES.flatMap((name) => wrapUnder(`  ${name.padEnd(width)}  `, FAULT_DESCRIPTIONS[name])),
    "",
    "Exit codes: 0 stopped cleanly; 2 could not start (bad option, unreadable or invalid world, port in use).",
    "",
  ].join("\n");
}

/**
 * `cmdb-contract serve`: starts the reference CMDB and runs until SIGINT or SIGTERM (or `stopSignal`, for tests);
 * answers the exit code.
 * @throws UsageError on a bad option, an unknown fault or a bad port.
 */
export async function runServe(
  args: string[],
  io: CliIo,
  stopSignal?: Promise<unknown>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const { values } = parseCommandArgs("serve", args, {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    world: { type: "string" },
    fault: { type: "string" },
    "no-state-setup": { type: "boolean", default: false },
    "state-token": { type: "string" },
    cors: { type: "string" },
    "rate-limit": { type: "string" },
  });
  if (values.help) {
    io.stdout(formatServeHelp());
    return 0;
  }
  const port = parseIntegerOption("port", values.port, 0, { min: 0, max: 65535 });
  const fault = values.fault;
  if (fault !== undefined && !isFaultName(fault)) {
    throw new UsageError(`unknown fault "${fault}"; one of: ${FAULT_NAMES.join(", ")}`);
  }
  const stateToken = values["state-token"] ?? (env.CMDB_STATE_TOKEN || undefined);
  if (stateToken !== undefined && !/^[\x21-\x7e]+$/.test(stateToken)) {
    throw new UsageError("--state-token (or $CMDB_STATE_TOKEN) must be printable ASCII without spaces");
  }
  const cors = values.cors === undefined ? undefined : parseOrigin(values.cors);
  const rateLimit =
    values["rate-limit"] === undefined
      ? undefined
      : parseIntegerOption("rate-limit", values["rate-limit"], 0, { min: 1, max: MAX_RATE_LIMIT });
  let world: World | undefined;
  if (values.world !== undefined) {
    try {
      world = await loadWorldFile(values.world);
    } catch (error) {
      if (error instanceof WorldError) {
        io.stderr(`cmdb-contract serve: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  }
  const stateSetup = !values["no-state-setup"];
  if (stateSetup && stateToken === undefined && !isLoopback(values.host)) {
    io.stderr(
      `cmdb-contract serve: warning: listening on ${values.host} without --state-token: anyone who reaches the port ` +
        "can replace the world through POST /_cmdb/state (only requests naming this address in Host are served)\n",
    );
  }
  const running = await startReferenceCmdb({
    host: values.host,
    port,
    stateSetup,
    ...(stateToken !== undefined ? { stateToken } : {}),
    ...(cors !== undefined ? { cors } : {}),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    ...(world ? { world } : {}),
    ...(fault ? { fault } : {}),
  });
  io.stdout(`reference CMDB listening on ${running.url}\n`);
  if (stateSetup) {
    const guard = stateToken === undefined ? "" : " (with Authorization: Bearer <state token>)";
    io.stdout(`state setup: POST ${running.stateSetupUrl}${guard}\n`);
  }
  io.stdout(`API gateway: ${running.url}/api/bk-cmdb/<stage>/api/v3/… (and at the root)\n`);
  if (rateLimit !== undefined) io.stdout(`rate limit: ${rateLimit} requests per second per app (gateway route)\n`);
  if (cors !== undefined) io.stdout(`CORS: pages of ${cors} may call the operations\n`);
  io.stdout(`world: ${values.world ?? "empty (load one with --world FILE or POST /_cmdb/state)"}\n`);
  if (fault) io.stdout(`fault: ${fault} (${FAULT_DESCRIPTIONS[fault]})\n`);
  await (stopSignal ?? waitForSignal());
  await running.close();
  io.stdout("reference CMDB stopped\n");
  return 0;
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function parseOrigin(value: string): string {
  let origin: string | undefined;
  try {
    origin = new URL(value).origin;
  } catch {
    origin = undefined;
  }
  if (origin === undefined || origin === "null" || origin !== value.replace(/\/$/, "")) {
    throw new UsageError(`--cors must be an origin such as http://localhost:5173 (scheme, host, port), not "${value}"`);
  }
  return origin;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** The widest line of the help text. */
const HELP_WIDTH = 118;

// `lead` then `text`, its words wrapped at HELP_WIDTH, every further line indented as far as the text starts.
function wrapUnder(lead: string, text: string): string[] {
  const lines: string[] = [];
  let line = lead;
  for (const word of text.split(" ")) {
    if (line.length > lead.length && line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = " ".repeat(lead.length);
    }
    line += line.length > lead.length ? ` ${word}` : word;
  }
  lines.push(line);
  return lines;
}
