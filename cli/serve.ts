import { DEFAULT_MAX_BODY_BYTES } from "../provider/app.ts";
import { FAULT_DESCRIPTIONS, FAULT_NAMES, isFaultName } from "../provider/faults.ts";
import { startReferenceCmdb } from "../provider/server.ts";
import { loadWorldFile, type World, WorldError } from "../provider/world.ts";
import { type CliIo, parseCommandArgs, UsageError } from "./io.ts";

/** The text of `cmdb-contract serve --help`. */
export function formatServeHelp(): string {
  const width = Math.max(...FAULT_NAMES.map((n) => n.length));
  return [
    "Usage: cmdb-contract serve [--host 127.0.0.1] [--port N] [--world FILE] [--fault NAME] [--no-state-setup]",
    "",
    "Run the embedded reference CMDB: the four ESB operations of create_service_instance",
    "(create_service_instance, list_process_instance, get_proc_template, delete_service_instance)",
    "under /api/c/compapi/v2/cc/, over an in-memory world. Stop it with Ctrl-C.",
    "",
    "Options:",
    "  --host HOST        address to listen on (default 127.0.0.1)",
    "  --port N           port to listen on (default 0: a free port, printed at start)",
    "  --world FILE       load a world (JSON or YAML, spec/world.schema.json) at start; default: an empty CMDB",
    "  --fault NAME       switch on one deliberate deviation from the real CMDB (to test checks)",
    "  --no-state-setup   do not serve POST /_cmdb/state (the provider-state setup endpoint)",
    "  -h, --help         show this help",
    "",
    `Bodies over ${DEFAULT_MAX_BODY_BYTES / 1024 / 1024} MiB answer 1199004; JSON nested deeper than 64 levels answers 1199000.`,
    "",
    "Faults:",
    ...FAULT_NAMES.map((name) => `  ${name.padEnd(width)}  ${FAULT_DESCRIPTIONS[name]}`),
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
export async function runServe(args: string[], io: CliIo, stopSignal?: Promise<unknown>): Promise<number> {
  const { values } = parseCommandArgs("serve", args, {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    world: { type: "string" },
    fault: { type: "string" },
    "no-state-setup": { type: "boolean", default: false },
  });
  if (values.help) {
    io.stdout(formatServeHelp());
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, not "${values.port}"`);
  }
  const fault = values.fault;
  if (fault !== undefined && !isFaultName(fault)) {
    throw new UsageError(`unknown fault "${fault}"; one of: ${FAULT_NAMES.join(", ")}`);
  }
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
  const running = await startReferenceCmdb({
    host: values.host,
    port,
    stateSetup: !values["no-state-setup"],
    ...(world ? { world } : {}),
    ...(fault ? { fault } : {}),
  });
  io.stdout(`reference CMDB listening on ${running.url}\n`);
  if (!values["no-state-setup"]) io.stdout(`state setup: POST ${running.stateSetupUrl}\n`);
  io.stdout(`world: ${values.world ?? "empty (load one with --world FILE or POST /_cmdb/state)"}\n`);
  if (fault) io.stdout(`fault: ${fault} (${FAULT_DESCRIPTIONS[fault]})\n`);
  await (stopSignal ?? waitForSignal());
  await running.close();
  io.stdout("reference CMDB stopped\n");
  return 0;
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
