import { parseArgs } from "node:util";
import { diffSpecs } from "../diff/diff-specs.ts";
import { FAIL_ON, type FailOn, formatJson, formatMarkdown, formatText, isFailure } from "../diff/format-diff.ts";
import { SpecError } from "../spec/load-spec.ts";
import { loadSpecPair } from "./diff-sources.ts";
import { type CliIo, UsageError } from "./io.ts";

const HELP = `Usage: cmdb-contract diff OLD NEW [--format text|json|markdown] [--fail-on CLASS]

Lists every change from the OLD spec to the NEW one, each with its JSON pointer, whom it breaks and one sentence
why: operations, request and response schemas (required, types, enums, formats, null, additionalProperties,
limits such as the 100-instance cap) and the x-cmdb data (error codes per operation, locked and always-locked
fields, lock rules, the validation order).

  consumers  callers: the generated client and the code that calls the API
  providers  implementations: the real CMDB, the reference CMDB, a team's mock

OLD and NEW are files, or git:REF:PATH for a file at a git revision of the repository in the current folder
(git:origin/main:spec/cmdb.openapi.yaml; PATH from the repository root, ./PATH from the current folder).

Options:
  --format FORMAT   text (default), markdown (for a pull request) or json (for a bot)
  --fail-on CLASS   which changes exit 1: breaking (default: breaking for either side),
                    breaking-for-consumers, breaking-for-providers, any (every change) or none
  -h, --help        show this help

Exit codes: 0 no change of the --fail-on class; 1 such a change was found; 2 could not run (bad arguments,
an unreadable file, a bad git revision or path, an invalid spec).
`;

const FORMATS = { text: formatText, markdown: formatMarkdown, json: formatJson } as const;

/**
 * `cmdb-contract diff OLD NEW`: loads and validates both specs, prints the report and answers 1 when a change of the
 * `--fail-on` class is found.
 * @throws UsageError on bad arguments (the CLI prints it and exits 2).
 */
export async function runDiff(args: string[], io: CliIo): Promise<number> {
  const options = parseDiffArgs(args);
  if (options.help) {
    io.stdout(HELP);
    return 0;
  }
  const loading = loadSpecPair(options.old, options.new);
  const [before, after] = await loading.parsed;
  // Compared while the worker validates; printed only when both turn out valid.
  const diff =
    before?.status === "fulfilled" && after?.status === "fulfilled"
      ? diffSpecs(before.value.document, after.value.document)
      : undefined;
  const problems = (await loading.validated).flatMap((result, i) =>
    result.status === "rejected" ? [describeFailure(i === 0 ? "OLD" : "NEW", result.reason)] : [],
  );
  if (problems.length > 0 || diff === undefined) {
    io.stderr(`cmdb-contract diff: ${problems.join("\ncmdb-contract diff: ")}\n`);
    return 2;
  }
  const context = { old: options.old, new: options.new, failOn: options.failOn };
  io.stdout(FORMATS[options.format](diff, context));
  return isFailure(diff, options.failOn) ? 1 : 0;
}

function parseDiffArgs(args: string[]) {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: "string", default: "text" },
        "fail-on": { type: "string", default: "breaking" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)} (see cmdb-contract diff --help)`);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && positionals.length !== 2) {
    throw new UsageError(`expected OLD and NEW, got ${positionals.length} argument(s) (see cmdb-contract diff --help)`);
  }
  if (!Object.hasOwn(FORMATS, values.format)) {
    throw new UsageError(`--format must be text, markdown or json, not "${values.format}"`);
  }
  if (!FAIL_ON.includes(values["fail-on"] as FailOn)) {
    throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(", ")}, not "${values["fail-on"]}"`);
  }
  return {
    help,
    old: positionals[0] ?? "",
    new: positionals[1] ?? "",
    format: values.format as keyof typeof FORMATS,
    failOn: values["fail-on"] as FailOn,
  };
}

function describeFailure(side: "OLD" | "NEW", error: unknown): string {
  if (!(error instanceof SpecError)) return `${side}: ${error instanceof Error ? error.message : String(error)}`;
  const unreadable = error.problems.some((p) => p.code === "unreadable");
  return `${side} ${unreadable ? "cannot be read" : "is not a valid spec"}:\n${error.message}`;
}
