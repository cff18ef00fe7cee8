import { rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { GenerateOptions as Selection } from "../generator/generate.ts";
import type { GeneratedFile } from "../generator/generated-file.ts";
import { diffFiles, findStaleFiles, writeFiles } from "../generator/write-files.ts";
import { readSpec, SPEC_PATH } from "../spec/load-spec.ts";
import { type CliIo, parseCommandArgs, UsageError } from "./io.ts";

/** The folder `generate` and `docs` write when given no `--out`: `generated/` in the working folder. */
export const DEFAULT_OUT = "generated";

/** The arguments `generate` and `docs` share, resolved: `--spec FILE`, `--out DIR`, `--check`, `--help`. */
export interface OutputArgs {
  specFile: string;
  outDir: string;
  check: boolean;
  help: boolean;
  /** `generate --no-docs`: only the types, the client and the index. */
  noDocs: boolean;
}

/**
 * Parses `[--spec FILE] [--out DIR] [--check]` (and `--no-docs` when `command` is `generate`), defaulting to this
 * toolkit's spec and `./generated`.
 * @throws UsageError on an unknown option, a missing value, or a default folder inside `node_modules`.
 */
export function parseOutputArgs(command: string, args: string[]): OutputArgs {
  const { values } = parseCommandArgs(command, args, {
    spec: { type: "string" },
    out: { type: "string" },
    check: { type: "boolean" },
    ...(command === "generate" ? { "no-docs": { type: "boolean" } } : {}),
  });
  return {
    specFile: values.spec === undefined ? SPEC_PATH : resolve(values.spec),
    outDir: resolveOutDir(values.out, command),
    check: values.check === true,
    help: values.help === true,
    noDocs: (values as { "no-docs"?: boolean })["no-docs"] === true,
  };
}

/**
 * The folder to write: `out` resolved against the working folder, or `./generated` there.
 * @throws UsageError when no `out` is given and `./generated` would land inside `node_modules` (a command run from
 * inside an installed package), so a default never writes into a dependency.
 */
export function resolveOutDir(out: string | undefined, command = "generate"): string {
  if (out !== undefined) return resolve(out);
  const dir = resolve(DEFAULT_OUT);
  if (dir.split(sep).includes("node_modules"))
    throw new UsageError(
      `the default output folder ${dir} is inside node_modules; run from your project's folder or pass --out DIR ` +
        `(see cmdb-contract ${command} --help)`,
    );
  return dir;
}

/** What {@link generateInto} did, or with `check` would do: every path is relative to `outDir`. */
export interface GenerateResult {
  specFile: string;
  outDir: string;
  /** Every file the spec generates, sorted. */
  files: string[];
  /** Files missing or differing (written unless `check`). */
  changed: string[];
  /** Files an earlier run generated and this one does not (removed unless `check`). */
  stale: string[];
}

/** What {@link generateInto} reads, generates and writes. */
export interface GenerateJob {
  /** Default the toolkit's own spec. */
  spec?: string;
  /** Default `./generated` in the working folder. */
  out?: string;
  /** Write nothing; only answer what differs. */
  check: boolean;
  /** Which files: everything, no docs, or only the docs; it also decides which stale files are this run's. */
  selection: Selection;
}

/**
 * Reads the spec, generates the selected files and writes the ones that differ (atomically; unchanged files keep
 * their mtime), then removes the stale ones an earlier spec generated; with `check`, writes nothing.
 * @throws SpecError when the spec cannot be read or is invalid; nothing is written then.
 */
export async function generateInto(job: GenerateJob): Promise<GenerateResult> {
  const outDir = resolveOutDir(job.out);
  // Imported here so `--help` and bad arguments answer without loading the generators.
  const { generateFiles, ownsPath } = await import("../generator/generate.ts");
  const spec = await readSpec(job.spec === undefined ? undefined : resolve(job.spec));
  const files = await generateFiles(spec, job.selection);
  const [changed, stale] = await Promise.all([
    diffFiles(outDir, files),
    findStaleFiles(outDir, files).then((paths) => paths.filter((path) => ownsPath(job.selection, path))),
  ]);
  if (!job.check) await writeChanges(outDir, files, changed, stale);
  return { specFile: spec.file, outDir, files: files.map((f) => f.path), changed, stale };
}

async function writeChanges(
  outDir: string,
  files: readonly GeneratedFile[],
  changed: readonly string[],
  stale: readonly string[],
): Promise<void> {
  const differing = new Set(changed);
  await writeFiles(
    outDir,
    files.filter((f) => differing.has(f.path)),
  );
  // Left over from an earlier spec (an operation's docs page, say); removed only after every new file is in place.
  await Promise.all(stale.map((path) => rm(join(outDir, path), { force: true })));
}

/**
 * The one path of `generate` and `docs`: parses the shared arguments, generates (everything, no docs, or only the
 * docs) and writes or checks the files, printing one line per file and a summary; answers the exit code.
 * @throws UsageError on bad arguments; SpecError when the spec is invalid (the CLI prints it and exits 2).
 */
export async function runGeneratorCommand(
  command: "generate" | "docs",
  help: string,
  args: string[],
  io: CliIo,
): Promise<number> {
  const options = parseOutputArgs(command, args);
  if (options.help) {
    io.stdout(help);
    return 0;
  }
  const selection: Selection = command === "docs" ? { only: "docs" } : { docs: !options.noDocs };
  const result = await generateInto({
    spec: options.specFile,
    out: options.outDir,
    check: options.check,
    selection,
  });
  return reportResult(command, result, options.check, fixCommand(command, args), io);
}

/** The command line that writes what `args` checks: `cmdb-contract <command> <args without --check>`. */
export function fixCommand(command: string, args: readonly string[]): string {
  const quote = (arg: string) => (/^[\w./=:@-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ["cmdb-contract", command, ...args.filter((a) => a !== "--check").map(quote)].join(" ");
}

/** Prints what {@link generateInto} did (or, with `check`, what differs); answers 1 when `check` found differences. */
function reportResult(command: string, result: GenerateResult, check: boolean, fix: string, io: CliIo): number {
  const { files, changed, stale } = result;
  const shown = displayPath(result.outDir);
  if (check) {
    if (changed.length === 0 && stale.length === 0) {
      io.stdout(`${command} --check: ${files.length} files in ${shown} match the spec\n`);
      return 0;
    }
    io.stderr(
      [
        `${command} --check: ${changed.length} of ${files.length} files in ${shown} differ from what the spec generates` +
          (stale.length > 0 ? `, and ${stale.length} are no longer generated:` : ":"),
        ...changed.map((path) => `  ${join(shown, path)}`),
        ...stale.map((path) => `  ${join(shown, path)} (no longer generated)`),
        `Run \`${fix}\` and commit the result.`,
        "",
      ].join("\n"),
    );
    return 1;
  }
  const written = new Set(changed);
  for (const path of files) io.stdout(`${written.has(path) ? "wrote    " : "unchanged"} ${join(shown, path)}\n`);
  for (const path of stale) io.stdout(`removed   ${join(shown, path)}\n`);
  io.stdout(
    `${command}: ${written.size} of ${files.length} files written to ${shown}` +
      `${stale.length > 0 ? `, ${stale.length} stale removed` : ""} from ${displayPath(result.specFile)}\n`,
  );
  return 0;
}

/** A path relative to the working folder when it is inside it, else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
