import type { CliIo } from "./io.ts";
import { type GenerateResult, generateInto, runGeneratorCommand } from "./output-files.ts";

export type { GenerateResult } from "./output-files.ts";

const HELP = `Usage: cmdb-contract generate [--spec FILE] [--out DIR] [--no-docs] [--check]

Generates from the OpenAPI spec: types.gen.ts (openapi-typescript), client.gen.ts (a typed fetch client),
index.ts and the docs pages. The output imports nothing but its own files and needs no dependency.

Options:
  --spec FILE   the spec to read (default: cmdb.openapi.yaml of this toolkit)
  --out DIR     the folder to write (default: ./generated in the current folder, never inside node_modules)
  --no-docs     write only types.gen.ts, client.gen.ts and index.ts; a docs/ folder already there is left alone
  --check       write nothing; exit 1 listing every file that differs from what the spec generates
                (and every *.gen.ts or docs/ file it no longer generates); combines with --out and --no-docs,
                so CI can fail on a stale client
  -h, --help    show this help

Writes are atomic: a failed run leaves the previous files untouched. Files an earlier spec generated
(*.gen.ts, docs/…) and this one does not are removed; other files in the folder are left alone.
Exit codes: 0 written or up to date; 1 --check found differences; 2 bad arguments or an invalid spec.
`;

/** Options of {@link generate}; every one has a default. */
export interface GenerateOptions {
  /** The spec to read; default the toolkit's own (`specPath`). */
  spec?: string;
  /** The folder to write; default `./generated` in the working folder (never inside `node_modules`). */
  out?: string;
  /** Default true; false writes only `types.gen.ts`, `client.gen.ts` and `index.ts` and leaves `docs/` alone. */
  docs?: boolean;
  /** Write nothing; only answer what differs from what the spec generates. */
  check?: boolean;
}

/**
 * Generates the types, the client, the index and the docs from a spec into a folder, atomically, writing only the
 * files that differ and removing the ones an earlier spec generated; with `check`, writes nothing. `changed` and
 * `stale` list what was (or, with `check`, would be) written and removed.
 * @throws SpecError listing every problem when the spec cannot be read or is invalid; nothing is written then.
 * @throws UsageError when no `out` is given and `./generated` would be inside `node_modules`.
 */
export async function generate(options: GenerateOptions = {}): Promise<GenerateResult> {
  return generateInto({
    ...(options.spec === undefined ? {} : { spec: options.spec }),
    ...(options.out === undefined ? {} : { out: options.out }),
    check: options.check ?? false,
    selection: { docs: options.docs ?? true },
  });
}

/**
 * `cmdb-contract generate`: {@link generate} with the command line's options, one line per file and a summary, or
 * with `--check` the list of files that differ.
 * @throws SpecError when the spec is invalid (the CLI prints it and exits 2).
 */
export async function runGenerate(args: string[], io: CliIo): Promise<number> {
  return runGeneratorCommand("generate", HELP, args, io);
}
