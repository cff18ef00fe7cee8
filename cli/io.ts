import { type ParseArgsConfig, parseArgs } from "node:util";

/** Where a command writes; tests pass their own to read what a user would see. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Bad arguments or an unusable input: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Parses a command's arguments strictly (unknown options are errors).
 * @throws UsageError naming the bad argument and pointing at `--help`.
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  command: string,
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true });
  } catch (error) {
    throw new UsageError(
      `${error instanceof Error ? error.message : String(error)} (see cmdb-contract ${command} --help)`,
    );
  }
}
