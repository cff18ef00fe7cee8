import { rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { GeneratedFile } from "../generator/generated-file.ts";
import { diffFiles, findStaleFiles, writeFiles } from "../generator/write-files.ts";
import { readSpec, SPEC_PATH } from "../spec/load-spec.ts";
import { type CliIo, parseCommandArgs } from "./io.ts";

/** Where `generate` and `docs` write by default: `generated/` at the repo root. */
export const DEFAULT_OUT_DIR = fileURLToPath(new URL("../generated/", import.meta.url));

/** The arguments `generate` and `docs` share, resolved: `--spec FILE`, `--out DIR`, `--check`, `--help`. */
export interface OutputArgs {
  specFile: string;
  outDir: string;
  check: boolean;
  help: boolean;
}

/**
 * Parses `[--spec FILE] [--out DIR] [--check]`, defaulting to this toolkit's spec and `generated/`.
 * @throws UsageError on an unknown option or a missing value.
 */
export function parseOutputArgs(command: string, args: string[]): OutputArgs {
  const { values } = parseCommandArgs(command, args, {
    spec: { type: "string" },
    out: { type: "string" },
    check: { type: "boolean" },
  });
  return {
    specFile: values.spec === undefined ? SPEC_PATH : resolve(values.spec),
    outDir: values.out === undefined ? DEFAULT_OUT_DIR : resolve(values.out),
    check: values.check === true,
    help: values.help === true,
  };
}

/**
 * The one path of `generate` and `docs`: parses the shared arguments, reads the spec, generates (all files, or only
 * the docs) and writes or checks them; answers the exit code.
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
  // Imported here so `--help` and bad arguments answer without loading the generators.
  const { generateFiles, ownsPath } = await import("../generator/generate.ts");
  const selection = command === "docs" ? { only: "docs" as const } : {};
  const spec = await readSpec(options.specFile);
  return checkOrWriteFiles(
    {
      command,
      outDir: options.outDir,
      files: await generateFiles(spec, selection),
      owns: (path) => ownsPath(selection, path),
      check: options.check,
      specFile: spec.file,
    },
    io,
  );
}

/** What {@link checkOrWriteFiles} writes and how it talks about it. */
export interface OutputJob {
  /** The command, for messages: `generate`, `docs`. */
  command: string;
  outDir: string;
  files: readonly GeneratedFile[];
  /** Which stale files this command owns (`docs` owns only `docs/…`); all by default. */
  owns?: (path: string) => boolean;
  check: boolean;
  /** The spec the files come from, named in the summary. */
  specFile: string;
}

/**
 * Writes the files that differ (atomically) and removes the ones an earlier spec generated, or with `check` writes
 * nothing and lists them; answers the exit code (0 written or up to date, 1 `check` found differences).
 */
export async function checkOrWriteFiles(job: OutputJob, io: CliIo): Promise<number> {
  const { command, outDir, files, check } = job;
  const shown = displayPath(outDir);
  const owns = job.owns ?? (() => true);
  const [differing, stale] = await Promise.all([
    diffFiles(outDir, files),
    findStaleFiles(outDir, files).then((paths) => paths.filter(owns)),
  ]);
  if (check) {
    if (differing.length === 0 && stale.length === 0) {
      io.stdout(`${command} --check: ${files.length} files in ${shown} match the spec\n`);
      return 0;
    }
    io.stderr(
      [
        `${command} --check: ${differing.length} of ${files.length} files in ${shown} differ from what the spec generates` +
          (stale.length > 0 ? `, and ${stale.length} are no longer generated:` : ":"),
        ...differing.map((path) => `  ${join(shown, path)}`),
        ...stale.map((path) => `  ${join(shown, path)} (no longer generated)`),
        `Run \`npm run generate\` (or \`cmdb-contract ${command}\` with the same --spec/--out) and commit the result.`,
        "",
      ].join("\n"),
    );
    return 1;
  }
  // Unchanged files are left alone (mtime included), so watchers and incremental builds see only real changes.
  const changed = new Set(differing);
  await writeFiles(
    outDir,
    files.filter((f) => changed.has(f.path)),
  );
  // Left over from an earlier spec (an operation's docs page, say); removed only after every new file is in place.
  await Promise.all(stale.map((path) => rm(join(outDir, path), { force: true })));
  for (const file of files) {
    io.stdout(`${changed.has(file.path) ? "wrote    " : "unchanged"} ${join(shown, file.path)}\n`);
  }
  for (const path of stale) io.stdout(`removed   ${join(shown, path)}\n`);
  io.stdout(
    `${command}: ${changed.size} of ${files.length} files written to ${shown}` +
      `${stale.length > 0 ? `, ${stale.length} stale removed` : ""} from ${displayPath(job.specFile)}\n`,
  );
  return 0;
}

/** A path relative to the working folder when it is inside it, else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
