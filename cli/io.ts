import { type ParseArgsConfig, parseArgs } from "node:util";

/** Where a command writes; tests pass their own to read what a user would see. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Parses a whole-number option within a range, or answers the default when it is absent.
 * @throws UsageError naming the option, the allowed range and the value given.
 */
export function parseIntegerOption(
  name: string,
  value: string | undefined,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (value === undefined) return fallback;
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}, not "${value}"`);
  }
  return n;
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
): ReturnType<
  typeof parseArgs<{ args: string[]; options: T & { help: { type: "boolean"; short: "h" } }; strict: true }>
> {
  // `--runs -1` is a value, not an option: joined as `--runs=-1` it reaches the option's own range check.
  const valued = new Set(
    Object.entries(options)
      .filter(([, o]) => o.type === "string")
      .map(([name]) => `--${name}`),
  );
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (valued.has(arg) && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  try {
    return parseArgs({ args: joined, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true });
  } catch (error) {
    throw new UsageError(
      `${error instanceof Error ? error.message : String(error)} (see cmdb-contract ${command} --help)`,
    );
  }
}
