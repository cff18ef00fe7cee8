import { isSpecError } from "../lib/guards.ts";
import type { CliIo } from "./io.ts";
import { UsageError } from "./io.ts";

/** A subcommand: parses its own arguments and answers an exit code (0 good, 1 a check failed, 2 could not run). */
export type Command = (args: string[], io: CliIo) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, CommandEntry> = {
  generate: {
    summary: "write ./generated (types, client, docs) from the spec; --check lists what differs",
    load: async () => (await import("./generate.ts")).runGenerate,
  },
  docs: {
    summary: "write the Markdown pages (zh, en) and the HTML reference from the spec",
    load: async () => (await import("./docs.ts")).runDocs,
  },
  serve: {
    summary: "run the embedded reference CMDB on loopback",
    load: async () => (await import("./serve.ts")).runServe,
  },
  diff: {
    summary: "list the changes between two specs and whom they break (consumers, providers); exit 1 when breaking",
    load: async () => (await import("./diff.ts")).runDiff,
  },
  verify: {
    summary: "verify a provider (default: the embedded reference CMDB) against the pacts and fixture checks",
    load: async () => (await import("./verify.ts")).runVerify,
  },
  "publish-pacts": {
    summary: "validate the pacts against the spec and publish them to a Pact Broker (pact-broker publish)",
    load: async () => (await import("./publish-pacts.ts")).runPublishPacts,
  },
};

/** The text of `cmdb-contract --help`. */
export function formatHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: cmdb-contract <command> [options]",
    "",
    "Contract toolkit for BlueKing CMDB create_service_instance.",
    "",
    "Commands:",
    ...rows,
    "",
    "Run `cmdb-contract <command> --help` for the options of one command.",
    "Exit codes: 0 all good; 1 a check or contract failed; 2 could not run.",
    "",
  ].join("\n");
}

/** Runs the command line and answers the exit code; never throws, never calls `process.exit`. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(formatHelp());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`cmdb-contract: unknown command "${name}"\n\n${formatHelp()}`);
    return 2;
  }
  try {
    return await (await entry.load())(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`cmdb-contract ${name}: ${error.message}\n`);
      return 2;
    }
    if (isSpecError(error)) {
      io.stderr(`cmdb-contract ${name}: the spec is invalid\n${error.message}\n`);
      return 2;
    }
    io.stderr(`cmdb-contract ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
}
